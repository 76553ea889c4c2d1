"""The Runs page as a trader uses it all day (issue 22, Runs): a new run from a stored one, range rules and
every problem shown as the trader types, a cancelled run that says how far it got, a delete that stays in
the list, and prices of exactly £0.00 flagged on the run."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select, update

from data_access import runs as run_store
from data_access.schema import MarketPrice, OptimisationRun, User
from optimiser import BatteryParams, SolverSettings
from services.optimisation_runs import RunRequest, cancel_run, execute_run, queue_run, run_optimisation
from services.run_requests import MAX_RUN_DAYS
from tests.browser.test_walkthrough import TIMEOUT, wait_for_overview, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FEB = date(2023, 2, 1)
SET_VALUE_JS = """
const el = document.getElementById(arguments[0]);
Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, arguments[1]);
el.dispatchEvent(new Event('input', {bubbles: true}));
el.dispatchEvent(new Event('change', {bubbles: true}));
"""


def _value(walk, component_id: str) -> str:
    return walk.driver.find_element(By.ID, component_id).get_attribute("value")


def _set(walk, component_id: str, text: str) -> None:
    walk.driver.execute_script(SET_VALUE_JS, component_id, text)


def _open_runs_as_trader(walk, query: str = "") -> None:
    walk.log_in("trader")
    wait_for_overview(walk)
    walk.open("/runs" + query)
    walk.duo.wait_for_contains_text("#runs-new-coverage", "Day-ahead prices", timeout=TIMEOUT)


def _click(walk, css: str) -> None:
    """Click once nothing covers the element (a modal still fading in, a loading overlay)."""
    element = walk.duo.wait_for_element(css, timeout=TIMEOUT)

    def clicked():
        walk.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            return False
        return True

    wait_until(walk, clicked, f"{css} stayed covered")


def _grid_row(walk, text: str):
    def found():
        rows = walk.driver.find_elements(By.CSS_SELECTOR, "#runs-table .ag-center-cols-container .ag-row")
        return next((row for row in rows if text in row.text), None)

    return wait_until(walk, found, f"no row with {text!r} in the runs grid")


def test_new_run_from_this_one_fills_the_form_from_the_open_run_or_any_row(powerdesk_browser):
    walk = powerdesk_browser
    first = run_optimisation(walk.db, RunRequest(
        FEB, FEB, BatteryParams(power_mw=12.5, energy_mwh=30, charge_efficiency=0.87, soc_max_frac=0.95,
                                initial_soc_frac=0.3, max_cycles_per_day=1.5, import_limit_mw=9),
        markets="da", solver=SolverSettings(mip_gap=0.002), name="desk one")).run_id
    run_optimisation(walk.db, RunRequest(FEB, date(2023, 2, 2), BatteryParams(power_mw=40, energy_mwh=80),
                                         name="desk two"))
    _open_runs_as_trader(walk, f"?run={first}")
    walk.duo.wait_for_contains_text("#runs-run-title", "desk one", timeout=TIMEOUT)
    assert _value(walk, "runs-new-power") == "100"  # the form opens on its defaults

    _click(walk, "#runs-clone-button")
    wait_until(walk, lambda: _value(walk, "runs-new-power") == "12.5", "the form was not filled from the open run")
    assert _value(walk, "runs-new-energy") == "30"
    assert _value(walk, "runs-new-charge-efficiency") == "87"  # shown in %, as it is entered
    assert _value(walk, "runs-new-soc-max") == "95" and _value(walk, "runs-new-initial-soc") == "30"
    assert _value(walk, "runs-new-cycles") == "1.5" and _value(walk, "runs-new-import-limit") == "9"
    assert _value(walk, "runs-new-mip-gap") == "0.2"
    assert _value(walk, "runs-new-markets") == "da" and _value(walk, "runs-new-name") == "desk one"
    assert _value(walk, "runs-new-start") == "2023-02-01" and _value(walk, "runs-new-end") == "2023-02-01"
    walk.duo.wait_for_contains_text("#runs-new-message", f"parameters of run #{first}", timeout=TIMEOUT)
    submit = walk.duo.find_element("#runs-new-submit")
    wait_until(walk, submit.is_enabled, "the cloned form is not ready to run")

    # Any row of the grid: its "New run from this" cell fills the form from that run.
    row_id = _grid_row(walk, "desk two").get_attribute("row-id")  # the pinned column sits in its own container
    cell = walk.driver.find_element(By.CSS_SELECTOR, f"#runs-table .ag-pinned-right-cols-container "
                                                     f".ag-row[row-id='{row_id}'] [col-id='clone']")
    assert cell.text == "Fill form"
    cell.click()
    wait_until(walk, lambda: _value(walk, "runs-new-power") == "40", "the form was not filled from the grid row")
    assert _value(walk, "runs-new-end") == "2023-02-02" and _value(walk, "runs-new-charge-efficiency") == "95"
    assert _value(walk, "runs-new-markets") == "da+id"
    assert walk.console_errors() == []


def test_the_day_limit_and_every_problem_show_as_the_trader_types(powerdesk_browser):
    walk = powerdesk_browser
    _open_runs_as_trader(walk)
    submit = walk.duo.find_element("#runs-new-submit")
    wait_until(walk, submit.is_enabled, "Run is disabled on the default form")

    _set(walk, "runs-new-start", "2023-01-14")
    _set(walk, "runs-new-end", "2030-01-01")
    walk.duo.wait_for_contains_text("#runs-new-end-msg", f"choose at most {MAX_RUN_DAYS} days for one run", timeout=TIMEOUT)
    wait_until(walk, lambda: not submit.is_enabled(), "Run stays enabled over 2,545 days")

    _set(walk, "runs-new-power", "-1")
    _set(walk, "runs-new-cycles", "0")
    _set(walk, "runs-new-mip-gap", "80")
    walk.duo.wait_for_contains_text("#runs-new-problems", "4 things to fix", timeout=TIMEOUT)
    listed = [item.text for item in walk.driver.find_elements(By.CSS_SELECTOR, "#runs-new-problems li")]
    assert any(f"at most {MAX_RUN_DAYS} days" in line for line in listed), listed
    assert any(line.startswith("power must be above 0 MW") for line in listed), listed
    assert any(line.startswith("cycle limit must be above 0") for line in listed), listed
    assert any("MIP gap must be at least 0 % and at most 50 % (got 80 %)" in line for line in listed), listed
    assert not any("max_cycles_per_day" in line or "mip_gap" in line for line in listed), listed

    _set(walk, "runs-new-soc-min", "60")
    _set(walk, "runs-new-soc-max", "50")
    walk.duo.wait_for_contains_text("#runs-new-soc-min-msg", "SoC minimum (60%) must be below the SoC maximum (50%)",
                                    timeout=TIMEOUT)
    assert walk.console_errors() == []


def test_a_cancelled_run_opens_on_how_far_it_got(powerdesk_browser):
    walk = powerdesk_browser
    with walk.db.session() as session:
        trader = session.scalar(select(User.id).where(User.username == "trader"))
    run_id = queue_run(walk.db, RunRequest(FEB, date(2023, 2, 5), BatteryParams(power_mw=10, energy_mwh=20)),
                       user_id=trader).run_id
    with walk.db.session() as session:
        assert run_store.claim(session, run_id, "test-job", "test-worker")
        run_store.beat(session, run_id, 2, 5)
    cancel_run(walk.db, run_id, trader, False)
    _open_runs_as_trader(walk, f"?run={run_id}")
    walk.duo.wait_for_contains_text("#runs-stopped-headline", f"Run #{run_id} cancelled at day 2 of 5",
                                    timeout=TIMEOUT)
    text = walk.duo.find_element("#runs-stopped").text
    assert "2 of 5 settlement dates solved (01 Feb 2023 – 02 Feb 2023)" in text and "Cancelled by trader" in text
    assert not walk.driver.find_element(By.ID, "runs-tabs-section").is_displayed()  # no blank charts under tabs
    assert walk.duo.find_element("#runs-clone-button").is_displayed()
    assert walk.console_errors() == []


def test_a_run_cancelled_while_solving_opens_on_the_days_it_kept(powerdesk_browser):
    walk = powerdesk_browser
    with walk.db.session() as session:
        trader = session.scalar(select(User.id).where(User.username == "trader"))
    run_id = queue_run(walk.db, RunRequest(FEB, date(2023, 2, 5), BatteryParams(power_mw=10, energy_mwh=20)),
                       user_id=trader).run_id

    def cancel_after_day_two(done, _total):
        if done == 2:
            cancel_run(walk.db, run_id, trader, False, stop_job=lambda _job: None)

    execute_run(walk.db, run_id, progress=cancel_after_day_two, job_id="pid:0@nowhere")
    _open_runs_as_trader(walk, f"?run={run_id}")
    walk.duo.wait_for_contains_text("#runs-stopped-headline", f"Run #{run_id} cancelled at day 3 of 5",
                                    timeout=TIMEOUT)
    walk.duo.wait_for_contains_text("#runs-partial-totals", "Totals over the 3 of 5 days solved (01 Feb 2023 – "
                                    "03 Feb 2023)", timeout=TIMEOUT)
    assert walk.duo.find_element("#run-kpi-net").is_displayed()
    assert walk.driver.find_element(By.ID, "runs-tabs-section").is_displayed()  # the kept days, charted
    wait_until(walk, lambda: "03 Feb" in walk.driver.find_element(By.ID, "runs-daily-chart").text
               or walk.driver.find_elements(By.CSS_SELECTOR, "#runs-daily-chart .bars"), "no daily chart")
    shots = os.environ.get("POWERDESK_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        walk.driver.find_element(By.ID, "runs-view").screenshot(str(Path(shots) / "runs_cancelled_kept.png"))
    assert walk.console_errors() == []


def test_deleting_a_run_shows_the_one_listed_next_to_it_not_the_newest(powerdesk_browser):
    walk = powerdesk_browser
    with walk.db.session() as session:
        trader = session.scalar(select(User.id).where(User.username == "trader"))
    ids = [run_optimisation(walk.db, RunRequest(FEB, FEB, BatteryParams(power_mw=p, energy_mwh=20), name=f"del {p}"),
                            user_id=trader).run_id for p in (10, 11, 12)]
    oldest, middle, newest = ids
    _open_runs_as_trader(walk, f"?run={oldest}")  # the grid lists newest first: the oldest is the last row
    walk.duo.wait_for_contains_text("#runs-run-title", "del 10", timeout=TIMEOUT)
    _click(walk, "#runs-delete-button")
    _click(walk, "#runs-delete-confirm")
    walk.duo.wait_for_contains_text("#runs-delete-message", f"Run #{oldest} and its intervals were deleted",
                                    timeout=TIMEOUT)
    walk.duo.wait_for_contains_text("#runs-run-title", "del 11", timeout=TIMEOUT)
    wait_until(walk, lambda: walk.path() == f"/runs?run={middle}", f"the URL did not follow: {walk.path()}")
    with walk.db.session() as session:
        assert session.get(OptimisationRun, newest) is not None and session.get(OptimisationRun, oldest) is None
    assert walk.console_errors() == []


def test_prices_of_exactly_zero_are_flagged_on_the_run(powerdesk_browser):
    walk = powerdesk_browser
    zero_from, zero_to = datetime(2023, 2, 1, 3, tzinfo=UTC), datetime(2023, 2, 1, 4, tzinfo=UTC)
    with walk.db.session() as session:
        session.execute(update(MarketPrice).where(MarketPrice.interval_start_utc >= zero_from,
                                                  MarketPrice.interval_start_utc < zero_to)
                        .values(price_gbp_per_mwh=0.0))
    zeroed = run_optimisation(walk.db, RunRequest(FEB, FEB, BatteryParams(power_mw=10, energy_mwh=20),
                                                  name="zero")).run_id
    clean = run_optimisation(walk.db, RunRequest(date(2023, 2, 2), date(2023, 2, 2),
                                                 BatteryParams(power_mw=10, energy_mwh=20), name="clean")).run_id
    _open_runs_as_trader(walk, f"?run={zeroed}")
    walk.duo.wait_for_contains_text("#runs-zero-price-warning", "exactly £0.00/MWh in every market", timeout=TIMEOUT)
    warning = walk.duo.find_element("#runs-zero-price-warning").text
    assert "2 of the 48 half-hours have a day-ahead price of exactly £0.00/MWh" in warning
    assert "In 2 half-hours" in warning and "2023-02-01 03:00 GMT · SP7" in warning

    _grid_row(walk, "clean").find_element(By.CSS_SELECTOR, "[col-id='name']").click()
    walk.duo.wait_for_contains_text("#runs-run-title", f"Run #{clean}", timeout=TIMEOUT)
    wait_until(walk, lambda: not walk.present("#runs-zero-price-warning"), "a clean run still shows the warning")
    assert walk.console_errors() == []


DATE_FIELDS_JS = """
return [...document.querySelectorAll('#runs-new-section input')].map(el => ({
    id: el.id, type: el.type, value: el.value, placeholder: el.placeholder || ''}));
