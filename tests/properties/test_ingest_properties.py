"""Property tests (Hypothesis) over the COV power and turbine metric parsers and their write paths: any byte
string or JSON body gives a report or a clean refusal (never another exception, never a 500) and a refused
request stores nothing.

The write-path properties run on SQLite and PostgreSQL (the ``db`` fixture); one database serves all the
examples of a test, so each example compares the stored row count before and after."""

import json
from datetime import UTC, datetime

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_access.power_files import PowerFileError, read_cov_csv
from data_access.schema import PowerReading, TurbineMetric
from domain.turbine_metrics import FIELDS, MetricError, validate_metrics
from services import footprint
from services.errors import InvalidInput, NotFound
from services.turbine_ingest import ingest_metrics
from services.turbines import register_demo_fleet

NOW = datetime(2019, 11, 26, 12, 0, tzinfo=UTC)
NOW_S = NOW.timestamp()
PROPERTY = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_leaf = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
             | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)

# Values near the edges of what the checks accept, so examples reach the deeper rules, not only the shape.
cov_time = st.sampled_from(["2019-11-25 00:00:00", "2019-11-25T06:30:00.1234567", "0261-01-01 00:00:00",
                            "1999-12-31T23:59:59Z", "2019-11-27T12:00:01Z", "20191125", "2019-11-25 25:00:00",
                            "", "yesterday", "2019-11-25T00:00:00+01:00"]) | st.text(max_size=25)
cov_value = st.sampled_from(["10", "-474.42", "1e12", "-1e12", "nan", "inf", "1e7", "", "x", "0"]) | st.text(max_size=8)
cov_line = st.tuples(cov_time, st.sampled_from(["power", "Power", "voltage", ""]),
                     st.sampled_from(["battery1", "unknown9", "", "x" * 70]), cov_value)


def cov_csv(lines) -> bytes:
    body = "".join(f"{t},{v},{a},{p}\n" for t, v, a, p in lines)
    return ("Time,Variable,AssetId,Value\n" + body).encode("utf-8", "surrogatepass")


def power_rows(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(PowerReading))


def metric_rows(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(TurbineMetric))


# --- COV power files ---

@PROPERTY
@given(content=st.binary(max_size=400) | st.lists(cov_line, min_size=0, max_size=6).map(cov_csv))
def test_any_bytes_are_read_whole_or_refused_with_a_power_file_error(content):
    try:
        frame = read_cov_csv(content, "fuzz.csv")
    except PowerFileError as error:
        assert str(error)
        return
    assert list(frame.columns) == ["asset_id", "time_utc", "power_kw", "line"]
    assert np.isfinite(frame["power_kw"].to_numpy()).all()


def test_a_cov_import_of_any_bytes_is_a_report_or_a_clean_refusal_that_stores_nothing(db):
    footprint.register_asset(db, "battery1", "Battery", rating_kw=500.0)

    @PROPERTY
    @given(content=st.binary(max_size=300) | st.lists(cov_line, min_size=1, max_size=6).map(cov_csv),
           register=st.booleans())
    def check(content, register):
        before = power_rows(db)
        try:
            report = footprint.import_power_file(db, content, "fuzz.csv", register_assets=register, now_utc=NOW)
        except InvalidInput as error:
            assert str(error)
            assert power_rows(db) == before
            return
        assert power_rows(db) == before + report.rows_added

    check()
    for asset in footprint.list_assets(db):  # whatever was stored passes today's rules and reads back
        if asset.first_reading_utc is not None:
            assert datetime(2000, 1, 1, tzinfo=UTC) <= asset.first_reading_utc


def test_posted_cov_readings_of_any_json_are_a_report_or_a_clean_refusal(db):
    footprint.register_asset(db, "battery1", "Battery", rating_kw=500.0)
    item = st.fixed_dictionaries({"time": cov_time | json_leaf, "power_kw": json_leaf})

    @PROPERTY
    @given(readings=json_value | st.lists(item | json_value, min_size=1, max_size=5))
    def check(readings):
        before = power_rows(db)
        try:
            report = footprint.import_readings(db, "battery1", readings, now_utc=NOW)
        except (InvalidInput, NotFound) as error:
            assert str(error)
            assert power_rows(db) == before
            return
        assert power_rows(db) == before + report.rows_added

    check()


# --- turbine metrics ---

metric_item = st.fixed_dictionaries({
    "turbine_number": st.sampled_from([1, 2, 999, 0, -1, 1.0, 1.5, True, "1"]) | json_leaf,
    "wind_speed": st.sampled_from([0, 36.0, 300, 300.1, -1]) | json_leaf,
    "power_output_in_kwh": st.sampled_from([0, 1500.0, 3600, 3600.1, -150, -151]) | json_leaf,
    "operational_status": st.sampled_from(["ok", "broken", "OK", ""]) | json_leaf,
    "timestamp": st.sampled_from([NOW_S, NOW_S + 30, NOW_S + 31, NOW_S + 299, 946_684_799.0]) | json_leaf,
})
metric_items = st.lists(metric_item | st.dictionaries(st.sampled_from(FIELDS), json_leaf) | json_value,
                        max_size=5)


@PROPERTY
@given(items=metric_items)
def test_any_metric_list_validates_or_raises_a_metric_error(items):
    try:
        batch = validate_metrics(items, lambda numbers: np.where(numbers <= 10, 3000.0, np.nan), NOW_S)
    except MetricError as error:
        assert str(error).startswith(("item ", "body"))
        return
    assert len(batch) <= len(items)
    assert (batch.measured_epoch_s <= NOW_S + 30).all()


def test_turbine_ingest_of_any_json_stores_the_batch_whole_or_nothing(db):
    register_demo_fleet(db, 3000.0)

    @PROPERTY
    @given(items=metric_items)
    def check(items):
        before = metric_rows(db)
        try:
            result = ingest_metrics(db, items, NOW_S, auto_register=False, default_rating_kw=3000.0, actor="fuzz",
                                    max_future_s=30)
        except MetricError:
            assert metric_rows(db) == before
            return
        assert metric_rows(db) == before + result.stored

    check()


# --- the HTTP endpoints: any body is a 2xx or a 4xx with a JSON message, never a 500 ---

def test_any_body_posted_to_the_cov_and_turbine_endpoints_is_answered_without_a_500(server):
    from services.api_keys import create_api_key

    db = server.extensions["powerdesk"].db
    server.extensions["powerdesk"].clock = lambda: NOW
    footprint.register_asset(db, "battery1", "Battery", rating_kw=500.0)
    register_demo_fleet(db, 3000.0)
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_key(db, 'fuzz').key}"
    bodies = (st.binary(max_size=200) | json_value.map(lambda v: json.dumps(v).encode())
              | st.lists(metric_item, max_size=3).map(lambda v: json.dumps(v).encode())
              | st.fixed_dictionaries({"readings": st.lists(st.fixed_dictionaries(
                  {"time": cov_time, "power_kw": json_leaf}), max_size=3)}).map(lambda v: json.dumps(v).encode()))

    @PROPERTY
    @given(body=bodies, path=st.sampled_from(["/api/v1/footprint/assets/battery1/readings",
                                              "/api/v1/turbines/metrics", "/post_metrics"]))
    def check(body, path):
        before = (power_rows(db), metric_rows(db))
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code < 500, (path, body, response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert response.is_json and response.json.get("detail")
            assert (power_rows(db), metric_rows(db)) == before

    check()
