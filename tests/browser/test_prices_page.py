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
    # the last complete day in the demo data is 2026-08-21 (EPEX day-ahead only)
    wait_until(walk, lambda: "2026-08-21" in stats_dates(walk),
               "the daily statistics grid has no rows")
    walk.duo.wait_for_contains_text("#prices-spread-chart", "No interval has both", timeout=30)
    walk.duo.wait_for_contains_text("#prices-message", "No prices in this range for: Intraday, Market index",
                                    timeout=30)
    assert walk.present("#prices-upload-section:not([hidden])")
    assert walk.console_errors() == []
