"""What API key scopes can name, registered in one go: the demo turbines, the trial meters and the
``abc123xyz`` carbon asset (the CLI and web scope tests share it)."""

from services import footprint
from services.meter_demo import load_plans_and_trial_meters
from services.turbines import register_demo_fleet


def register_scope_targets(db) -> None:
    register_demo_fleet(db, 3000.0)
    load_plans_and_trial_meters(db)
    footprint.register_asset(db, "abc123xyz", "demo")
