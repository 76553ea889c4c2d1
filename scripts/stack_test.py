"""Checks against a running compose stack (scripts/stack-test.sh brings it up and down).

Each check prints one line ``stack: <check>: ok`` or ``stack: <check>: FAILED (why)``; the exit code is 1
when any failed. Talks to the app only through its published port, and to the containers through
``podman`` (kill, stop, start, exec), as an operator would.

    python scripts/stack_test.py --url http://127.0.0.1:PORT --project NAME --admin-password PW
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

YEAR = ("2024-01-01", "2024-12-31")
"""A real year, as a desk reports revenues: Elexon market index prices on the day-ahead leg and system
(imbalance) prices on the intraday leg (shipped demo data); the two autumn days the MID export lacks are
skipped (the battery idles), so each point is a 366-day run over 2024's 46- and 50-period days."""
SERIES = {"da_series": "market_index", "id_series": "system_price", "skip_missing_days": True}
BASE = {"markets": "da+id", "power_mw": 10}
POLL_S = 2.0


class CheckFailed(Exception):
    pass


@dataclass
class Stack:
    url: str
    project: str
    admin_password: str
    api_key: str = ""
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    # ------------------------------------------------------------------ containers
    def podman(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise CheckFailed(f"podman {' '.join(args)}: {done.stderr.strip()[-300:]}")
        return done.stdout

    def containers(self, service: str, running_only: bool = True) -> list[str]:
        names = self.podman("ps", *([] if running_only else ["-a"]), "--format", "{{.Names}}",
                            "--filter", f"label=io.podman.compose.project={self.project}",
                            "--filter", f"label=io.podman.compose.service={service}").split()
        return sorted(names)

    def container(self, service: str) -> str:
        names = self.containers(service, running_only=False)
        if not names:
            raise CheckFailed(f"no container for service {service}")
        return names[0]

    def logs(self, container: str, since: str | None = None) -> str:
        """A container's log, both streams (the app's logging goes to stderr, print to stdout)."""
        done = subprocess.run(["podman", "logs", *(["--since", since] if since else []), container],
                              capture_output=True, text=True, timeout=120)
        return done.stdout + done.stderr

    def hostname_of(self, container: str) -> str:
        return self.podman("inspect", "--format", "{{.Config.Hostname}}", container).strip()

    def flask(self, *args: str, stdin: str | None = None) -> str:
        command = ["podman", "exec", "-i", self.container("app"), "flask", "--app", "app", *args]
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise CheckFailed(f"flask {' '.join(args)}: {done.stderr.strip()[-300:]}")
        return done.stdout

    # ------------------------------------------------------------------ HTTP
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def wait(self, what: str, condition: Callable[[], object], timeout_s: float) -> object:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                value = condition()
            except requests.RequestException:
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise CheckFailed(f"{what}: not within {timeout_s:.0f} s")
            time.sleep(POLL_S)

    def study(self, name: str, grid: dict, base: dict | None = None) -> int:
        body = {"name": name, "start": YEAR[0], "end": YEAR[1], "base": {**BASE, **(base or {})}, "grid": grid,
                **SERIES}
        response = self.api("POST", "/api/v1/studies", json=body)
        if response.status_code != 202:
            raise CheckFailed(f"POST /api/v1/studies gave {response.status_code}: {response.text[:300]}")
        return response.json()["id"]

    def study_state(self, study_id: int) -> dict:
        response = self.api("GET", f"/api/v1/studies/{study_id}")
        if response.status_code != 200:
            return {}
        return response.json()

    def wait_study(self, study_id: int, timeout_s: float) -> dict:
        return self.wait(f"study {study_id} finished",
                         lambda: (state := self.study_state(study_id)) and state["status"] != "running" and state,
                         timeout_s)

    def run(self, run_id: int) -> dict:
        response = self.api("GET", f"/api/v1/runs/{run_id}")
        if response.status_code != 200:
            raise CheckFailed(f"GET /api/v1/runs/{run_id} gave {response.status_code}")
        return response.json()

    # ------------------------------------------------------------------ reporting
    def check(self, name: str, body: Callable[[], str]) -> bool:
        started = time.monotonic()
        try:
            detail = body()
        except Exception as error:  # every failure is reported, then the next check runs
            self.results.append((name, False, str(error)))
            print(f"stack: {name}: FAILED ({error})", flush=True)
            return False
        self.results.append((name, True, detail))
        print(f"stack: {name}: ok ({detail}; {time.monotonic() - started:.0f} s)", flush=True)
        return True


def points_succeeded(state: dict, expected: int) -> list[dict]:
    points = state.get("points", [])
    statuses = sorted({point["status"] for point in points})
    if len(points) != expected or statuses != ["succeeded"]:
        messages = "; ".join(f"#{p['run_id']} {p['status']}: {p.get('message', '')[:120]}"
                             for p in points if p["status"] != "succeeded")
        raise CheckFailed(f"{len(points)} points, statuses {statuses} (expected {expected} succeeded) {messages}")
    return points


# ---------------------------------------------------------------------- the checks
def login(stack: Stack) -> str:
    session = requests.Session()
    page = session.get(stack.url + "/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    if not token:
        raise CheckFailed("no CSRF token on /login")
    response = session.post(stack.url + "/login", timeout=30, allow_redirects=False, data={
        "csrf_token": token.group(1), "username": "admin", "password": stack.admin_password, "next": "/"})
    if response.status_code != 302:
        raise CheckFailed(f"login gave {response.status_code}")
    overview = session.get(stack.url + "/", timeout=30)
    if overview.status_code != 200:
        raise CheckFailed(f"GET / after login gave {overview.status_code}")
    stack.api_key = stack.flask("apikey", "create", f"stack-test-{int(time.time())}", "--user", "admin") \
        .strip().splitlines()[-1]
    who = stack.api("GET", "/api/v1/whoami")
    if who.status_code != 200:
        raise CheckFailed(f"whoami with the new key gave {who.status_code}")
    return "admin logged in through the published port; a user API key works"


def study_over_workers(stack: Stack) -> str:
    workers = stack.containers("worker")
    if len(workers) != 3:
        raise CheckFailed(f"{len(workers)} worker containers running, expected 3: {workers}")
    grid = {"duration_h": [1, 2], "max_cycles_per_day": [1, 1.5, 2], "round_trip_efficiency": [0.81, 0.9]}
    started = time.monotonic()
    study_id = stack.study("stack: 12 points over 2024", grid)
    points = points_succeeded(stack.wait_study(study_id, 900), 12)
    elapsed = time.monotonic() - started
    hosts = {stack.hostname_of(name): name for name in workers}
    solved_by = [stack.run(point["run_id"])["worker"] for point in points]
    unknown = sorted({host for host in solved_by if host not in hosts})
    if unknown:
        raise CheckFailed(f"points solved by unknown workers {unknown} (workers: {sorted(hosts)})")
    used = {hosts[host] for host in solved_by}
    if len(used) != 3:
        raise CheckFailed(f"the 12 points were solved by {len(used)} of the 3 workers: {sorted(used)}")
    counts = ", ".join(f"{name}: {solved_by.count(host)}" for host, name in sorted(hosts.items(), key=lambda i: i[1]))
    return f"study {study_id}: 12 of 12 succeeded in {elapsed:.0f} s, spread over 3 workers ({counts})"


KILL_ATTEMPTS = 4
"""A point of the six-month study solves in a few seconds on an idle machine, so the check may miss its
moment: it then starts another small study (other parameters, so nothing is reused) and tries again."""


def killed_worker(stack: Stack) -> str:
    for attempt in range(1, KILL_ATTEMPTS + 1):
        outcome = _kill_a_worker_mid_point(stack, attempt)
        if outcome is not None:
            return outcome
    raise CheckFailed(f"in {KILL_ATTEMPTS} studies no point was caught running on a worker before it finished")


def _kill_a_worker_mid_point(stack: Stack, attempt: int) -> str | None:
    """Kill the worker of a point that is running (past its first day), then check the point is redelivered
    and finishes once. None when every point finished before one was seen running (try again)."""
    cycles = [round(1.2 + 0.1 * attempt, 2), round(1.7 + 0.1 * attempt, 2)]
    study_id = stack.study(f"stack: a worker killed mid-point (try {attempt})",
                           {"duration_h": [3, 4], "max_cycles_per_day": cycles})
    deadline = time.monotonic() + 300
    victim_run = None
    while victim_run is None:
        state = stack.study_state(study_id)
        for point in state.get("points", []):
            if point["status"] == "running":
                run = stack.run(point["run_id"])
                if run["status"] == "running" and run["worker"] and run["progress"]["done"] >= 1:
                    victim_run = run
                    break
        if victim_run is None:
            if state.get("status") not in (None, "running"):
                return None
            if time.monotonic() > deadline:
                raise CheckFailed("no point of the study started within 300 s")
            time.sleep(0.2)
    hosts = {stack.hostname_of(name): name for name in stack.containers("worker")}
    victim = hosts.get(victim_run["worker"])
    if victim is None:
        raise CheckFailed(f"run {victim_run['id']} is on {victim_run['worker']}, not a running worker")
    stack.podman("kill", victim)
    killed_at = time.monotonic()
    if stack.run(victim_run["id"])["status"] != "running":
        # It finished between the look and the kill: nothing was interrupted, so try again.
        stack.podman("start", victim)
        stack.wait_study(study_id, 600)
        return None
    state = stack.wait_study(study_id, 600)
    points = points_succeeded(state, 4)
    after = stack.run(victim_run["id"])
    if after["worker"] == victim_run["worker"]:
        raise CheckFailed(f"run {after['id']} still names the killed worker {victim}")
    runs = stack.api("GET", "/api/v1/runs").json()
    runs = runs.get("runs", runs) if isinstance(runs, dict) else runs
    same = [run for run in runs if run.get("params_hash") == after["params_hash"]
            and run.get("input_fingerprint") == after["input_fingerprint"]]
    if len(same) != 1:
        raise CheckFailed(f"{len(same)} runs with the killed point's parameters, expected exactly 1")
    stack.podman("start", victim)
    return (f"killed {victim} during run {victim_run['id']} (day {victim_run['progress']['done']}, try {attempt}); "
            f"it was redelivered to {hosts.get(after['worker'], after['worker'])} and succeeded "
            f"{time.monotonic() - killed_at:.0f} s later; {len(points)} points, 1 run each")


def postgres_restart(stack: Stack) -> str:
    study_id = stack.study("stack: PostgreSQL restarted", {"duration_h": [0.5, 1.5], "max_cycles_per_day": [1.1]})
    stack.wait("a point running", lambda: any(p["status"] == "running"
                                              for p in stack.study_state(study_id).get("points", [])), 300)
    postgres = stack.container("postgres")
    stack.podman("stop", "--time", "10", postgres)
    statuses: dict[int, int] = {}
    retry_after = set()
    for _ in range(5):
        try:
            response = stack.api("GET", "/api/v1/runs")
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 503:
                retry_after.add(response.headers.get("Retry-After"))
                if "detail" not in response.json():
                    raise CheckFailed(f"a 503 without a message: {response.text[:200]}")
        except requests.RequestException as error:
            raise CheckFailed(f"the app stopped answering while PostgreSQL was down: {error}") from error
        time.sleep(1)
    stack.podman("start", postgres)
    if any(code >= 500 and code != 503 for code in statuses) or 503 not in statuses:
        raise CheckFailed(f"answers during the outage: {statuses} (expected 503s with Retry-After, never a 500)")
    if None in retry_after:
        raise CheckFailed("a 503 without Retry-After")
    stack.wait("the app answering again", lambda: stack.api("GET", "/api/v1/runs").status_code == 200, 120)
    points_succeeded(stack.wait_study(study_id, 600), 2)
    return f"during the outage the app answered {statuses} (Retry-After {sorted(retry_after)}); the study finished"


def redis_stopped(stack: Stack) -> str:
    in_flight = stack.api("POST", "/api/v1/runs", json={
        "first_date": "2024-05-01", "last_date": "2024-08-31", **BASE, **SERIES, "energy_mwh": 25, "name": "stack: in flight"})
    if in_flight.status_code not in (200, 201, 202):
        raise CheckFailed(f"submitting the in-flight run gave {in_flight.status_code}: {in_flight.text[:200]}")
    run_id = in_flight.json()["id"]
    stack.wait("the in-flight run running", lambda: stack.run(run_id)["status"] in ("running", "succeeded"), 300)
    redis = stack.container("redis")
    stack.podman("stop", "--time", "10", redis)
    try:
        refused = stack.api("POST", "/api/v1/runs", json={
            "first_date": "2024-06-01", "last_date": "2024-06-07", **BASE, **SERIES, "energy_mwh": 35,
            "name": "stack: while Redis is down"})
        health = requests.get(stack.url + "/health", timeout=10).status_code
        page = stack.api("GET", "/api/v1/runs").status_code
    finally:
        stack.podman("start", redis)
    if refused.status_code != 503 or "Redis" not in refused.text:
        raise CheckFailed(f"a run submitted with Redis down gave {refused.status_code}: {refused.text[:200]}")
    if (health, page) != (200, 200):
        raise CheckFailed(f"with Redis down /health gave {health} and the runs list {page}")
    refused_id = refused.json().get("id") or refused.json().get("run_id")
    if refused_id is not None and stack.run(refused_id)["status"] == "queued":
        raise CheckFailed(f"the refused run {refused_id} was left queued")
    finished = stack.wait("the in-flight run finished", lambda: (run := stack.run(run_id))["status"] not in
                          ("queued", "running") and run, 600)
    if finished["status"] != "succeeded":
        raise CheckFailed(f"the in-flight run ended {finished['status']}: {finished['message']}")
    return ("a run submitted with Redis down got 503 naming Redis, the app stayed up, and the run in flight "
            f"(#{run_id}) finished {finished['status']}")


PRICE_EMAIL_SUBJECT = "subject Powerdesk prices for "
"""How the mail sink logs the daily price email; the same address also gets run notifications (a point
that takes longer than the notification threshold on a busy machine mails its owner when it finishes)."""


def mails_to(stack: Stack, address: str) -> int:
    """How many daily price emails the mail sink has received for ``address``."""
    logs = stack.logs(stack.container("mailsink"))
    return sum(1 for line in logs.splitlines()
               if line.startswith("mail_sink: message") and address in line and PRICE_EMAIL_SUBJECT in line)


def price_email_once(stack: Stack, address: str) -> str:
    """The scheduler sends yesterday's price email when it starts (its catch-up: the stack runs with
    PRICE_EMAIL_TIME=00:00, so the time has passed), once, however often it restarts or the job runs."""
    scheduler = stack.container("scheduler")

    def restart() -> None:
        stack.podman("restart", "--time", "10", scheduler)
        stack.wait("the scheduler running after its restart", lambda: stack.podman(
            "inspect", "--format", "{{.State.Running}}", scheduler).strip() == "true", 120)

    restart()  # the recipient is set now; the start-up run before it had nobody to send to
    stack.wait(f"the price email to {address}", lambda: mails_to(stack, address) >= 1, 180)
    restarted_at = str(int(time.time()))  # podman logs --since takes epoch seconds; a restart may keep old lines
    restart()
    stack.wait("the restarted scheduler's start-up run", lambda: "job price_email: finished" in stack.logs(
        scheduler, since=restarted_at), 180)
    # And the job once more by hand in the restarted scheduler, as beat would on its next tick.
    stack.podman("exec", scheduler, "python", "-c",
                 "from jobs.price_email import send_daily_price_email; from settings import Settings; "
                 "send_daily_price_email(Settings())")
    time.sleep(5)
    count = mails_to(stack, address)
    if count != 1:
        raise CheckFailed(f"{count} price emails to {address} across the scheduler's restarts, expected 1")
    return "1 email sent by the scheduler; none more after it restarted and the job ran twice again"


def scaling(stack: Stack) -> str:
    workers = stack.containers("worker", running_only=False)
    figures = []
    grid_for = {1: [0.6, 0.7], 2: [0.8, 0.9], 3: [1.05, 1.15]}
    for count in (1, 2, 3):
        for index, name in enumerate(workers):
            stack.podman("start" if index < count else "stop", *(["--time", "10"] if index >= count else []), name)
        time.sleep(3)
        started = time.monotonic()
        study_id = stack.study(f"stack: scaling with {count} worker(s)",
                               {"duration_h": [1, 2, 4], "max_cycles_per_day": grid_for[count]},
                               base={"power_mw": 5})
        points_succeeded(stack.wait_study(study_id, 900), 6)
        figures.append((count, time.monotonic() - started))
    for name in workers:
        stack.podman("start", name)
    one = figures[0][1]
    table = ", ".join(f"{count} worker(s) {seconds:.0f} s ({one / seconds:.2f}x)" for count, seconds in figures)
    return f"6-point study over 2024: {table} on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()
    stack = Stack(args.url.rstrip("/"), args.project, args.admin_password)
    address = "desk@example.com"

    if not stack.check("login", lambda: login(stack)):
        return 1
    stack.check("email recipient", lambda: stack.flask("email", "recipients", "set", "admin", address).strip()
                or "set")
    stack.check("study over 3 workers", lambda: study_over_workers(stack))
    stack.check("worker killed mid-point", lambda: killed_worker(stack))
    stack.check("price email exactly once", lambda: price_email_once(stack, address))
    stack.check("postgres restarted", lambda: postgres_restart(stack))
    stack.check("redis stopped", lambda: redis_stopped(stack))
    if not args.skip_scaling:
        stack.check("scaling", lambda: scaling(stack))
    failed = [name for name, ok, _ in stack.results if not ok]
    print(json.dumps({"checks": len(stack.results), "failed": failed}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
