"""Metric ingest: validate a whole batch, then store it in one transaction (or nothing at all).

Never touches repair tickets: dispatch runs in the background (``jobs.turbines``), so an
ingest request never waits on a repair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from data_access import turbines as store
from data_access.engine import Database
from domain.turbine_metrics import DEFAULT_MAX_FUTURE_S, MetricBatch, validate_metrics
from services import audit


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    """New rows; the rest repeated a (turbine, timestamp) already stored or earlier in the batch."""
    registered: tuple[int, ...] = ()

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


def ingest_metrics(db: Database, items: list, now_epoch_s: float, *, auto_register: bool,
                   default_rating_kw: float, actor: str, single: bool = False,
                   max_future_s: float = DEFAULT_MAX_FUTURE_S) -> IngestResult:
    """Validate ``items`` (the wire format of ``domain.turbine_metrics``) and store them.

    ``now_epoch_s`` is the server's clock: reports stamped more than ``max_future_s`` after it are
    refused, and it is stored as each report's ``received_at``.

    Raises ``domain.turbine_metrics.MetricError`` (naming the item and field) and stores nothing
    when any metric is invalid. Returns after the commit.
    """
    with db.session() as session:
        new_turbines: list[int] = []

        def rating_kw(numbers: np.ndarray) -> np.ndarray:
            unique, inverse = np.unique(numbers, return_inverse=True)
            known = store.ratings_kw(session, unique.tolist())
            if auto_register:
                for number in unique.tolist():
                    if number not in known:
                        known[number] = default_rating_kw
                        new_turbines.append(number)
            return np.array([known.get(n, np.nan) for n in unique.tolist()], dtype=np.float64)[inverse]

        batch: MetricBatch = validate_metrics(items, rating_kw, now_epoch_s, single=single,
                                              max_future_s=max_future_s)
        if new_turbines:
            store.register_turbines(session, [
                {"turbine_number": n, "name": f"Turbine {n}", "rated_power_kw": default_rating_kw,
                 "auto_registered": True} for n in new_turbines])
            audit.record(session, actor, "turbine.registered", target=",".join(map(str, new_turbines)),
                         detail={"rated_power_kw": default_rating_kw, "auto": True})
        stored = store.insert_metrics(session, batch, datetime.fromtimestamp(now_epoch_s, UTC))
    return IngestResult(received=batch.received, stored=stored, registered=tuple(new_turbines))
