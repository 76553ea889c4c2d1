"""Prices: load the demo file, and read prices by GB settlement date for pages and the optimiser."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

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
from data_access.schema import PriceImport
from domain.markets import MARKETS
from domain.price_statistics import daily_statistics
from domain.settlement_time import (
    day_start_utc,
    periods_in_day,
    settlement_periods_of,
    to_settlement_period,
)
from services import audit
from services.errors import Conflict, InvalidInput

T = TypeVar("T")
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
    already loaded). The EPEX file's clock-change days are refused, and its other lines imported
    (the shipped files are known; their good lines are imported as the audited second step). The portal
    MID files repeat the older MID file for 2024 with the same prices (unchanged), and add the autumn
    clock-change week and 2025."""
    added = 0
    for name in feeds:
        path, fmt, source = DEMO_FEEDS[name]
        content = path.read_bytes()
        if _already_imported(db, content, source):
            continue
        report = import_prices(db, content, path.name, fmt=fmt, source=source, actor="system",
                               good_lines_only=True)
        added += report.rows_added
        if not report.rows_added:  # stored by a setup older than the digests: remember it from now on
            with db.session() as session:
                price_store.mark_import_digest(session, hashlib.sha256(content).hexdigest(), source,
                                               path.name, actor="system")
    return added


def _already_imported(db: Database, content: bytes, source: str) -> bool:
    """Whether the system already stored this exact file as ``source`` by an import not undone since: setup
    runs on every start, and reading a demo file again (seconds for the larger ones) would store nothing."""
    with db.session() as session:
        return price_store.has_live_import(session, hashlib.sha256(content).hexdigest(), source, actor="system")


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


_DERIVED: OrderedDict[tuple, object] = OrderedDict()
_DERIVED_LOCK = threading.Lock()
DERIVED_ENTRIES = 64
"""Values kept by ``from_prices`` (a few per database: coverage, the last complete date, freshness)."""


def from_prices(db: Database, name: tuple, build: Callable[[], T]) -> T:
    """``build()``, a value computed from the stored prices alone, kept in this process until they change
    (``data_access.prices.revision``). Every page that opens on a date range reads the prices' coverage and
    gaps; a year of two markets takes 50-100 ms to scan each time. ``build`` must return an immutable value."""
    with db.session() as session:
        revision = price_store.revision(session)  # before ``build`` reads: a change in between is seen next time
    key = (str(db.engine.url), id(db.engine), revision, name)
    with _DERIVED_LOCK:
        if key in _DERIVED:
            _DERIVED.move_to_end(key)
            return _DERIVED[key]
    value = build()
    with _DERIVED_LOCK:
        _DERIVED[key] = value
        while len(_DERIVED) > DERIVED_ENTRIES:
            _DERIVED.popitem(last=False)
    return value


def market_coverage(db: Database) -> list[CoverageRow]:
    """Per stored market: its span, its last complete day and its gaps."""
    return list(from_prices(db, ("coverage",), lambda: tuple(_read_coverage(db))))


def _read_coverage(db: Database) -> list[CoverageRow]:
    with db.session() as session:
        return [_coverage_row(row, price_store.interval_starts(session, row.market))
                for row in price_store.coverage(session)]


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


