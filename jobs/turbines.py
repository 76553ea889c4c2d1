"""The turbine repair dispatcher as a scheduled job, and ``python -m jobs.turbines`` to run it alone.

``dispatch(settings)`` is what the scheduler process calls every few seconds
(``TURBINE_DISPATCH_INTERVAL_S``). It is idempotent and safe to run in two processes at once;
all state is in the database, so a restart carries on where it stopped.
"""

from __future__ import annotations

import argparse
import logging
import random
import time

from data_access.engine import Database
from services.turbine_dispatch import DispatchReport, crew_from_settings, dispatch_once
from settings import Settings

_databases: dict[str, Database] = {}
_rng = random.Random()


def _database(settings: Settings) -> Database:
    """One engine per database URL for the life of the process (not one per run)."""
    url = settings.resolved_database_url()
    if url not in _databases:
        _databases[url] = Database.from_url(url)
    return _databases[url]


def dispatch(settings: Settings) -> DispatchReport:
    """One dispatcher pass: open tickets for broken turbines, assign the crew FIFO, move repairs on."""
    return dispatch_once(_database(settings), crew_from_settings(settings), _rng)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobs.turbines", description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=None,
                        help="seconds between passes (default TURBINE_DISPATCH_INTERVAL_S)")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = Settings()
    interval = args.interval or settings.turbine_dispatch_interval_s
    logging.info("turbine dispatcher: crew %s, repairs %g..%g s, every %g s", ", ".join(settings.turbine_crew_names()),
                 settings.turbine_repair_min_s, settings.turbine_repair_max_s, interval)
    while True:
        try:
            dispatch(settings)
        except Exception:  # keep the loop alive through a database blip; the next pass retries
            logging.exception("dispatcher pass failed")
        if args.once:
            return
        time.sleep(interval)


if __name__ == "__main__":
    main()
