"""A fleet of simulated wind turbines posting metrics to Powerdesk over HTTP.

    python -m simulators.turbines --turbines 10 --interval 1 --url http://127.0.0.1:8050 --api-key KEY

Each turbine replays the real 2018 SCADA year (``data_access/demo_data/turbines``), from its own
offset into the year, one 10-minute row per report: wind speed (sent in km/h, the original
emitters' unit) and power (scaled from that turbine's 3.6 MW rating to ``--rating-kw``). Each
interval every turbine reports once, and the reports go in one batch; a batch that fails is
retried with backoff and kept until acknowledged (the API stores a repeated report once).

A working turbine breaks with probability ``--failure-rate`` per report. A broken turbine
reports ``broken`` (and no power) until its repair ticket is done, which it reads through
``GET /api/v1/turbines/repairs``; then it reports ``ok`` again. So the repair dispatch is real:
nothing comes back unless the dispatcher and an engineer dealt with it.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import requests

SCADA_FILE = (Path(__file__).resolve().parent.parent / "data_access" / "demo_data" / "turbines"
              / "kaggle_wind_turbine_scada_T1_2018.tsv.gz")
SCADA_RATING_KW = 3600.0
"""The SCADA turbine's rating (the maximum of its theoretical power curve) [kW]."""
KMH_PER_MS = 3.6

log = logging.getLogger("simulators.turbines")


def load_scada(path: Path = SCADA_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Wind [m/s] and power share of rating (clipped to 0..1.2) for each 10-minute row of 2018."""
    frame = pd.read_csv(path, sep="\t", encoding="latin-1")
    wind = frame["Wind Speed (m/s)"].to_numpy(dtype=float).clip(0, 80)
    share = (frame["LV ActivePower (kW)"].to_numpy(dtype=float) / SCADA_RATING_KW).clip(-0.04, 1.19)
    return wind, share


@dataclass
class SimulatedTurbine:
    number: int
    offset: int
    broken_since: float | None = None
    """Epoch seconds of this turbine's first broken report of the current incident."""


class Fleet:
    def __init__(self, count: int, first: int, rating_kw: float, failure_rate: float, rng: random.Random):
        self.wind, self.share = load_scada()
        rows = len(self.wind)
        self.turbines = [SimulatedTurbine(first + i, (i * rows) // max(count, 1) + rng.randrange(144))
                         for i in range(count)]
        self.rating_kw, self.failure_rate, self.rng, self.step = rating_kw, failure_rate, rng, 0

    def reports(self, now: float) -> list[dict]:
        """One report per turbine at ``now`` (epoch seconds)."""
        rows = len(self.wind)
        out = []
        for turbine in self.turbines:
            row = (turbine.offset + self.step) % rows
            if turbine.broken_since is None and self.rng.random() < self.failure_rate:
                turbine.broken_since = now
                log.info("turbine %d breaks", turbine.number)
            broken = turbine.broken_since is not None
            out.append({
                "turbine_number": turbine.number,
                "wind_speed": round(float(self.wind[row]) * KMH_PER_MS, 3),
                "power_output_in_kwh": 0.0 if broken else round(float(self.share[row]) * self.rating_kw, 3),
                "operational_status": "broken" if broken else "ok",
                "timestamp": now,
            })
        self.step += 1
        return out


class Client:
    """HTTP to Powerdesk with an API key; batches are kept until acknowledged."""

    def __init__(self, url: str, api_key: str, timeout_s: float = 10.0, max_pending: int = 1000):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"
        self.timeout_s = timeout_s
        self.pending: deque[list[dict]] = deque(maxlen=max_pending)
        self.acknowledged = 0

    def post(self, batch: list[dict], attempts: int = 3) -> None:
        """Send the backlog then ``batch``; what fails stays queued for the next call."""
        self.pending.append(batch)
        while self.pending:
            head = self.pending[0]
            if not self._post_with_retries(head, attempts):
                return
            self.pending.popleft()

    def _post_with_retries(self, batch: list[dict], attempts: int) -> bool:
        delay = 0.2
        for attempt in range(attempts):
            try:
                response = self.session.post(f"{self.url}/api/v1/turbines/metrics", json=batch,
                                             timeout=self.timeout_s)
            except requests.RequestException as error:
                log.warning("post failed (%s), attempt %d", error, attempt + 1)
            else:
                if response.status_code == 201:
                    self.acknowledged += len(batch)
                    return True
                if 400 <= response.status_code < 500 and response.status_code != 429:
                    log.error("batch refused (%d): %s; dropping it", response.status_code, response.text[:300])
                    return True  # resending the same data cannot succeed
                log.warning("post got %d, attempt %d", response.status_code, attempt + 1)
            time.sleep(delay)
            delay *= 2
        return False

    def ticket_done(self, turbine: int, broken_since: float) -> bool:
        """Whether this incident's repair ticket is done (the engineer has finished)."""
        try:
            response = self.session.get(f"{self.url}/api/v1/turbines/repairs", params={"turbine": turbine},
                                        timeout=self.timeout_s)
        except requests.RequestException as error:
            log.warning("ticket read failed: %s", error)
            return False
        if response.status_code != 200:
            return False
        for ticket in response.json().get("tickets", []):
            if ticket["incident_epoch_s"] >= broken_since - 1e-3:
                return ticket["status"] == "done"
        return False


def run(fleet: Fleet, client: Client, interval_s: float, duration_s: float | None, ticket_poll_s: float) -> None:
    started = time.monotonic()
    next_tick, last_poll = started, 0.0
    while duration_s is None or time.monotonic() - started < duration_s:
        client.post(fleet.reports(time.time()))
        if time.monotonic() - last_poll >= ticket_poll_s:
            last_poll = time.monotonic()
            for turbine in fleet.turbines:
                if turbine.broken_since is not None and client.ticket_done(turbine.number, turbine.broken_since):
                    log.info("turbine %d repaired; reporting ok again", turbine.number)
                    turbine.broken_since = None
        next_tick += interval_s
        time.sleep(max(0.0, next_tick - time.monotonic()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.turbines", description=__doc__.splitlines()[0])
    parser.add_argument("--turbines", type=int, default=10, help="how many turbines (default 10)")
    parser.add_argument("--first", type=int, default=1, help="number of the first turbine (default 1)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between reports (default 1)")
    parser.add_argument("--url", default="http://127.0.0.1:8050", help="Powerdesk base URL")
    parser.add_argument("--api-key", required=True, help="an API key from `flask --app app apikey create NAME`")
    parser.add_argument("--rating-kw", type=float, default=3000.0, help="turbine rating [kW] (default 3000)")
    parser.add_argument("--failure-rate", type=float, default=0.002,
                        help="chance a working turbine breaks at each report (default 0.002)")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    parser.add_argument("--ticket-poll", type=float, default=2.0, help="seconds between ticket checks (default 2)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (failures and offsets)")
    args = parser.parse_args(argv)
    if args.turbines < 1 or args.interval <= 0 or not 0 <= args.failure_rate <= 1:
        parser.error("--turbines must be >= 1, --interval > 0 and --failure-rate within 0..1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    fleet = Fleet(args.turbines, args.first, args.rating_kw, args.failure_rate, random.Random(args.seed))
    client = Client(args.url, args.api_key)
    log.info("%d turbines reporting every %g s to %s", args.turbines, args.interval, args.url)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops it; say what was sent
        run(fleet, client, args.interval, args.duration, args.ticket_poll)
    log.info("stopped; %d reports acknowledged, %d batches unsent", client.acknowledged, len(client.pending))
    return 0


if __name__ == "__main__":
    sys.exit(main())
