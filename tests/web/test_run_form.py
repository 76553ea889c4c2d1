"""The New run form over Dash's HTTP protocol: field checks as the user types, the date fix, queueing
and solving in a real background process (diskcache), progress, cancel, reopening, roles."""

import time
from datetime import date

from sqlalchemy import func, select

from data_access.schema import OptimisationRun
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import callback_body, find_callback_by_input, fire

SUBMIT = "runs-new-submit.n_clicks"
CHECK = "runs-new-submit.disabled"
POLL = "runs-new-poll.n_intervals"
CANCEL = "runs-new-cancel.n_clicks"


def form_values(**overrides):
    values = {"runs-new-start.value": "2023-02-01", "runs-new-end.value": "2023-02-02",
              "runs-new-markets.value": "da+id", "runs-new-da-series.value": "day_ahead",
              "runs-new-id-series.value": "intraday", "runs-new-name.value": "ui", "runs-new-power.value": 10,
              "runs-new-energy.value": 20, "runs-new-charge-efficiency.value": 90,
              "runs-new-discharge-efficiency.value": 90, "runs-new-cycles.value": 2,
              "runs-new-degradation.value": 0, "runs-new-soc-min.value": 0, "runs-new-soc-max.value": 100,
              "runs-new-initial-soc.value": 50, "runs-new-terminal.value": "free", "runs-new-import-limit.value": None,
              "runs-new-export-limit.value": None, "runs-new-carbon.value": None, "runs-new-time-limit.value": 60,
              "runs-new-mip-gap.value": 0.01, "runs-new-binary.value": False, SUBMIT: 1}
    values.update({f"runs-new-{k.replace('_', '-')}.value": v for k, v in overrides.items()})
    return values


def call(client, dash_app, input_, values, triggered=None):
    key = find_callback_by_input(dash_app, input_)
    response = client.post("/_dash-update-component", json=callback_body(dash_app, key, values, triggered or input_))
    return response


def check(client, dash_app, **overrides):
    key = find_callback_by_input(dash_app, "runs-new-power.value")
    return client.post("/_dash-update-component", json=callback_body(
        dash_app, key, form_values(**overrides), "runs-new-power.value")).json["response"]


def count_runs(dash_app):
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        return session.scalar(select(func.count(OptimisationRun.id)))


def test_bad_values_get_clear_messages_beside_their_fields_and_disable_run(dash_app, client_as):
    client = client_as("trader")
    ok = check(client, dash_app)
    assert ok["runs-new-submit"]["disabled"] is False
    assert "Day-ahead prices 2023-01-14 to 2023-04-30" in ok["runs-new-coverage"]["children"]
    cases = [
        ({"power": None}, "runs-new-power", "power is required"),
        ({"power": -50}, "runs-new-power", "power must be above 0 MW"),
        ({"power": 1e9}, "runs-new-power", "at most 10000 MW"),
        ({"degradation": -5}, "runs-new-degradation", "degradation cost must be at least 0"),
        ({"charge_efficiency": 120}, "runs-new-charge-efficiency", "at most 100 %"),
        ({"cycles": 0}, "runs-new-cycles", "never discharges"),
        ({"soc_min": 60, "soc_max": 50}, "runs-new-soc-min", "must be below the SoC maximum"),
        ({"name": "x" * 121}, "runs-new-name", "at most 120"),
        ({"start": "2023-06-01", "end": "2023-06-03"}, "runs-new-markets", "no prices"),
        ({"intraday_reoptimise": "hourly"}, "runs-new-intraday-reoptimise", "for forecast-driven runs"),
        ({"intraday_reoptimise": "hourly", "foresight": "naive-day", "markets": "da"},
         "runs-new-intraday-reoptimise", "needs the intraday market"),
    ]
    for overrides, field, message in cases:
        result = check(client, dash_app, **overrides)
        assert result["runs-new-submit"]["disabled"] is True, overrides
        assert result[field]["invalid"] is True, overrides
        assert message in result[f"{field}-msg"]["children"], (overrides, result[f"{field}-msg"])
    outside = check(client, dash_app, start="2023-06-01", end="2023-06-03")
    assert "stored day_ahead prices cover 2023-01-14 to 2023-04-30" in str(outside["runs-new-dates-msg"])
    assert all(o["disabled"] for o in outside["runs-new-markets"]["options"])


