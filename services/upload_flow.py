"""One flow for every file the desk takes: parse → preview → confirm → report → undo.

A page's upload hands the bytes to ``preview``, shows the ``Preview`` (what would change, every
rejected line), and on the trader's confirmation calls ``commit`` with the preview's digest; the
``Outcome`` says what was stored and, when the kind supports it, the id ``undo`` takes. Each step
turns the kind's own errors into a refusal with a message: bad input never escapes as an exception.

Kinds: ``PRICES`` (price files, ``services.prices``) and ``COV_POWER`` (COV power readings,
``services.footprint``). A new kind implements ``UploadKind``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from data_access.engine import Database
from domain.markets import MARKET_NAMES
from services import footprint
from services.errors import ServiceError
from services.price_imports import undo_import
from services.prices import import_price_file, preview_price_file


@dataclass(frozen=True)
class Rejected:
    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class Preview:
    """What a file would change; ``error`` set (and nothing else) when it cannot be read at all."""

    file_name: str
    summary: str = ""
    changes: list[dict] = field(default_factory=list)
    """Per part of the file (market, asset): {"part", "added", "unchanged", "conflicting"}."""
    conflicts: list[dict] = field(default_factory=list)
    """{"part", "when", "old", "new", "used"}: stored values the file disagrees with."""
    rejections: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    good_lines: int = 0
    can_confirm: bool = False
    """True when the file can be imported whole (no rejected line) and would store something."""
    digest: str = ""
    error: str | None = None

    @property
    def refused(self) -> bool:
        return bool(self.rejections)


@dataclass(frozen=True)
class Outcome:
    """What a confirmed upload did; ``error`` set when it was refused (nothing stored)."""

    file_name: str
    summary: str = ""
    stored: bool = False
    rejections: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    undo_id: int | None = None
    error: str | None = None


class UploadKind(Protocol):
    name: str

    def preview(self, db: Database, content: bytes, file_name: str, options: dict) -> Preview: ...

    def commit(self, db: Database, content: bytes, file_name: str, options: dict, actor: str, digest: str | None,
               good_lines_only: bool) -> Outcome: ...

    def undo(self, db: Database, undo_id: int, actor: str) -> str: ...


def preview(kind: UploadKind, db: Database, content: bytes, file_name: str, options: dict | None = None) -> Preview:
    """Step 1-2: parse and preview; a refusal (``error``) rather than an exception for bad input."""
    try:
        return kind.preview(db, content, file_name, options or {})
    except ServiceError as error:
        return Preview(file_name, error=f"Nothing was stored. {error}")


def commit(kind: UploadKind, db: Database, content: bytes, file_name: str, options: dict | None, actor: str,
           digest: str | None = None, good_lines_only: bool = False) -> Outcome:
    """Step 3-4: store what the trader confirmed, and report."""
    try:
        return kind.commit(db, content, file_name, options or {}, actor, digest, good_lines_only)
    except ServiceError as error:
        return Outcome(file_name, error=f"Nothing was stored. {error}")


def undo(kind: UploadKind, db: Database, undo_id: int, actor: str) -> tuple[bool, str]:
    """Step 5: undo an upload by the id its outcome gave; (done, message)."""
    try:
        return True, kind.undo(db, int(undo_id), actor)
    except (ServiceError, ValueError, TypeError) as error:
        return False, str(error)


def _rejected(rejections) -> list[Rejected]:
    return [Rejected(r.line, r.column, r.reason) for r in rejections]


class _Prices:
    """Price files (seed, Elexon MID, EPEX); option ``format`` (None: detect)."""

    name = "prices"

    @staticmethod
    def _format(options: dict) -> str | None:
        fmt = options.get("format")
        return fmt if fmt in ("seed", "mid", "epex") else None

    def preview(self, db, content, file_name, options) -> Preview:
        p = preview_price_file(db, content, file_name, self._format(options))
        changes = [{"part": MARKET_NAMES.get(m.market, m.market), "added": m.added, "unchanged": m.unchanged,
                    "conflicting": m.conflicting} for m in p.markets]
        conflicts = [{"part": MARKET_NAMES.get(c["market"], c["market"]),
                      "when": f"{c['settlement_date']} SP{c['settlement_period']}",
                      "old": f"{c['other_price_gbp_per_mwh']:,.2f} £/MWh ({c['other_source']})",
                      "new": f"{c['price_gbp_per_mwh']:,.2f} £/MWh",
                      "used": "this file's" if c["used"] else "the stored one (precedence)"} for c in p.conflicts]
        notes = [f"Refused day: {day}" for day in p.refused_days]
        if p.conflicting > len(p.conflicts):
            notes.append(f"The first {len(p.conflicts)} of {p.conflicting:,} conflicting prices are listed.")
        if p.conflicting:
            notes.append("A conflicting price is stored beside the other source's; which one is used follows the "
                         "market's source precedence.")
        return Preview(file_name, p.summary(), changes, conflicts, _rejected(p.rejections), notes, p.good_lines,
                       can_confirm=not p.refused and (p.added + p.conflicting) > 0, digest=p.digest)

    def commit(self, db, content, file_name, options, actor, digest, good_lines_only) -> Outcome:
        report = import_price_file(db, content, file_name, self._format(options), actor=actor,
                                   good_lines_only=good_lines_only, expected_digest=digest)
        notes = [f"Refused day: {day}" for day in report.refused_days]
        return Outcome(file_name, report.summary(), report.stored, _rejected(report.rejections), notes,
                       undo_id=report.import_id)

    def undo(self, db, undo_id, actor) -> str:
        return undo_import(db, undo_id, actor).summary()


class _CovPower:
    """COV power readings; option ``register`` (register asset ids not seen before). All or nothing."""

    name = "cov-power"

    def preview(self, db, content, file_name, options) -> Preview:
        try:
            p = footprint.preview_power_file(db, content, file_name, register_assets=bool(options.get("register")))
        except footprint.ImplausibleReadings as error:
            return Preview(file_name, f"{file_name}: {len(error.problems)} reading(s) are refused, so nothing is "
                                      "stored.", rejections=[Rejected(n, "", m) for n, m in error.problems])
        changes = [{"part": asset, "added": p.new[asset], "unchanged": p.already_stored.get(asset, 0),
                    "conflicting": 0} for asset in p.new]
        notes = [f"Asset(s) to register: {', '.join(p.assets_to_register)}."] if p.assets_to_register else []
        summary = (f"{file_name}: {p.rows_read:,} readings for {', '.join(p.new)}: would add {p.rows_new:,}, "
                   f"{p.rows_read - p.rows_new:,} already stored.")
        return Preview(file_name, summary, changes, notes=notes, can_confirm=p.rows_new > 0 or bool(p.assets_to_register),
                       digest=f"{p.rows_read}:{p.rows_new}")

    def commit(self, db, content, file_name, options, actor, digest, good_lines_only) -> Outcome:
        report = footprint.import_power_file(db, content, file_name, register_assets=bool(options.get("register")),
                                             actor=actor)
        registered = f" Registered {', '.join(report.assets_registered)}." if report.assets_registered else ""
        return Outcome(file_name, f"Read {report.rows_read:,} readings from {file_name} for "
                                  f"{', '.join(report.assets)}: {report.rows_added:,} added, "
                                  f"{report.rows_already_stored:,} already stored.{registered}", stored=True)

    def undo(self, db, undo_id, actor) -> str:
        raise ServiceError("COV power imports cannot be undone here")


PRICES: UploadKind = _Prices()
COV_POWER: UploadKind = _CovPower()
