"""The Carbon page in headless Chromium: it opens on the seed asset's day (abc123xyz, 2019-11-25, HalfHourIds
14–20 = 0 g) out of the box, a trader uploads a bad file and sees why, and a link opens another range."""

from __future__ import annotations

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
    wait_until(walk, lambda: net.text == "net 0 gCO2", f"net total was {net.text!r}")
    shown = wait_until(walk, lambda: traces(walk).get("power kW"), "no power line")
    assert shown["x"] == list(range(14, 21)) and shown["y"] == [0] * 7

    bad = tmp_path / "bad.csv"
    bad.write_text("Time,Variable,AssetId,Value\n2019-11-26 00:00:00,power,abc123xyz,five\n")
    walk.driver.find_element(By.CSS_SELECTOR, "#carbon-upload input[type=file]").send_keys(str(bad))
    status = walk.duo.wait_for_element("#carbon-upload-status .alert", timeout=TIMEOUT)
    assert "line 2: value 'five'" in status.text and "nothing was stored" in status.text

    # a good file goes through the same flow as a price upload: preview, then confirm
    good = tmp_path / "good.csv"
    good.write_text("Time,Variable,AssetId,Value\n2019-11-26 06:00:00,power,abc123xyz,10\n")
    walk.driver.find_element(By.CSS_SELECTOR, "#carbon-upload input[type=file]").send_keys(str(good))
    walk.duo.wait_for_contains_text("#carbon-upload-status", "would add 1, 0 already stored", timeout=TIMEOUT)
    confirm = walk.duo.wait_for_element("#carbon-upload-confirm:not([hidden])", timeout=TIMEOUT)
    walk.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", confirm)
    walk.duo.wait_for_contains_text("#carbon-upload-status", "1 added, 0 already stored", timeout=TIMEOUT)

    walk.open("/carbon?asset=abc123xyz&date=2019-11-25&from=23&to=24")
    net = walk.duo.wait_for_element("#carbon-net", timeout=TIMEOUT)
    wait_until(walk, lambda: "kgCO2" in net.text, f"net total was {net.text!r}")
    assert net.text.startswith("net -")  # exporting: avoided emissions, below zero
    avoided = wait_until(walk, lambda: traces(walk).get("avoided gCO2 (export)"), "no avoided bars")
    assert all(value < 0 for value in avoided["y"])
    assert walk.console_errors() == []
