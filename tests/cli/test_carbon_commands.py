"""`flask carbon ...` and `flask setup`'s carbon demo data."""

from datetime import date

from data_access.engine import Database
from domain.footprint import day_edges_utc
from services import footprint
from services.setup import run_setup

HEADER = "Time,Variable,AssetId,Value\n"


def test_import_power_reports_unknown_assets_then_registers_them(server, tmp_path):
    path = tmp_path / "cov.csv"
    path.write_text(HEADER + "2019-11-25 00:00:00.0000000,power,meter-9,12.5\n")
    runner = server.test_cli_runner()
    refused = runner.invoke(args=["carbon", "import-power", str(path)])
    assert refused.exit_code != 0 and "unknown asset(s) meter-9" in refused.output
    done = runner.invoke(args=["carbon", "import-power", str(path), "--register-assets"])
    assert done.exit_code == 0, done.output
    assert "1 added" in done.output and "Registered new assets: meter-9" in done.output
    again = runner.invoke(args=["carbon", "import-power", str(path)])
    assert "0 added, 1 already stored" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2019-11-25 00:00:00,power,meter-9,abc\n")
    failed = runner.invoke(args=["carbon", "import-power", str(bad)])
    assert failed.exit_code != 0 and "line 2: value 'abc'" in failed.output


def test_setup_loads_the_seed_asset_so_its_day_works_out_of_the_box(sqlite_url):
    run_setup(Database.from_url(sqlite_url), sqlite_url, "admin-password-1234", True)
    db = Database.from_url(sqlite_url)
    result = footprint.footprint_range(db, "abc123xyz", footprint.DEMO_DATE, 14, 20)
    assert result.total_g == 0.0 and result.known_rows == 7
    edges = day_edges_utc(date(2023, 6, 1))
    day_2023 = footprint.intensity_series(db, edges[0].to_pydatetime(), edges[-1].to_pydatetime())
    assert len(day_2023) == 48 and set(day_2023["intensity_kind"]) == {"actual"}
    again = footprint.load_demo_carbon(db)  # what the next `flask setup` does: nothing added twice
    assert (again.intensity_intervals_added, again.readings_added) == (0, 0)
    db.dispose()


def test_import_power_refuses_an_implausible_file_whole_and_register_asset_takes_a_rating(server, tmp_path):
    runner = server.test_cli_runner()
    registered = runner.invoke(args=["carbon", "register-asset", "battery1", "--rating-kw", "500"])
    assert registered.exit_code == 0, registered.output
    path = tmp_path / "cov.csv"
    path.write_text(HEADER + "2019-11-25 00:00:00,power,battery1,100\n2019-11-25 00:10:00,power,battery1,5001\n")
    refused = runner.invoke(args=["carbon", "import-power", str(path)])
    assert refused.exit_code != 0
    assert "line 3: asset battery1: power 5001 kW is outside ±5000 kW" in refused.output
    assert "nothing was stored" in refused.output
    db = server.extensions["powerdesk"].db
    (asset,) = [a for a in footprint.list_assets(db) if a.asset_id == "battery1"]
    assert asset.first_reading_utc is None
    bad_rating = runner.invoke(args=["carbon", "register-asset", "battery2", "--rating-kw", "-1"])
    assert bad_rating.exit_code != 0 and "not a power in kW" in bad_rating.output
