"""`flask turbine ...`: register, list, run the dispatcher once, list tickets."""

import time

from services.turbine_ingest import ingest_metrics


def test_add_list_dispatch_and_tickets(server):
    runner = server.test_cli_runner()
    assert "Turbine 12 registered." in runner.invoke(args=["turbine", "add", "12", "--name", "Hill 12"]).output
    assert "already registered" in runner.invoke(args=["turbine", "add", "12"]).output
    refused = runner.invoke(args=["turbine", "add", "13", "--rating-kw", "-5"])
    assert refused.exit_code != 0 and "rating" in refused.output
    ingest_metrics(server.extensions["powerdesk"].db,
                   [{"turbine_number": 12, "wind_speed": 20, "power_output_in_kwh": 0, "operational_status": "broken",
                     "timestamp": time.time() - 1}], time.time(), auto_register=False, default_rating_kw=3000,
                   actor="t")
    assert "Hill 12" in runner.invoke(args=["turbine", "list"]).output
    assert "1 change(s) applied" in runner.invoke(args=["turbine", "dispatch"]).output
    assert "turbine 12 queued" in runner.invoke(args=["turbine", "tickets", "--status", "queued"]).output
    bad = runner.invoke(args=["turbine", "tickets", "--status", "lost"])
    assert bad.exit_code != 0 and "not one of" in bad.output
