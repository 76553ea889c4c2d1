"""A second reading for a stored meter instant with a different value is refused (409, both values named,
nothing of the request stored); the same value again is an idempotent 200."""

import pytest

from services.api_keys import create_api_key
from services.meter_demo import load_plans_and_trial_meters

T = 1_606_636_800  # 2020-11-29T08:00:00Z


@pytest.fixture
def client(server):
    db = server.extensions["powerdesk"].db
    load_plans_and_trial_meters(db)
    test_client = server.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_key(db, 'meter-gateway').key}"
    return test_client


def post(client, *readings):
    return client.post("/readings/store", json={"smartMeterId": "meter-x1", "electricityReadings": [
        {"time": t, "reading": r} for t, r in readings]})


def test_a_different_value_at_a_stored_instant_is_409_naming_both_and_nothing_is_stored(client):
    assert post(client, (T, 0.5), (T + 60, 0.6)).status_code == 200
    before = client.get("/readings/read/meter-x1").json
    response = post(client, (T + 120, 0.9), (T + 60, 0.7))
    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert response.json["conflicts"] == [{"time": T + 60, "storedReading": 0.6, "sentReading": 0.7}]
    assert ("at 1606636860 (2020-11-29T08:01:00Z) 0.6 kW is stored and this request sent 0.7 kW"
            in response.json["detail"])
    assert "nothing was stored" in response.json["detail"]
    assert client.get("/readings/read/meter-x1").json == before  # the new T + 120 reading was not kept either


def test_the_same_value_again_is_an_idempotent_200(client):
    assert post(client, (T, 0.5)).headers["X-Readings-Added"] == "1"
    again = post(client, (T, 0.5), (T + 60, 0.25))
    assert again.status_code == 200 and again.headers["X-Readings-Added"] == "1"
    assert client.get("/api/v1/readings/read/meter-x1").json == [{"time": T, "reading": 0.5},
                                                                 {"time": T + 60, "reading": 0.25}]


def test_compare_all_leaves_a_gap_longer_than_two_hours_out_and_says_so(server, client):
    from services.meters import change_plan

    gap_start = T + 1800
    assert post(client, (T, 2.0), (gap_start, 2.0), (gap_start + 3 * 3600, 4.0),
                (gap_start + 3 * 3600 + 1800, 4.0)).status_code == 200
    change_plan(server.extensions["powerdesk"].db, "test", "meter-x1", "price-plan-1")
    body = client.get("/price-plans/compare-all/meter-x1").json
    assert body["gaps"] == {"maxGapSeconds": 7200.0, "intervals": 1, "hours": 3.0}
    assert body["energyKwh"] == 3.0  # 1 kWh + 2 kWh; the 3 h without readings is not 9 kWh of guesswork
    costs = {k: v for entry in body["pricePlanComparisons"] for k, v in entry.items()}
    assert costs["price-plan-1"] == 6.0  # 3 kWh × 2 p/kWh (a Sunday: no weekday multiplier)
