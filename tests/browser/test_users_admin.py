"""An admin manages a user in Chromium: pick the row, disable after confirming, see "never" for a
user who never logged in, with the CSP in force and no console errors."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser.test_walkthrough import TIMEOUT, grid_cells, wait_until

pytestmark = pytest.mark.browser


def test_admin_picks_a_row_and_disables_the_user_after_confirming(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("admin")
    wait_until(walk, lambda: walk.path() == "/", "login did not reach the Overview")
    walk.open("/admin/users")
    wait_until(walk, lambda: "never" in grid_cells(walk, "users-table", "last_login"),
               "a user who never logged in does not show 'never'")
    row = next(r for r in walk.driver.find_elements(By.CSS_SELECTOR, "#users-table .ag-row") if "viewer" in r.text)
    row.find_element(By.CSS_SELECTOR, '[col-id="username"]').click()
    walk.duo.wait_for_text_to_equal("#users-selected", "Selected: viewer (viewer, active)", timeout=TIMEOUT)
    walk.duo.find_element("#users-disable").click()
    walk.duo.wait_for_contains_text("#users-confirm-disable-text", "viewer will not be able to log in",
                                    timeout=TIMEOUT)
    walk.duo.find_element("#users-confirm-disable-yes").click()
    walk.duo.wait_for_contains_text("#users-message", "Disabled 'viewer'", timeout=TIMEOUT)
    wait_until(walk, lambda: "disabled" in grid_cells(walk, "users-table", "status"), "status did not change")
    assert walk.console_errors() == []


def test_a_page_whose_session_ended_sends_the_user_to_log_in_again(powerdesk_browser):
    from services.users import set_role

    walk = powerdesk_browser
    walk.log_in("viewer")
    wait_until(walk, lambda: walk.path() == "/", "login did not reach the Overview")
    walk.duo.wait_for_contains_text("#overview-coverage", "Day-ahead", timeout=TIMEOUT)  # page settled
    set_role(walk.db, "viewer", "trader", actor="admin")  # ends the viewer's session
    walk.duo.find_element("#nav-prices").click()
    wait_until(walk, lambda: walk.path().startswith("/login?next="), f"not sent to log in: {walk.path()}")
    assert "prices" in walk.path()
    walk.duo.find_element("#username").send_keys("viewer")
    walk.duo.find_element("#password").send_keys("viewer-password-123")
    walk.duo.find_element("#login-submit").click()
    wait_until(walk, lambda: walk.path() == "/prices", f"not back on Prices: {walk.path()}")
    assert walk.console_errors(expected=(" 401 ",)) == []
