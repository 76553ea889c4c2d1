"""A trader runs a small sizing study from the Studies page in headless Chromium and reads the answer."""

from __future__ import annotations

import pytest

from tests.browser.test_walkthrough import LIGHT_PAPER, TIMEOUT, grid_cells, wait_for_chart, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_trader_runs_a_study_and_sees_revenue_against_duration(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("trader")
    walk.duo.wait_for_element("#nav-studies", timeout=TIMEOUT).click()
    wait_until(walk, lambda: walk.present("#studies-new-section:not([hidden])"), "the new-study form stays hidden")
    walk.duo.wait_for_contains_text("#studies-message", "No sizing studies yet", timeout=TIMEOUT)
    assert not walk.driver.find_element("id", "studies-chart-card").is_displayed()  # no empty axes

    name = walk.duo.find_element("#studies-new-name")
    name.send_keys("<i>two sizes</i>")
    for field, text in (("#studies-new-power", "10, 20"), ("#studies-new-duration", "1, 2"), ("#studies-new-cycles", "1")):
        box = walk.duo.find_element(field)
        box.clear()
        box.send_keys(text)
    walk.duo.find_element("#studies-new-submit").click()
    walk.duo.wait_for_contains_text("#studies-new-message", "4 points", timeout=TIMEOUT)
    walk.duo.wait_for_contains_text("#studies-progress", "done · 4 of 4 points done", timeout=TIMEOUT * 3)
    wait_for_chart(walk, "studies-chart", LIGHT_PAPER)
    wait_until(walk, lambda: len(grid_cells(walk, "studies-points", "status")) == 4, "the points grid is not full")
    assert set(grid_cells(walk, "studies-points", "status")) == {"succeeded"}
    assert "<i>two sizes</i>" in grid_cells(walk, "studies-table", "name")  # shown as typed, not as HTML
    selected = "#studies-table .ag-center-cols-container .ag-row-selected [col-id='id']"
    wait_until(walk, lambda: walk.present(selected), "the new study's row is not highlighted")
    study_id = walk.duo.find_element(selected).text
    walk.open(f"/studies?study={study_id}")  # opened from a link: its row is highlighted too
    wait_until(walk, lambda: walk.present(selected) and walk.duo.find_element(selected).text == study_id,
               "the linked study's row is not highlighted")
    walk.duo.wait_for_contains_text("#studies-progress", f"Study #{study_id}", timeout=TIMEOUT)
    link = walk.duo.find_element("#studies-points .ag-center-cols-container [col-id='run_link'] a")
    href = link.get_attribute("href")
    assert "/runs?run=" in href
    walk.driver.get(href)
    wait_until(walk, lambda: walk.path().startswith("/runs?run="), f"the run link went to {walk.path()}")
    assert walk.console_errors() == []
