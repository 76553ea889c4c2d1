"""A finished run's view is drawn once and stored: reopened in any server process, it is sent exactly as a
freshly drawn one, and a view drawn by other code, or one that cannot be read, is drawn again."""

import json
from datetime import date

import pytest
from sqlalchemy import select, update

from components.stored_run_view import decode, encode, view_format
from data_access.schema import RunView
from optimiser import BatteryParams
from services import run_view_cache
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import fire

BATTERY = BatteryParams(power_mw=10, energy_mwh=20)
PAGED = (date(2023, 3, 20), date(2023, 3, 28))  # nine days across the spring clock change: 430 intervals, paged
SHORT = (date(2023, 2, 1), date(2023, 2, 2))


def _db(server):
    return server.extensions["powerdesk"].db


def _run(server, days) -> int:
    return run_optimisation(_db(server), RunRequest(*days, BATTERY, name="stored view")).run_id


def _open(dash_app, client, run_id, theme):
    """The run view, then what the page asks for next (the first day's chart, the grid's first block), as JSON."""
    view = fire(client, dash_app, "runs-chart.figure",
                {"runs-requested.data": str(run_id), "theme-store.data": theme},
                triggered="runs-requested.data").json["response"]
    day = view["runs-day"]["value"]
    daily = fire(client, dash_app, "runs-day-chart.figure",
                 {"runs-day.value": day, "runs-shown.data": run_id, "theme-store.data": theme}).json["response"]
    page = fire(client, dash_app, "runs-intervals-paged.getRowsResponse",
                {"runs-intervals-paged.getRowsRequest": {"startRow": 0, "endRow": 100, "sortModel": [],
                                                         "filterModel": {}},
                 "runs-shown.data": run_id}).json["response"]
    return json.dumps([view, daily, page], sort_keys=True)


def _views(server, run_id) -> dict[str, RunView]:
    with _db(server).session() as session:
        return {row.theme: row for row in session.scalars(select(RunView).where(RunView.run_id == run_id))}


@pytest.mark.parametrize("days", [PAGED, SHORT], ids=["paged", "short"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_stored_view_is_sent_exactly_as_a_freshly_drawn_one(dash_app, server, client_as, days, theme):
    run_id = _run(server, days)
    client = client_as("viewer")
    assert _views(server, run_id) == {}
    run_view_cache.clear()
    drawn = _open(dash_app, client, run_id, theme)
    stored = _views(server, run_id)
    assert list(stored) == [theme] and stored[theme].view_format == view_format()

    run_view_cache.clear()  # as another server process would: nothing of the run in memory
    assert _open(dash_app, client, run_id, theme) == drawn

    view = decode(stored[theme].payload)  # and it is the stored view that was sent: mark it and look
    view["chart"]["layout"]["title"]["text"] = "marked stored view"
    view["first_day_figure"]["layout"]["title"]["text"] = "marked day"
    with _db(server).session() as session:
        session.execute(update(RunView).where(RunView.run_id == run_id).values(payload=encode(view)))
    run_view_cache.clear()
    reopened = _open(dash_app, client, run_id, theme)
    assert "marked stored view" in reopened and "marked day" in reopened


@pytest.mark.parametrize("stale", [{"view_format": "drawn by an older version"}, {"payload": b"not a view"}],
                         ids=["other code", "unreadable"])
def test_a_view_drawn_by_other_code_or_unreadable_is_drawn_again(dash_app, server, client_as, stale):
    run_id = _run(server, PAGED)
    client = client_as("viewer")
    drawn = _open(dash_app, client, run_id, "light")
    with _db(server).session() as session:
        session.execute(update(RunView).where(RunView.run_id == run_id).values(**stale))
    run_view_cache.clear()
    assert _open(dash_app, client, run_id, "light") == drawn
    assert _views(server, run_id)["light"].view_format == view_format()  # drawn again and stored over it
    assert decode(_views(server, run_id)["light"].payload) is not None


def test_a_deleted_run_takes_its_views_with_it(dash_app, server, client_as):
    from services.runs import delete_run

    run_id = _run(server, SHORT)
    _open(dash_app, client_as("viewer"), run_id, "dark")
    assert list(_views(server, run_id)) == ["dark"]
    delete_run(_db(server), run_id, None, True)
    assert _views(server, run_id) == {}
