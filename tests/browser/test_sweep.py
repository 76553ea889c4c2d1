"""The review sweep: every page, as viewer, trader and admin, at 1280×800 and 1920×1080, light and dark.

Each page must leave the console without an error or a warning, and nothing on it may reach past the
viewport or cut its own label. A screenshot of each view is kept under tests/browser/screenshots/
(git-ignored) for a reviewer. Cost is bounded: one app for the module, one Chromium per role, each page
opened once per colour mode and resized in place for the two sizes.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from optimiser import BatteryParams
from services import footprint
from services.meter_demo import load_plans_and_trial_meters
from services.optimisation_runs import RunRequest, execute_run, run_optimisation
from services.prices import load_demo_prices
from services.studies import submit_study
from services.turbines import register_demo_fleet
from tests.browser.sweep import (
    SIZES,
    THEMES,
    Browser,
    LiveApp,
    contrast_problems,
    date_problems,
    require_chromium,
)
from tests.conftest import build_app, make_settings

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = {
    "viewer": ("/", "/prices", "/runs", "/studies", "/carbon", "/turbines", "/meters", "/profile", "/no-such-page"),
    "trader": ("/", "/prices", "/runs", "/studies", "/carbon", "/turbines", "/meters", "/profile"),
    "admin": ("/", "/prices", "/runs", "/studies", "/carbon", "/turbines", "/meters", "/profile",
              "/admin/users", "/admin/audit"),
}
EXPECTED_MESSAGES = {
    "/no-such-page": ("/no-such-page - Failed to load resource", " 404 "),
}
"""Console entries a page is meant to cause: the 404 page answers 404."""


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    require_chromium()
    tmp_path = tmp_path_factory.mktemp("sweep")
    app = build_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'powerdesk.db'}"))
    db = app.server.extensions["powerdesk"].db
    load_demo_prices(db, feeds=("mid", "epex"))
    load_plans_and_trial_meters(db)
    register_demo_fleet(db, 3000.0)
    footprint.load_intensity_file(db, footprint.DEMO_INTENSITY_DIR / "reconstructed_2019-11-25.json")
    footprint.register_asset(db, footprint.DEMO_ASSET_ID, footprint.DEMO_ASSET_NAME)
    footprint.import_power_file(db, footprint.DEMO_POWER_FILE.read_bytes(), footprint.DEMO_POWER_FILE.name)
    run_optimisation(db, RunRequest(date(2023, 4, 29), date(2023, 4, 30), BatteryParams(), name="sweep run"))
    study = submit_study(db, {"name": "sweep study", "start": "2023-04-29", "end": "2023-04-30",
                              "grid": {"power_mw": [10, 20], "duration_h": [1, 2]}}, None, "system", 10)
    for run_id in study.pending_run_ids:
        execute_run(db, run_id)
    with LiveApp(app) as live:
        yield live
    db.dispose()


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "overview"


NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED"
"""Chromium aborts loads when the host's network interfaces change (other containers starting on a shared
machine): not the app's doing, so such a view is opened again, once or twice, and judged on that."""


def view(browser: Browser, role: str, path: str, theme: str) -> tuple[list[str], list[str]]:
    """Open ``path``, check it at both sizes, screenshot it; its layout problems and console messages."""
    problems = []
    browser.open(path)
    for width, height in SIZES:
        with browser.size(width, height):
            browser.settle()
            name = f"{role} {path} {width}x{height} {theme}"
            checks = browser.layout_problems() + contrast_problems(browser) + date_problems(browser)
            problems += [f"{name}: {problem}" for problem in checks]
            browser.screenshot(f"{role}_{_slug(path)}_{width}x{height}_{theme}")
    expected = EXPECTED_MESSAGES.get(path, ())
    messages = [m for m in browser.collect() if not (expected and all(part in m for part in expected))]
    return problems, [f"{role} {path} {theme}: console {message[:300]}" for message in messages]


def sweep(live_app, role: str) -> tuple[list[str], float]:
    started = time.monotonic()
    browser = Browser(live_app.base_url, role)
    failures: list[str] = []
    try:
        browser.log_in()
        browser.collect()
        for theme in THEMES:
            browser.set_theme(theme)
            for path in PAGES[role]:
                for _attempt in range(3):
                    problems, messages = view(browser, role, path, theme)
                    if not any(NETWORK_CHANGED in message for message in messages):
                        break
                failures += problems + messages
    finally:
        browser.quit()
    return failures, time.monotonic() - started


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_is_clean_at_both_sizes_in_both_colour_modes(live_app, role):
    failures, seconds = sweep(live_app, role)
    print(f"sweep as {role}: {len(PAGES[role])} pages × {len(SIZES)} sizes × {len(THEMES)} modes in {seconds:.1f} s")
    assert failures == [], "\n".join(failures)
