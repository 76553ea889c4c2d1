"""The run view in headless Chromium: the daily operation of the spring clock-change day (46
periods), two runs compared side by side, the URL following the run shown, and no Delete for a viewer."""

from __future__ import annotations

from datetime import date

import pytest
from selenium.webdriver.common.by import By

from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.browser.test_walkthrough import TIMEOUT, wait_for_overview, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SPRING = date(2023, 3, 26)
TRACE_LENGTHS_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (!gd || !gd.data || !gd.data.length) { return null; }
return gd.data.map(t => (t.x || []).length);
"""


def test_a_viewer_opens_the_spring_day_and_compares_two_runs(powerdesk_browser):
    walk = powerdesk_browser
    small = run_optimisation(walk.db, RunRequest(SPRING, SPRING, BatteryParams(power_mw=10, energy_mwh=20),
                                                 name="small <i>spring</i>")).run_id
    big = run_optimisation(walk.db, RunRequest(SPRING, SPRING, BatteryParams(power_mw=20, energy_mwh=20),
                                               name="big spring")).run_id
    walk.log_in("viewer")
    wait_for_overview(walk)
    walk.open(f"/runs?run={small}")
    walk.duo.wait_for_contains_text("#runs-run-title", "small <i>spring</i>", timeout=TIMEOUT)  # text, not HTML
    assert not walk.present("#runs-run-title i")
    wait_until(walk, lambda: walk.driver.find_element(By.ID, "runs-delete-button").value_of_css_property("display")
               == "none", "a viewer is offered Delete")

    walk.driver.find_element(By.LINK_TEXT, "Daily operation").click()
    walk.duo.wait_for_contains_text("#runs-day", "Sun 26 Mar 2023", timeout=TIMEOUT)
    lengths = wait_until(walk, lambda: walk.driver.execute_script(TRACE_LENGTHS_JS, "runs-day-chart"),
                         "the daily operation chart never drew")
    assert set(lengths) == {46}, lengths

    # Clicking the other run's row shows it and the address follows: ?run=N.
    rows = walk.driver.find_elements(By.CSS_SELECTOR, "#runs-table .ag-center-cols-container .ag-row")
    target = next(row for row in rows if "big spring" in row.text)
    target.find_element(By.CSS_SELECTOR, "[col-id='name']").click()
    walk.duo.wait_for_contains_text("#runs-run-title", "big spring", timeout=TIMEOUT)
    wait_until(walk, lambda: walk.path() == f"/runs?run={big}", f"the URL did not follow: {walk.path()}")

    # Tick the first run too: the two are compared side by side.
    for row in walk.driver.find_elements(By.CSS_SELECTOR, "#runs-table .ag-center-cols-container .ag-row"):
        if "small" in row.text:
            row.find_element(By.CSS_SELECTOR, "input[type='checkbox']").click()
    walk.duo.wait_for_contains_text("#runs-comparison", "Comparing 2 runs", timeout=TIMEOUT)
    highlighted = walk.driver.find_elements(By.CSS_SELECTOR, "#runs-compare-table tr.table-warning")
    assert [row.find_element(By.TAG_NAME, "th").text for row in highlighted] == ["Power (MW)"]
    assert walk.driver.execute_script(TRACE_LENGTHS_JS, "runs-compare-chart") is not None
    assert walk.console_errors() == []
