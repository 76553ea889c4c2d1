"""First-start setup: migrate, make sure an admin exists, load demo data. Safe to run every start."""

from __future__ import annotations

from dataclasses import dataclass

from data_access import migrate
from data_access.engine import Database
from services.footprint import load_demo_carbon
from services.meter_demo import load_demo_meters
from services.operational import load_demo_readings
from services.prices import load_demo_prices
from services.turbines import register_demo_fleet
from services.users import ensure_admin


@dataclass(frozen=True)
class SetupReport:
    generated_admin_password: str | None
    demo_price_rows_added: int
    demo_turbines_added: int = 0
    demo_operational_rows_added: int = 0
    demo_meter_readings_added: int = 0


def run_setup(db: Database, database_url: str, admin_password: str | None, load_demo: bool,
              turbine_rating_kw: float = 3000.0) -> SetupReport:
    migrate.upgrade(database_url)
    generated = ensure_admin(db, admin_password)
    if not load_demo:
        return SetupReport(generated_admin_password=generated, demo_price_rows_added=0)
    added = load_demo_prices(db)
    load_demo_carbon(db)
    return SetupReport(
        generated_admin_password=generated, demo_price_rows_added=added,
        demo_turbines_added=register_demo_fleet(db, turbine_rating_kw),
        demo_operational_rows_added=load_demo_readings(db),
        demo_meter_readings_added=load_demo_meters(db),
    )
