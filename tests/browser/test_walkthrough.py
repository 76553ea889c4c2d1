"""A person's walk through Powerdesk in headless Chromium: log in, read the Overview, switch to dark
mode, open every page in the navbar, log out; and a viewer who cannot reach the admin page.
Every test ends with an empty browser console: no JavaScript error and no failed request.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TIMEOUT = 30  # generous: CI shares 2 cores with the rest of the suite (xdist -n 2)
LAST_DEMO_DAY = "30 April 2023"
# Plotly's own templates, as components/figures.py picks them for Bootstrap's colour modes.
LIGHT_PAPER, DARK_PAPER = "white", "rgb(17,17,17)"

GRAPH_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (!gd || !gd.layout || !gd._fullLayout) { return null; }
const template = (gd.layout.template || {}).layout || {};
return {traces: (gd.data || []).filter(t => (t.x || []).length > 0).length,
        templatePaper: template.paper_bgcolor || null,
        fontColour: gd._fullLayout.font.color};
"""


def wait_until(walk, condition, message: str, timeout: float = TIMEOUT):
    return WebDriverWait(walk.driver, timeout, poll_frequency=0.2).until(lambda _driver: condition(), message)


def graph_state(walk, graph_id: str) -> dict | None:
    return walk.driver.execute_script(GRAPH_JS, graph_id)


def wait_for_chart(walk, graph_id: str, paper: str) -> dict:
    """Wait until the graph shows traces with data, drawn with the Plotly template whose paper is ``paper``."""

    def ready():
        state = graph_state(walk, graph_id)
        return state if state and state["traces"] > 0 and state["templatePaper"] == paper else None

    return wait_until(
        walk, ready, f"{graph_id} never showed data with a {paper} template: {graph_state(walk, graph_id)}"
    )


def grid_cells(walk, grid_id: str, column: str) -> list[str]:
    cells = walk.driver.find_elements(By.CSS_SELECTOR, f"#{grid_id} .ag-center-cols-container [col-id='{column}']")
    return [cell.text for cell in cells]


def html_theme(walk) -> str | None:
    return walk.driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')")


def nav_link_ids(walk) -> set[str]:
    return {link.get_attribute("id") for link in walk.driver.find_elements(By.CSS_SELECTOR, ".pd-navbar a[id^='nav-']")}


def wait_for_overview(walk, paper: str = LIGHT_PAPER) -> None:
    wait_until(walk, lambda: walk.path() == "/", f"not on the Overview: {walk.path()}")
    walk.duo.wait_for_contains_text("#overview-day-summary", LAST_DEMO_DAY, timeout=TIMEOUT)
    walk.duo.wait_for_contains_text("#overview-coverage", "Day-ahead", timeout=TIMEOUT)
    wait_for_chart(walk, "overview-recent-chart", paper)


