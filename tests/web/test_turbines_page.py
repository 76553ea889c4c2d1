"""Turbines page callbacks through Dash's own endpoint: tiles, KPIs, history, downloads."""

import base64
import io
import json
import time
import zipfile

import numpy as np
import pytest

from domain.turbine_fleet import CrewConfig
from services.turbine_dispatch import dispatch_once
from services.turbine_ingest import ingest_metrics
from services.turbines import register_demo_fleet
from tests.conftest import build_app, log_in, make_settings
from tests.dash_requests import fire


@pytest.fixture
def fleet_app(tmp_path, seeded_sqlite_url):
    # Reports are expected hourly here, so a slow test machine never sees them go stale.
    dash_app = build_app(make_settings(tmp_path, seeded_sqlite_url, turbine_report_interval_s=3600), seed=False)
    db = dash_app.server.extensions["powerdesk"].db
    register_demo_fleet(db, 3000.0)
    now = time.time()
    items = [{"turbine_number": n, "wind_speed": 36.0, "power_output_in_kwh": 1500.0 + n,
              "operational_status": "broken" if (n == 3 and i > 5) else "ok", "timestamp": now - 10 + i}
             for n in (1, 2, 3) for i in range(10)]
    ingest_metrics(db, items, now, auto_register=False, default_rating_kw=3000.0, actor="test")
    dispatch_once(db, CrewConfig(engineers=("Alex Morgan",), repair_min_s=600, repair_max_s=600))
    dispatch_once(db, CrewConfig(engineers=("Alex Morgan",), repair_min_s=600, repair_max_s=600))
    yield dash_app
    db.dispose()


@pytest.fixture
def client_as(fleet_app):
    def make(role: str):
        client = fleet_app.server.test_client()
        assert log_in(client, role).status_code == 302
        return client

    return make


def test_tiles_show_condition_values_and_the_repair_state(fleet_app, client_as):
    response = fire(client_as("viewer"), fleet_app, "turbines-tiles.children", {"turbines-load.data": 0})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = json.dumps(response.json)
    assert "pd-turbine-broken" in text and "Alex Morgan repairing" in text
    assert "pd-turbine-ok" in text and "no-data" in text  # turbines 4..10 never reported
    assert "10.0 m/s" in text  # 36 km/h
    assert "Open tickets" in text


def test_history_and_power_curve_for_a_turbine(fleet_app, client_as):
    response = fire(client_as("viewer"), fleet_app, "turbines-history.figure",
                    {"turbines-turbine.value": 3, "turbines-window.value": 15,
                     "turbines-turbine.options": [{"label": "#3 Beinn Mhor 3", "value": 3}]},
                    triggered="turbines-turbine.value")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.json["response"]
    history = body["turbines-history"]["figure"]
    assert [trace["name"] for trace in history["data"]] == ["Wind [m/s]", "Power [kW]", "Broken"]
    assert len(history["layout"]["shapes"]) == 1  # one broken band
    curve = body["turbines-curve"]["figure"]
    assert curve["data"][-1]["name"] == "Theoretical (SCADA file)"
    theoretical = curve["data"][-1]["y"]  # plotly sends numpy arrays as typed arrays
    values = np.frombuffer(base64.b64decode(theoretical["bdata"]), dtype=theoretical["dtype"])
    assert values.max() == pytest.approx(3000.0)


def test_download_one_turbine_gives_csv_and_several_a_zip(fleet_app, client_as):
    client = client_as("viewer")
    one = fire(client, fleet_app, "turbines-download.data", {"turbines-download-button.n_clicks": 1,
                                                             "turbines-download-turbines.value": [2],
                                                             "turbines-window.value": 15})
    data = one.json["response"]["turbines-download"]["data"]
    assert data["filename"].endswith(".csv")
    assert data["content"].splitlines()[0].startswith("turbine_number,measured_at_utc,uk_local_time")
    assert len(data["content"].splitlines()) == 11
    many = fire(client, fleet_app, "turbines-download.data", {"turbines-download-button.n_clicks": 1,
                                                              "turbines-download-turbines.value": [1, 3],
                                                              "turbines-window.value": 15})
    data = many.json["response"]["turbines-download"]["data"]
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(data["content"])))
    assert sorted(archive.namelist()) == ["turbine_1.csv", "turbine_3.csv"]
    none = fire(client, fleet_app, "turbines-download.data", {"turbines-download-button.n_clicks": 1,
                                                              "turbines-download-turbines.value": []})
    assert "Choose one or more turbines" in none.get_data(as_text=True)
