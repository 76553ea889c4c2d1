"""A browser sweep's parts: one live app served for a whole module, one Chromium per role that records
every console message (warnings too), and checks that read the page as a reviewer would (nothing wider
than the viewport, nothing cut). ``tests/browser/test_sweep.py`` drives them over every page.
"""

from __future__ import annotations

import base64
import shutil
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from tests.browser.conftest import chromium_binary, pytest_setup_options
from tests.conftest import PASSWORDS, missing_service
from tests.smtp_servers import free_port

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SIZES = ((1280, 800), (1920, 1080))
THEMES = ("light", "dark")
TIMEOUT = 30

# Kept in the page from before its first script runs: every console.warn/console.error with its text
# (Chromium's log only hands out SEVERE entries through dash[testing]'s capability).
RECORD_CONSOLE = """
window.__pdConsole = [];
for (const level of ["warn", "error"]) {
  const original = console[level].bind(console);
  console[level] = function (...args) {
    try { window.__pdConsole.push(level + ": " + args.map(a => (a && a.stack) || String(a)).join(" ")); }
    catch (e) { window.__pdConsole.push(level + ": (unprintable)"); }
    return original(...args);
  };
}
window.addEventListener("error", e => window.__pdConsole.push("uncaught: " + e.message));
window.addEventListener("unhandledrejection", e => window.__pdConsole.push("unhandled rejection: " + e.reason));
"""

# Elements that reach past the viewport's right edge and are not inside a container that scrolls or clips
# them on purpose (AG Grid's viewport, a .table-responsive, a Plotly SVG inside its own box), and controls
# whose own text is wider than the control (a select, button or badge that cuts its label).
LAYOUT_JS = """
const width = document.documentElement.clientWidth;
const problems = [];
const label = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
  (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).slice(0, 3).join(".") : "");
function clippedByAncestor(el) {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const style = getComputedStyle(p);
    if (style.overflowX !== "visible" && p.getBoundingClientRect().right <= width + 1) { return true; }
  }
  return false;
}
if (document.documentElement.scrollWidth > width + 1) {
  problems.push("page scrolls sideways: " + document.documentElement.scrollWidth + " px wide in " + width);
}
for (const el of document.body.querySelectorAll("*")) {
  const rect = el.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) { continue; }
  const style = getComputedStyle(el);
  if (style.visibility === "hidden") { continue; }
  if (rect.right > width + 1 && !clippedByAncestor(el)) {
    problems.push("past the right edge (" + Math.round(rect.right) + " > " + width + "): " + label(el));
  }
}
const controls = ".dash-dropdown-value, .dash-dropdown .Select-value-label, .btn, .badge, .nav-link, " +
  ".dash-datepicker-input, input.form-control, select.form-select, .pd-cut-check";
for (const el of document.body.querySelectorAll(controls)) {
  const rect = el.getBoundingClientRect();
  if (rect.width === 0) { continue; }
  if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== "INPUT") {
    problems.push("text cut (" + el.scrollWidth + " > " + el.clientWidth + "): " + label(el) + " " +
                  JSON.stringify((el.innerText || "").slice(0, 40)));
  }
}
return problems;
"""


class LiveApp:
    """The Dash app's Flask server on a free port in a thread of this process, for a whole module."""

    def __init__(self, dash_app):
        self.dash_app = dash_app
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, dash_app.server, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveApp:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


def require_chromium() -> None:
    if chromium_binary() is None:
        missing_service("Chromium is not installed (apt-get install chromium chromium-driver)")
    if shutil.which("chromedriver") is None:
        missing_service("chromedriver is not installed (apt-get install chromium-driver)")


