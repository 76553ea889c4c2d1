"""Readings and plans in SQL, on SQLite and PostgreSQL: idempotent bulk inserts, order, demo data."""

import numpy as np

from data_access import meters as meter_store
from services import meters
from services.audit import list_events
from services.errors import NotFound
from services.meter_demo import (
    DEMO_METER_ID,
    TRIAL_METERS,
    load_demo_meters,
    load_plans_and_trial_meters,
    read_demo_meter_file,
)


def test_readings_are_unique_per_meter_and_instant_and_come_back_oldest_first(db):
    with db.session() as session:
        meter_store.ensure_meter(session, "m1")
        meter_store.ensure_meter(session, "m2")
        assert meter_store.insert_readings(session, "m1", np.array([1_600_000_600, 1_600_000_000]),
                                           np.array([2.0, 1.0])) == 2
        assert meter_store.insert_readings(session, "m2", np.array([1_600_000_000]), np.array([5.0])) == 1
    with db.session() as session:
        # the same instant again (another value) is not stored twice and does not replace the first
        assert meter_store.insert_readings(session, "m1", np.array([1_600_000_000, 1_600_001_200]),
                                           np.array([9.0, 3.0])) == 1
    with db.session() as session:
        times, power = meter_store.read_readings(session, "m1")
    assert times.tolist() == [1_600_000_000, 1_600_000_600, 1_600_001_200]
    assert power.tolist() == [1.0, 2.0, 3.0]


def test_demo_load_is_idempotent_and_stores_the_household_as_average_kw(db):
    first = load_demo_meters(db)
    expected_times, expected_kw = read_demo_meter_file()
    assert expected_times.size == 38_784
    assert first == 38_784 + len(TRIAL_METERS) * 7 * 48 - 2  # Sarah's week has the 46-period day
    assert load_demo_meters(db) == 0
    times, power = meters.readings_of(db, DEMO_METER_ID)
    assert times.size == 38_784
    assert times[0] == 1_323_475_200  # 2011-12-10 00:00 UTC
    assert power[0] == 0.082 * 2  # 0.082 kWh in half an hour is 0.164 kW on average
    listing = {m.meter_id: m for m in meters.list_meters(db)}
    assert listing["smart-meter-1"].owner == "Peter" and listing["smart-meter-1"].price_plan_id == "price-plan-1"
    assert listing[DEMO_METER_ID].readings == 38_784


def test_changing_a_plan_is_recorded_in_the_audit_log(db):
    load_plans_and_trial_meters(db)
    assert meters.change_plan(db, "admin", "smart-meter-0", "price-plan-2") == "price-plan-0"
    assert meters.compare_meter(db, "smart-meter-0").current_plan_id == "price-plan-2"
    events = list_events(db, action_prefix="plan.")
    assert [(e.actor, e.action, e.target, e.detail) for e in events] == [
        ("admin", "plan.changed", "smart-meter-0", {"from": "price-plan-0", "to": "price-plan-2"})]


def test_changing_to_an_unknown_plan_changes_nothing(db):
    load_plans_and_trial_meters(db)
    try:
        meters.change_plan(db, "admin", "smart-meter-0", "price-plan-9")
    except NotFound as error:
        assert "price-plan-9" in str(error)
    else:
        raise AssertionError("expected NotFound")
    assert meters.compare_meter(db, "smart-meter-0").current_plan_id == "price-plan-0"
    assert list_events(db, action_prefix="plan.") == []


def test_the_tracker_plan_is_costed_from_stored_day_ahead_prices(db):
    from services.prices import load_demo_prices

    load_demo_prices(db, feeds=("seed",))
    load_plans_and_trial_meters(db)
    sarah = meters.compare_meter(db, "smart-meter-0")  # 20-26 March 2023: every half-hour priced
    assert "price-plan-3" in [c.plan_id for c in sarah.ranked] and sarah.incomplete == []
    peter = meters.compare_meter(db, "smart-meter-1")  # 27 April - 3 May 2023: prices stop on 30 April
    [tracker] = peter.incomplete
    assert tracker.plan_id == "price-plan-3" and 0.4 < tracker.costed_fraction < 0.7
