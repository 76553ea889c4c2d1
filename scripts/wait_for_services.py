"""Wait until a database server (and Redis, when REDIS_URL is set) answer, or give up.

The container entrypoint runs this before every role that needs them, so a stack whose services
start in any order (podman-compose before podman 4.6 ignores `condition: service_healthy`, and a
PostgreSQL restarting under a running stack) comes up without a crash loop. The embedded SQLite
file needs no waiting. Exits 0 when both
answered within WAIT_FOR_SERVICES_S seconds (default 90), 1 otherwise, naming what did not answer.
"""

from __future__ import annotations

import os
import sys
import time


def database_answers(url: str) -> str | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, pool_pre_ping=False, connect_args=_connect_args(url))
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        return None
    except Exception as error:  # any failure to connect is "not yet"
        return f"database: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    finally:
        engine.dispose()


def _connect_args(url: str) -> dict:
    return {"connect_timeout": 3} if url.startswith("postgresql") else {}


def redis_answers(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3).ping()
        return None
    except Exception as error:
        return f"redis: {type(error).__name__}: {error}"


def main() -> int:
    from settings import Settings

    settings = Settings()
    deadline = time.monotonic() + float(os.environ.get("WAIT_FOR_SERVICES_S", "90"))
    database_url = settings.resolved_database_url()
    checks = [] if database_url.startswith("sqlite") else [lambda: database_answers(database_url)]
    if settings.redis_url:
        checks.append(lambda: redis_answers(settings.redis_url))
    while True:
        problems = [problem for check in checks if (problem := check())]
        if not problems:
            return 0
        if time.monotonic() > deadline:
            print("wait_for_services: gave up: " + "; ".join(problems), file=sys.stderr)
            return 1
        print("wait_for_services: waiting: " + "; ".join(problems), file=sys.stderr)
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
