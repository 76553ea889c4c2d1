"""Prices: load the demo file, and read prices by GB settlement date for pages and the optimiser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from data_access import prices as price_store
from data_access.engine import Database
from data_access.price_files import (
    EPEX_DEMO_FILE,
    EPEX_DEMO_SOURCE,
    MID_DEMO_FILE,
    MID_DEMO_SOURCE,
    MID_PORTAL_2024_FILE,
    MID_PORTAL_2025_FILE,
    MID_PORTAL_SOURCE,
    SEED_PRICES_FILE,
    SEED_SOURCE,
    SYSTEM_DEMO_FILE,
    SYSTEM_DEMO_SOURCE,
    PriceFileError,
    parse_price_file,
)
from domain.markets import MARKETS
from domain.price_statistics import daily_statistics
from domain.settlement_time import (
    day_start_utc,
    periods_in_day,
    settlement_periods_of,
    to_settlement_period,
)
from services import audit
from services.errors import InvalidInput

MAX_EXPLORER_DAYS = 400
LOOKBACK_DAYS = 7


DEMO_FEEDS = {
    "seed": (SEED_PRICES_FILE, "seed", SEED_SOURCE),
    "mid": (MID_DEMO_FILE, "mid", MID_DEMO_SOURCE),
    "epex": (EPEX_DEMO_FILE, "epex", EPEX_DEMO_SOURCE),
    "mid_2024": (MID_PORTAL_2024_FILE, "mid_portal", MID_PORTAL_SOURCE),
    "mid_2025": (MID_PORTAL_2025_FILE, "mid_portal", MID_PORTAL_SOURCE),
    "system": (SYSTEM_DEMO_FILE, "system", SYSTEM_DEMO_SOURCE),
}
"""Shipped demo price files: name -> (path, format, source). System prices 2019-01..2025-06, market index
2022-10..2025-06, EPEX day-ahead 2025-01..2026-08, the seed's DA/ID 2023-01..04."""


def load_demo_prices(db: Database, feeds: tuple[str, ...] = tuple(DEMO_FEEDS)) -> int:
    """Load the shipped demo prices (by default every feed; ``feeds=("seed",)`` loads only
    the seed DA/ID file, which tests use for speed); returns the number of new rows (0 when
    already loaded). The EPEX file's clock-change days are refused, as on any import. The portal MID
    files repeat the older MID file for 2024 with the same prices (unchanged), and add the autumn
    clock-change week and 2025."""
    added = 0
    for name in feeds:
        path, fmt, source = DEMO_FEEDS[name]
        report = import_prices(db, path.read_bytes(), path.name, fmt=fmt, source=source, actor="system")
        added += report.rows_added
    return added


@dataclass(frozen=True)
class CoverageGap:
    """Settlement dates ``first``..``last`` of one market without a whole day of prices: ``missing`` (no
    price at all on any of them) or ``partial`` (one date with ``periods`` of its ``expected`` priced)."""

    first: date
    last: date
    kind: str
    periods: int = 0
    expected: int = 0

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        if self.kind == "partial":
            return f"{self.first.isoformat()} partial: {self.periods} of {self.expected} periods"
        span = self.first.isoformat() if self.first == self.last else f"{self.first.isoformat()}..{self.last.isoformat()}"
        return f"{span} missing ({self.days} day{'s' if self.days != 1 else ''})"


@dataclass(frozen=True)
class CoverageRow:
    """Stored prices of one market, as GB settlement dates and periods.

    ``last_complete_date`` is the last settlement date with a price for every one of its
    46/48/50 periods (None if none); ``partial_date`` is the last date when that date is incomplete
    (a file that stops mid-day), with ``partial_periods`` of its ``partial_expected`` periods priced.
    ``ranges`` are the runs of whole days (first, last) and ``gaps`` every missing run of days and every
    partial day between ``first_date`` and ``last_date``, in date order.
    """

    market: str
    first_date: date
    first_period: int
    last_date: date
    last_period: int
    intervals: int
    last_complete_date: date | None = None
    partial_date: date | None = None
    partial_periods: int = 0
    partial_expected: int = 0
    ranges: tuple[tuple[date, date], ...] = ()
    gaps: tuple[CoverageGap, ...] = ()

    @property
    def complete_days(self) -> int:
        return sum((last - first).days + 1 for first, last in self.ranges)


def daily_counts(starts: pd.DatetimeIndex) -> pd.Series:
    """Priced periods per settlement date (index: date, every date from the first to the last)."""
    local = pd.DatetimeIndex(starts).tz_convert("Europe/London").normalize().tz_localize(None)
    counts = pd.Series(1, index=local).groupby(level=0).sum()
    full = pd.date_range(counts.index.min(), counts.index.max(), freq="D")
    counts = counts.reindex(full, fill_value=0)
    counts.index = counts.index.date
    return counts


