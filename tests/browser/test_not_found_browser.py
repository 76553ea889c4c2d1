"""An unknown address in headless Chromium: the navbar stays, the address shows as text (markup
in it is not rendered), and the link goes back to the Overview."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TIMEOUT = 30


def test_an_unknown_address_shows_not_found_with_the_way_back(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("viewer")
    walk.duo.wait_for_element("#nav-overview", timeout=TIMEOUT)
    walk.open("/nope/%3Cb%3Ebold%3C/b%3E")
    walk.duo.wait_for_text_to_equal("#not-found-path", "/nope/<b>bold</b>", timeout=TIMEOUT)
    assert walk.driver.find_elements(By.CSS_SELECTOR, "#not-found-path b") == []
    assert walk.present("#nav-prices") and "Page not found" in walk.duo.find_element("#_pages_content").text
    WebDriverWait(walk.driver, TIMEOUT).until(lambda d: d.title == "Not found · Powerdesk")

    walk.duo.find_element("#not-found-back").click()
    WebDriverWait(walk.driver, TIMEOUT).until(lambda _d: walk.path() == "/")
    walk.duo.wait_for_element("#overview-coverage", timeout=TIMEOUT)
    assert not walk.present("#not-found-path")
    assert walk.console_errors(expected=("404 (NOT FOUND)",)) == []