class Browser:
    """One Chromium session, logged in as one role, that keeps every console message of every page."""

    def __init__(self, base_url: str, role: str):
        self.base_url = base_url
        self.role = role
        options = pytest_setup_options()
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options)
        self.driver.implicitly_wait(0)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CONSOLE})
        self.messages: list[str] = []

    def quit(self) -> None:
        self.driver.quit()

    def wait(self, condition, message: str, timeout: float = TIMEOUT):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(lambda _d: condition(), message)

    def log_in(self) -> None:
        self.driver.get(self.base_url + "/login")
        self.wait(lambda: self.driver.find_elements(By.ID, "username"), "no login form")
        self.driver.find_element(By.ID, "username").send_keys(self.role)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORDS[self.role])
        self.driver.find_element(By.ID, "login-submit").click()
        self.wait(lambda: self.driver.find_elements(By.ID, "user-badge"), f"{self.role} was not logged in")
        self.settle()

    def set_theme(self, theme: str) -> None:
        """The colour mode the next page opens in (the app keeps it in localStorage ``theme-store``)."""
        self.driver.execute_script("window.localStorage.setItem('theme-store', JSON.stringify(arguments[0]))", theme)

    def open(self, path: str) -> None:
        self.collect()
        self.driver.get(self.base_url + path)
        self.settle()

    def settle(self) -> None:
        """Wait until Dash has no callback in flight and nothing is loading, twice in a row 0.3 s apart."""
        quiet = """
        const busy = document.querySelector('[data-dash-is-loading="true"], ._dash-loading, ._dash-loading-callback');
        return document.readyState === "complete" && !!document.querySelector('#_dash-app-content, #react-entry-point')
               && !busy;
        """
        state = {"quiet": 0}

        def twice():
            state["quiet"] = state["quiet"] + 1 if self.driver.execute_script(quiet) else 0
            return state["quiet"] >= 2

        WebDriverWait(self.driver, TIMEOUT, poll_frequency=0.3).until(lambda _d: twice(), "the page never settled")

    def collect(self) -> list[str]:
        """Console messages since the last call: the page's own warn/error and Chromium's WARNING/SEVERE."""
        found = list(self.driver.execute_script("return window.__pdConsole || []") or [])
        self.driver.execute_script("if (window.__pdConsole) { window.__pdConsole.length = 0; }")
        for entry in self.driver.get_log("browser"):
            if entry.get("level") in ("WARNING", "SEVERE") and "console-api" not in entry.get("source", ""):
                found.append(f"{entry['level']}: {entry['message']}")
        self.messages.extend(found)
        return found

    def layout_problems(self) -> list[str]:
        return list(self.driver.execute_script(LAYOUT_JS) or [])

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # The whole page at the window's width, not only what is in view: what a reviewer scrolls through.
        width, height = self.driver.execute_script(
            "return [window.innerWidth, document.documentElement.scrollHeight]")
        capture = {"captureBeyondViewport": True,
                   "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1}}
        try:
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", capture)
        except TimeoutException:
            # Headless Chrome can leave a capture waiting for a frame from a compositor that has gone idle (the
            # renderer itself still answers): asking for a screencast frame wakes it, and the capture is retried once.
            self.driver.execute_cdp_cmd("Page.startScreencast", {"format": "jpeg", "quality": 1, "everyNthFrame": 1})
            self.driver.execute_script("return new Promise(done => requestAnimationFrame(() => done(true)))")
            self.driver.execute_cdp_cmd("Page.stopScreencast", {})
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", capture)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    @contextmanager
    def size(self, width: int, height: int):
        self.driver.set_window_size(width, height)
        # The window's outer size includes no chrome in headless mode; make the viewport exact anyway.
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight]")
        if inner != [width, height]:
            self.driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
        self.driver.execute_script("window.dispatchEvent(new Event('resize'))")
        # Plotly redraws a responsive chart on a debounced resize handler: wait until every chart fits its
        # container again (one that never does is then reported by the layout check).
        fits = """return [...document.querySelectorAll('.js-plotly-plot .svg-container')].every(
            c => !c.parentElement || c.getBoundingClientRect().width <= c.parentElement.getBoundingClientRect().width + 1);"""
        with suppress(TimeoutException):
            WebDriverWait(self.driver, 10, poll_frequency=0.2).until(lambda d: d.execute_script(fits))
        yield


# WCAG 2 contrast of each enabled outline button's text against the colour behind it (the first ancestor
# with an opaque background).
CONTRAST_JS = """
function rgb(text) { const m = text.match(/[\\d.]+/g) || []; return m.map(Number); }
function luminance([r, g, b]) {
  const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function background(el) {
  for (let p = el; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) { return c.slice(0, 3); }
  }
  return [255, 255, 255];
}
const problems = [];
for (const el of document.querySelectorAll(".btn[class*='btn-outline-']:not(:disabled):not(.disabled)")) {
  if (el.getBoundingClientRect().width === 0) { continue; }
  const fg = luminance(rgb(getComputedStyle(el).color)), bg = luminance(background(el));
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  if (ratio < 4.5) {
    problems.push("contrast " + ratio.toFixed(2) + ":1 < 4.5:1: button " + (el.id ? "#" + el.id : "") + " " +
                  JSON.stringify(el.innerText.slice(0, 30)));
  }
}
return problems;
"""


def contrast_problems(browser: Browser) -> list[str]:
    return list(browser.driver.execute_script(CONTRAST_JS) or [])


# Dates a person reads or types: every date picker's value and placeholder in ISO (YYYY-MM-DD) or UK
# (DD/MM/YYYY or "3 Dec 2026") form, never US month-first.
DATES_JS = """
const problems = [];
const iso = /^\\d{4}-\\d{2}-\\d{2}$/, uk = /^\\d{2}\\/\\d{2}\\/\\d{4}$/, words = /^\\d{1,2} [A-Z][a-z]{2} \\d{4}$/;
const placeholders = new Set(["YYYY-MM-DD", "DD/MM/YYYY", "Start Date", "End Date", "Select Date"]);
for (const el of document.querySelectorAll("input.dash-datepicker-input, .dash-datepicker-input input")) {
  if (el.getBoundingClientRect().width === 0) { continue; }
  const value = (el.value || "").trim(), hint = (el.placeholder || "").trim();
  if (value && !(iso.test(value) || uk.test(value) || words.test(value))) {
    problems.push("date shown as " + JSON.stringify(value) + " in #" + (el.id || el.closest("[id]").id));
  }
  if (hint && !placeholders.has(hint) && /m{2}.d{2}.y{4}/i.test(hint)) {
    problems.push("date placeholder " + JSON.stringify(hint));
  }
}
return problems;
"""


def date_problems(browser: Browser) -> list[str]:
    return list(browser.driver.execute_script(DATES_JS) or [])