def coverage_of(counts: pd.Series) -> tuple[tuple[tuple[date, date], ...], tuple[CoverageGap, ...]]:
    """Whole-day ranges and gaps from ``daily_counts`` (vectorised over the days)."""
    days = list(counts.index)
    expected = pd.Series([periods_in_day(d) for d in days], index=counts.index)
    state = (counts.to_numpy() >= expected.to_numpy()).astype(int)  # 1 whole, 0 partial, -1 missing
    state[counts.to_numpy() == 0] = -1
    change = pd.Series(state).ne(pd.Series(state).shift()).cumsum().to_numpy()
    ranges, gaps = [], []
    for run in pd.unique(change):
        where = (change == run).nonzero()[0]
        first, last, kind = days[where[0]], days[where[-1]], state[where[0]]
        if kind == 1:
            ranges.append((first, last))
        elif kind == -1:
            gaps.append(CoverageGap(first, last, "missing"))
        else:
            gaps.extend(CoverageGap(days[i], days[i], "partial", int(counts.iloc[i]), int(expected.iloc[i]))
                        for i in where)
    return tuple(ranges), tuple(gaps)


_COVERAGE_CACHE: dict[tuple, CoverageRow] = {}
"""(database url, market, first, last, count) -> its CoverageRow: the gaps are re-read only when the
market's stored rows change."""


def market_coverage(db: Database) -> list[CoverageRow]:
    with db.session() as session:
        rows = price_store.coverage(session)
        result = []
        for row in rows:
            key = (str(db.engine.url), id(db.engine), row.market, row.first_interval_utc, row.last_interval_utc, row.intervals)
            if key not in _COVERAGE_CACHE:
                starts = price_store.interval_starts(session, row.market)
                _COVERAGE_CACHE[key] = _coverage_row(row, starts)
            result.append(_COVERAGE_CACHE[key])
    return result


def _coverage_row(row, starts: pd.DatetimeIndex) -> CoverageRow:
    first = to_settlement_period(row.first_interval_utc)
    last = to_settlement_period(row.last_interval_utc)
    counts = daily_counts(starts)
    ranges, gaps = coverage_of(counts)
    last_count = int(counts.get(last.settlement_date, 0))
    expected = periods_in_day(last.settlement_date)
    partial = last_count < expected
    return CoverageRow(
        market=row.market, first_date=first.settlement_date, first_period=first.settlement_period,
        last_date=last.settlement_date, last_period=last.settlement_period, intervals=row.intervals,
        last_complete_date=ranges[-1][1] if ranges else None,
        partial_date=last.settlement_date if partial else None,
        partial_periods=last_count if partial else 0, partial_expected=expected if partial else 0,
        ranges=ranges, gaps=gaps,
    )


def prices_for_dates(db: Database, first: date, last: date, markets: tuple[str, ...] | None = None,
                     max_days: int | None = MAX_EXPLORER_DAYS) -> pd.DataFrame:
    """Wide prices for settlement dates ``first``..``last`` (inclusive) with settlement columns; at most
    ``max_days`` days (None: any, for a run, which checks its own limit).

    Index: aware UTC interval start. Columns: one per market [£/MWh], ``settlement_date``,
    ``settlement_period``.
    """
    if last < first:
        raise InvalidInput(f"the end date {last.isoformat()} is before the start date {first.isoformat()}")
    if max_days is not None and (last - first).days + 1 > max_days:
        raise InvalidInput(f"choose at most {max_days} days at a time")
    with db.session() as session:
        wide = price_store.prices_between(session, day_start_utc(first), day_start_utc(last + timedelta(days=1)), markets)
    dates, periods = settlement_periods_of(wide.index)
    return wide.assign(settlement_date=dates, settlement_period=periods)


@dataclass(frozen=True)
class DaySummary:
    """One market on one settlement date [£/MWh]."""

    market: str
    settlement_date: date
    intervals: int
    mean: float
    minimum: float
    maximum: float
    min_period: int
    max_period: int

    @property
    def spread(self) -> float:
        return self.maximum - self.minimum


def last_complete_date(db: Database, coverage: list[CoverageRow]) -> date | None:
    """The last settlement date on which some market has a price for every one of its
    46/48/50 periods (a trailing partial date, from a file that stops mid-day, is passed over).
    ``coverage`` is ``market_coverage(db)``, which callers already hold. None when nothing is
    stored; the last date seen when no recent date is complete."""
    if not coverage:
        return None
    last = max(row.last_date for row in coverage)
    recent = prices_for_dates(db, last - timedelta(days=LOOKBACK_DAYS), last)
    complete = [
        day
        for day, rows in recent.groupby("settlement_date")
        if any(rows[m].notna().sum() == periods_in_day(day) for m in MARKETS if m in rows)
    ]
    return max(complete) if complete else last


