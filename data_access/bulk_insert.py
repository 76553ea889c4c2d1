"""One executemany of already-valid rows, below SQLAlchemy's per-value type processing.

SQLAlchemy runs every bound value through its column type in Python (``UTCDateTime`` checks and
converts each timestamp), which costs ~40 µs a row: 8 s of a 196,000-row demo load. Rows built here
are converted once per column with pandas, in exactly the form those types store, and sent to the
driver as one executemany.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy's SQLite ``DateTime`` stores a value (``UTCDateTime`` hands it naive UTC)."""


def utc_column(values, connection: Connection) -> list:
    """Aware or UTC timestamps as ``UTCDateTime`` binds them: ISO text on SQLite, aware UTC otherwise."""
    index = pd.DatetimeIndex(values)
    if index.tz is None:
        raise ValueError("refusing to store naive timestamps: pass aware UTC values")
    index = index.tz_convert("UTC")
    if connection.dialect.name == "sqlite":  # SQLITE_DATETIME_FORMAT for every row at once, not strftime's per row
        return sqlite_datetime_text(index.as_unit("us").asi8).astype("U26").tolist()
    return list(index.to_pydatetime())


def sqlite_datetime_text(micros: np.ndarray) -> np.ndarray:
    """``SQLITE_DATETIME_FORMAT`` of UTC instants given as integer microseconds since 1970, as ``S26`` bytes.

    The digits are integer arithmetic on whole columns (a fifth of numpy's ISO text and its copies on a year of
    readings); years outside 1000-9999 (not four digits) take numpy's ISO text."""
    micros = np.asarray(micros, dtype=np.int64)
    stamps = micros.astype("datetime64[us]")
    days = stamps.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    if len(micros) and not (year.min() >= 1000 and year.max() <= 9999):
        text = np.datetime_as_string(stamps, unit="us").astype("S26")
        text.view(np.uint8).reshape(-1, 26)[:, 10] = ord(" ")  # ISO's "T" to SQLAlchemy's space
        return text
    hour, rest = np.divmod(micros - days.astype("datetime64[us]").astype(np.int64), 3_600_000_000)
    minute, rest = np.divmod(rest, 60_000_000)
    second, micro = np.divmod(rest, 1_000_000)
    text = np.empty((len(micros), 26), dtype=np.uint8)
    fields = ((0, 4, year), (5, 2, months.astype(np.int64) % 12 + 1),
              (8, 2, (days - months.astype("datetime64[D]")).astype(np.int64) + 1),
              (11, 2, hour), (14, 2, minute), (17, 2, second), (20, 6, micro))
    for start, width, values in fields:
        for place in range(width):
            text[:, start + width - 1 - place] = values // 10 ** place % 10 + ord("0")
    for column, mark in ((4, "-"), (7, "-"), (10, " "), (13, ":"), (16, ":"), (19, ".")):
        text[:, column] = ord(mark)
    return text.view("S26").ravel()


def date_column(values, connection: Connection) -> list:
    """Calendar dates as SQLAlchemy's ``Date`` binds them: ``YYYY-MM-DD`` text on SQLite, ``date`` otherwise."""
    days = pd.DatetimeIndex(pd.to_datetime(pd.Series(values, dtype=object) if len(values) else [])).to_numpy(
        dtype="datetime64[D]")
    if connection.dialect.name == "sqlite":
        return np.datetime_as_string(days, unit="D").tolist()
    return days.astype(object).tolist()


def float_column(values) -> list:
    """Floats as the driver takes them, NaN as NULL."""
    array = np.asarray(values, dtype=np.float64)
    listed = array.tolist()
    if np.isnan(array).any():
        listed = [None if value != value else value for value in listed]
    return listed


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, already in stored form) with one executemany."""
    if not rows:
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                               f"VALUES ({', '.join([marker] * len(columns))})", rows)


def insert_ignoring_duplicates(connection: Connection, table: Table, columns: Sequence[str],
                               rows: list[tuple], unique: Sequence[str]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order, already in stored form); rows whose ``unique``
    columns are already stored are skipped. Returns how many rows were new."""
    if not rows:
        return 0
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))}) "
                 f"ON CONFLICT ({', '.join(unique)}) DO NOTHING")
    # Both sqlite3 and psycopg sum an executemany's inserted rows into rowcount; a skipped row adds none.
    return connection.exec_driver_sql(statement, rows).rowcount