def test_admin_walks_through_every_page_in_dark_mode_and_logs_out(powerdesk_browser):
    walk = powerdesk_browser

    # A wrong password: the form says so and no app is shown.
    walk.log_in("admin", "not-the-password-at-all")
    walk.duo.wait_for_element("#login-error", timeout=TIMEOUT)
    assert "do not match" in walk.duo.find_element("#login-error").text
    assert not walk.present(".pd-navbar, #user-badge")
    assert walk.path().startswith("/login")
    failed_login = walk.console_errors()
    # The 401 answer to the failed POST /login is the app saying no, as it should.
    assert all("/login" in entry["message"] and " 401 " in entry["message"] for entry in failed_login), failed_login
    walk.seen.clear()

    # The right one: the Overview with data from the database.
    walk.log_in("admin")
    wait_for_overview(walk)
    assert "admin" in walk.duo.find_element("#user-badge").text
    assert nav_link_ids(walk) == {"nav-overview", "nav-prices", "nav-runs", "nav-studies", "nav-carbon", "nav-turbines", "nav-meters", "nav-profile", "nav-keys", "nav-admin-users", "nav-admin-audit"}
    assert html_theme(walk) == "light"
    light_font = graph_state(walk, "overview-recent-chart")["fontColour"]

    # Dark mode: Bootstrap's colour mode, the stored choice and the chart's Plotly template follow.
    walk.duo.find_element("#theme-switch").click()
    wait_until(walk, lambda: html_theme(walk) == "dark", "<html data-bs-theme> did not become dark")
    dark = wait_for_chart(walk, "overview-recent-chart", DARK_PAPER)
    assert dark["fontColour"] != light_font
    assert walk.driver.execute_script("return window.localStorage.getItem('theme-store')") == '"dark"'

    # Every page in the navbar, by clicking its link.
    walk.duo.find_element("#nav-prices").click()
    wait_until(walk, lambda: walk.path() == "/prices", f"not on Prices: {walk.path()}")
    wait_for_chart(walk, "prices-chart", DARK_PAPER)
    # The last week of the demo data, 24-30 April 2023, page by page.
    wait_until(
        walk,
        lambda: any(c.startswith("2023-04-") for c in grid_cells(walk, "prices-table", "settlement_date")),
        "the prices table shows no rows",
    )
    assert html_theme(walk) == "dark"

    # A stored run (as `flask optimise run` makes one): the Runs page shows its schedule.
    from datetime import date

    from optimiser import BatteryParams
    from services.optimisation_runs import RunRequest, run_optimisation

    stored = run_optimisation(walk.db, RunRequest(date(2023, 4, 29), date(2023, 4, 30), BatteryParams(),
                                                  name="browser run"))
    walk.duo.find_element("#nav-runs").click()
    # The page writes the run it shows into the URL as soon as it shows it, which may be before the first look.
    wait_until(walk, lambda: walk.path() in ("/runs", f"/runs?run={stored.run_id}"), "not on Runs")
    wait_until(walk, lambda: "browser run" in set(grid_cells(walk, "runs-table", "name")),
               "the runs table does not list the stored run")
    wait_for_chart(walk, "runs-daily-chart", DARK_PAPER)
    walk.duo.wait_for_contains_text("#runs-totals", "/MW/yr", timeout=TIMEOUT)

    walk.duo.find_element("#nav-admin-users").click()
    wait_until(walk, lambda: walk.path() == "/admin/users", f"not on Users: {walk.path()}")
    wait_until(
        walk,
        lambda: {"viewer", "trader", "admin"} <= set(grid_cells(walk, "users-table", "username")),
        "the users table does not list the three users",
    )

    walk.duo.find_element("#nav-overview").click()
    wait_for_overview(walk, paper=DARK_PAPER)

    # Log out: back on the login page, and the app is closed again.
    walk.duo.find_element("#logout-button").click()
    wait_until(walk, lambda: walk.path() == "/login", f"not on /login after logging out: {walk.path()}")
    walk.duo.wait_for_element("#login-submit", timeout=TIMEOUT)
    walk.open("/")
    wait_until(walk, lambda: walk.path().startswith("/login?next="), f"/ did not redirect to login: {walk.path()}")
    assert not walk.present(".pd-navbar, #user-badge")

    assert walk.console_errors() == []


