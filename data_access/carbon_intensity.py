"""GB carbon intensity: the National Grid ESO (NESO) Carbon Intensity API client, with a file fallback.

The API answers ``GET {base}/intensity/{from}/{to}`` (ISO 8601 UTC, e.g. ``2023-01-01T00:00Z``) with
``{"data": [{"from", "to", "intensity": {"forecast", "actual", "index"}}]}``, one entry per half-hour
in gCO2/kWh. Every response is validated before use. When the API cannot be reached, times out or
answers with something that is not that shape, the client reads a folder of JSON files in the same
shape (``*.json`` or ``*.json.gz``) instead, and says so in ``IntensityFetch.source``.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import requests

API_TIME_FORMAT = "%Y-%m-%dT%H:%MZ"
COLUMNS = ("interval_start_utc", "forecast_g_per_kwh", "actual_g_per_kwh", "index_label")
MAX_SPAN_DAYS = 14
"""The API answers at most 14 days per request; longer ranges are fetched in windows."""


class IntensityDataError(ValueError):
    """A response or file that is not in the Carbon Intensity API's shape; the message says where."""


def _parse_time(value, where: str) -> pd.Timestamp:
    if not isinstance(value, str):
        raise IntensityDataError(f"{where}: expected a time string, got {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except ValueError as error:
        raise IntensityDataError(f"{where}: {value!r} is not an ISO 8601 time") from error
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _intensity_value(value, where: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise IntensityDataError(f"{where}: {value!r} is not an intensity in gCO2/kWh (a number ≥ 0 or null)")
    return float(value)


def parse_intensity_document(document, origin: str) -> pd.DataFrame:
    """Validate one API-shaped document; a frame with ``COLUMNS`` (NaN where a value is null).

    Raises ``IntensityDataError`` naming the entry that is wrong.
    """
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise IntensityDataError(f"{origin}: expected a JSON object with a 'data' list")
    rows = []
    for number, entry in enumerate(document["data"]):
        where = f"{origin}: data[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("intensity"), dict):
            raise IntensityDataError(f"{where} has no 'intensity' object")
        start = _parse_time(entry.get("from"), f"{where}.from")
        end = _parse_time(entry.get("to"), f"{where}.to")
        if end - start != pd.Timedelta(minutes=30):
            raise IntensityDataError(f"{where} spans {entry.get('from')} to {entry.get('to')}, not one half-hour")
        intensity = entry["intensity"]
        if "forecast" not in intensity and "actual" not in intensity:
            raise IntensityDataError(f"{where}.intensity has neither 'forecast' nor 'actual'")
        index = intensity.get("index")
        rows.append((start, _intensity_value(intensity.get("forecast"), f"{where}.intensity.forecast"),
                     _intensity_value(intensity.get("actual"), f"{where}.intensity.actual"),
                     index if isinstance(index, str) else None))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    return frame.drop_duplicates("interval_start_utc", keep="last").sort_values("interval_start_utc",
                                                                                  ignore_index=True)


def read_intensity_file(path: Path) -> pd.DataFrame:
    """One API-shaped JSON file (``.json`` or ``.json.gz``)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IntensityDataError(f"{path.name}: not readable JSON ({error})") from error
    return parse_intensity_document(document, path.name)


def intensity_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.json"), *folder.glob("*.json.gz")]) if folder.is_dir() else []


def read_intensity_folder(folder: Path, start_utc: datetime | None = None, end_utc: datetime | None = None
                          ) -> pd.DataFrame:
    """Every file in ``folder`` (later files win on overlap), cut to [start_utc, end_utc) when given."""
    frames = [read_intensity_file(path) for path in intensity_files(folder)]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("interval_start_utc", keep="last")
    if start_utc is not None:
        frame = frame[frame["interval_start_utc"] >= pd.Timestamp(start_utc)]
    if end_utc is not None:
        frame = frame[frame["interval_start_utc"] < pd.Timestamp(end_utc)]
    return frame.sort_values("interval_start_utc", ignore_index=True)


@dataclass(frozen=True)
class IntensityFetch:
    """Intensities for a range and where they came from (``api`` or ``file fallback``) and why."""

    frame: pd.DataFrame
    source: str
    problem: str | None = None
    """Why the API was not used (None when it was)."""


def _api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(API_TIME_FORMAT)


class CarbonIntensityClient:
    """``fetch(start, end)``: the API with a connect/read timeout, else the fallback folder."""

    def __init__(self, base_url: str, timeout_s: float, fallback_dir: Path | None):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.fallback_dir = fallback_dir

    def fetch_api(self, start_utc: datetime, end_utc: datetime) -> pd.DataFrame:
        """Ask the API, in windows of at most ``MAX_SPAN_DAYS``; raises on any failure or malformed answer."""
        frames = []
        window_start = pd.Timestamp(start_utc)
        end = pd.Timestamp(end_utc)
        while window_start < end:
            window_end = min(end, window_start + pd.Timedelta(days=MAX_SPAN_DAYS))
            url = f"{self.base_url}/intensity/{_api_time(window_start)}/{_api_time(window_end)}"
            response = requests.get(url, timeout=(self.timeout_s, self.timeout_s),
                                    headers={"Accept": "application/json"})
            response.raise_for_status()
            try:
                document = response.json()
            except ValueError as error:
                raise IntensityDataError(f"{url}: the answer is not JSON") from error
            frames.append(parse_intensity_document(document, url))
            window_start = window_end
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COLUMNS))
        frame = frame[(frame["interval_start_utc"] >= pd.Timestamp(start_utc))
                      & (frame["interval_start_utc"] < end)]
        return frame.drop_duplicates("interval_start_utc", keep="last").sort_values("interval_start_utc",
                                                                                      ignore_index=True)

    def fetch(self, start_utc: datetime, end_utc: datetime) -> IntensityFetch:
        """Half-hourly intensities whose interval starts in [start_utc, end_utc)."""
        try:
            return IntensityFetch(self.fetch_api(start_utc, end_utc), "api")
        except (requests.RequestException, IntensityDataError) as error:
            problem = f"the carbon intensity API could not be used ({type(error).__name__}: {error})"
        if self.fallback_dir is None:
            raise IntensityDataError(problem + "; no fallback folder is configured")
        frame = read_intensity_folder(self.fallback_dir, start_utc, end_utc)
        return IntensityFetch(frame, "file fallback", problem)