def test_submitting_bad_or_uncovered_dates_refuses_naming_the_coverage_and_stores_nothing(dash_app, client_as):
    client = client_as("trader")
    for overrides, message in [({"start": "2022-12-01", "end": "2022-12-03"}, "cover 2023-01-14 to 2023-04-30"),
                               ({"start": "2023-04-29", "end": "2023-05-03"}, "2023-05-01"),
                               ({"start": None}, "choose the first settlement date"),
                               ({"power": None}, "power is required")]:
        result = call(client, dash_app, SUBMIT, form_values(**overrides)).json["response"]
        text = str(result["runs-new-message"])
        assert "Nothing was run" in text and message in text, (overrides, text)
    assert count_runs(dash_app) == 0


def test_typed_text_that_is_no_number_is_named_beside_its_field_even_in_an_optional_limit(dash_app, client_as):
    # The fields are text inputs, so the server sees what was typed: "5-" in the import limit used to reach
    # the server as empty and silently mean "= power".
    client = client_as("trader")
    cases = [
        ({"import_limit": "5-"}, "runs-new-import-limit", "import limit: '5-' is not a number"),
        ({"carbon": "1e"}, "runs-new-carbon", "carbon price: '1e' is not a number"),
        ({"power": "abc"}, "runs-new-power", "power: 'abc' is not a number"),
        ({"soc_max": "9O"}, "runs-new-soc-max", "SoC maximum: '9O' is not a number"),
        ({"power": "1e308"}, "runs-new-power", "at most 10000 MW (got 1e+308)"),
        ({"power": "1e999"}, "runs-new-power", "not a finite number"),
    ]
    for overrides, field, message in cases:
        result = check(client, dash_app, **overrides)
        assert result["runs-new-submit"]["disabled"] is True, overrides
        assert result[field]["invalid"] is True, overrides
        assert message in result[f"{field}-msg"]["children"], (overrides, result[f"{field}-msg"])
        submitted = str(call(client, dash_app, SUBMIT, form_values(**overrides)).json["response"]["runs-new-message"])
        assert "Nothing was run" in submitted and message in submitted, (overrides, submitted)
    assert count_runs(dash_app) == 0
    typed = check(client, dash_app, power=" 12.5 ", import_limit="", charge_efficiency="90")
    assert typed["runs-new-submit"]["disabled"] is False, typed
    assert typed["runs-new-import-limit"]["invalid"] is False


def test_dates_are_typed_day_first_or_iso_never_month_first(dash_app, client_as):
    """The date fields take DD/MM/YYYY (UK) or YYYY-MM-DD; a month-first date, a day that does not exist or a
    date outside the stored prices is named beside its field as it is typed, and nothing runs."""
    client = client_as("trader")
    for start, end in (("01/02/2023", "02/02/2023"), ("2023-02-01", "2023-02-02"), ("1/2/2023", " 2023-02-02 ")):
        result = check(client, dash_app, start=start, end=end)
        assert result["runs-new-submit"]["disabled"] is False, (start, end, result["runs-new-start-msg"])
        assert result["runs-new-start"]["invalid"] is False and result["runs-new-end"]["invalid"] is False
    limits = {"runs-new-start.min": "2023-01-14", "runs-new-start.max": "2023-04-30"}
    cases = [
        ({"start": "02/13/2023"}, "runs-new-start", "first settlement date '02/13/2023' is not a date: there is no "
                                                    "month 13 (type DD/MM/YYYY, day first)"),
        ({"end": "31/02/2023"}, "runs-new-end", "last settlement date '31/02/2023' is not a date: February 2023 "
                                                "has no day 31"),
        ({"start": "Feb 1st"}, "runs-new-start", "'Feb 1st' is not a date: type DD/MM/YYYY or YYYY-MM-DD"),
        ({"end": ""}, "runs-new-end", "choose the last settlement date (DD/MM/YYYY or YYYY-MM-DD)"),
        ({"start": "01/01/2023", "end": "02/01/2023"}, "runs-new-start",
         "the first settlement date 01/01/2023 is before the first stored prices (14/01/2023)"),
        ({"end": "01/05/2023"}, "runs-new-end",
         "the last settlement date 01/05/2023 is after the last stored prices (30/04/2023)"),
    ]
    key = find_callback_by_input(dash_app, "runs-new-power.value")
    for overrides, field, message in cases:
        values = {**form_values(**overrides), **limits}
        result = client.post("/_dash-update-component", json=callback_body(
            dash_app, key, values, "runs-new-start.value")).json["response"]
        assert result["runs-new-submit"]["disabled"] is True, overrides
        assert result[field]["invalid"] is True, overrides
        assert message in result[f"{field}-msg"]["children"], (overrides, result[f"{field}-msg"])
        assert message in str(result["runs-new-problems"]["children"]), overrides
    assert "is not a date" in str(call(client, dash_app, SUBMIT, form_values(start="02/13/2023")).json[
        "response"]["runs-new-message"])
    assert count_runs(dash_app) == 0