def prices_with_sources_for_dates(db: Database, first: date, last: date, markets: tuple[str, ...] | None = None
                                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``prices_for_dates`` and, on the same index, the source each market's price is read from."""
    if last < first:
        raise InvalidInput(f"the end date {last.isoformat()} is before the start date {first.isoformat()}")
    if (last - first).days + 1 > MAX_EXPLORER_DAYS:
        raise InvalidInput(f"choose at most {MAX_EXPLORER_DAYS} days at a time")
    with db.session() as session:
        long = price_store.used_prices(session, day_start_utc(first), day_start_utc(last + timedelta(days=1)), markets)
    wide = price_store.wide_frame(long, "price_gbp_per_mwh")
    sources = price_store.wide_frame(long, "source").reindex(wide.index)
    dates, periods = settlement_periods_of(wide.index)
    return wide.assign(settlement_date=dates, settlement_period=periods), sources


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
    return from_prices(db, ("last complete date", last), lambda: _last_complete_date(db, last))


def _last_complete_date(db: Database, last: date) -> date:
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
"""At most this many conflicts are listed in a report or preview (all are counted; every rejected line is listed)."""


class StalePreview(Conflict):
    """What is stored changed between the preview and the confirmation; the trader looks again."""


@dataclass(frozen=True)
class Rejection:
    """One rejected value: the file's line (the header is line 1), its column, and why."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column or '-'}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    """What one import did. Added, unchanged and conflicting count half-hourly prices (an EPEX hour
    is two); rejected counts rejected values (a refused EPEX day is one). ``stored`` is False when
    the file was refused whole (any rejected line, without ``good_lines_only``): then nothing was
    stored and ``good_lines`` says how many lines the second step would import."""

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
    """(line, reason) of every rejected value, by line."""
    conflicts: list[dict]
    """market, interval_start_utc, settlement_date, settlement_period, price_gbp_per_mwh (this file's),
    other_source, other_price_gbp_per_mwh (what readers used before), used (True when readers use this
    file's price now, by the market's precedence), at most REPORT_LIMIT."""
    refused_days: list[str]
    rows_missing: int = 0
    """Intervals the file marks as having no price (MID portal zero-volume, zero-price rows): not stored."""
    notes: tuple[str, ...] = ()
    """What the reader left out on purpose (missing intervals per day, other providers' rows)."""
    stored: bool = True
    import_id: int | None = None
    """The ``price_imports`` id (``Undo import``), None when nothing was stored."""
    rejections: list[Rejection] = field(default_factory=list)
    """Every rejected value as (line, column, reason)."""
    good_lines: int = 0
    """Lines of the file with no rejected value."""
    good_lines_only: bool = False
    rows_displaced: int = 0
    """Intervals where readers used another source's price before and this file's now."""

    def summary(self) -> str:
        if not self.stored:
            lines = len({r.line for r in self.rejections})
            return (f"{self.file_name} ({self.format}, source '{self.source}'): refused whole, nothing was stored: "
                    f"{self.rows_rejected:,} rejected value(s) on {lines:,} line(s). "
                    f"{self.good_lines:,} good line(s) could be imported anyway.")
        missing = f", {self.rows_missing:,} missing (no trade; not stored as £0)" if self.rows_missing else ""
        return (f"{self.file_name} ({self.format}, source '{self.source}'): "
                f"{self.rows_added:,} added, {self.rows_unchanged:,} unchanged, {self.rows_conflicting:,} "
                f"conflicting (kept beside another source's price), {self.rows_rejected:,} rejected{missing}."
                + (f" Import #{self.import_id}." if self.import_id is not None else ""))

    def audit_detail(self) -> dict:
        return {"file": self.file_name, "format": self.format, "source": self.source, "read": self.rows_read,
                "added": self.rows_added, "unchanged": self.rows_unchanged, "conflicting": self.rows_conflicting,
                "rejected": self.rows_rejected, "refused_days": self.refused_days[:20], "stored": self.stored,
                "missing": self.rows_missing, "notes": list(self.notes),
                "import_id": self.import_id, "good_lines_only": self.good_lines_only,
                "displaced": self.rows_displaced,
                "rejected_lines": [[r.line, r.column, r.reason] for r in self.rejections[:20]],
                "first_utc": self.first_utc.isoformat() if self.first_utc is not None else None,
                "last_utc": self.last_utc.isoformat() if self.last_utc is not None else None}


@dataclass(frozen=True)
class MarketChange:
    """What an import would do to one market [half-hourly prices]."""

    market: str
    added: int
    unchanged: int
    conflicting: int
    taking_over: int
    """Conflicting intervals where this file's price would be used (its source ranks at least as high)."""


@dataclass(frozen=True)
class PricePreview:
    """What importing a file would change, before anything is stored."""

    source: str
    format: str
    file_name: str
    rows_read: int
    added: int
    unchanged: int
    conflicting: int
    markets: list[MarketChange]
    conflicts: list[dict]
    """As ``ImportReport.conflicts`` (``used``: whether this file's price would be used)."""
    rejections: list[Rejection]
    refused_days: list[str]
    good_lines: int
    first_utc: pd.Timestamp | None
    last_utc: pd.Timestamp | None
    digest: str
    """Fingerprint of this preview; a confirmation carrying it is refused when the outcome would differ."""

    @property
    def refused(self) -> bool:
        """True when the file would be refused whole (some line is rejected)."""
        return bool(self.rejections)

    def summary(self) -> str:
        head = f"{self.file_name} ({self.format}, source '{self.source}'): "
        if self.refused:
            lines = len({r.line for r in self.rejections})
            return (head + f"{len(self.rejections):,} rejected value(s) on {lines:,} line(s), so the file is refused "
                    f"whole and nothing is stored. {self.good_lines:,} good line(s) can be imported anyway.")
        return head + (f"would add {self.added:,}, leave {self.unchanged:,} unchanged and store {self.conflicting:,} "
                       "conflicting price(s) beside another source's.")


def source_name(fmt: str, file_name: str) -> str:
    """Default source of an imported file: ``<format>:<file name>`` (64 characters at most)."""
    return f"{fmt}:{file_name}"[:64]


@dataclass
class _Prepared:
    parsed: object
    source: str
    classification: price_store.Classification
    rejections: list[Rejection]
    rows_read: int
    digest: str


def _parse(content: bytes, file_name: str, fmt: str | None, window: tuple | None):
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
    return parsed


def _prepare(session, parsed, source: str) -> _Prepared:
    classification = price_store.classify_prices(session, parsed.prices, source)
    rejected = pd.concat([parsed.rejected, classification.refused], ignore_index=True).sort_values("line",
                                                                                                   kind="stable")
    rejections = [Rejection(int(line), str(column), str(reason)) for line, column, reason in
                  zip(rejected["line"], rejected["column"], rejected["reason"], strict=True)]
    rows = classification.rows
    fingerprint = hashlib.sha256(f"{source}|{parsed.format}|{len(rejections)}".encode())
    if not rows.empty:
        fingerprint.update(pd.util.hash_pandas_object(
            rows[["line", "market", "interval_start_utc", "price_gbp_per_mwh", "status", "used_source",
                  "used_price_gbp_per_mwh", "takes_over"]].astype(str), index=False).to_numpy().tobytes())
    return _Prepared(parsed, source, classification, rejections, len(parsed.prices) + len(parsed.rejected),
                     fingerprint.hexdigest()[:32])


def _conflict_records(rows: pd.DataFrame) -> list[dict]:
    conflicts = rows[rows["status"] == "conflicting"].head(REPORT_LIMIT)
    starts = pd.DatetimeIndex(conflicts["interval_start_utc"])
    dates, periods = settlement_periods_of(starts) if len(starts) else ([], [])
    return [{"market": m, "interval_start_utc": t.isoformat(), "settlement_date": d.isoformat(),
             "settlement_period": int(p), "price_gbp_per_mwh": float(v), "other_source": o,
             "other_price_gbp_per_mwh": float(ov), "used": bool(u)}
            for m, t, d, p, v, o, ov, u in zip(conflicts["market"], starts, dates, periods,
                                               conflicts["price_gbp_per_mwh"], conflicts["used_source"],
                                               conflicts["used_price_gbp_per_mwh"], conflicts["takes_over"],
                                               strict=True)]


def _good_lines(parsed, rejections: list[Rejection]) -> int:
    bad = {r.line for r in rejections}
    return len(set(parsed.prices["line"].tolist()) - bad)


def preview_prices(db: Database, content: bytes, file_name: str, fmt: str | None = None, source: str | None = None,
                   source_prefix: str = "", window: tuple | None = None) -> PricePreview:
    """What ``import_prices`` with the same arguments would do, per market, storing nothing.

    Raises InvalidInput when the file cannot be read at all."""
    parsed = _parse(content, file_name, fmt, window)
    source = source or (source_prefix + source_name(parsed.format, file_name))[:64]
    with db.session() as session:
        prepared = _prepare(session, parsed, source)
    rows = prepared.classification.rows
    markets = []
    for market in [m for m in MARKETS if m in set(rows["market"])]:
        of = rows[rows["market"] == market]
        status = of["status"]
        markets.append(MarketChange(market, int((status == "added").sum()), int((status == "unchanged").sum()),
                                    int((status == "conflicting").sum()),
                                    int(((status == "conflicting") & of["takes_over"].astype(bool)).sum())))
    return PricePreview(
        source=source, format=parsed.format, file_name=file_name, rows_read=prepared.rows_read,
        added=prepared.classification.count("added"), unchanged=prepared.classification.count("unchanged"),
        conflicting=prepared.classification.count("conflicting"), markets=markets,
        conflicts=_conflict_records(rows), rejections=prepared.rejections, refused_days=parsed.refused_days,
        good_lines=_good_lines(parsed, prepared.rejections),
        first_utc=parsed.prices["interval_start_utc"].min() if not parsed.prices.empty else None,
        last_utc=parsed.prices["interval_start_utc"].max() if not parsed.prices.empty else None,
        digest=prepared.digest)


def import_prices(db: Database, content: bytes, file_name: str, fmt: str | None = None, source: str | None = None,
                  actor: str = "system", window: tuple | None = None, source_prefix: str = "",
                  good_lines_only: bool = False, expected_digest: str | None = None) -> ImportReport:
    """Check a price file of format ``fmt`` (``seed``, ``mid``, ``mid_portal``, ``system``, ``epex``; detected
    when None), then
    store it in one transaction together with an audit event, as one ``price_imports`` row.

    All or nothing: when any value is rejected (bad value or time, a refused EPEX clock-change day,
    or a different price than this source already stored), the file is refused whole: nothing is
    stored and the report lists every rejected value (``prices.import_refused`` in the audit log).
    ``good_lines_only`` is the explicit second step: the lines without any rejected value are
    imported (``prices.good_lines_imported``). Re-importing a file changes nothing (every row comes
    back unchanged). A price differing from another source's is stored beside it and reported as
    conflicting; which one readers use is the market's precedence (``data_access.price_precedence``).

    ``expected_digest``: the ``PricePreview.digest`` the trader confirmed; StalePreview when the
    outcome would now differ. ``window`` (UTC start, end): only prices with start <= interval < end
    are imported. The source defaults to ``<source_prefix><format>:<file name>``. Raises InvalidInput
    when the file cannot be read at all.
    """
    parsed = _parse(content, file_name, fmt, window)
    source = source or (source_prefix + source_name(parsed.format, file_name))[:64]
    with db.session() as session:
        prepared = _prepare(session, parsed, source)
        if expected_digest is not None and expected_digest != prepared.digest:
            raise StalePreview(f"{file_name}: the stored prices changed since the preview, so nothing was stored; "
                               "look at the new preview and confirm again")
        classification = prepared.classification
        rejections = prepared.rejections
        refused = bool(rejections) and not good_lines_only
        if rejections and good_lines_only:
            bad = {r.line for r in rejections}
            rows = classification.rows
            classification = price_store.Classification(rows[~rows["line"].isin(bad)], classification.refused)
        rows = classification.rows
        to_store = 0 if refused else int(rows["status"].isin(["added", "conflicting"]).sum())
        import_id = None
        added = displaced = 0
        if to_store:
            record = PriceImport(actor=actor[:64], source=source, file_name=file_name[:200], format=parsed.format,
                                 good_lines_only=bool(rejections), rows_added=0, rows_displaced=0,
                                 content_sha256=hashlib.sha256(content).hexdigest())
            session.add(record)
            session.flush()
            import_id = record.id
            added = price_store.store_classified(session, classification, source, import_id)
            displaced = int(((rows["status"] == "conflicting") & rows["takes_over"].astype(bool)).sum())
            record.rows_added, record.rows_displaced = added, displaced
        conflicting = rows[rows["status"] == "conflicting"]
        report = ImportReport(
            source=source,
            format=parsed.format,
            file_name=file_name,
            rows_read=prepared.rows_read,
            rows_added=added,
            rows_unchanged=0 if refused else classification.count("unchanged"),
            rows_conflicting=0 if refused else int(conflicting[["market", "interval_start_utc"]]
                                                   .drop_duplicates().shape[0]),
            rows_rejected=len(rejections),
            first_utc=parsed.prices["interval_start_utc"].min() if not parsed.prices.empty else None,
            last_utc=parsed.prices["interval_start_utc"].max() if not parsed.prices.empty else None,
            rejected=[(r.line, r.reason) for r in rejections],
            conflicts=[] if refused else _conflict_records(rows),
            refused_days=parsed.refused_days,
            rows_missing=parsed.missing,
            notes=tuple(parsed.notes),
            stored=not refused,
            import_id=import_id,
            rejections=rejections,
            good_lines=_good_lines(parsed, rejections),
            good_lines_only=bool(rejections) and good_lines_only,
            rows_displaced=displaced,
        )
        action = ("prices.import_refused" if refused else
                  "prices.good_lines_imported" if report.good_lines_only else "prices.imported")
        # A fetch (``window`` set) re-reads the same files on every run: audit only when it changed
        # or refused something; a file imported by hand is always audited.
        if window is None or report.rows_added or report.rows_conflicting or report.rows_rejected:
            audit.record(session, actor, action, target=source, detail=report.audit_detail())
    return report


def import_price_file(db: Database, content: bytes, filename: str, fmt: str | None = None,
                      actor: str = "system", good_lines_only: bool = False,
                      expected_digest: str | None = None) -> ImportReport:
    """An uploaded file: its source is ``upload:<format>:<file name>``."""
    return import_prices(db, content, filename, fmt=fmt, actor=actor, source_prefix="upload:",
                         good_lines_only=good_lines_only, expected_digest=expected_digest)


def preview_price_file(db: Database, content: bytes, filename: str, fmt: str | None = None) -> PricePreview:
    """The preview of an uploaded file (source ``upload:<format>:<file name>``)."""
    return preview_prices(db, content, filename, fmt=fmt, source_prefix="upload:")


def price_conflicts(db: Database, first: date, last: date, markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Stored disagreements between sources for settlement dates ``first``..``last``: one row per
    stored price of a disputed market interval, with ``used`` marking the one readers take (by the
    market's source precedence, then the newest import), plus ``settlement_date`` and ``settlement_period``."""
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
