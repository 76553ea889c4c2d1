"""The Profile page in headless Chromium: a trader opts in to the daily price email."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from services import price_email

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TIMEOUT = 30


def test_a_trader_opts_in_from_the_navbar_profile_link(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("trader")
    walk.duo.wait_for_element("#nav-profile", timeout=TIMEOUT).click()
    WebDriverWait(walk.driver, TIMEOUT).until(lambda _d: walk.path() == "/profile")
    address = walk.duo.wait_for_element("#profile-email", timeout=TIMEOUT)
    assert not walk.present("#profile-recipients-table")  # the admin section is for admins only

    address.send_keys("not an address")
    walk.duo.find_element("#profile-opt-in").click()
    walk.duo.find_element("#profile-save").click()
    walk.duo.wait_for_contains_text("#profile-message", "is not an email address", timeout=TIMEOUT)

    address.clear()
    address.send_keys("trader@example.com")
    walk.duo.find_element("#profile-save").click()
    walk.duo.wait_for_contains_text("#profile-message", "go to trader@example.com", timeout=TIMEOUT)

    assert price_email.opted_in_addresses(walk.db) == ["trader@example.com"]
    walk.driver.refresh()
    WebDriverWait(walk.driver, TIMEOUT).until(
        lambda _d: walk.duo.find_element("#profile-email").get_attribute("value") == "trader@example.com")
    assert walk.console_errors() == []
