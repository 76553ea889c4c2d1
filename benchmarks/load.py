"""Load test of the main pages: what a trader's browser asks for when opening Overview, Prices and
Runs, fired by concurrent logged-in clients at a gunicorn server, plus the prices API.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/load.py                       # starts gunicorn on a demo SQLite copy
    .venv/bin/python benchmarks/load.py --workers 4 --clients 8 --seconds 30
    .venv/bin/python benchmarks/load.py --url http://host:8050 --user viewer --password ...

Prints requests per second and latency percentiles per kind of request, and, as the reference
measured in the same run, the throughput of ``/health`` (the stack with no app work), so figures
from machines of different speed compare as ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.ingest import free_port  # noqa: E402

PASSWORD = "load-test-password-1"


def _callback_body(dependency: dict, values: dict) -> dict:
    """The request Dash's renderer sends for one callback of ``/_dash-dependencies``."""
    output = dependency["output"]
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]

    def props(items):
        return [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
                for i in items]

    inputs = props(dependency["inputs"])
    return {"output": output, "outputs": outputs if output.startswith("..") else outputs[0], "inputs": inputs,
            "state": props(dependency.get("state", [])),
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else []}


def _find(dependencies, output_part: str) -> dict:
    return next(d for d in dependencies if output_part in d["output"])


def page_requests(dependencies) -> dict[str, list[tuple[str, str, dict | None]]]:
    """Per page: the (method, path, json) requests a browser makes after the page shell."""
    prices = {"prices-dates.start_date": "2023-04-24", "prices-dates.end_date": "2023-04-30",
              "prices-markets.value": ["day_ahead", "intraday"], "theme-store.data": "light"}
    overview = {"theme-store.data": "light"}

    def callback(part, values):
        return ("POST", "/_dash-update-component", _callback_body(_find(dependencies, part), values))

    return {
        "overview": [("GET", "/", None), ("GET", "/_dash-layout", None),
                     callback("_pages_content.children", {"_pages_location.pathname": "/"}),
                     callback("overview-coverage.children", overview)],
        "prices": [("GET", "/prices", None),
                   callback("_pages_content.children", {"_pages_location.pathname": "/prices"}),
                   callback("prices-dates.min_date_allowed", {}), callback("prices-chart.figure", prices)],
        "runs": [("GET", "/runs", None),
                 callback("_pages_content.children", {"_pages_location.pathname": "/runs"}),
                 callback("runs-table.rowData", {})],
        "api_prices": [("GET", "/api/v1/prices?start=2023-04-24&end=2023-04-30", None)],
        "health (reference)": [("GET", "/health", None)],
    }


def log_in(base_url: str, user: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(f"{base_url}/login", data={"csrf_token": token, "username": user, "password": password},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise SystemExit(f"login as {user} failed: HTTP {response.status_code}")
    return session


def run_load(base_url, user, password, clients, seconds):
    sessions = [log_in(base_url, user, password) for _ in range(clients)]
    dependencies = sessions[0].get(f"{base_url}/_dash-dependencies", timeout=30).json()
    scenarios = page_requests(dependencies)
    results = {}
    for name, steps in scenarios.items():
        latencies, errors, stop = defaultdict(list), defaultdict(int), time.perf_counter() + seconds
        started = time.perf_counter()

        def client(session, steps=steps, latencies=latencies, errors=errors, stop=stop):
            while time.perf_counter() < stop:
                began = time.perf_counter()
                for method, path, body in steps:
                    response = session.request(method, base_url + path, json=body, timeout=60)
                    if response.status_code >= 400:
                        errors[response.status_code] += 1
                latencies["page"].append(time.perf_counter() - began)

        threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        page_times = sorted(latencies["page"])
        results[name] = {
            "pages": len(page_times), "requests_per_page": len(steps),
            "pages_per_s": len(page_times) / elapsed,
            "p50_ms": 1000 * statistics.median(page_times),
            "p95_ms": 1000 * page_times[int(0.95 * (len(page_times) - 1))],
            "errors": dict(errors),
        }
    return results


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn on a fresh demo SQLite database (a `viewer` with PASSWORD), like the container."""
    from data_access import migrate
    from data_access.engine import Database
    from services.prices import load_demo_prices
    from services.users import create_user

    instance = Path(tempfile.mkdtemp(prefix="powerdesk-load-"))
    url = f"sqlite:///{instance / 'powerdesk.db'}"
    migrate.upgrade(url)
    db = Database.from_url(url)
    create_user(db, "viewer", PASSWORD, "viewer")
    load_demo_prices(db)
    db.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "POWERDESK_INSTANCE_PATH": str(instance), "SECRET_KEY": "load-test",
           "LOG_LEVEL": "WARNING", "LOGIN_ADDRESS_FAILURE_LIMIT": "1000"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                                "--timeout", "120", "app:server"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(base_url + "/ready", timeout=60).status_code == 200:
                # warm every worker (each builds the app on its first request)
                for _ in range(workers * 3):
                    requests.get(base_url + "/login", timeout=60)
                return process, base_url
        except requests.ConnectionError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Powerdesk; default: start gunicorn on a demo database")
    parser.add_argument("--user", default="viewer")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers when starting one")
    parser.add_argument("--clients", type=int, default=4, help="concurrent logged-in clients")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each scenario")
    args = parser.parse_args()
    process = None
    base_url = args.url
    if not base_url:
        process, base_url = start_server(args.workers)
    try:
        results = run_load(base_url, args.user, args.password, args.clients, args.seconds)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    reference = results["health (reference)"]["pages_per_s"]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.clients} clients, "
          f"{args.workers if process else '?'} gunicorn workers, {args.seconds:g} s per scenario")
    print(f"{'scenario':<20}{'req/page':>9}{'pages/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'vs /health':>12}  errors")
    for name, row in results.items():
        print(f"{name:<20}{row['requests_per_page']:>9}{row['pages_per_s']:>10.1f}{row['p50_ms']:>9.0f}"
              f"{row['p95_ms']:>9.0f}{row['pages_per_s'] / reference:>11.3f}x  {row['errors'] or '-'}")


if __name__ == "__main__":
    main()
