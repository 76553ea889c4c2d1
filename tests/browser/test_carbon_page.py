"""The Carbon page in headless Chromium: it opens on the seed asset's day (abc123xyz, 2019-11-25, HalfHourIds
14–20 = 0 g) out of the box, a trader uploads a bad file and sees why, and a link opens another range."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from services import footprint

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TIMEOUT = 30

FIGURE_JS = """
const gd = document.querySelector('#carbon-chart .js-plotly-plot');
if (!gd || !gd._fullData) { return null; }
return gd._fullData.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}));
"""


def wait_until(walk, condition, message: str):
    return WebDriverWait(walk.driver, TIMEOUT, poll_frequency=0.2).until(lambda _d: condition(), message)


def load_seed(db) -> None:
    footprint.load_intensity_file(db, footprint.DEMO_INTENSITY_DIR / "reconstructed_2019-11-25.json")
    footprint.register_asset(db, footprint.DEMO_ASSET_ID, footprint.DEMO_ASSET_NAME)
    footprint.import_power_file(db, footprint.DEMO_POWER_FILE.read_bytes(), footprint.DEMO_POWER_FILE.name)


def traces(walk) -> dict:
    return {t["name"]: t for t in (walk.driver.execute_script(FIGURE_JS) or [])}


def test_the_carbon_page_opens_on_the_seed_day_shows_avoided_exports_and_explains_a_bad_upload(
        powerdesk_browser, tmp_path):
    walk = powerdesk_browser
    load_seed(walk.db)
    walk.log_in("trader")
    walk.duo.wait_for_element("#nav-carbon", timeout=TIMEOUT).click()
    net = walk.duo.wait_for_element("#carbon-net", timeout=TIMEOUT)
    wait_until(walk, lambda: net.text == "net 0.000 kgCO2", f"net total was {net.text!r}")
    shown = wait_until(walk, lambda: traces(walk).get("power kW"), "no power line")
    assert shown["x"] == list(range(14, 21)) and shown["y"] == [0] * 7

    bad = tmp_path / "bad.csv"
    bad.write_text("Time,Variable,AssetId,Value\n2019-11-26 00:00:00,power,abc123xyz,five\n")
    walk.duo.wait_for_element("#carbon-upload input[type=file]", timeout=TIMEOUT).send_keys(str(bad))
    status = walk.duo.wait_for_element("#carbon-upload-status .alert", timeout=TIMEOUT)
    assert "line 2: value 'five'" in status.text and "nothing was stored" in status.text

    # a good file goes through the same flow as a price upload: preview, then confirm
    good = tmp_path / "good.csv"
    good.write_text("Time,Variable,AssetId,Value\n2019-11-26 06:00:00,power,abc123xyz,10\n")
    walk.duo.wait_for_element("#carbon-upload input[type=file]", timeout=TIMEOUT).send_keys(str(good))
    walk.duo.wait_for_contains_text("#carbon-upload-status", "would add 1, 0 already stored", timeout=TIMEOUT)
    confirm = walk.duo.wait_for_element("#carbon-upload-confirm:not([hidden])", timeout=TIMEOUT)
    walk.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", confirm)
    walk.duo.wait_for_contains_text("#carbon-upload-status", "1 added, 0 already stored", timeout=TIMEOUT)

    walk.open("/carbon?asset=abc123xyz&date=2019-11-25&from=23&to=24")
    net = walk.duo.wait_for_element("#carbon-net", timeout=TIMEOUT)
    wait_until(walk, lambda: "kgCO2" in net.text, f"net total was {net.text!r}")
    assert net.text.startswith("net -")  # exporting: avoided emissions, below zero
    avoided = wait_until(walk, lambda: traces(walk).get("avoided kgCO2 (export)"), "no avoided bars")
    assert all(value < 0 for value in avoided["y"])
    assert walk.console_errors() == []


TRADEOFF_FIGURE_JS = """
const gd = document.querySelector('#carbon-tradeoff-chart .js-plotly-plot');
return gd && gd._fullData ? gd._fullData.map(t => Array.from(t.x || []).length) : null;
"""


def choose_run(walk, run_id: int) -> None:
    walk.driver.find_element(By.ID, "carbon-run").click()
    option = wait_until(walk, lambda: next((o for o in walk.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
                                            if o.text.startswith(f"#{run_id} ")), None), f"no option for run #{run_id}")
    walk.driver.execute_script("arguments[0].click()", option)


def test_the_trade_off_waits_for_a_run_then_opens_in_its_own_tab_reusing_the_plain_run(powerdesk_browser):
    from data_access.carbon_intensity import read_intensity_folder
    from domain.settlement_time import day_start_utc
    from optimiser import BatteryParams
    from services.optimisation_runs import RunRequest, run_optimisation

    walk = powerdesk_browser
    day = date(2023, 2, 1)
    footprint.store_intensity(walk.db, read_intensity_folder(footprint.DEMO_INTENSITY_DIR, day_start_utc(day),
                                                             day_start_utc(day + timedelta(days=1))), "test")
    base = run_optimisation(walk.db, RunRequest(day, day, BatteryParams(power_mw=50, energy_mwh=100),
                                                name="plain")).run_id
    walk.log_in("trader")
    wait_until(walk, lambda: walk.present("#user-badge"), "not logged in")
    walk.open("/carbon")
    walk.duo.wait_for_element("#carbon-tabs a[data-rr-ui-event-key='runs'], #carbon-tabs .nav-link", timeout=TIMEOUT)
    tab = next(a for a in walk.driver.find_elements(By.CSS_SELECTOR, "#carbon-tabs .nav-link") if a.text == "Battery runs")
    tab.click()
    button = walk.duo.wait_for_element("#carbon-tradeoff-button", timeout=TIMEOUT)
    wait_until(walk, lambda: not button.is_enabled(), "the trade-off button is enabled with no run chosen")
    assert walk.duo.find_element("#carbon-tradeoff-reason").text == "Choose a stored run above first."

    choose_run(walk, base)
    wait_until(walk, button.is_enabled, "the trade-off button stays disabled once a run is chosen")
    assert walk.duo.find_element("#carbon-tradeoff-reason").text == ""
    walk.driver.execute_script("arguments[0].click()", button)
    row = walk.duo.wait_for_element("#carbon-tradeoff-row-0", timeout=TIMEOUT * 6)
    active = walk.driver.find_element(By.CSS_SELECTOR, "#carbon-tabs .nav-link.active")
    assert active.text == "Carbon trade-off"  # its own view, not under the runs tab
    assert walk.driver.find_element(By.ID, "carbon-tradeoff-chart").is_displayed()
    assert not walk.driver.find_element(By.ID, "carbon-run-chart").is_displayed()
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "£0" and cells[1] == f"#{base}" and cells[-1] == "reopened"
    assert len(walk.driver.find_elements(By.CSS_SELECTOR, "[id^='carbon-tradeoff-row-']")) == 5
    wait_until(walk, lambda: walk.driver.execute_script(TRADEOFF_FIGURE_JS) == [5], "the trade-off chart has no 5 points")
    assert "4 solved, 1 reopened" in walk.duo.find_element("#carbon-tradeoff-summary").text
    assert walk.console_errors() == []


def test_the_asset_chart_shares_one_zero_on_its_three_axes_and_is_not_clipped_at_1280(powerdesk_browser):
    walk = powerdesk_browser
    load_seed(walk.db)
    walk.driver.set_window_size(1280, 800)
    walk.log_in("trader")
    wait_until(walk, lambda: walk.present("#user-badge"), "not logged in")
    walk.open("/carbon?asset=abc123xyz&date=2019-11-25&from=20&to=30")
    zero_js = """
    const gd = document.querySelector('#carbon-chart .js-plotly-plot');
    if (!gd || !gd._fullLayout || !gd._fullLayout.yaxis3) { return null; }
    const box = gd.getBoundingClientRect();
    return {zeros: ['yaxis', 'yaxis2', 'yaxis3'].map(a => {
              const r = gd._fullLayout[a].range; return -r[0] / (r[1] - r[0]); }),
            titles: ['yaxis', 'yaxis2', 'yaxis3'].map(a => gd._fullLayout[a].title.text),
            right: Math.max(...Array.from(gd.querySelectorAll('.g-y3title, .y3tick')).map(
              e => e.getBoundingClientRect().right)),
            boxRight: box.right};
    """
    state = wait_until(walk, lambda: walk.driver.execute_script(zero_js), "the asset chart never drew three axes")
    assert max(state["zeros"]) - min(state["zeros"]) < 1e-6, state
    assert not [t for t in state["titles"] if "gCO2" in t and "kgCO2" not in t], state["titles"]
    assert state["right"] <= state["boxRight"], state  # the power axis is inside the chart, not cut
    assert walk.console_errors() == []
