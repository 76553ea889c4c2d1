"""Every upload says what happened to a file, in headless Chromium, on an app whose requests are
limited to 0.5 MB (so files up to 311 kB): a file over the limit is refused in the browser with its
size and the limit (and never sent), several files dropped at once are refused, an empty, a binary
and a wrong-columns file get the server's message, a file name with HTML in it is shown as text,
and a 413 from the server (its limit lowered after the page loaded) becomes a message too.

With POWERDESK_SCREENSHOTS=<dir>, each upload area is also photographed at 1600×1000.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from data_access.prices import coverage
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.browser.conftest import start_walk
from tests.browser.test_walkthrough import html_theme, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LIMIT_TEXT = "311 kB"  # (0.5 MB × 3/4 − 64 kB): base64 and the rest of the callback body must fit
HTML_NAME = "<img src=x onerror=alert(1)>.csv"

RECORD_BODIES_JS = """
window.callbackBodies = [];
const original = window.fetch;
window.fetch = function (input, init) {
    if (String(typeof input === 'string' ? input : input.url).includes('_dash-update-component')) {
        window.callbackBodies.push(String((init && init.body) || '').length);
    }
    return original.apply(this, arguments);
};
"""

ALERT_TEXT_JS = """
const alert = document.querySelector('#' + arguments[0] + ' .alert');
return alert ? alert.innerText : null;
"""

DROP_JS = """
const [selector, names, sizeBytes] = arguments;
const transfer = new DataTransfer();
names.forEach(name => transfer.items.add(new File([new Uint8Array(sizeBytes)], name, {type: 'text/csv'})));
const target = document.querySelector(selector);
target.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
"""


@pytest.fixture
def walk(request, tmp_path):
    walk = start_walk(request, tmp_path, max_request_mb=0.5)
    yield walk
    walk.db.dispose()


def write(path: Path, content: bytes) -> str:
    path.write_bytes(content)
    return str(path)


def choose(walk, upload_id: str, path: str) -> None:
    walk.duo.wait_for_element(f"#{upload_id} input[type=file]", timeout=30).send_keys(path)  # dcc.Upload draws it lazily


def message(walk, status_id: str, contains: str) -> str:
    """The alert text in ``status_id`` once it contains ``contains``."""

    def shown():
        text = walk.driver.execute_script(ALERT_TEXT_JS, status_id)
        return text if text and contains in text else None

    return wait_until(walk, shown, f"#{status_id} never said {contains!r}")


def photograph(walk, area_css: str, name: str) -> None:
    """Screenshots of the area in light and dark mode (Bootstrap scrolls smoothly: jump instead)."""
    folder = os.environ.get("POWERDESK_SCREENSHOTS")
    if not folder:
        return
    for theme in ("light", "dark"):
        if html_theme(walk) != theme:
            walk.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
            walk.duo.find_element("#theme-switch").click()
            wait_until(walk, lambda theme=theme: html_theme(walk) == theme, f"no {theme} theme")
        walk.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center', behavior: 'instant'})",
                                   area_css)
        walk.driver.save_screenshot(str(Path(folder) / f"{name}-{theme}.png"))


def stored_prices(walk) -> dict:
    with walk.db.session() as session:
        return {row.market: row.intervals for row in coverage(session)}


def test_the_prices_upload_says_what_happened_to_each_file(walk, tmp_path):
    walk.driver.set_window_size(1600, 1000)
    walk.log_in("trader")
    wait_until(walk, lambda: walk.path() == "/", "login did not land on the Overview")
    walk.open("/prices")
    walk.duo.wait_for_element("#prices-upload-section:not([hidden])", timeout=30)
    assert f"Files up to {LIMIT_TEXT}" in walk.duo.find_element("#prices-upload-section").text
    before = stored_prices(walk)
    walk.driver.execute_script(RECORD_BODIES_JS)

    big = write(tmp_path / "prices-2024.csv", b"interval_start_utc,day_ahead,intraday\n" + b"x" * 320_000)
    choose(walk, "prices-upload", big)
    text = message(walk, "prices-upload-status", "prices-2024.csv")
    assert text.startswith(f"prices-2024.csv is 320.1 kB; the limit is {LIMIT_TEXT}. Nothing was uploaded")
    assert max(walk.driver.execute_script("return window.callbackBodies")) < 10_000  # the file was not sent
    photograph(walk, "#prices-upload-section", "prices-too-large")

    choose(walk, "prices-upload", write(tmp_path / "empty.csv", b""))
    assert message(walk, "prices-upload-status", "empty.csv").startswith("empty.csv is empty (0 bytes)")

    choose(walk, "prices-upload", write(tmp_path / "blob.bin", bytes(range(256)) * 40))
    assert message(walk, "prices-upload-status", "blob.bin") == (
        "Nothing was stored. blob.bin: not a readable CSV file (ParserError)")

    choose(walk, "prices-upload", write(tmp_path / HTML_NAME, b"a,b\n1,2\n"))
    text = message(walk, "prices-upload-status", "fit none of the formats")
    assert HTML_NAME in text and not walk.present("#prices-upload-status img")
    photograph(walk, "#prices-upload-section", "prices-wrong-columns")

    # The limit lowered after the page was loaded: the browser sends the file, the server answers 413.
    walk.server.config["MAX_CONTENT_LENGTH"] = 100_000
    choose(walk, "prices-upload", write(tmp_path / "medium.csv", b"a,b\n" + b"1,2\n" * 50_000))
    text = message(walk, "prices-upload-status", "refused by the server")
    assert text.startswith("medium.csv was refused by the server: the request body is larger than the 0.1 MB limit")
    photograph(walk, "#prices-upload-section", "prices-refused-by-server")
    assert stored_prices(walk) == before
    assert walk.console_errors(expected=("413",)) == []


def test_carbon_and_runs_uploads_refuse_large_files_and_several_files_with_a_message(walk, tmp_path):
    run_id = run_optimisation(walk.db, RunRequest(date(2023, 3, 26), date(2023, 3, 26),
                                                  BatteryParams(power_mw=10, energy_mwh=20))).run_id
    walk.driver.set_window_size(1600, 1000)
    walk.log_in("trader")
    wait_until(walk, lambda: walk.path() == "/", "login did not land on the Overview")
    big = write(tmp_path / "big.csv", b"Time,Variable,AssetId,Value\n" + b"x" * 400_000)

    walk.open("/carbon")
    walk.duo.wait_for_element("#carbon-upload-section:not([hidden])", timeout=30)
    assert f"Files up to {LIMIT_TEXT}" in walk.duo.find_element("#carbon-upload-section").text
    choose(walk, "carbon-upload", big)
    assert message(walk, "carbon-upload-status", "big.csv").startswith(
        f"big.csv is 400.1 kB; the limit is {LIMIT_TEXT}.")
    walk.driver.execute_script(DROP_JS, "#carbon-upload", ["dropped.csv"], 311_001)
    assert message(walk, "carbon-upload-status", "dropped.csv").startswith(
        f"dropped.csv is 311.1 kB; the limit is {LIMIT_TEXT}.")
    walk.driver.execute_script(DROP_JS, "#carbon-upload", ["a.csv", "b.csv"], 10)
    assert message(walk, "carbon-upload-status", "2 files").startswith("2 files were dropped; this upload takes one")
    choose(walk, "carbon-upload", write(tmp_path / "columns.csv", b"when,kw\n2019-11-25 00:00:00,5\n"))
    # the shared upload flow says first that nothing was stored, as for a price file
    assert message(walk, "carbon-upload-status", "columns.csv").startswith(
        "Nothing was stored. columns.csv has columns when, kw; expected Time, Variable, AssetId, Value")
    photograph(walk, "#carbon-upload-section", "carbon-wrong-columns")

    walk.open(f"/runs?run={run_id}")
    walk.duo.wait_for_element("#runs-operational-upload-section:not([hidden])", timeout=30)
    tab = wait_until(walk, lambda: [a for a in walk.driver.find_elements(By.CSS_SELECTOR, "#runs-tabs a")
                                    if a.text == "Schedule vs actual"], "no Schedule vs actual tab")
    walk.driver.execute_script("arguments[0].click()", tab[0])
    wait_until(walk, lambda: f"Files up to {LIMIT_TEXT}" in walk.duo.find_element("#runs-operational-upload-section")
               .text, "the Schedule vs actual tab did not show its upload")
    choose(walk, "runs-operational-upload", big)
    assert message(walk, "runs-operational-report", "big.csv").startswith(
        f"big.csv is 400.1 kB; the limit is {LIMIT_TEXT}.")
    photograph(walk, "#runs-operational-upload-section", "runs-too-large")
    choose(walk, "runs-operational-upload", write(tmp_path / "blob.bin", bytes(range(256)) * 40))
    binary = message(walk, "runs-operational-report", "blob.bin")
    assert binary.startswith("blob.bin is not a readable CSV file")
    walk.driver.execute_script(DROP_JS, "#runs-operational-upload", ["a.csv", "b.csv", "c.csv"], 10)
    assert message(walk, "runs-operational-report", "3 files").startswith("3 files were dropped")
    photograph(walk, "#runs-operational-upload-section", "runs-several")
    assert walk.console_errors() == []