def test_a_day_first_date_runs_that_day(dash_app, client_as):
    client = client_as("trader")
    result = call(client, dash_app, SUBMIT, form_values(start="01/02/2023", end="02/02/2023")).json["response"]
    run_id = result["runs-queued"]["data"]
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        run = session.get(OptimisationRun, run_id)
        assert (run.first_date, run.last_date) == (date(2023, 2, 1), date(2023, 2, 2))


def _follow(client, dash_app, run_id, until, timeout=600):  # a hang cap, never a speed limit
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = call(client, dash_app, POLL, {POLL: 1, "runs-queued.data": run_id}).json["response"]
        if until(result):
            return result
        time.sleep(0.2)
    raise AssertionError(f"run #{run_id} did not reach the expected state")


def test_a_trader_runs_exactly_the_dates_shown_and_follows_day_k_of_n(dash_app, client_as):
    client = client_as("trader")
    result = call(client, dash_app, SUBMIT, form_values(start="2023-03-25", end="2023-03-26")).json["response"]
    run_id = result["runs-queued"]["data"]
    assert result["runs-requested"]["data"] == run_id  # the page shows it (and sets ?run=N)
    assert result["runs-new-progress"]["value"] == 0 and result["runs-new-progress"]["label"] == "queued: day 0 of 2"
    done = _follow(client, dash_app, run_id, lambda r: r["runs-new-poll"]["disabled"] is True)
    assert done["runs-new-progress"]["label"] == "succeeded: day 2 of 2"
    assert f"Run #{run_id} succeeded" in str(done["runs-new-message"])
    assert done["runs-requested"]["data"] == run_id and done["runs-queued"]["data"] is None
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        run = session.get(OptimisationRun, run_id)
        assert (run.first_date, run.last_date) == (date(2023, 3, 25), date(2023, 3, 26))
        assert (run.status, run.created_by.username, run.name) == ("succeeded", "trader", "ui")
        assert run.job_id.startswith("pid:") and run.params["battery"]["charge_efficiency"] == 0.9


