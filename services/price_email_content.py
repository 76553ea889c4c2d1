"""What the daily price email says: subject, HTML and plain-text bodies, chart image, CSV.

Data in (one settlement day's ``day_table`` and ``summarise_day`` output), email parts out;
no database, no SMTP. Every figure shown in the email is in £/MWh with two decimals; a missing
price is said in words ("no price"), never left blank or shown as 0.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from jinja2 import Environment, StrictUndefined

from domain.markets import MARKET_NAMES
from domain.price_summary import WINDOW_PERIODS, MarketDaySummary, period_ranges

CHART_CID = "price-chart"
"""Content-ID of the inline chart image, referenced as ``cid:price-chart`` in the HTML."""


@dataclass(frozen=True)
class PriceEmail:
    subject: str
    html: str
    text: str
    csv_filename: str
    csv_bytes: bytes | None
    """None when no price at all is stored for the day (the email says so)."""
    chart_png: bytes | None


def subject_for(settlement_date: date) -> str:
    return f"Powerdesk prices for {settlement_date.isoformat()}"


def money(value: float | None) -> str:
    return "no price" if value is None or np.isnan(value) else f"£{value:,.2f}"


def market_label(market: str) -> str:
    return MARKET_NAMES.get(market, market)


def coverage_sentence(summary: MarketDaySummary) -> str:
    """Plain words about how complete one market's day is."""
    label = market_label(summary.market)
    if not summary.has_prices:
        return f"{label}: no prices are stored for this day."
    if summary.complete:
        return f"{label}: all {summary.expected_periods} settlement periods priced."
    return (f"{label}: incomplete — {summary.priced_periods} of {summary.expected_periods} settlement periods "
            f"priced; no price for {period_ranges(summary.missing_periods)}. Figures below use the priced "
            f"periods only.")


def notices_for(settlement_date: date, summaries: list[MarketDaySummary]) -> list[str]:
    """Sentences the email leads with when the day's prices are missing or incomplete."""
    if not any(s.has_prices for s in summaries):
        return [f"No prices are stored for {settlement_date.isoformat()} yet, so there are no figures, chart or "
                f"attachment in this email."]
    return [coverage_sentence(s) for s in summaries if not s.complete]


