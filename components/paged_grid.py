"""An AG Grid whose rows stay on the server: the infinite row model asks for one block of rows at a time
(``getRowsRequest``: startRow, endRow, sortModel, filterModel) and ``page_rows`` answers from a frame.

A year of half-hours is 17,520 rows (6 MB as JSON); the browser now receives the block it shows.
Sorting and filtering happen here, on the whole frame, as the grid would have done in the browser.
"""

from __future__ import annotations

import dash_ag_grid as dag
import numpy as np
import pandas as pd

BLOCK_ROWS = 100
"""Rows per request (the grid asks again as the user scrolls or pages)."""


def paged_grid(grid_id: str, column_defs: list[dict], page_size: int, page_sizes: list[int], height: str) -> dag.AgGrid:
    """A grid on the infinite row model, paginated like the client-side grids here."""
    return dag.AgGrid(
        id=grid_id, columnDefs=column_defs, rowModelType="infinite",
        defaultColDef={"resizable": True, "sortable": True, "filter": True},
        dashGridOptions={"pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": page_sizes,
                         "cacheBlockSize": BLOCK_ROWS, "maxBlocksInCache": 20, "infiniteInitialRowCount": 1},
        style={"height": height},
    )


def _text_condition(values: pd.Series, condition: dict) -> np.ndarray:
    text = values.astype(str).str.lower()
    wanted = str(condition.get("filter") or "").lower()
    kind = condition.get("type", "contains")
    if kind == "blank":
        return values.isna().to_numpy()
    if kind == "notBlank":
        return values.notna().to_numpy()
    tests = {"contains": lambda: text.str.contains(wanted, regex=False),
             "notContains": lambda: ~text.str.contains(wanted, regex=False),
             "equals": lambda: text == wanted, "notEqual": lambda: text != wanted,
             "startsWith": lambda: text.str.startswith(wanted), "endsWith": lambda: text.str.endswith(wanted)}
    return tests.get(kind, tests["contains"])().to_numpy()


def _number_condition(values: pd.Series, condition: dict) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    kind = condition.get("type", "equals")
    if kind == "blank":
        return np.isnan(numbers)
    if kind == "notBlank":
        return ~np.isnan(numbers)
    try:
        low = float(condition.get("filter"))
    except (TypeError, ValueError):
        return np.ones(len(numbers), dtype=bool)  # an unfinished filter: the grid shows everything meanwhile
    with np.errstate(invalid="ignore"):
        if kind == "inRange":
            try:
                high = float(condition.get("filterTo"))
            except (TypeError, ValueError):
                return numbers >= low
            return (numbers >= low) & (numbers <= high)
        tests = {"equals": numbers == low, "notEqual": numbers != low, "lessThan": numbers < low,
                 "lessThanOrEqual": numbers <= low, "greaterThan": numbers > low,
                 "greaterThanOrEqual": numbers >= low}
    return tests.get(kind, tests["equals"])


def _column_mask(values: pd.Series, model: dict) -> np.ndarray:
    conditions = model.get("conditions")
    if conditions:
        masks = [_column_mask(values, condition) for condition in conditions if isinstance(condition, dict)]
        if not masks:
            return np.ones(len(values), dtype=bool)
        combine = np.logical_or if str(model.get("operator", "AND")).upper() == "OR" else np.logical_and
        return combine.reduce(masks)
    if model.get("filterType") == "number":
        return _number_condition(values, model)
    return _text_condition(values, model)


def filtered_sorted(frame: pd.DataFrame, sort_model=None, filter_model=None) -> pd.DataFrame:
    """``frame`` filtered by an AG Grid filter model and sorted by its sort model (unknown columns ignored)."""
    if isinstance(filter_model, dict):
        mask = np.ones(len(frame), dtype=bool)
        for column, model in filter_model.items():
            if column in frame and isinstance(model, dict):
                mask &= _column_mask(frame[column], model)
        frame = frame[mask]
    sorts = [s for s in (sort_model or []) if isinstance(s, dict) and s.get("colId") in frame]
    if sorts:
        frame = frame.sort_values([s["colId"] for s in sorts], ascending=[s.get("sort") != "desc" for s in sorts],
                                  kind="stable")
    return frame


def page_rows(frame: pd.DataFrame, request) -> dict:
    """The block of rows an infinite-model ``getRowsRequest`` asks for: ``{"rowData", "rowCount"}``."""
    request = request if isinstance(request, dict) else {}
    try:
        start = max(0, int(request.get("startRow") or 0))
        end = max(start, int(request.get("endRow") or start + BLOCK_ROWS))
    except (TypeError, ValueError):
        start, end = 0, BLOCK_ROWS
    end = min(end, start + 10 * BLOCK_ROWS)  # one request never asks for a whole run
    chosen = filtered_sorted(frame, request.get("sortModel"), request.get("filterModel"))
    block = chosen.iloc[start:end]
    rows = block.astype(object).where(block.notna(), None).to_dict("records")
    return {"rowData": rows, "rowCount": len(chosen)}
