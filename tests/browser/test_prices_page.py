"""The Prices page in headless Chromium on all three shipped demo feeds: every chart draws, the
statistics grid fills, and the console stays empty."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from services.prices import load_demo_prices
from tests.browser.test_walkthrough import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Plotly decodes typed arrays (histogram x, heatmap z) into _fullData; count traces holding data there.
DRAWN_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (!gd || !gd._fullData) { return 0; }
return gd._fullData.filter(t => ((t.x || t.z || []).length || 0) > 0).length;
"""


def stats_dates(walk) -> list[str]:
    cells = walk.driver.find_elements(By.CSS_SELECTOR, "#prices-stats-grid .ag-row [col-id='settlement_date']")
    return [cell.text for cell in cells]


def drawn_traces(walk, graph_id: str) -> int:
    return walk.driver.execute_script(DRAWN_JS, graph_id)


def test_prices_page_draws_its_charts_for_the_demo_data(powerdesk_browser):
    walk = powerdesk_browser
    load_demo_prices(walk.db, feeds=("mid", "epex"))  # the seed file is already there
    walk.log_in("trader")
    wait_until(walk, lambda: walk.path() == "/", "login did not land on the Overview")
    walk.open("/prices")
    for graph in ("prices-chart", "prices-heatmap", "prices-distribution"):
        wait_until(walk, lambda graph=graph: drawn_traces(walk, graph) > 0, f"{graph} drew no data")
    # Day-ahead runs on to 2026-08-21 (EPEX) but intraday stops on 2023-04-30: the page opens on the last
    # week with all three ticked markets, not on a week with day-ahead alone.
    wait_until(walk, lambda: "2023-04-24" in stats_dates(walk), "the statistics grid does not start on 2023-04-24")
    assert min(stats_dates(walk)) == "2023-04-24" and max(stats_dates(walk)) <= "2023-04-30"
    wait_until(walk, lambda: drawn_traces(walk, "prices-spread-chart") > 0, "the spread chart drew no data")
    assert "No prices in this range" not in walk.duo.find_element("#prices-message").text
    assert "latest week with every market" in walk.duo.find_element("#prices-dates-hint").text
    assert walk.present("#prices-upload-section:not([hidden])")
    assert walk.console_errors() == []


def click(walk, css: str) -> None:
    """Click a button at the foot of the page (scrolled into view; the sticky header may cover it)."""
    button = walk.duo.wait_for_element(css, timeout=30)
    walk.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)


def test_a_trader_previews_confirms_and_undoes_a_price_upload(powerdesk_browser, tmp_path):
    """Preview (with the seed's conflicting price, which stays in use), confirm, then undo: the stored
    prices come back to what they were."""
    from data_access.prices import coverage

    walk = powerdesk_browser

    def stored() -> dict:
        with walk.db.session() as session:
            return {row.market: row.intervals for row in coverage(session)}

    before = stored()
    path = tmp_path / "fix.csv"
    # 2023-02-01 00:00 UTC is in the seed (149.30 day-ahead); 2031 is new
    path.write_bytes(b"interval_start_utc,day_ahead\n2023-02-01T00:00:00Z,1.00\n2031-01-01T00:00:00Z,55.5\n")
    walk.log_in("trader")
    wait_until(walk, lambda: walk.path() == "/", "login did not land on the Overview")
    walk.open("/prices")
    walk.duo.wait_for_element("#prices-upload-section:not([hidden])", timeout=30)
    # dcc.Upload draws its input only once its lazily loaded code has run: wait for the input itself.
    walk.duo.wait_for_element("#prices-upload input[type=file]", timeout=30).send_keys(str(path))
    walk.duo.wait_for_contains_text("#prices-upload-status", "would add 1, leave 0 unchanged", timeout=30)
    preview = walk.duo.find_element("#prices-upload-status").text
    assert "149.30 £/MWh (seed:zenobe-2023)" in preview and "the stored one (precedence)" in preview
    assert stored() == before  # nothing stored before the confirmation
    click(walk, "#prices-upload-confirm:not([hidden])")
    walk.duo.wait_for_contains_text("#prices-upload-status", "2 added", timeout=30)
    assert stored()["day_ahead"] == before["day_ahead"] + 2  # the conflicting price is kept beside the seed's
    click(walk, "#prices-upload-undo:not([hidden])")
    walk.duo.wait_for_contains_text("#prices-upload-status", "undone: 2 price(s) removed", timeout=30)
    assert stored() == before
    walk.duo.wait_for_contains_text("#prices-precedence", "Day-ahead feed > seed > upload (default)", timeout=30)
    assert walk.console_errors() == []
