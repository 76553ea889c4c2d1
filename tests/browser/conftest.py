"""Browser fixtures: headless Chromium (Debian's chromium + chromedriver) driving a live app via dash[testing].

``powerdesk_browser`` gives a ``Walk``: ``dash_duo`` plus the URL of a freshly built app (SQLite, one
user per role, demo prices) served on a free port, and helpers to log in and read the console.
Missing Chromium or chromedriver skips the tests locally and fails them under POWERDESK_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import pytest
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By

from tests.conftest import PASSWORDS, build_app, make_settings, missing_service
from tests.smtp_servers import free_port  # each xdist worker serves its app on a port of its own

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")

# Chromium flags for a root user in a container on a closed network:
# --no-sandbox: the sandbox cannot start as root without user namespaces;
# --disable-background-networking/--disable-component-update/--disable-sync/--no-first-run and
# --disable-features=...: stop Chromium's own connections to its update, sync and optimisation
# services, which the closed network refuses (they would otherwise appear as console errors);
# --window-size: wide enough that the navbar is expanded (dbc.Navbar collapses below 768px).
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    "--password-store=basic",
    "--window-size=1400,1000",
    # The locale whose date inputs read mm/dd/yyyy: the desk's dates must never do so in it.
    "--lang=en-US",
)


def chromium_binary() -> str | None:
    explicit = os.environ.get("DASH_TEST_CHROMEPATH")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_setup_options():
    """dash[testing] hook: the Chrome options its ``dash_duo`` starts the browser with."""
    options = Options()
    binary = chromium_binary()
    if binary:
        options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    if not os.environ.get("DISPLAY"):
        # No display to open a window on (CI, containers): headless even without pytest --headless.
        options.add_argument("--headless=new")
    return options


@dataclass
class Walk:
    """A browser (``duo``: dash_duo) on a live Powerdesk app at ``base_url``."""

    duo: object
    base_url: str
    db: object = None
    """The app's Database, for arranging stored data (runs) during a walk."""
    server: object = None
    """The app's Flask server (its config can be changed while the browser is on a page)."""
    seen: list = field(default_factory=list)

    @property
    def driver(self):
        return self.duo.driver

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def log_in(self, username: str, password: str | None = None) -> None:
        self.open("/login")
        self.duo.wait_for_element("#username").send_keys(username)
        self.duo.find_element("#password").send_keys(password or PASSWORDS[username])
        self.duo.find_element("#login-submit").click()

    def present(self, css: str) -> bool:
        """Whether an element matches now."""
        return bool(self.driver.find_elements(By.CSS_SELECTOR, css))

    def path(self) -> str:
        return self.driver.execute_script("return window.location.pathname + window.location.search")

    def console_errors(self, expected: tuple[str, ...] = ()) -> list[dict]:
        """SEVERE console entries (JS errors, failed requests) since the browser started.

        Chromium hands each entry out once, so entries are kept here across calls.
        ``expected``: substrings of entries the test itself provoked on purpose (e.g. the 403 of a
        forbidden page); every other entry is returned.
        """
        self.seen.extend(self.duo.get_logs())
        return [entry for entry in self.seen if not any(part in entry.get("message", "") for part in expected)]


def start_walk(request, tmp_path, **settings_overrides) -> Walk:
    """A live app on a fresh SQLite database (``settings_overrides``: Settings fields) and a browser."""
    if chromium_binary() is None:
        missing_service("Chromium is not installed (apt-get install chromium chromium-driver)")
    if shutil.which("chromedriver") is None:
        missing_service("chromedriver is not installed (apt-get install chromium-driver)")
    app = build_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'powerdesk.db'}", **settings_overrides))
    duo = request.getfixturevalue("dash_duo")
    port = free_port()
    duo.start_server(app, navigate=False, port=port)
    # No implicit wait (dash_duo sets 2 s): tests wait explicitly, and checking that something is
    # absent, or polling a list that is still empty, should not stall for 2 s each time.
    duo.driver.implicitly_wait(0)
    return Walk(duo=duo, base_url=f"http://127.0.0.1:{port}", db=app.server.extensions["powerdesk"].db,
                server=app.server)


@pytest.fixture
def powerdesk_browser(request, tmp_path) -> Walk:
    """Headless Chromium on a live app with users ``viewer``, ``trader``, ``admin`` and demo prices."""
    walk = start_walk(request, tmp_path)
    yield walk
    walk.db.dispose()
