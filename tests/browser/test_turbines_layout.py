"""The Turbines page at 1280×800: the repair log's times and the page's selects show whole, not cut."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from selenium.common.exceptions import TimeoutException

from data_access import turbines as store
from services.turbines import register_demo_fleet
from tests.browser.test_walkthrough import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Cells, dropdown values and placeholders whose text is wider than their box (cut, or ended with "…").
CUT_JS = """
const cut = [];
for (const el of document.querySelectorAll(arguments[0])) {
  if (el.getBoundingClientRect().width > 0 && el.scrollWidth > el.clientWidth + 1) {
    cut.push((el.closest('[col-id]') || el).getAttribute('col-id') + ': ' + el.innerText);
  }
}
return cut;
"""


def cut_after_waiting(walk, css: str) -> list[str]:
    """What is still cut once nothing is, or the wait has run out (what is cut then, for the failure)."""
    with contextlib.suppress(TimeoutException):
        wait_until(walk, lambda: walk.driver.execute_script(CUT_JS, css) == [], "")
    return walk.driver.execute_script(CUT_JS, css)


def seed_repaired_ticket(db, now: datetime) -> None:
    with db.session() as session:
        store.open_ticket(session, 3, now - timedelta(minutes=20), now - timedelta(minutes=19))
        [ticket] = store.tickets(session)
        store.assign_ticket(session, ticket.id, "Alex Morgan-Featherstonehaugh", 300.0, now - timedelta(minutes=18))
        store.start_repair(session, ticket.id, now - timedelta(minutes=12))
        store.complete_repair(session, ticket.id, now - timedelta(minutes=7))
        store.resolve_ticket(session, ticket.id, now - timedelta(minutes=6))


def test_repair_log_times_and_the_selects_are_whole_at_1280(powerdesk_browser):
    walk = powerdesk_browser
    register_demo_fleet(walk.db, 3000.0)
    seed_repaired_ticket(walk.db, datetime.now(UTC))
    walk.driver.set_window_size(1280, 800)
    walk.log_in("trader")
    wait_until(walk, lambda: walk.present("#user-badge"), "not logged in")
    walk.open("/turbines")
    cells = "#turbines-repairs .ag-center-cols-container .ag-cell"
    wait_until(walk, lambda: len(walk.driver.find_elements("css selector", cells)) >= 8, "the repair log is empty")
    # The grid autosizes its columns after the rows are drawn, later still on a busy machine: wait for it.
    assert cut_after_waiting(walk, cells) == []
    assert cut_after_waiting(walk, ".dash-dropdown-value, .dash-dropdown-placeholder, .dash-dropdown-value-item") == []
    assert walk.console_errors() == []
