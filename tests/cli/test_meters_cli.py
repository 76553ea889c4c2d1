from services.audit import list_events
from services.meter_demo import load_plans_and_trial_meters


def test_meters_list_and_set_plan(server):
    load_plans_and_trial_meters(server.extensions["powerdesk"].db)
    runner = server.test_cli_runner()
    listing = runner.invoke(args=["meters", "list"])
    assert listing.exit_code == 0
    assert "smart-meter-1\tPeter\tprice-plan-1\t336\t2023-04-27 00:00 BST .. 2023-05-03 23:30 BST" in listing.output
    moved = runner.invoke(args=["meters", "set-plan", "smart-meter-1", "price-plan-2"])
    assert moved.exit_code == 0 and "price-plan-1 -> price-plan-2" in moved.output
    assert [e.actor for e in list_events(server.extensions["powerdesk"].db, action_prefix="plan.")] == ["cli"]
    unknown = runner.invoke(args=["meters", "set-plan", "smart-meter-1", "nope"])
    assert unknown.exit_code != 0 and "no price plan 'nope'" in unknown.output