@dataclass(frozen=True)
class PriceDates:
    """The settlement dates the stored prices span, for the pages' date pickers and their defaults."""

    first_date: date
    """First settlement date any market has a price on."""
    last_date: date
    """Last settlement date any market has a price on (may be a partial day)."""
    last_complete_date: date
    """Last settlement date some market prices whole (``last_complete_date``; ``last_date`` when none is)."""
    coverage: list[CoverageRow]
    """``market_coverage``, for a page that also needs one market's span."""


def price_dates(db: Database) -> PriceDates | None:
    """The span of the stored prices (None when there are none): every page that opens on a date range
    reads its limits and default dates here."""
    coverage = market_coverage(db)
    if not coverage:
        return None
    return PriceDates(
        first_date=min(row.first_date for row in coverage),
        last_date=max(row.last_date for row in coverage),
        last_complete_date=last_complete_date(db, coverage),
        coverage=coverage,
    )


def latest_day_summary(db: Database, coverage: list[CoverageRow]) -> list[DaySummary]:
    """Summary per market of the last complete settlement date ("yesterday in the data");
    ``coverage`` is ``market_coverage(db)``."""
    day = last_complete_date(db, coverage)
    if day is None:
        return []
    frame = prices_for_dates(db, day, day)
    summaries = []
    for market in [m for m in MARKETS if m in frame.columns]:
        series = frame[market].dropna()
        if series.empty:
            continue
        summaries.append(
            DaySummary(
                market=market,
                settlement_date=day,
                intervals=int(series.size),
                mean=float(series.mean()),
                minimum=float(series.min()),
                maximum=float(series.max()),
                min_period=int(frame.loc[series.idxmin(), "settlement_period"]),
                max_period=int(frame.loc[series.idxmax(), "settlement_period"]),
            )
        )
    return summaries


MAX_IMPORT_ROWS = 500_000
REPORT_LIMIT = 200
"""At most this many rejected lines and conflicts are listed in a report (all are counted)."""


@dataclass(frozen=True)
class ImportReport:
    """What one import did. Added, unchanged and conflicting count half-hourly prices (an EPEX hour
    is two); rejected counts rejected values (a refused EPEX day is one)."""

    source: str
    format: str
    file_name: str
    rows_read: int
    rows_added: int
    rows_unchanged: int
    rows_conflicting: int
    rows_rejected: int
    first_utc: pd.Timestamp | None
    last_utc: pd.Timestamp | None
    rejected: list[tuple[int, str]]
    """(line, reason), at most REPORT_LIMIT, by line."""
    conflicts: list[dict]
    """market, interval_start_utc, settlement_date, settlement_period, price_gbp_per_mwh,
    other_source, other_price_gbp_per_mwh (at most REPORT_LIMIT)."""
    refused_days: list[str]
    rows_missing: int = 0
    """Intervals the file marks as having no price (MID portal zero-volume, zero-price rows): not stored."""
    notes: tuple[str, ...] = ()
    """What the reader left out on purpose (missing intervals per day, other providers' rows)."""

    def summary(self) -> str:
        missing = f", {self.rows_missing:,} missing (no trade; not stored as £0)" if self.rows_missing else ""
        return (f"{self.file_name} ({self.format}, source '{self.source}'): "
                f"{self.rows_added:,} added, {self.rows_unchanged:,} unchanged, {self.rows_conflicting:,} "
                f"conflicting (kept beside another source's price), {self.rows_rejected:,} rejected{missing}.")

    def audit_detail(self) -> dict:
        return {"file": self.file_name, "format": self.format, "source": self.source, "read": self.rows_read,
                "added": self.rows_added, "unchanged": self.rows_unchanged, "conflicting": self.rows_conflicting,
                "rejected": self.rows_rejected, "refused_days": self.refused_days[:20],
                "missing": self.rows_missing, "notes": list(self.notes),
                "first_utc": self.first_utc.isoformat() if self.first_utc is not None else None,
                "last_utc": self.last_utc.isoformat() if self.last_utc is not None else None}


def source_name(fmt: str, file_name: str) -> str:
    """Default source of an imported file: ``<format>:<file name>`` (64 characters at most)."""
    return f"{fmt}:{file_name}"[:64]


