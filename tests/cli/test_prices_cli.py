import gzip

from data_access.price_files import EPEX_DEMO_FILE
from services.audit import list_events


def test_prices_import_detects_the_format_and_prints_the_report(server, tmp_path):
    lines = gzip.decompress(EPEX_DEMO_FILE.read_bytes()).decode().splitlines()
    path = tmp_path / "epex.csv"
    path.write_text("\n".join([lines[0], *[line for line in lines if line[:10] in ("2025-10-25", "2025-10-26")]])
                    + "\n")
    runner = server.test_cli_runner()
    refused = runner.invoke(args=["prices", "import", str(path)])
    assert refused.exit_code == 1 and "refused whole, nothing was stored" in refused.output
    assert "--import-good-lines to import the 1 good line(s)" in refused.output
    result = runner.invoke(args=["prices", "import", str(path), "--import-good-lines"])
    assert result.exit_code == 0, result.output
    assert "epex.csv (epex, source 'epex:epex.csv'): 48 added" in result.output
    assert "Refused day: 2025-10-26: 24 hourly values for a 25-hour day; refused" in result.output
    again = runner.invoke(args=["prices", "import", str(path), "--format", "epex", "--import-good-lines"])
    assert "0 added, 48 unchanged" in again.output
    events = list_events(server.extensions["powerdesk"].db, action_prefix="prices.good_lines_imported", actor="cli")
    assert len(events) == 2 and events[1].detail["added"] == 48 and events[0].detail["unchanged"] == 48
    assert len(list_events(server.extensions["powerdesk"].db, action_prefix="prices.import_refused")) == 1


def test_prices_import_refuses_a_wrong_format_with_a_message(server, tmp_path):
    path = tmp_path / "seed.csv"
    path.write_text("interval_start_utc,day_ahead\n2024-01-01T00:00Z,5\n")
    result = server.test_cli_runner().invoke(args=["prices", "import", str(path), "--format", "mid"])
    assert result.exit_code != 0 and "not a mid file: missing column(s) StartTime" in result.output


def test_prices_fetch_from_the_folder_source(tmp_path):
    from tests.conftest import build_app, make_settings

    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "mid.csv").write_text("StartTime,DataProvider,SettlementDate,SettlementPeriod,Price,Volume\n"
                                    "2024-05-31T23:30:00Z,APXMIDP,2024-06-01,2,70.0,1\n")  # SP2 of a BST day
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'cli.db'}", prices_folder=folder)
    app = build_app(settings, seed=False)
    from data_access import migrate
    migrate.upgrade(settings.resolved_database_url())
    result = app.server.test_cli_runner().invoke(
        args=["prices", "fetch", "--source", "folder", "--from", "2024-06-01", "--to", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert "folder:mid.csv" in result.output and "1 added" in result.output
    bad = app.server.test_cli_runner().invoke(
        args=["prices", "fetch", "--source", "folder", "--from", "2024-06-02", "--to", "2024-06-01"])
    assert bad.exit_code != 0 and "before the start date" in bad.output
    app.server.extensions["powerdesk"].db.dispose()


def test_prices_imports_lists_undo_reverts_and_precedence_shows_and_sets(server, tmp_path):
    runner = server.test_cli_runner()
    path = tmp_path / "fix.csv"
    path.write_text("interval_start_utc,day_ahead\n2023-02-01T00:00:00Z,1.0\n2031-01-01T00:00:00Z,55.5\n")
    imported = runner.invoke(args=["prices", "import", str(path), "--source", "upload:fix"])
    assert imported.exit_code == 0 and "2 added" in imported.output, imported.output
    assert "'seed:zenobe-2023' stays in use" in imported.output
    listed = runner.invoke(args=["prices", "imports"])
    import_id = int(listed.output.split()[0].lstrip("#"))
    assert "fix.csv as 'upload:fix': 2 added, 0 displaced; in effect" in listed.output
    shown = runner.invoke(args=["prices", "precedence"])
    assert "day_ahead: feed > seed > upload (default)" in shown.output
    changed = runner.invoke(args=["prices", "precedence", "--market", "day_ahead", "--order", "upload,seed,feed"])
    assert changed.exit_code == 0 and "day_ahead: upload > seed > feed (set by cli)" in changed.output
    bad = runner.invoke(args=["prices", "precedence", "--market", "day_ahead", "--order", "upload"])
    assert bad.exit_code != 0 and "each of feed, seed, upload once" in bad.output
    undone = runner.invoke(args=["prices", "undo", str(import_id)])
    assert undone.exit_code == 0 and f"Import #{import_id} undone: 2 price(s) removed" in undone.output
    assert "undone by cli" in runner.invoke(args=["prices", "imports"]).output
    again = runner.invoke(args=["prices", "undo", str(import_id)])
    assert again.exit_code != 0 and "already undone" in again.output
    events = list_events(server.extensions["powerdesk"].db, action_prefix="prices.", actor="cli")
    assert {"prices.imported", "prices.precedence_changed", "prices.import_undone"} <= {e.action for e in events}
