"""The footprint chart as a PNG (matplotlib), for the seed system's ``/footprint/...`` path."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from domain.settlement_time import LONDON  # noqa: E402


def footprint_png(result) -> bytes:
    """Bars of gCO2 per HalfHourId (exports below zero, "avoided"), intensity on a second axis.

    ``result``: a ``services.footprint.FootprintRange``. Unknown half-hours are left empty and named in the title.
    """
    rows = result.rows
    ids = rows["half_hour_id"].to_numpy(int)
    grams = rows["footprint_g"].to_numpy(float)
    figure, axis = plt.subplots(figsize=(10, 4.5), dpi=100)
    emitted = np.where(grams > 0, grams, 0.0)
    avoided = np.where(grams < 0, grams, 0.0)
    axis.bar(ids, np.nan_to_num(emitted), color="#6c757d", label="emitted gCO2")
    axis.bar(ids, np.nan_to_num(avoided), color="#198754", label="avoided gCO2 (export)")
    axis.axhline(0, color="black", linewidth=0.8)
    axis.set_xlabel("HalfHourId (settlement period, UK local date)")
    axis.set_ylabel("gCO2 per half-hour")
    axis.set_xticks(ids)
    second = axis.twinx()
    second.plot(ids, rows["intensity_g_per_kwh"].to_numpy(float), color="#fd7e14", marker="o", label="intensity")
    second.set_ylabel("intensity gCO2/kWh")
    start = rows["start_utc"].iloc[0].tz_convert(LONDON).strftime("%H:%M %Z") if len(rows) else ""
    total = f"{result.total_g:,.0f} g" if result.total_g is not None else "unknown (some half-hours have no data)"
    axis.set_title(f"{result.asset_id} · {result.settlement_date.isoformat()} · HalfHourId {result.first}–"
                   f"{result.last} (from {start}) · total {total}")
    handles = axis.get_legend_handles_labels()
    extra = second.get_legend_handles_labels()
    axis.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