def prices_csv(table: pd.DataFrame, markets: list[str]) -> bytes:
    """One row per settlement period: UTC start, UK local start (with offset), settlement date and
    period, one column per market [£/MWh] (empty where no price is stored)."""
    local = table["uk_local_time"]
    local_text = local.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    frame = pd.DataFrame({
        "interval_start_utc": table["interval_start_utc"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "uk_local_time": local_text,
        "settlement_date": local.dt.strftime("%Y-%m-%d").iloc[0],
        "settlement_period": table["settlement_period"],
    })
    for market in markets:
        frame[f"{market}_gbp_per_mwh"] = table[market].round(2)
    return frame.to_csv(index=False, float_format="%.2f").encode()


def chart_png(table: pd.DataFrame, markets: list[str], settlement_date: date) -> bytes:
    """A small line chart [£/MWh] against settlement period; gaps where prices are missing."""
    from matplotlib.figure import Figure  # here, not at import: every command and web process would pay for it

    figure = Figure(figsize=(6.4, 2.6), dpi=100)
    axes = figure.subplots()
    periods = table["settlement_period"].to_numpy()
    edges = np.append(periods, periods[-1] + 1)  # each period drawn across its whole half-hour
    lowest = np.inf
    for market in markets:
        values = table[market].to_numpy(dtype=float)
        axes.plot(edges, np.append(values, values[-1]), label=market_label(market), linewidth=1.6,
                  drawstyle="steps-post")
        lowest = min(lowest, np.nanmin(values))
    if lowest < 0:
        axes.axhline(0, color="#888888", linewidth=0.8)
    axes.set_xlim(1, periods[-1] + 1)
    axes.set_xlabel(f"Settlement period ({len(periods)} on {settlement_date.isoformat()})")
    axes.set_ylabel("£/MWh")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(markets), fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _window_text(window) -> str:
    if window is None:
        return "not available (gaps in the prices)"
    span = f"SP{window.first_period}–{window.last_period}"
    return f"{span} from {window.start_local} at {money(window.mean_gbp_per_mwh)}"


def _mean_text(value: float | None) -> str:
    return "no prices in these hours" if value is None else money(value)


def _market_view(summary: MarketDaySummary) -> dict:
    """What the templates show for one market, already formatted."""
    windows = [
        {"length": name, "charge": _window_text(summary.cheapest[name]),
         "discharge": _window_text(summary.dearest[name]),
         "spread": money(summary.dearest[name].mean_gbp_per_mwh - summary.cheapest[name].mean_gbp_per_mwh)
         if summary.dearest[name] and summary.cheapest[name] else "not available"}
        for name in WINDOW_PERIODS
    ]
    return {
        "label": market_label(summary.market),
        "has_prices": summary.has_prices,
        "coverage": coverage_sentence(summary),
        "min": money(summary.min_gbp_per_mwh),
        "min_period": summary.min_period,
        "max": money(summary.max_gbp_per_mwh),
        "max_period": summary.max_period,
        "mean": money(summary.mean_gbp_per_mwh),
        "peak": _mean_text(summary.peak_mean_gbp_per_mwh),
        "off_peak": _mean_text(summary.off_peak_mean_gbp_per_mwh),
        "negative": (f"{len(summary.negative_periods)} ({period_ranges(summary.negative_periods)})"
                     if summary.negative_periods else "none"),
        "windows": windows,
    }


def _period_rows(table: pd.DataFrame, markets: list[str]) -> list[dict]:
    local = table["uk_local_time"].dt.strftime("%H:%M %Z")
    cells = {m: [money(v) for v in table[m].to_numpy(dtype=float)] for m in markets}
    return [{"period": int(p), "local": t, "prices": [cells[m][i] for m in markets]}
            for i, (p, t) in enumerate(zip(table["settlement_period"], local, strict=True))]


_ENV_HTML = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENV_TEXT = Environment(autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

HTML_TEMPLATE = _ENV_HTML.from_string("""\
<!doctype html>
<html><body style="font-family: Arial, Helvetica, sans-serif; color: #1f2328; font-size: 14px;">
<h2 style="font-size: 18px;">{{ subject }}</h2>
<p>Settlement day {{ day }} (UK local time, {{ periods }} settlement periods). Prices in £/MWh.
Peak is 07:00–19:00 UK time.</p>
{% for notice in notices %}
<p class="notice" style="background: #fff3cd; padding: 6px 10px; border-left: 4px solid #e0a800;">{{ notice }}</p>
{% endfor %}
{% if markets %}
<table cellpadding="4" cellspacing="0" border="1" style="border-collapse: collapse; font-size: 13px;">
<tr><th align="left">Market</th><th>Min</th><th>Max</th><th>Mean</th><th>Peak mean</th><th>Off-peak mean</th>
<th>Negative periods</th></tr>
{% for m in markets %}
{% if m.has_prices %}
<tr><td>{{ m.label }}</td>
<td class="min" align="right">{{ m.min }} (SP{{ m.min_period }})</td>
<td class="max" align="right">{{ m.max }} (SP{{ m.max_period }})</td>
<td class="mean" align="right">{{ m.mean }}</td>
<td align="right">{{ m.peak }}</td><td align="right">{{ m.off_peak }}</td><td>{{ m.negative }}</td></tr>
{% else %}
<tr><td>{{ m.label }}</td><td colspan="6">No prices stored for this day.</td></tr>
{% endif %}
{% endfor %}
</table>
<h3 style="font-size: 15px;">Best charge and discharge windows</h3>
<table cellpadding="4" cellspacing="0" border="1" style="border-collapse: collapse; font-size: 13px;">
<tr><th align="left">Market</th><th>Window</th><th>Charge (cheapest)</th><th>Discharge (dearest)</th>
<th>Spread</th></tr>
{% for m in markets if m.has_prices %}
{% for w in m.windows %}
<tr><td>{{ m.label }}</td><td>{{ w.length }}</td><td>{{ w.charge }}</td><td>{{ w.discharge }}</td>
<td align="right">{{ w.spread }}</td></tr>
{% endfor %}
{% endfor %}
</table>
{% if has_chart %}
<p><img src="cid:{{ chart_cid }}" alt="Prices for {{ day }} by settlement period" width="640"></p>
{% endif %}
<h3 style="font-size: 15px;">Every settlement period</h3>
<table class="periods" cellpadding="2" cellspacing="0" border="1"
 style="border-collapse: collapse; font-size: 12px;">
<tr><th>SP</th><th>UK time</th>{% for label in labels %}<th>{{ label }}</th>{% endfor %}</tr>
{% for row in rows %}
<tr><td align="right">{{ row.period }}</td><td>{{ row.local }}</td>
{% for cell in row.prices %}<td align="right">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}
</table>
<p>The attached CSV has every settlement period with its UTC and UK local start time.</p>
{% endif %}
<p style="color: #6e7781; font-size: 12px;">Sent by Powerdesk because you asked for the daily prices.
Turn it off on your Profile page.</p>
</body></html>
""")

TEXT_TEMPLATE = _ENV_TEXT.from_string("""\
{{ subject }}

Settlement day {{ day }} (UK local time, {{ periods }} settlement periods). Prices in £/MWh.
Peak is 07:00-19:00 UK time.
{% for notice in notices %}

NOTE: {{ notice }}
{% endfor %}
{% for m in markets %}

{{ m.label }}
{% if m.has_prices %}
  Min {{ m.min }} (SP{{ m.min_period }}), max {{ m.max }} (SP{{ m.max_period }}), mean {{ m.mean }}
  Peak mean: {{ m.peak }}; off-peak mean: {{ m.off_peak }}
  Negative periods: {{ m.negative }}
{% for w in m.windows %}
  Best {{ w.length }}: charge {{ w.charge }}; discharge {{ w.discharge }}; spread {{ w.spread }}
{% endfor %}
{% else %}
  No prices stored for this day.
{% endif %}
{% endfor %}
{% if markets %}

SP  UK time    {% for label in labels %}{{ "%-14s" | format(label) }}{% endfor %}

{% for row in rows %}
{{ "%-3s" | format(row.period) }} {{ "%-10s" | format(row.local) }} {% for cell in row.prices %}\
{{ "%-14s" | format(cell) }}{% endfor %}

{% endfor %}

The attached CSV has every settlement period with its UTC and UK local start time.
{% endif %}

Sent by Powerdesk because you asked for the daily prices. Turn it off on your Profile page.
""")


def render_price_email(settlement_date: date, table: pd.DataFrame,
                       summaries: list[MarketDaySummary]) -> PriceEmail:
    """The whole email for one settlement day (``table`` from ``day_table``, ``summaries`` from
    ``summarise_day`` for the markets to report)."""
    markets = [s.market for s in summaries]
    priced = [s.market for s in summaries if s.has_prices]
    anything = bool(priced)
    context = {
        "subject": subject_for(settlement_date),
        "day": settlement_date.isoformat(),
        "periods": len(table),
        "notices": notices_for(settlement_date, summaries),
        "markets": [_market_view(s) for s in summaries] if anything else [],
        "labels": [market_label(m) for m in markets],
        "rows": _period_rows(table, markets) if anything else [],
        "has_chart": anything,
        "chart_cid": CHART_CID,
    }
    return PriceEmail(
        subject=context["subject"],
        html=HTML_TEMPLATE.render(context),
        text=TEXT_TEMPLATE.render(context),
        csv_filename=f"powerdesk-prices-{settlement_date.isoformat()}.csv",
        csv_bytes=prices_csv(table, markets) if anything else None,
        chart_png=chart_png(table, priced, settlement_date) if anything else None,
    )
