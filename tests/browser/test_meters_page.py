"""The Meters page in headless Chromium: an admin reads a trial meter's usage and costs in dark mode,
moves the meter onto the cheapest plan, and the page and the audit log follow; the console stays clean."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By

from services.audit import list_events
from services.meter_demo import load_plans_and_trial_meters
from tests.browser.test_walkthrough import TIMEOUT, graph_state, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def row_text(walk, element_id: str) -> str:
    """The element's text, or "" while Dash is replacing it (the table re-renders after a change)."""
    try:
        return walk.driver.find_element(By.ID, element_id).text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


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
    wait_until(walk, lambda: "current" in row_text(walk, "meters-cost-row-price-plan-0"),
               "Sarah's current plan is not marked in the cost table")
    assert walk.present("#meters-cost-row-price-plan-0.table-active")
    walk.duo.wait_for_contains_text("#meters-recommendations", "price-plan-2", timeout=TIMEOUT)
    assert row_text(walk, "meters-recommendations").startswith("price-plan-2")
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
    wait_until(walk, lambda: "current" in row_text(walk, "meters-cost-row-price-plan-2"),
               "the cost table did not move the current-plan highlight")
    walk.duo.wait_for_contains_text("#meters-summary", "already on the cheapest plan", timeout=TIMEOUT)
    assert [e.target for e in list_events(walk.db, action_prefix="plan.changed")] == ["smart-meter-0"]
    assert walk.console_errors() == []


def test_the_page_opens_on_a_meter_whose_plans_can_be_costed_and_says_why_another_cannot(powerdesk_browser):
    walk = powerdesk_browser
    load_plans_and_trial_meters(walk.db)
    walk.log_in("trader")
    wait_until(walk, lambda: walk.present("#user-badge"), "not logged in")
    walk.open("/meters")
    # smart-meter-4 (listed first) is read in January 2024, where no day-ahead price is stored for the
    # dynamic price-plan-3; the page opens on the first meter every plan of which can be costed.
    walk.duo.wait_for_contains_text("#meters-summary", "price-plan-2", timeout=TIMEOUT)
    assert "Andrea · smart-meter-3" in walk.driver.find_element(By.ID, "meters-meter").text
    assert not walk.present("#meters-not-costed")
    assert not [row for row in walk.driver.find_elements(By.CSS_SELECTOR, "[id^='meters-cost-row-']")
                if "Not costed" in row.text]

    walk.open("/meters?meter=smart-meter-4")
    note = walk.duo.wait_for_element("#meters-not-costed", timeout=TIMEOUT)
    assert "price-plan-3: it follows day-ahead prices, and none are stored for 2024-01-08 00:00 GMT to " \
           "2024-01-14 23:30 GMT." in note.text
    assert walk.console_errors() == []
