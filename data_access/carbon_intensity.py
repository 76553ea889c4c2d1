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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

API_TIME_FORMAT = "%Y-%m-%dT%H:%MZ"
COLUMNS = ("interval_start_utc", "forecast_g_per_kwh", "actual_g_per_kwh", "index_label")
MAX_SPAN_DAYS = 14
"""The API answers at most 14 days per request; longer ranges are fetched in windows."""


class IntensityDataError(ValueError):
    """A response or file that is not in the Carbon Intensity API's shape; the message says where."""


def _first_bad(mask: pd.Series) -> int | None:
    positions = np.flatnonzero(mask.to_numpy())
    return int(positions[0]) if len(positions) else None


def _intensity_column(values: pd.Series, origin: str, name: str) -> pd.Series:
    """Numbers ≥ 0 or null [gCO2/kWh]; anything else raises naming the first bad entry."""
    is_bool = values.map(lambda v: isinstance(v, bool))
    numbers = pd.to_numeric(values.where(~is_bool), errors="coerce").astype(float)
    bad = (values.notna() & ~np.isfinite(numbers.fillna(0.0).to_numpy())) | (values.notna() & numbers.isna())
    bad |= numbers < 0
    first = _first_bad(bad)
    if first is not None:
        raise IntensityDataError(f"{origin}: data[{first}].intensity.{name}: {values.iloc[first]!r} is not an "
                                 "intensity in gCO2/kWh (a number ≥ 0 or null)")
    return numbers


def parse_intensity_document(document, origin: str) -> pd.DataFrame:
    """Validate one API-shaped document; a frame with ``COLUMNS`` (NaN where a value is null).

    Raises ``IntensityDataError`` naming the first entry that is wrong. Vectorised with pandas.
    """
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise IntensityDataError(f"{origin}: expected a JSON object with a 'data' list")
    entries = pd.DataFrame({"entry": pd.Series(document["data"], dtype=object)})
    if entries.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    ok = entries["entry"].map(lambda e: isinstance(e, dict) and isinstance(e.get("intensity"), dict))
    first = _first_bad(~ok)
    if first is not None:
        raise IntensityDataError(f"{origin}: data[{first}] has no 'intensity' object")
    flat = pd.json_normalize(entries["entry"].tolist())
    for column in ("from", "to", "intensity.forecast", "intensity.actual", "intensity.index"):
        if column not in flat.columns:
            flat[column] = None
    starts = pd.to_datetime(flat["from"], format="ISO8601", utc=True, errors="coerce")
    ends = pd.to_datetime(flat["to"], format="ISO8601", utc=True, errors="coerce")
    for name, parsed in (("from", starts), ("to", ends)):
        first = _first_bad(parsed.isna())
        if first is not None:
            raise IntensityDataError(f"{origin}: data[{first}].{name}: {flat[name].iloc[first]!r} is not an "
                                     "ISO 8601 time")
    first = _first_bad(ends - starts != pd.Timedelta(minutes=30))
    if first is not None:
        raise IntensityDataError(f"{origin}: data[{first}] spans {flat['from'].iloc[first]} to "
                                 f"{flat['to'].iloc[first]}, not one half-hour")
    frame = pd.DataFrame({
        "interval_start_utc": starts,
        "forecast_g_per_kwh": _intensity_column(flat["intensity.forecast"].astype(object), origin, "forecast"),
        "actual_g_per_kwh": _intensity_column(flat["intensity.actual"].astype(object), origin, "actual"),
        "index_label": flat["intensity.index"].where(flat["intensity.index"].map(lambda v: isinstance(v, str))),
    })
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
        import requests  # a tenth of a second or more to import: only a fetch needs it, not a run reading stored intensity

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
        import requests

        try:
            return IntensityFetch(self.fetch_api(start_utc, end_utc), "api")
        except (requests.RequestException, IntensityDataError) as error:
            problem = f"the carbon intensity API could not be used ({type(error).__name__}: {error})"
        if self.fallback_dir is None:
            raise IntensityDataError(problem + "; no fallback folder is configured")
        frame = read_intensity_folder(self.fallback_dir, start_utc, end_utc)
        return IntensityFetch(frame, "file fallback", problem)