def test_cancel_stops_the_background_process(dash_app, client_as):
    import os

    client = client_as("trader")
    result = call(client, dash_app, SUBMIT, form_values(start="2023-01-14", end="2023-04-30",
                                                        binary=True)).json["response"]
    run_id = result["runs-queued"]["data"]
    _follow(client, dash_app, run_id, lambda r: "running" in r["runs-new-progress"]["label"])
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        pid = int(session.get(OptimisationRun, run_id).job_id.split(":")[1].split("@")[0])
    message = call(client, dash_app, CANCEL, {CANCEL: 1, "runs-queued.data": run_id}).json["response"]
    assert f"Cancelling run #{run_id}" in str(message)
    done = _follow(client, dash_app, run_id, lambda r: r["runs-new-poll"]["disabled"] is True)
    assert "cancelled" in str(done["runs-new-message"]) and "Cancelled by trader" in str(done["runs-new-message"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the run's process is still alive after cancel")
    # It stopped itself after the day it was solving and kept the days solved (the form waited for them).
    from data_access import runs as run_store

    with dash_app.server.extensions["powerdesk"].db.session() as session:
        run = session.get(OptimisationRun, run_id)
        kept = run_store.run_intervals(session, run_id)
        assert run.progress_done >= 1 and run.totals["days"] == run.progress_done
        assert kept["settlement_date"].nunique() == run.progress_done
    assert "days solved before the cancel are kept" in str(done["runs-new-message"])


def test_reopening_with_a_new_name_says_the_name_was_not_applied(dash_app, client_as, server):
    battery = BatteryParams(power_mw=10, energy_mwh=20, charge_efficiency=0.9, discharge_efficiency=0.9)
    stored = run_optimisation(server.extensions["powerdesk"].db,
                              RunRequest(date(2023, 2, 1), date(2023, 2, 2), battery, name="first"))
    result = call(client_as("trader"), dash_app, SUBMIT, form_values(name="second")).json["response"]
    assert result["runs-requested"]["data"] == stored.run_id
    text = str(result["runs-new-message"])
    assert "instead of solving again" in text and "“second” was not applied" in text and "“first”" in text


def test_the_form_is_only_for_traders_and_a_forged_submit_from_a_viewer_is_refused(dash_app, client_as):
    def hidden(role):
        return fire(client_as(role), dash_app, "runs-new-section.hidden", {"runs-load.data": 0}).json[
            "response"]["runs-new-section"]["hidden"]

    assert hidden("viewer") is True and hidden("trader") is False
    assert call(client_as("viewer"), dash_app, SUBMIT, form_values()).status_code == 403
    assert call(client_as("viewer"), dash_app, CANCEL, {CANCEL: 1, "runs-queued.data": 1}).status_code == 403
    assert count_runs(dash_app) == 0


def test_a_gap_blocks_the_run_unless_days_without_prices_are_skipped(dash_app, client_as):
    from datetime import UTC, datetime

    from sqlalchemy import delete

    from data_access.schema import MarketPrice

    db = dash_app.server.extensions["powerdesk"].db
    with db.session() as session:  # 2023-02-15 (GMT) loses its prices in both markets
        session.execute(delete(MarketPrice).where(MarketPrice.interval_start_utc >= datetime(2023, 2, 15, tzinfo=UTC),
                                                  MarketPrice.interval_start_utc < datetime(2023, 2, 16, tzinfo=UTC)))
    client = client_as("trader")
    dates = {"start": "2023-02-14", "end": "2023-02-16"}
    blocked = check(client, dash_app, **dates)
    assert blocked["runs-new-submit"]["disabled"] is True
    refused = call(client, dash_app, SUBMIT, form_values(**dates)).json["response"]
    text = str(refused["runs-new-message"])
    assert "Nothing was run" in text and "1 of the 3 days have missing prices: 2023-02-15" in text
    assert "skip days without prices" in text
    allowed = check(client, dash_app, **dates, skip_missing_days=True)
    assert allowed["runs-new-submit"]["disabled"] is False
    assert "with 1 gap (2023-02-15 missing (1 day))" in str(allowed["runs-new-coverage"]["children"])
    assert count_runs(dash_app) == 0


def test_after_a_cancel_the_form_waits_for_the_kept_days_only_while_a_worker_can_still_store_them():
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace

    from callbacks.run_form import KEEPING_MARGIN_S, keeps_solved_days_soon

    cancelled = datetime(2023, 3, 1, 12, tzinfo=UTC)

    def run(**changes):
        fields = dict(status="cancelled", totals=None, job_id="pid:1@host", cancelled_at=cancelled,
                      started_at=cancelled - timedelta(minutes=1), params={"foresight": "perfect"})
        return SimpleNamespace(**{**fields, **changes})

    soon = cancelled + timedelta(seconds=1)
    assert keeps_solved_days_soon(run(), 30, now=soon)
    assert not keeps_solved_days_soon(run(), 30, now=cancelled + timedelta(seconds=30 + KEEPING_MARGIN_S))
    assert not keeps_solved_days_soon(run(totals={"days": 2}), 30, now=soon)  # already kept
    assert not keeps_solved_days_soon(run(started_at=None), 30, now=soon)  # cancelled while queued
    assert not keeps_solved_days_soon(run(params={"foresight": "gbm"}), 30, now=soon)  # keeps nothing
    assert not keeps_solved_days_soon(run(status="succeeded"), 30, now=soon)
