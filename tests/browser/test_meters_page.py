"""The Meters page in headless Chromium: an admin reads a trial meter's usage and costs in dark mode,
moves the meter onto the cheapest plan, and the page and the audit log follow; the console stays clean."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from services.audit import list_events
from services.meter_demo import load_plans_and_trial_meters
from tests.browser.test_walkthrough import TIMEOUT, graph_state, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_admin_compares_plans_and_switches_a_meter_to_the_cheapest(powerdesk_browser):
    walk = powerdesk_browser
    load_plans_and_trial_meters(walk.db)
    walk.log_in("admin")
    wait_until(walk, lambda: walk.present("#user-badge"), "not logged in")
    walk.duo.find_element("#theme-switch").click()
    walk.open("/meters?meter=smart-meter-0")

    wait_until(walk, lambda: (graph_state(walk, "meters-chart") or {}).get("traces") == 2,
               "the usage chart did not draw the readings and daily bars")
    walk.duo.wait_for_contains_text("#meters-summary", "price-plan-0", timeout=TIMEOUT)
    current = walk.driver.find_element(By.ID, "meters-cost-row-price-plan-0")
    assert "current" in current.text and "table-active" in current.get_attribute("class")
    first_recommendation = walk.driver.find_element(By.CSS_SELECTOR, "#meters-recommendations li").text
    assert first_recommendation.startswith("price-plan-2")
    assert walk.present("#meters-api-docs-link[href='/api/docs']")

    # Move Sarah onto the cheapest plan.
    plan_picker = walk.driver.find_element(By.ID, "meters-plan")
    plan_picker.click()
    option = wait_until(walk, lambda: next((o for o in walk.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
                                            if o.text.startswith("price-plan-2")), None), "no price-plan-2 option")
    walk.driver.execute_script("arguments[0].click()", option)
    walk.driver.execute_script("arguments[0].click()", walk.driver.find_element(By.ID, "meters-change-plan"))
    walk.duo.wait_for_contains_text("#meters-plan-status", "moved from price-plan-0 to price-plan-2",
                                    timeout=TIMEOUT)
    wait_until(walk, lambda: "current" in walk.driver.find_element(By.ID, "meters-cost-row-price-plan-2").text,
               "the cost table did not move the current-plan highlight")
    walk.duo.wait_for_contains_text("#meters-summary", "already on the cheapest plan", timeout=TIMEOUT)
    assert [e.target for e in list_events(walk.db, action_prefix="plan.changed")] == ["smart-meter-0"]
    assert walk.console_errors() == []
