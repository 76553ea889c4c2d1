import json
import logging

from observability.logging import JsonFormatter, RequestIdFilter
from tests.conftest import build_app, make_settings


def test_json_log_lines_carry_the_request_id(tmp_path, seeded_sqlite_url, capsys):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, log_format="json"), seed=False)
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "powerdesk-handler")
    assert isinstance(handler.formatter, JsonFormatter)
    response = app.server.test_client().get("/health", headers={"X-Request-ID": "trace-42"})
    assert response.headers["X-Request-ID"] == "trace-42"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "powerdesk.access"]
    assert access and access[-1]["request_id"] == "trace-42"
    assert access[-1]["path"] == "/health" and access[-1]["status"] == 200 and "duration_ms" in access[-1]


def test_the_filter_leaves_the_request_id_empty_outside_requests():
    record = logging.LogRecord("powerdesk", logging.INFO, __file__, 1, "hello", None, None)
    assert RequestIdFilter().filter(record) and record.request_id == ""
