"""First-start setup: migrate, make sure an admin exists, load demo data. Safe to run every start."""

from __future__ import annotations

from dataclasses import dataclass

from data_access import migrate
from data_access.engine import Database
from services.meter_demo import load_demo_meters
from services.prices import load_demo_prices
from services.users import ensure_admin


@dataclass(frozen=True)
class SetupReport:
    generated_admin_password: str | None
    demo_price_rows_added: int
    demo_meter_readings_added: int = 0


def run_setup(db: Database, database_url: str, admin_password: str | None, load_demo: bool) -> SetupReport:
    migrate.upgrade(database_url)
    generated = ensure_admin(db, admin_password)
    added = load_demo_prices(db) if load_demo else 0
    meter_readings = load_demo_meters(db) if load_demo else 0
    return SetupReport(generated_admin_password=generated, demo_price_rows_added=added,
                       demo_meter_readings_added=meter_readings)