"""


def test_the_run_form_dates_are_never_month_first_in_an_en_us_chromium(powerdesk_browser):
    """Chromium runs with --lang=en-US, whose date inputs read mm/dd/yyyy; the form's dates are text shown ISO,
    typed day first or ISO."""
    walk = powerdesk_browser
    _open_runs_as_trader(walk)
    assert walk.driver.execute_script("return navigator.language") == "en-US"
    fields = walk.driver.execute_script(DATE_FIELDS_JS)
    assert not [f for f in fields if f["type"] == "date"], fields
    assert not [f for f in fields if "mm/dd" in (f["placeholder"] + f["value"]).lower()], fields
    dates = {f["id"]: f for f in fields if f["id"] in ("runs-new-start", "runs-new-end")}
    assert (dates["runs-new-start"]["value"], dates["runs-new-end"]["value"]) == ("2023-04-24", "2023-04-30")
    assert dates["runs-new-start"]["placeholder"] == "DD/MM/YYYY or YYYY-MM-DD"
    assert "mm/dd" not in walk.driver.find_element(By.ID, "runs-new-section").text.lower()

    submit = walk.duo.find_element("#runs-new-submit")
    start = walk.driver.find_element(By.ID, "runs-new-start")
    start.send_keys(Keys.CONTROL, "a")
    start.send_keys("13/02/2023")  # day first: the 13th of February
    wait_until(walk, lambda: _value(walk, "runs-new-start") == "13/02/2023", "the typed date was not kept")
    wait_until(walk, submit.is_enabled, "a day-first date was refused")
    assert walk.driver.find_element(By.ID, "runs-new-start-msg").text == ""
    start.send_keys(Keys.CONTROL, "a")
    start.send_keys("02/13/2023")  # month first is refused, and says why
    walk.duo.wait_for_contains_text("#runs-new-start-msg", "there is no month 13 (type DD/MM/YYYY, day first)",
                                    timeout=TIMEOUT)
    wait_until(walk, lambda: not submit.is_enabled(), "a month-first date was accepted")
    assert walk.console_errors() == []


GRID_FIT_JS = """
const grid = document.getElementById('runs-table');
const viewport = grid.querySelector('.ag-center-cols-viewport');
const right = grid.getBoundingClientRect().right;
const headers = [...grid.querySelectorAll('.ag-header-cell')].filter(h => h.getBoundingClientRect().width > 0);
return {
  scrolls: viewport.scrollWidth > viewport.clientWidth + 1,
  past: headers.filter(h => h.getBoundingClientRect().right > right + 1).map(h => h.getAttribute('col-id')),
  // The Name column holds free text (up to 120 characters): it may end in an ellipsis; nothing else may.
  cut: [...grid.querySelectorAll('.ag-header-cell-text, .ag-cell-value')]
    .filter(el => el.getBoundingClientRect().width > 0 && el.scrollWidth > el.clientWidth + 1)
    .map(el => (el.closest('[col-id]') || el).getAttribute('col-id') + ': ' + el.textContent)
    .filter(text => !text.startsWith('name: ')),
  columns: headers.map(h => h.getAttribute('col-id')),
  widths: Object.fromEntries(headers.map(h => [h.getAttribute('col-id'), Math.round(h.getBoundingClientRect().width)])),
};
"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_column_of_the_runs_grid_fits_at_1600_px(powerdesk_browser, theme):
    walk = powerdesk_browser
    run_optimisation(walk.db, RunRequest(FEB, date(2023, 2, 2), BatteryParams(power_mw=10, energy_mwh=20),
                                         name="a run with a longer name"))
    walk.driver.set_window_size(1600, 1000)
    walk.log_in("trader")
    wait_for_overview(walk)
    # The colour mode the next page opens in (the app keeps it in localStorage).
    walk.driver.execute_script("window.localStorage.setItem('theme-store', JSON.stringify(arguments[0]))", theme)
    walk.open("/runs")
    walk.duo.wait_for_contains_text("#runs-new-coverage", "Day-ahead prices", timeout=TIMEOUT)
    _grid_row(walk, "a run with a longer name")

    def fits():
        layout = walk.driver.execute_script(GRID_FIT_JS)
        return layout if not (layout["scrolls"] or layout["past"] or layout["cut"]) else None

    try:
        layout = wait_until(walk, fits, "the runs grid does not fit")
    except Exception:
        raise AssertionError(walk.driver.execute_script(GRID_FIT_JS)) from None
    assert {"created", "by", "capture", "clone"} <= set(layout["columns"]), layout
    created = walk.driver.find_element(By.CSS_SELECTOR, "#runs-table .ag-center-cols-container [col-id='created']")
    assert created.is_displayed() and created.text
    shots = os.environ.get("POWERDESK_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        walk.driver.save_screenshot(str(Path(shots) / f"runs_1600_{theme}.png"))
    assert walk.console_errors() == []