def import_prices(db: Database, content: bytes, file_name: str, fmt: str | None = None, source: str | None = None,
                  actor: str = "system", window: tuple | None = None, source_prefix: str = "") -> ImportReport:
    """Check a price file of format ``fmt`` (``seed``, ``mid``, ``mid_portal``, ``system``, ``epex``; detected
    when None), then
    store its good rows in one transaction together with a ``prices.imported`` audit event.

    Re-importing a file changes nothing (every row comes back unchanged). Bad values and times
    are rejected with their line numbers; a price differing from another source's is stored
    beside it and reported as conflicting. Raises InvalidInput when the file cannot be read at all.
    ``window`` (UTC start, end): only prices with start <= interval < end are imported. The source
    defaults to ``<source_prefix><format>:<file name>``.
    """
    try:
        parsed = parse_price_file(content, file_name, fmt)
    except PriceFileError as error:
        raise InvalidInput(str(error)) from error
    if window is not None:
        starts = parsed.prices["interval_start_utc"]
        parsed.prices = parsed.prices[(starts >= pd.Timestamp(window[0])) & (starts < pd.Timestamp(window[1]))]
    rows_in_file = len(parsed.prices) + len(parsed.rejected)
    if rows_in_file > MAX_IMPORT_ROWS:
        raise InvalidInput(f"{file_name}: {rows_in_file:,} prices is more than the {MAX_IMPORT_ROWS:,} allowed per file")
    source = source or (source_prefix + source_name(parsed.format, file_name))[:64]
    with db.session() as session:
        outcome = price_store.import_prices(session, parsed.prices, source)
        rejected = pd.concat([parsed.rejected, outcome.refused], ignore_index=True).sort_values("line", kind="stable")
        conflicts = outcome.conflicts.head(REPORT_LIMIT)
        starts = pd.DatetimeIndex(conflicts["interval_start_utc"])
        dates, periods = settlement_periods_of(starts) if len(starts) else ([], [])
        report = ImportReport(
            source=source,
            format=parsed.format,
            file_name=file_name,
            rows_read=len(parsed.prices) + len(parsed.rejected),
            rows_added=outcome.added,
            rows_unchanged=outcome.unchanged,
            rows_conflicting=int(outcome.conflicts[["market", "interval_start_utc"]].drop_duplicates().shape[0]),
            rows_rejected=len(rejected),
            first_utc=parsed.prices["interval_start_utc"].min() if not parsed.prices.empty else None,
            last_utc=parsed.prices["interval_start_utc"].max() if not parsed.prices.empty else None,
            rejected=[(int(line), str(reason)) for line, reason in
                      zip(rejected["line"].head(REPORT_LIMIT), rejected["reason"].head(REPORT_LIMIT), strict=True)],
            conflicts=[{"market": m, "interval_start_utc": t.isoformat(), "settlement_date": d.isoformat(),
                        "settlement_period": p, "price_gbp_per_mwh": float(v), "other_source": o,
                        "other_price_gbp_per_mwh": float(ov)}
                       for m, t, d, p, v, o, ov in zip(conflicts["market"], starts, dates, periods,
                                                       conflicts["price_gbp_per_mwh"], conflicts["other_source"],
                                                       conflicts["other_price_gbp_per_mwh"], strict=True)],
            refused_days=parsed.refused_days,
            rows_missing=parsed.missing,
            notes=tuple(parsed.notes),
        )
        # A fetch (``window`` set) re-reads the same files on every run: audit only when it changed
        # or refused something; a file imported by hand is always audited.
        if window is None or report.rows_added or report.rows_conflicting or report.rows_rejected:
            audit.record(session, actor, "prices.imported", target=source, detail=report.audit_detail())
    return report


def import_price_file(db: Database, content: bytes, filename: str, fmt: str | None = None,
                      actor: str = "system") -> ImportReport:
    """An uploaded file: its source is ``upload:<format>:<file name>``."""
    return import_prices(db, content, filename, fmt=fmt, actor=actor, source_prefix="upload:")


def price_conflicts(db: Database, first: date, last: date, markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Stored disagreements between sources for settlement dates ``first``..``last``: one row per
    stored price of a disputed market interval, with ``used`` marking the one readers take (the
    newest import), plus ``settlement_date`` and ``settlement_period``."""
    with db.session() as session:
        frame = price_store.conflicts_between(session, day_start_utc(first), day_start_utc(last + timedelta(days=1)),
                                              markets)
    if frame.empty:
        return frame.assign(settlement_date=[], settlement_period=[])
    dates, periods = settlement_periods_of(frame["interval_start_utc"])
    return frame.assign(settlement_date=dates, settlement_period=periods)


def daily_price_statistics(db: Database, first: date, last: date, markets: tuple[str, ...] | None = None
                           ) -> pd.DataFrame:
    """Daily statistics per settlement date and market for ``first``..``last`` (see
    ``domain.price_statistics.DAILY_COLUMNS``): min/max/mean with periods, peak/off-peak means,
    negative periods, best 1 h and 2 h charge/discharge spreads with their start periods."""
    prices = prices_for_dates(db, first, last, markets)
    return daily_statistics(prices, markets or MARKETS)
