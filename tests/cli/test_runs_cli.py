"""`flask --app app optimise run|list|cancel` and `apikey create --user`."""

from sqlalchemy import select

from data_access.schema import ApiKey, OptimisationRun
from services import api_keys


def test_optimise_run_names_the_run_first_shows_progress_then_reopens_it(server):
    runner = server.test_cli_runner()
    args = ["optimise", "run", "--start", "2023-02-01", "--end", "2023-02-02", "--power-mw", "50",
            "--energy-mwh", "100", "--soc-min", "0.1", "--soc-max", "0.9", "--initial-soc", "0.5",
            "--terminal-soc", "geq-initial", "--import-limit-mw", "40", "--export-limit-mw", "45",
            "--max-cycles", "1.5", "--degradation-cost", "2", "--markets", "da+id", "--time-limit", "30",
            "--mip-gap", "0.001", "--name", "cli test", "--user", "trader"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0].startswith("Queued run #1 (2 days)") and "run #1" in lines[0]
    assert lines[1:3] == ["day 1 of 2", "day 2 of 2"]
    assert lines[3].startswith("Run #1: succeeded.") and "over 2 days" in first.output
    with server.extensions["powerdesk"].db.session() as session:
        run = session.get(OptimisationRun, 1)
        assert run.created_by.username == "trader" and run.params["battery"]["import_limit_mw"] == 40
        assert run.params["battery"]["soc_min_frac"] == 0.1 and run.params["solver"]["mip_gap"] == 0.001
    again = runner.invoke(args=[*args[:-4], "--name", "renamed", "--user", "trader"])
    assert again.output.startswith("Reopened run #1") and "'renamed' was not applied" in again.output
    listing = runner.invoke(args=["optimise", "list", "--user", "trader"]).output
    assert "#1" in listing and "succeeded" in listing and "cli test" in listing
    assert "No runs." in runner.invoke(args=["optimise", "list", "--status", "running"]).output


def test_optimise_run_explains_bad_input_and_checks_the_user(server):
    runner = server.test_cli_runner()
    for extra, message in [(["--power-mw", "-5"], "power must be above 0"),
                           (["--max-cycles", "0"], "never discharges"),
                           (["--charge-efficiency", "1.5"], "charge efficiency must be at most 1"),
                           (["--name", "x" * 121], "at most 120"),
                           (["--user", "viewer"], "'viewer' is a viewer"),
                           (["--user", "ghost"], "no active user called 'ghost'")]:
        result = runner.invoke(args=["optimise", "run", "--start", "2023-02-01", "--end", "2023-02-01", *extra])
        assert result.exit_code != 0 and message in result.output, (extra, result.output)
    result = runner.invoke(args=["optimise", "run", "--start", "2024-06-01", "--end", "2024-06-01"])
    assert result.exit_code != 0 and "cover 2023-01-14 to 2023-04-30" in result.output


def test_optimise_cancel_ends_a_queued_run_and_refuses_a_finished_one(server):
    from datetime import date

    from services.optimisation_runs import RunRequest, queue_run
    from services.run_requests import parse_request

    db = server.extensions["powerdesk"].db
    request = parse_request({"first_date": "2023-02-01", "last_date": "2023-02-01"})
    queued = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), request.battery))
    runner = server.test_cli_runner()
    result = runner.invoke(args=["optimise", "cancel", str(queued.run_id)])
    assert result.exit_code == 0 and f"Cancelled run #{queued.run_id}" in result.output
    again = runner.invoke(args=["optimise", "cancel", str(queued.run_id)])
    assert again.exit_code != 0 and "already ended (cancelled)" in again.output
    assert "there is no run #99" in runner.invoke(args=["optimise", "cancel", "99"]).output


def test_apikey_create_for_a_user_records_the_owner(server):
    runner = server.test_cli_runner()
    result = runner.invoke(args=["apikey", "create", "notebook", "--user", "trader"])
    assert result.exit_code == 0 and "for user 'trader'" in result.output
    key = result.output.strip().splitlines()[-1]
    db = server.extensions["powerdesk"].db
    verified = api_keys.verify_api_key(db, key)
    assert api_keys.key_user(db, verified.id).username == "trader"
    missing = runner.invoke(args=["apikey", "create", "nobody-key", "--user", "ghost"])
    assert missing.exit_code != 0 and "no user called 'ghost'" in missing.output
    with db.session() as session:
        assert session.scalar(select(ApiKey).where(ApiKey.name == "nobody-key")) is None


def test_optimise_run_trades_on_a_forecaster_with_foresight(server):
    runner = server.test_cli_runner()
    result = runner.invoke(args=["optimise", "run", "--start", "2023-03-01", "--end", "2023-03-02",
                                 "--foresight", "naive-week"])
    assert result.exit_code == 0, result.output
    assert "naive-week forecasts" in result.output and "of the perfect-foresight" in result.output
    with server.extensions["powerdesk"].db.session() as session:
        run = session.scalar(select(OptimisationRun).order_by(OptimisationRun.id.desc()))
        assert run.params["foresight"] == "naive-week" and run.totals["foresight"]["capture_ratio"] is not None
    bad = runner.invoke(args=["optimise", "run", "--start", "2023-03-01", "--end", "2023-03-01",
                              "--foresight", "oracle"])
    assert bad.exit_code != 0 and "oracle" in bad.output
