"""The whole loop, live: the simulator (a subprocess) posts metrics over HTTP, a dispatcher thread
opens and works tickets, and the Turbines page shows a broken turbine with its ticket."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from domain.turbine_fleet import CrewConfig
from services.api_keys import create_api_key
from services.turbine_dispatch import dispatch_once
from services.turbines import list_tickets, register_demo_fleet
from tests.browser.conftest import Walk, chromium_binary
from tests.conftest import build_app, make_settings, missing_service
from tests.smtp_servers import free_port

REPO = Path(__file__).resolve().parents[2]
CREW = CrewConfig(engineers=("Alex Morgan",), repair_min_s=2.0, repair_max_s=3.0, travel_s=0.5)


@pytest.fixture
def live_fleet(request, tmp_path):
    if chromium_binary() is None or shutil.which("chromedriver") is None:
        missing_service("Chromium and chromedriver are needed for browser tests")
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'powerdesk.db'}", turbine_report_interval_s=0.5)
    app = build_app(settings)
    db = app.server.extensions["powerdesk"].db
    register_demo_fleet(db, 3000.0)
    key = create_api_key(db, "simulator").key
    duo = request.getfixturevalue("dash_duo")
    port = free_port()
    duo.start_server(app, navigate=False, port=port)
    duo.driver.implicitly_wait(0)
    base_url = f"http://127.0.0.1:{port}"

    stop = threading.Event()

    def dispatcher():
        while not stop.wait(0.5):
            dispatch_once(db, CREW)

    thread = threading.Thread(target=dispatcher, daemon=True)
    thread.start()
    simulator = subprocess.Popen(
        [sys.executable, "-m", "simulators.turbines", "--turbines", "3", "--interval", "0.5", "--url", base_url,
         "--api-key", key, "--failure-rate", "0.1", "--duration", "25", "--ticket-poll", "0.5", "--seed", "4"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield Walk(duo=duo, base_url=base_url, db=db)
    simulator.terminate()
    output, _ = simulator.communicate(timeout=10)
    stop.set()
    thread.join(timeout=5)
    db.dispose()
    print(output[-3000:])


@pytest.mark.browser
def test_simulated_fleet_shows_a_broken_turbine_with_its_ticket_then_the_repair(live_fleet):
    walk = live_fleet
    walk.log_in("viewer")
    walk.duo.wait_for_element("#user-badge")
    walk.open("/turbines")

    def broken_tile_with_ticket(driver):
        # Read the texts in one script: the tiles are redrawn every few seconds, so element
        # handles kept across calls go stale.
        texts = driver.execute_script(
            "return Array.from(document.querySelectorAll('.pd-turbine-broken')).map(e => e.innerText)")
        return next((text for text in texts if "Ticket #" in text), False)

    text = WebDriverWait(walk.driver, 20, poll_frequency=0.5).until(broken_tile_with_ticket)
    assert "Broken" in text
    assert any(state in text for state in ("queued for an engineer", "Alex Morgan on the way",
                                           "Alex Morgan repairing", "repair done"))
    # The engineer finishes and the simulator sees it through the API: a ticket ends done, and
    # the repair log on the page shows it.
    WebDriverWait(walk.driver, 25, poll_frequency=0.5).until(
        lambda _d: any(t.status == "done" for t in list_tickets(walk.db)))
    WebDriverWait(walk.driver, 10, poll_frequency=0.5).until(
        lambda d: "done" in d.execute_script("return document.getElementById('turbines-repairs').innerText"))
    assert walk.console_errors() == []
