"""Fetch prices from a configured source and import what it delivers (`flask prices fetch`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from data_access.engine import Database
from data_access.price_sources import ElexonMidHttpSource, FolderSource, PriceSource, PriceSourceError
from domain.settlement_time import day_start_utc
from services.errors import InvalidInput
from services.prices import ImportReport, import_prices
from settings import Settings

SOURCE_NAMES = ("folder", "elexon-mid")
MAX_FETCH_DAYS = 366


@dataclass
class FetchOutcome:
    reports: list[ImportReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build_source(settings: Settings, name: str) -> PriceSource:
    """The source called ``name`` configured from ``settings``."""
    folder = FolderSource(settings.prices_folder) if settings.prices_folder else None
    if name == "folder":
        if folder is None:
            raise InvalidInput("no price folder is configured; set PRICES_FOLDER")
        return folder
    if name == "elexon-mid":
        return ElexonMidHttpSource(settings.elexon_mid_url, settings.price_fetch_timeout_s,
                                   settings.price_fetch_retries, fallback=folder)
    raise InvalidInput(f"unknown price source {name!r}; use one of {', '.join(SOURCE_NAMES)}")


def fetch_prices(db: Database, settings: Settings, source_name: str, first: date, last: date,
                 actor: str = "system", source: PriceSource | None = None,
                 good_lines_only: bool = False) -> FetchOutcome:
    """Fetch settlement dates ``first``..``last`` from a source and import each document (each in
    its own transaction, with its own report). Rows outside the range are left out. A document with
    a rejected line is refused whole unless ``good_lines_only`` (see ``import_prices``)."""
    if last < first:
        raise InvalidInput(f"the end date {last.isoformat()} is before the start date {first.isoformat()}")
    if (last - first).days + 1 > MAX_FETCH_DAYS:
        raise InvalidInput(f"fetch at most {MAX_FETCH_DAYS} days at a time")
    source = source or build_source(settings, source_name)
    try:
        result = source.fetch(first, last)
    except PriceSourceError as error:
        raise InvalidInput(str(error)) from error
    window = (day_start_utc(first), day_start_utc(last + timedelta(days=1)))
    outcome = FetchOutcome(notes=list(result.notes))
    for document in result.documents:
        try:
            outcome.reports.append(import_prices(db, document.content, document.name, fmt=document.format,
                                                 source=f"{source.name}:{document.name}"[:64] if source.name == "folder"
                                                 else source.name, actor=actor, window=window,
                                                 good_lines_only=good_lines_only))
        except InvalidInput as error:
            outcome.notes.append(f"{document.name}: skipped: {error}")
    return outcome
