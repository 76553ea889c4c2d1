"""Structured logging with a request id.

Every request gets an id: the caller's ``X-Request-ID`` when it is a short token, else a new
one. It is echoed in the response's ``X-Request-ID`` header and added to every log line written
while the request runs, so one id finds a user's report in the logs of any worker.
``LOG_FORMAT=json`` writes one JSON object per line (for log collectors); ``text`` is for people.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_HANDLER_NAME = "powerdesk-handler"
access_log = logging.getLogger("powerdesk.access")


def request_id() -> str:
    return g.get("request_id", "") if has_request_context() else ""


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        for key in ("method", "path", "status", "duration_ms", "remote_addr"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(log_format: str, level: str) -> None:
    """One handler on the root logger (idempotent), so Powerdesk's, Flask's and the servers'
    records share one format; the ``powerdesk`` loggers log at ``level``. Records still propagate
    normally (pytest's caplog and Celery's logging keep working)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != _HANDLER_NAME] + [handler]
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    logging.getLogger("powerdesk").setLevel(level.upper() if isinstance(level, str) else level)


def start_request() -> None:
    """before_request (registered first): take or make the request id, start the clock."""
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _ACCEPTED_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def finish_request(response):
    """after_request: echo the id and write one access line."""
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    access_log.info("%s %s %s", request.method, request.path, response.status_code,
                    extra={"method": request.method, "path": request.path, "status": response.status_code,
                           "duration_ms": duration_ms, "remote_addr": request.remote_addr})
    return response
