"""Studies on the seeded database (demo prices 2023-01-14..2023-04-30), solved by a real process pool."""

import pytest

from data_access.schema import OptimisationRun
from jobs.studies import execute_points
from services import audit
from services.errors import Forbidden, InvalidInput
from services.studies import cancel_study, get_study, list_studies, pending_run_ids, submit_study

EIGHT_POINTS = {
    "name": "seed sizing",
    "start": "2023-03-01", "end": "2023-03-03",
    "base": {"charge_efficiency": 0.9, "discharge_efficiency": 0.9},
    "grid": {"power_mw": [50, 100], "duration_h": [1, 2], "max_cycles_per_day": [1, 2]},
}


@pytest.fixture
def db(dash_app):
    return dash_app.server.extensions["powerdesk"].db


def _solve(db, database_url, study_id):
    return execute_points(database_url, pending_run_ids(db, study_id), workers=2)


def test_an_eight_point_study_stores_eight_runs_and_a_repeat_reuses_all_of_them(db, settings):
    submitted = submit_study(db, EIGHT_POINTS, None, "trader", max_points=200)
    assert len(submitted.pending_run_ids) == 8
    assert get_study(db, submitted.study_id)["status"] == "running"
    assert _solve(db, settings.resolved_database_url(), submitted.study_id) == ["succeeded"] * 8
    study = get_study(db, submitted.study_id)
    assert study["status"] == "done" and study["progress"] == {"done": 8, "total": 8}
    assert len({p["run_id"] for p in study["points"]}) == 8
    revenue = {(p["params"]["power_mw"], p["params"]["energy_mwh"], p["params"]["max_cycles_per_day"]):
               p["totals"]["net_revenue_gbp"] for p in study["points"]}
    # More energy or more cycles never earns less on the same prices.
    assert revenue[(100, 200, 2)] >= revenue[(100, 100, 2)] >= revenue[(100, 100, 1)] > 0
    assert revenue[(100, 100, 1)] == pytest.approx(2 * revenue[(50, 50, 1)], rel=1e-6)

    again = submit_study(db, EIGHT_POINTS, None, "trader", max_points=200)
    assert again.pending_run_ids == []
    repeat = get_study(db, again.study_id)
    assert [p["run_id"] for p in repeat["points"]] == [p["run_id"] for p in study["points"]]
    assert [s["id"] for s in list_studies(db)] == [again.study_id, submitted.study_id]
    assert audit.list_events(db, action_prefix="study.submitted")[0].detail == {"points": 8, "reused": 8}


def test_an_infeasible_point_is_reported_while_the_others_succeed(db, settings):
    body = {"name": "no imports", "start": "2023-03-01", "end": "2023-03-02",
            "base": {"terminal_soc": "geq-initial", "initial_soc_frac": 0.5},
            "grid": {"import_limit_mw": [None, 0]}}
    submitted = submit_study(db, body, None, "trader", max_points=200)
    statuses = _solve(db, settings.resolved_database_url(), submitted.study_id)
    assert statuses == ["succeeded", "infeasible"]
    points = get_study(db, submitted.study_id)["points"]
    assert points[1]["totals"] is None and "import limit" in points[1]["message"]
    assert get_study(db, submitted.study_id)["status"] == "done"


def test_cancel_stops_the_points_that_have_not_started(db, settings):
    submitted = submit_study(db, EIGHT_POINTS | {"name": "to cancel", "end": "2023-03-02"}, 2, "trader", 200)
    with pytest.raises(Forbidden):
        cancel_study(db, submitted.study_id, user_id=1, is_admin=False, actor="viewer")
    assert cancel_study(db, submitted.study_id, user_id=2, is_admin=False, actor="trader") == 8
    assert pending_run_ids(db, submitted.study_id) == []
    assert _solve(db, settings.resolved_database_url(), submitted.study_id) == []
    study = get_study(db, submitted.study_id)
    assert study["status"] == "cancelled"
    assert {p["status"] for p in study["points"]} == {"cancelled"}
    with db.session() as session:
        assert session.get(OptimisationRun, study["points"][0]["run_id"]).message.startswith("Cancelled with study")


