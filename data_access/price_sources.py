"""Price sources: where price files come from before the importer checks and stores them.

A source returns ``PriceDocument``s (a name, the bytes, the format) for a range of settlement
dates; the importer (services.prices.import_prices) does every check. Two sources:

- ``FolderSource``: every price file (``*.csv``, ``*.csv.gz``) in a configured folder;
- ``ElexonMidHttpSource``: the Elexon Insights Market Index Data JSON
  (``{"data": [{"startTime", "dataProvider", "settlementDate", "settlementPeriod", "price",
  "volume"}, …]}``), turned into the MID CSV shape, with connect/read timeouts, retries with
  backoff on timeouts, connection errors and 5xx, and a file fallback (a folder source) when
  the service stays unavailable or answers with something malformed.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import requests

MID_COLUMNS = ("StartTime", "DataProvider", "SettlementDate", "SettlementPeriod", "Price", "Volume")
_JSON_FIELDS = ("startTime", "dataProvider", "settlementDate", "settlementPeriod", "price", "volume")


class PriceSourceError(Exception):
    """A source could not deliver; the message says which and why."""


@dataclass(frozen=True)
class PriceDocument:
    name: str
    content: bytes
    format: str | None
    """``seed``, ``mid``, ``epex`` or None (detected from the header)."""


@dataclass
class FetchResult:
    documents: list[PriceDocument]
    notes: list[str] = field(default_factory=list)
    """What happened on the way (retries, fallback), for the person running the fetch."""


class PriceSource(Protocol):
    name: str

    def fetch(self, first: date, last: date) -> FetchResult:
        """Price documents covering settlement dates ``first``..``last`` (they may hold more)."""


class FolderSource:
    """Files dropped in ``folder``; every readable price file is offered (the importer is idempotent,
    so files already imported change nothing)."""

    name = "folder"

    def __init__(self, folder: Path, pattern: str = "*") -> None:
        self.folder = folder
        self.pattern = pattern

    def fetch(self, first: date, last: date) -> FetchResult:
        if not self.folder.is_dir():
            raise PriceSourceError(f"price folder {self.folder} does not exist")
        paths = sorted(p for p in self.folder.glob(self.pattern)
                       if p.is_file() and (p.name.endswith(".csv") or p.name.endswith(".csv.gz")))
        return FetchResult([PriceDocument(p.name, p.read_bytes(), None) for p in paths],
                           [f"{len(paths)} file(s) in {self.folder}"])


def mid_json_to_csv(payload: object) -> bytes:
    """The Elexon MID JSON response as the MID CSV the importer reads; PriceSourceError when the
    shape is wrong (values themselves are checked by the importer, row by row)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise PriceSourceError("the response has no 'data' list")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MID_COLUMNS)
    for number, item in enumerate(payload["data"], start=1):
        if not isinstance(item, dict):
            raise PriceSourceError(f"data item {number} is not an object")
        missing = [f for f in ("startTime", "settlementDate", "settlementPeriod", "price") if f not in item]
        if missing:
            raise PriceSourceError(f"data item {number} lacks {', '.join(missing)}")
        writer.writerow(["" if item.get(f) is None else item.get(f) for f in _JSON_FIELDS])
    return out.getvalue().encode()


class ElexonMidHttpSource:
    """Elexon Market Index Data over HTTP (provider APXMIDP), falling back to files in ``fallback``."""

    name = "elexon-mid"

    def __init__(self, url: str, timeout_s: float = 10.0, retries: int = 2, fallback: FolderSource | None = None,
                 backoff_s: float = 0.5, session: requests.Session | None = None) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.retries = retries
        self.fallback = fallback
        self.backoff_s = backoff_s
        self.session = session or requests.Session()

    def _get(self, first: date, last: date, notes: list[str]) -> object:
        params = {"from": first.isoformat(), "to": last.isoformat(), "settlementPeriodFrom": 1,
                  "settlementPeriodTo": 50, "dataProviders": "APXMIDP"}
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self.session.get(self.url, params=params, timeout=(self.timeout_s, self.timeout_s))
            except requests.Timeout:
                last_error = f"no answer within {self.timeout_s:g} s"
            except requests.RequestException as error:
                last_error = f"connection failed ({error.__class__.__name__})"
            else:
                if response.status_code >= 500 or response.status_code == 429:
                    last_error = f"HTTP {response.status_code}"
                elif response.status_code != 200:
                    raise PriceSourceError(f"{self.url} answered HTTP {response.status_code}")
                else:
                    try:
                        return response.json()
                    except ValueError as error:
                        raise PriceSourceError("the response is not JSON") from error
            notes.append(f"attempt {attempt + 1} of {self.retries + 1}: {last_error}")
        raise PriceSourceError(f"{self.url} unavailable after {self.retries + 1} attempts: {last_error}")

    def fetch(self, first: date, last: date) -> FetchResult:
        notes: list[str] = []
        try:
            content = mid_json_to_csv(self._get(first, last, notes))
        except PriceSourceError as error:
            if self.fallback is None:
                raise PriceSourceError(f"elexon-mid: {error}; no fallback folder is configured") from error
            result = self.fallback.fetch(first, last)
            return FetchResult(result.documents, [*notes, f"elexon-mid: {error}; used the fallback files instead",
                                                  *result.notes])
        name = f"elexon-mid_{first.isoformat()}_{last.isoformat()}.json"
        return FetchResult([PriceDocument(name, content, "mid")], notes)
