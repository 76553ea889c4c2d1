"""Operational data as a use case: import metered battery output from CSV, compare it with a run's schedule."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from data_access import operational as store
from data_access.engine import Database
from domain.operational import MAX_ERRORS_SHOWN, DeviationStats, deviation_stats, parse_readings
from services import audit
from services.errors import InvalidInput

BATTERY_ASSET = "battery"
MAX_FILE_BYTES = 5_000_000
DEMO_FILE = Path(__file__).resolve().parent.parent / "data_access" / "demo_data" / "operational" / \
    "battery_metered_SIMULATED_2023-03-25_2023-03-27.csv"


@dataclass(frozen=True)
class ImportReport:
    """What one file did: rows read, readings added, changed and already stored as given."""

    file_name: str
    rows: int
    added: int
    changed: int
    unchanged: int
    first: str
    last: str

    def describe(self) -> str:
        return (f"{self.file_name}: {self.rows} readings from {self.first} to {self.last}; {self.added} added, "
                f"{self.changed} changed, {self.unchanged} already stored.")


def import_readings(db: Database, content: bytes | str, file_name: str, actor: str,
                    asset: str = BATTERY_ASSET) -> ImportReport:
    """Check a whole CSV file and store its readings in one transaction, or raise InvalidInput naming
    the lines at fault and store nothing. Importing the same file again changes nothing."""
    if isinstance(content, str):
        content = content.encode()
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(f"{file_name} is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it by month")
    try:
        raw = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InvalidInput(f"{file_name} is not a readable CSV file ({error})") from error
    parsed = parse_readings(raw)
    if parsed.errors:
        shown = parsed.errors[:MAX_ERRORS_SHOWN]
        more = len(parsed.errors) - len(shown)
        raise InvalidInput(f"{file_name}: nothing was imported. " + "; ".join(shown) +
                           (f"; and {more} more problems" if more > 0 else ""))
    readings = parsed.readings
    first = f"{readings['settlement_date'].iloc[0].isoformat()} SP{readings['settlement_period'].iloc[0]}"
    last = f"{readings['settlement_date'].iloc[-1].isoformat()} SP{readings['settlement_period'].iloc[-1]}"
    with db.session() as session:
        added, changed, unchanged = store.upsert_readings(session, asset, readings, file_name)
        report = ImportReport(file_name, len(readings), added, changed, unchanged, first, last)
        audit.record(session, actor, "operational.imported", target=f"{asset}:{file_name}"[:120],
                     detail={"rows": report.rows, "added": added, "changed": changed, "unchanged": unchanged,
                             "first": first, "last": last})
    return report


def schedule_vs_actual(db: Database, run_id: int, asset: str = BATTERY_ASSET) -> tuple[pd.DataFrame, DeviationStats]:
    """A run's schedule joined to the metered output (every interval kept) and the deviation statistics."""
    with db.session() as session:
        joined = store.schedule_with_readings(session, run_id, asset)
    return joined, deviation_stats(joined)


def schedule_vs_actual_over(db: Database, run_id: int, start: datetime | None, end: datetime | None,
                            interval_count: int, asset: str = BATTERY_ASSET) -> tuple[pd.DataFrame, DeviationStats]:
    """``schedule_vs_actual`` for a run known by its span (``start`` <= its intervals < ``end``, UTC) and how
    many intervals it has: without a single reading over the span, the statistics say every interval is
    missing, and neither the join nor the intervals are read."""
    if interval_count == 0 or start is None or end is None:
        return pd.DataFrame(), DeviationStats(0, 0, None, None, None)
    with db.session() as session:
        if not store.any_reading_between(session, asset, start, end):
            return pd.DataFrame(), DeviationStats(interval_count, interval_count, None, None, None)
    return schedule_vs_actual(db, run_id, asset)


def load_demo_readings(db: Database) -> int:
    """Load the shipped simulated sample (idempotent); the number of readings added."""
    return import_readings(db, DEMO_FILE.read_bytes(), DEMO_FILE.name, "system").added