@pytest.mark.parametrize(("change", "message"), [
    ({"name": ""}, "name must be a non-empty string"),
    ({"name": "x" * 121}, "at most 120"),
    ({"start": "2023-3-1"}, "is not a date in YYYY-MM-DD form"),
    ({"start": "9999-12-31", "end": "9999-12-31"}, "between 2000 and 2100"),
    ({"end": "2023-02-01"}, "is before start"),
    ({"grid": {"power_mw": [-5]}}, "point 1 \\(power_mw=-5\\)"),
    # A point meets the bounds of every run: the New run form and the runs API refuse these too.
    ({"grid": {"max_cycles_per_day": [1, 0]}}, "point 2 \\(max_cycles_per_day=0\\): cycle limit must be above 0"),
    ({"grid": {"power_mw": [1e308]}}, "point 1 \\(power_mw=1e\\+308\\): power must be at most 10000 MW"),
    ({"grid": {"power_mw": [50], "duration_h": [1e300]}}, "energy must be at most 100000 MWh"),
    ({"start": "2022-06-01", "end": "2022-06-02"}, "2022-06-01"),
])
def test_a_bad_study_is_refused_and_nothing_is_stored(db, change, message):
    with pytest.raises(InvalidInput, match=message):
        submit_study(db, EIGHT_POINTS | change, None, "trader", max_points=200)
    assert list_studies(db) == []
    with db.session() as session:
        assert session.query(OptimisationRun).count() == 0


def test_a_study_on_system_prices_across_a_new_year_lists_gbp_per_mw_year_per_year(db, settings):
    from datetime import UTC, datetime

    from components.study_figures import point_rows
    from data_access.price_files import SYSTEM_DEMO_FILE
    from services.prices import import_prices

    import_prices(db, SYSTEM_DEMO_FILE.read_bytes(), SYSTEM_DEMO_FILE.name,
                  window=(datetime(2024, 12, 25, tzinfo=UTC), datetime(2025, 1, 8, tzinfo=UTC)))
    body = {"name": "imbalance sizing", "start": "2024-12-25", "end": "2025-01-07",
            "da_series": "system_price", "id_series": "system_price", "skip_missing_days": True,
            "base": {"power_mw": 50, "markets": "id"}, "grid": {"duration_h": [1, 2]}}
    submitted = submit_study(db, body, None, "trader", max_points=200)
    assert _solve(db, settings.resolved_database_url(), submitted.study_id) == ["succeeded"] * 2
    study = get_study(db, submitted.study_id)
    assert (study["da_series"], study["id_series"], study["skip_missing_days"]) == ("system_price", "system_price",
                                                                                    True)
    with db.session() as session:
        run = session.get(OptimisationRun, study["points"][0]["run_id"])
        assert (run.da_series, run.id_series) == ("system_price", "system_price")
    for point in study["points"]:
        years = point["totals"]["by_year"]
        assert [(y["year"], y["days"]) for y in years] == [(2024, 7), (2025, 7)]
        assert all(y["net_gbp_per_mw_year"] > 0 for y in years)
        # The whole range's figure is the traded-hours-weighted mean of the years' (both are 7 days of 24 h).
        whole = point["totals"]["net_revenue_gbp_per_mw_year"]
        assert whole == pytest.approx(sum(y["net_gbp_per_mw_year"] for y in years) / 2, rel=1e-6)
    rows = point_rows(study)
    assert rows[0]["per_year"].startswith("2024: £") and "(7 d) · 2025: £" in rows[0]["per_year"]
    two_hour = next(p for p in study["points"] if p["params"]["energy_mwh"] == 100)
    one_hour = next(p for p in study["points"] if p["params"]["energy_mwh"] == 50)
    assert two_hour["totals"]["net_revenue_gbp"] >= one_hour["totals"]["net_revenue_gbp"]


