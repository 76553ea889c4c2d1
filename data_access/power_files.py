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


def readings_frame(times, asset_ids, values, lines, variables=None, strip: bool = True) -> pd.DataFrame:
    """Check raw readings (from a file or JSON) and return ``asset_id, time_utc, power_kw, line``.

    ``times``, ``asset_ids``, ``values``, ``lines`` (and ``variables``): lists or arrays of one row each.
    ``strip=False``: the caller knows no text has blanks around it (a pass per column saved on a year's file).
    Raises ``PowerFileError`` with every row's problem.
    """
    time_raw, asset_raw = pd.Series(times, dtype=object), pd.Series(asset_ids, dtype=object)
    value_raw, line = pd.Series(values, dtype=object), pd.Series(np.asarray(lines, dtype=np.int64))

    def stripped(column: pd.Series) -> pd.Series:
        text = column.astype("string")
        return text.str.strip() if strip else text

    parsed = pd.to_datetime(stripped(time_raw), format="ISO8601", utc=True, errors="coerce")
    value = value_raw
    if pd.api.types.infer_dtype(value, skipna=False) != "string":  # JSON's true/false are not numbers of kW
        value = value.where(value.map(lambda v: not isinstance(v, bool)))
    power = pd.to_numeric(value, errors="coerce")
    asset = stripped(asset_raw)
    asset_codes, asset_spellings = pd.factorize(asset, use_na_sentinel=False)  # a file has one or a few assets
    problems: list[tuple[int, str]] = []

    def flag(mask, shown: pd.Series, message) -> None:
        for number, text in zip(line[mask], shown[mask], strict=True):
            problems.append((int(number), message(text)))

    flag(parsed.isna(), time_raw, lambda v: f"time {v!r} is not an ISO 8601 time (e.g. 2019-11-25 05:54:08.864)")
    flag(~np.isfinite(power.to_numpy(dtype=float, na_value=np.nan)), value_raw,
         lambda v: f"value {v!r} is not a number of kW")
    spelled = pd.Series(asset_spellings, dtype="string")
    flag((spelled.isna() | (spelled == "") | (spelled.str.len() > 64)).to_numpy(dtype=bool)[asset_codes], asset_raw,
         lambda v: f"asset id {v!r} is empty or too long")
    if variables is not None:
        variable_raw = pd.Series(variables, dtype=object)
        codes, spellings = pd.factorize(variable_raw, use_na_sentinel=False)  # a file has one or two spellings
        wrong = (stripped(pd.Series(spellings, dtype=object)).str.lower() != POWER_VARIABLE).to_numpy(dtype=bool)
        flag(wrong[codes], variable_raw, lambda v: f"variable {v!r} is not 'power'")
    frame = pd.DataFrame({"asset_id": asset, "time_utc": parsed.dt.floor("us"), "power_kw": power, "line": line})
    clean = frame.dropna() if problems else frame  # without a problem no row has a missing field: no copy
    repeated, in_group = _repeated_keys(clean["asset_id"], clean["time_utc"])
    if repeated.any():
        groups = clean[in_group].groupby(["asset_id", "time_utc"])
        for (asset_id, when), rows in groups:
            if rows["power_kw"].nunique() > 1:
                lines_text = ", ".join(str(n) for n in rows["line"])
                problems.append((int(rows["line"].iloc[-1]),
                                 f"asset {asset_id} has different values at {when.isoformat()} (lines {lines_text})"))
    if problems:
        problems.sort()
        raise PowerFileError(f"{len(problems)} row(s) cannot be read", [RowProblem(n, m) for n, m in problems])
    if repeated.any():
        clean = clean[~repeated]
    return clean.astype({"power_kw": float}).reset_index(drop=True)


def _repeated_keys(asset: pd.Series, time_utc: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row: whether an earlier row has the same (asset, time), and whether any other row has.

    One stable sort of (asset code, int64 time) and a difference of neighbours (what ``duplicated`` with
    ``keep="first"`` and ``keep=False`` say, without hashing the pairs)."""
    codes = pd.factorize(asset)[0]
    when = pd.DatetimeIndex(time_utc).asi8
    order = np.lexsort((when, codes))  # stable: a repeated key's rows stay in file order, its first row first
    same = (np.diff(when[order]) == 0) & (np.diff(codes[order]) == 0)
    repeated = np.zeros(len(codes), dtype=bool)
    repeated[order[1:][same]] = True
    in_group = repeated.copy()
    in_group[order[:-1][same]] = True
    return repeated, in_group


_PADDED_FIELD = re.compile(rb'(?:^|,)"?[ \t\f\v]|[ \t\f\v]"?(?:,|\r?$)', re.MULTILINE)
"""A field starting or ending with a blank (quoted or not). With only ASCII bytes (checked first) these are all the
blanks ``str.strip`` removes but the line breaks, which the CSV reader consumes."""

_BLANK = np.zeros(256, dtype=bool)
_BLANK[list(b" \t\f\v")] = True
_FIELD_EDGE = np.zeros(256, dtype=bool)
_FIELD_EDGE[list(b",\n")] = True


def _has_padded_field(content: bytes) -> bool:
    """Whether ``_PADDED_FIELD`` matches anywhere in ``content``, looking only at the blanks' neighbours with numpy
    (the regular expression tries every position: 1 s of a year's 27 MB file)."""
    if not any(blank in content for blank in (b" ", b"\t", b"\f", b"\v")):
        return False
    data = np.frombuffer(content, dtype=np.uint8)
    size = len(data)
    padded = np.concatenate([data, np.zeros(3, dtype=np.uint8)])  # reads past the end see NUL, which is no edge
    at = np.flatnonzero(_BLANK[data])

    def starts_field(i: np.ndarray) -> np.ndarray:  # at the start of the data, or after a comma or a line break
        return (i == 0) | _FIELD_EDGE[padded[i - 1]]

    def ends_field(j: np.ndarray) -> np.ndarray:  # at the end, before a comma or a line break, or "\r" and either
        after = padded[j]
        return ((j == size) | _FIELD_EDGE[after]
                | ((after == ord("\r")) & ((j + 1 == size) | (padded[j + 1] == ord("\n")))))

    before_quote = padded[at - 1] == ord('"')
    before_quote[at == 0] = False
    opens = starts_field(at) | (before_quote & starts_field(np.maximum(at - 1, 0)) & (at > 0))
    after_quote = padded[at + 1] == ord('"')
    closes = ends_field(at + 1) | (after_quote & ends_field(at + 2))
    return bool((opens | closes).any())


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
    padded = not content.isascii() or _has_padded_field(content)
    fields = raw[list(REQUIRED_COLUMNS)]
    if padded or not (fields["Time"] != "").all():  # every row has a time in the usual file: nothing to drop
        raw = raw[((fields.apply(lambda c: c.str.strip()) if padded else fields) != "").any(axis=1)]
    if raw.empty:
        raise PowerFileError(f"{filename} has no readings")
    try:
        return readings_frame(raw["Time"].to_numpy(), raw["AssetId"].to_numpy(), raw["Value"].to_numpy(),
                              raw["line"].to_numpy(), raw["Variable"].to_numpy(), strip=padded)
    except PowerFileError as error:
        raise PowerFileError(f"{filename}: nothing was stored; {len(error.problems)} row(s) cannot be read",
                             error.problems) from None
