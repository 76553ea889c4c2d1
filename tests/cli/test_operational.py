"""`flask operational import`: one report line per file; a bad file is refused whole, with line numbers."""

from sqlalchemy import func, select

from data_access.schema import OperationalReading


def test_import_reports_each_file_and_refuses_a_bad_one_whole(server, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("settlement_date,settlement_period,metered_mw\n2023-03-26,1,1.5\n2023-03-26,46,-2\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("settlement_date,settlement_period,metered_mw\n2023-03-27,1,1\n2023-03-27,49,1\n")
    runner = server.test_cli_runner()

    result = runner.invoke(args=["operational", "import", str(good), str(bad)])
    assert result.exit_code != 0
    assert "good.csv: 2 readings from 2023-03-26 SP1 to 2023-03-26 SP46; 2 added" in result.output
    assert "bad.csv: NOT imported" in result.output and "line 3: settlement period 49 does not exist" in result.output
    again = runner.invoke(args=["operational", "import", str(good)])
    assert again.exit_code == 0 and "0 added, 0 changed, 2 already stored" in again.output
    with server.extensions["powerdesk"].db.session() as session:
        assert session.scalar(select(func.count()).select_from(OperationalReading)) == 2
