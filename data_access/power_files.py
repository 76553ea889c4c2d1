"""Change-of-value (COV) power files: ``Time, Variable, AssetId, Value`` with power in kW.

Rows need not be sorted. Times are ISO 8601 with up to 7 fractional digits (kept to the
microsecond); a time without a UTC offset is UTC, a time with one is converted. Every row is
checked and every problem reported with its line number (the header is line 1), so a file is
either read whole or refused.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("Time", "Variable", "AssetId", "Value")
POWER_VARIABLE = "power"
MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class PowerFileError(ValueError):
    """The file cannot be imported; ``problems`` lists what is wrong, row by row."""

    def __init__(self, summary: str, problems: list[RowProblem] | None = None):
        self.problems = problems or []
        shown = "; ".join(str(p) for p in self.problems[:MAX_REPORTED_PROBLEMS])
        more = len(self.problems) - MAX_REPORTED_PROBLEMS
        text = summary + (f": {shown}" if shown else "") + (f"; and {more} more" if more > 0 else "")
        super().__init__(text)


def readings_frame(times: list, asset_ids: list, values: list, lines: list[int],
                   variables: list | None = None, strip: bool = True) -> pd.DataFrame:
    """Check raw readings (from a file or JSON) and return ``asset_id, time_utc, power_kw, line``.

    ``strip=False``: the caller knows no text has blanks around it (a pass per column saved on a year's file).
    Raises ``PowerFileError`` with every row's problem.
    """
    raw = pd.DataFrame({"time": pd.Series(times, dtype=object), "asset_id": pd.Series(asset_ids, dtype=object),
                        "value": pd.Series(values, dtype=object), "line": lines})
    def stripped(column: pd.Series) -> pd.Series:
        text = column.astype("string")
        return text.str.strip() if strip else text

    text_time = stripped(raw["time"])
    parsed = pd.to_datetime(text_time, format="ISO8601", utc=True, errors="coerce")
    power = pd.to_numeric(raw["value"].where(raw["value"].map(lambda v: not isinstance(v, bool))), errors="coerce")
    asset = stripped(raw["asset_id"])
    problems: list[tuple[int, str]] = []

    def flag(mask: pd.Series, message) -> None:
        for line, shown in zip(raw.loc[mask, "line"], raw.loc[mask, "shown"], strict=True):
            problems.append((int(line), message(shown)))

    raw["shown"] = raw["time"]
    flag(parsed.isna(), lambda v: f"time {v!r} is not an ISO 8601 time (e.g. 2019-11-25 05:54:08.864)")
    raw["shown"] = raw["value"]
    flag(~np.isfinite(power.to_numpy(dtype=float, na_value=np.nan)),
         lambda v: f"value {v!r} is not a number of kW")
    raw["shown"] = raw["asset_id"]
    flag(asset.isna() | (asset == "") | (asset.str.len() > 64), lambda v: f"asset id {v!r} is empty or too long")
    if variables is not None:
        variable = stripped(pd.Series(variables, dtype=object)).str.lower()
        raw["shown"] = pd.Series(variables, dtype=object)
        flag(variable != POWER_VARIABLE, lambda v: f"variable {v!r} is not 'power'")
    frame = pd.DataFrame({"asset_id": asset, "time_utc": parsed.dt.floor("us"), "power_kw": power,
                          "line": raw["line"]})
    clean = frame.dropna()
    duplicated = clean.duplicated(["asset_id", "time_utc"], keep=False)
    if duplicated.any():
        groups = clean[duplicated].groupby(["asset_id", "time_utc"])
        for (asset_id, when), rows in groups:
            if rows["power_kw"].nunique() > 1:
                lines = ", ".join(str(n) for n in rows["line"])
                problems.append((int(rows["line"].iloc[-1]),
                                 f"asset {asset_id} has different values at {when.isoformat()} (lines {lines})"))
    if problems:
        problems.sort()
        raise PowerFileError(f"{len(problems)} row(s) cannot be read", [RowProblem(n, m) for n, m in problems])
    return clean.drop_duplicates(["asset_id", "time_utc"]).astype({"power_kw": float}).reset_index(drop=True)


_PADDED_FIELD = re.compile(rb'(?:^|,)"?[ \t\f\v]|[ \t\f\v]"?(?:,|\r?$)', re.MULTILINE)
"""A field starting or ending with a blank (quoted or not). With only ASCII bytes (checked first) these are all the
blanks ``str.strip`` removes but the line breaks, which the CSV reader consumes."""


def read_cov_csv(content: bytes, filename: str) -> pd.DataFrame:
    """Read a whole COV CSV; ``asset_id, time_utc, power_kw, line``. Raises ``PowerFileError``."""
    try:
        raw = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise PowerFileError(f"{filename} is not a readable CSV file ({error})") from error
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise PowerFileError(f"{filename} has columns {', '.join(raw.columns) or 'none'}; "
                             f"expected {', '.join(REQUIRED_COLUMNS)} (missing {', '.join(missing)})")
    raw["line"] = range(2, len(raw) + 2)  # blank lines are skipped below but still counted
    # Stripping every field is a Python call per value (2 s of a year's file); a file whose fields have no blanks
    # around them (the usual case, found by one regular-expression pass over the bytes) skips it.
    padded = not content.isascii() or _PADDED_FIELD.search(content) is not None
    fields = raw[list(REQUIRED_COLUMNS)]
    raw = raw[((fields.apply(lambda c: c.str.strip()) if padded else fields) != "").any(axis=1)]
    if raw.empty:
        raise PowerFileError(f"{filename} has no readings")
    lines = raw["line"].tolist()
    try:
        return readings_frame(raw["Time"].tolist(), raw["AssetId"].tolist(), raw["Value"].tolist(), lines,
                              raw["Variable"].tolist(), strip=padded)
    except PowerFileError as error:
        raise PowerFileError(f"{filename}: nothing was stored; {len(error.problems)} row(s) cannot be read",
                             error.problems) from None