def test_viewer_has_no_users_page(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("viewer")
    wait_for_overview(walk)
    assert "viewer" in walk.duo.find_element("#user-badge").text
    assert nav_link_ids(walk) == {"nav-overview", "nav-prices", "nav-runs", "nav-studies", "nav-carbon", "nav-turbines", "nav-meters", "nav-profile", "nav-keys"}

    # Inside the app (as a bookmark or a hand-edited URL followed client-side): a notice, no table.
    walk.driver.execute_script(
        "window.history.pushState({}, '', '/admin/users');"
        "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));"
    )
    walk.duo.wait_for_contains_text("#_pages_content", "Not available to your role", timeout=TIMEOUT)
    assert not walk.present("#users-table")
    assert walk.console_errors() == []

    # Typed into the address bar: the server refuses the page (403) but answers with the app shell,
    # so the viewer sees the navbar and a friendly notice rather than a raw JSON error.
    walk.open("/admin/users")
    walk.duo.wait_for_contains_text("#_pages_content", "Not available to your role", timeout=TIMEOUT)
    assert walk.present(".pd-navbar #user-badge")
    assert not walk.present("#users-table")
    # That refusal is a 403 answer to the page request, which Chromium logs; nothing else may appear.
    assert (
        walk.console_errors(
            expected=("/admin/users - Failed to load resource: the server responded with a status of 403",)
        )
        == []
    )


SET_INPUT_JS = """
const el = document.getElementById(arguments[0]);
Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, arguments[1]);
el.dispatchEvent(new Event('input', {bubbles: true}));
"""


def test_trader_runs_an_optimisation_watches_progress_and_cancels_another(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("trader")
    wait_for_overview(walk)
    walk.duo.find_element("#nav-runs").click()
    wait_until(walk, lambda: walk.path().split("?run=")[0] == "/runs", "not on Runs")
    walk.duo.wait_for_element("#runs-new-submit", timeout=TIMEOUT)
    wait_until(walk, lambda: walk.present("#runs-new-section:not([hidden])"), "the new-run form stays hidden")
    walk.duo.wait_for_contains_text("#runs-new-coverage", "Day-ahead prices 2023-01-14 to 2023-04-30",
                                    timeout=TIMEOUT)
    assert walk.duo.find_element("#runs-new-start").get_attribute("value") == "2023-04-24"

    # A bad value is explained beside its field and Run is disabled until it is fixed.
    power = walk.duo.find_element("#runs-new-power")
    power.clear()
    power.send_keys("-50")
    walk.duo.wait_for_contains_text("#runs-new-power-msg", "power must be above 0 MW", timeout=TIMEOUT)
    wait_until(walk, lambda: not walk.duo.find_element("#runs-new-submit").is_enabled(), "Run stays enabled")
    power.clear()
    power.send_keys("100")
    wait_until(walk, lambda: walk.duo.find_element("#runs-new-submit").is_enabled(), "Run stays disabled")

    walk.duo.find_element("#runs-new-name").send_keys("background week")
    walk.duo.find_element("#runs-new-submit").click()
    # Queued at once, solved by the diskcache job process; progress says day k of N; the page shows the run.
    walk.duo.wait_for_contains_text("#runs-new-message", "succeeded", timeout=TIMEOUT * 2)
    assert "day 7 of 7" in walk.duo.find_element("#runs-new-progress").text
    wait_until(walk, lambda: "background week" in set(grid_cells(walk, "runs-table", "name")),
               "the finished run is not in the runs table")
    wait_for_chart(walk, "runs-daily-chart", LIGHT_PAPER)
    walk.duo.wait_for_contains_text("#runs-totals", "/MW/yr", timeout=TIMEOUT)

    # Another, long run (every day a MILP): cancel it while it runs.
    walk.driver.execute_script(SET_INPUT_JS, "runs-new-start", "2023-01-14")
    walk.driver.find_element(By.CSS_SELECTOR, "#runs-new-section details summary").click()  # Advanced
    walk.duo.find_element("#runs-new-binary").click()
    wait_until(walk, lambda: walk.duo.find_element("#runs-new-submit").is_enabled(), "Run stays disabled")
    walk.duo.find_element("#runs-new-submit").click()
    walk.duo.wait_for_contains_text("#runs-new-progress", "running: day", timeout=TIMEOUT)
    walk.duo.find_element("#runs-new-cancel").click()
    walk.duo.wait_for_contains_text("#runs-new-message", "Cancelled by trader", timeout=TIMEOUT)
    assert walk.duo.find_element("#runs-new-submit").is_enabled()
    assert walk.console_errors() == []



FORGE_JS = """
const done = arguments[arguments.length - 1];
(async () => {
  const deps = await (await fetch('/_dash-dependencies')).json();
  const cb = deps.find(d => d.inputs.some(i => i.id === 'runs-new-submit' && i.property === 'n_clicks'));
  const parts = cb.output.startsWith('..') ? cb.output.slice(2, -2).split('...') : [cb.output];
  const outputs = parts.map(p => ({id: p.slice(0, p.lastIndexOf('.')), property: p.slice(p.lastIndexOf('.') + 1)}));
  const value = d => ({id: d.id, property: d.property,
                       value: d.id === 'runs-new-submit' ? 1 : (d.property === 'value' ? '2023-02-01' : null)});
  const body = {output: cb.output, outputs: outputs, inputs: cb.inputs.map(value), state: cb.state.map(value),
                changedPropIds: ['runs-new-submit.n_clicks']};
  const response = await fetch('/_dash-update-component', {method: 'POST',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  done(response.status);
})().catch(e => done(String(e)));
"""


def test_a_viewer_sees_no_run_form_and_a_forged_run_submission_gets_403(powerdesk_browser):
    walk = powerdesk_browser
    walk.log_in("viewer")
    wait_for_overview(walk)
    walk.open("/runs")
    walk.duo.wait_for_element("#runs-table", timeout=TIMEOUT)
    wait_until(walk, lambda: walk.present("#runs-new-section[hidden]"), "the new-run form is not hidden")
    assert walk.driver.execute_async_script(FORGE_JS) == 403
    assert walk.console_errors(expected=("_dash-update-component - Failed to load resource: the server "
                                          "responded with a status of 403",)) == []
