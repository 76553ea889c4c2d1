"""Clone / re-run: a stored run's parameters, parsed again, are the same request (so the same run reopens)."""

from datetime import date

import pytest

from callbacks.run_clone import form_values
from callbacks.run_form import form_request
from components import run_form as form
from data_access.schema import OptimisationRun
from optimiser import BatteryParams, SolverSettings
from services.errors import NotFound
from services.optimisation_runs import RunRequest, params_hash, queue_run, request_of
from services.prices import load_demo_prices
from services.run_clone import run_parameters
from services.run_requests import parse_request

BATTERY = BatteryParams(power_mw=12.5, energy_mwh=30, charge_efficiency=0.87, discharge_efficiency=0.91,
                        soc_min_frac=0.1, soc_max_frac=0.95, initial_soc_frac=0.3, terminal_soc="geq-initial",
                        import_limit_mw=9, export_limit_mw=None, max_cycles_per_day=1.5,
                        degradation_cost_gbp_per_mwh=4.2)
REQUEST = RunRequest(date(2023, 3, 25), date(2023, 3, 27), BATTERY, markets="da", name="odd one",
                     solver=SolverSettings(time_limit_s=30, mip_gap=0.002, always_binary=True),
                     id_series="market_index")


@pytest.fixture
def priced_db(db):
    load_demo_prices(db, feeds=("seed",))
    return db


def test_a_runs_parameters_parse_back_to_the_same_request(priced_db):
    run_id = queue_run(priced_db, REQUEST).run_id
    values = run_parameters(priced_db, run_id)
    assert values["first_date"] == "2023-03-25" and values["last_date"] == "2023-03-27"
    assert values["charge_efficiency"] == 0.87 and values["mip_gap"] == 0.002 and values["always_binary"] is True
    assert values["markets"] == "da" and values["id_series"] == "market_index" and values["name"] == "odd one"
    again = parse_request(values)
    assert again == REQUEST
    with priced_db.session() as session:
        assert params_hash(again) == session.get(OptimisationRun, run_id).params_hash


def test_the_form_filled_from_a_run_shows_percent_and_sends_the_same_request(priced_db):
    values = form_values(run_parameters(priced_db, queue_run(priced_db, REQUEST).run_id))
    assert values[form.NEW_CHARGE_EFFICIENCY] == 87 and values[form.NEW_SOC_MAX] == 95
    assert values[form.NEW_MIP_GAP] == 0.2 and values[form.NEW_INITIAL_SOC] == 30
    assert values[form.NEW_EXPORT_LIMIT] is None and values[form.NEW_TERMINAL] == "geq-initial"
    payload, problems = form_request(values)
    assert problems == {}
    assert params_hash(parse_request(payload)) == params_hash(REQUEST)


def test_a_missing_run_is_named(priced_db):
    with pytest.raises(NotFound, match="no run #999"):
        run_parameters(priced_db, 999)


def test_request_of_and_run_parameters_agree(priced_db):
    run_id = queue_run(priced_db, REQUEST).run_id
    with priced_db.session() as session:
        stored = request_of(session.get(OptimisationRun, run_id))
    assert parse_request(run_parameters(priced_db, run_id)) == stored
