"""The New run form in headless Chromium: what a trader types is what the server checks.

A number input hands the page nothing for text like "5-", so a mistyped optional limit used to run
silently as "= power" and a mistyped power said "power is required" under the typed text.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.test_walkthrough import TIMEOUT, wait_for_overview, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _type(walk, css: str, text: str) -> None:
    field = walk.duo.find_element(css)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)


def test_text_that_is_no_number_is_named_and_run_stays_disabled(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("trader")
    wait_for_overview(walk)
    walk.open("/runs")
    walk.duo.wait_for_contains_text("#runs-new-coverage", "Day-ahead prices", timeout=TIMEOUT)
    submit = walk.duo.find_element("#runs-new-submit")
    wait_until(walk, submit.is_enabled, "Run is disabled on the default form")

    _type(walk, "#runs-new-import-limit", "5-")
    walk.duo.wait_for_contains_text("#runs-new-import-limit-msg", "import limit: '5-' is not a number",
                                    timeout=TIMEOUT)
    wait_until(walk, lambda: not submit.is_enabled(), "Run stays enabled with '5-' as the import limit")

    _type(walk, "#runs-new-power", "1e")
    walk.duo.wait_for_contains_text("#runs-new-power-msg", "power: '1e' is not a number", timeout=TIMEOUT)

    _type(walk, "#runs-new-import-limit", "")
    _type(walk, "#runs-new-power", "12.5")
    wait_until(walk, submit.is_enabled, "Run stays disabled once both fields are fixed")
    assert walk.duo.find_element("#runs-new-power-msg").text == ""
    assert walk.console_errors() == []