def test_a_study_with_an_unknown_series_is_refused(db):
    body = {**EIGHT_POINTS, "id_series": "nope"}
    with pytest.raises(InvalidInput, match="intraday price series: 'nope' is not one of"):
        submit_study(db, body, None, "trader", max_points=200)


def test_a_study_varies_the_forecaster_and_each_point_is_its_own_run(db):
    body = {"name": "foresight", "start": "2023-03-01", "end": "2023-03-02",
            "grid": {"foresight": ["perfect", "naive-week"], "duration_h": [1, 2]}}
    submitted = submit_study(db, body, None, "trader", max_points=200)
    with db.session() as session:
        runs = session.query(OptimisationRun).filter(OptimisationRun.id.in_(submitted.pending_run_ids)).all()
        foresights = sorted(run.params.get("foresight", "perfect") for run in runs)
    assert foresights == ["naive-week", "naive-week", "perfect", "perfect"]
    with pytest.raises(InvalidInput, match="perfect-foresight bound"):
        submit_study(db, body | {"name": "joint", "base": {"markets": "joint"}}, None, "trader", max_points=200)


def test_a_study_varies_the_intraday_decisions_and_each_point_is_its_own_run(db):
    body = {"name": "intraday", "start": "2023-03-01", "end": "2023-03-02", "base": {"foresight": "naive-week"},
            "grid": {"intraday_reoptimise": ["once", "hourly"]}}
    submitted = submit_study(db, body, None, "trader", max_points=200)
    assert len(submitted.pending_run_ids) == 2
    study = get_study(db, submitted.study_id)
    assert [(p["params"]["foresight"], p["params"]["intraday_reoptimise"]) for p in study["points"]] == [
        ("naive-week", "once"), ("naive-week", "hourly")]
    with db.session() as session:
        runs = {run.id: run.params for run in
                session.query(OptimisationRun).filter(OptimisationRun.id.in_(submitted.pending_run_ids))}
    assert [runs[p["run_id"]].get("intraday_reoptimise", "once") for p in study["points"]] == ["once", "hourly"]
    from components.study_figures import point_rows

    rows = point_rows(study)
    assert [(r["foresight"], r["intraday_reoptimise"], r["decisions"]) for r in rows] == [
        ("naive-week", "once", "naive-week · once"), ("naive-week", "hourly", "naive-week · hourly")]


def test_a_perfect_foresight_point_of_an_intraday_grid_decides_once_and_bad_values_are_refused(db):
    body = {"name": "both", "start": "2023-03-01", "end": "2023-03-01",
            "grid": {"foresight": ["perfect", "naive-day"], "intraday_reoptimise": ["once", "hourly"]}}
    submitted = submit_study(db, body, None, "trader", max_points=200)
    study = get_study(db, submitted.study_id)
    assert [(p["params"]["foresight"], p["params"]["intraday_reoptimise"]) for p in study["points"]] == [
        ("perfect", "once"), ("perfect", "once"), ("naive-day", "once"), ("naive-day", "hourly")]
    assert study["points"][0]["run_id"] == study["points"][1]["run_id"]  # the same perfect-foresight run
    assert len(submitted.pending_run_ids) == 3
    with pytest.raises(InvalidInput, match=r"point 2 \(intraday_reoptimise=daily\): intraday re-optimisation"):
        submit_study(db, {**body, "grid": {"intraday_reoptimise": ["once", "daily"]},
                          "base": {"foresight": "gbm"}}, None, "trader", max_points=200)
    with pytest.raises(InvalidInput, match="hourly intraday re-optimisation is for forecast-driven runs"):
        submit_study(db, {**body, "base": {"intraday_reoptimise": "hourly"}, "grid": {"duration_h": [1]}},
                     None, "trader", max_points=200)
