"""Operational data: import (whole file or nothing, idempotent, line numbers) and the LEFT JOIN to a
run's schedule across the spring clock change, on SQLite and PostgreSQL."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access.schema import AuditEvent, OperationalReading
from domain.operational import deviation_stats
from services.errors import InvalidInput
from services.operational import DEMO_FILE, import_readings, load_demo_readings, schedule_vs_actual
from tests.services.test_runs import store_run

SPRING = date(2023, 3, 26)


def readings_csv(rows) -> str:
    return "settlement_date,settlement_period,metered_mw\n" + "".join(f"{d},{p},{v}\n" for d, p, v in rows)


def stored_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(OperationalReading))


def test_a_file_is_stored_whole_and_importing_it_again_changes_nothing(db):
    text = readings_csv([(SPRING, p, 1.5) for p in range(1, 47)])
    first = import_readings(db, text, "spring.csv", "trader")
    assert (first.rows, first.added, first.changed, first.unchanged) == (46, 46, 0, 0)
    assert first.first == "2023-03-26 SP1" and first.last == "2023-03-26 SP46"
    again = import_readings(db, text, "spring.csv", "trader")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 46) and stored_count(db) == 46
    corrected = import_readings(db, readings_csv([(SPRING, 3, 2.0)]), "fix.csv", "trader")
    assert (corrected.added, corrected.changed) == (0, 1) and stored_count(db) == 46
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "operational.imported")) == 3


def test_a_file_with_any_bad_row_stores_nothing_and_names_the_lines(db):
    text = readings_csv([(SPRING, 1, 1.0), (SPRING, 47, 1.0), (SPRING, 2, "abc"), ("2023-02-30", 1, 1.0)])
    with pytest.raises(InvalidInput) as refused:
        import_readings(db, text, "bad.csv", "trader")
    message = str(refused.value)
    assert "nothing was imported" in message
    assert "line 3: settlement period 47 does not exist on 2023-03-26 (that day has 46 periods)" in message
    assert "line 4: metered_mw is not a number" in message and "line 5:" in message
    assert stored_count(db) == 0
    with pytest.raises(InvalidInput, match="needs a metered_mw column"):
        import_readings(db, "time,value\n2023-01-01T00:00Z,1\n", "wrong.csv", "trader")


def test_utc_times_and_settlement_periods_meet_on_the_same_instant(db):
    import_readings(db, "interval_start_utc,metered_mw\n2023-03-26T01:00:00Z,7\n2023-03-26T00:30:00+00:00,6\n",
                    "utc.csv", "trader")
    again = import_readings(db, readings_csv([(SPRING, 2, 6.0), (SPRING, 3, 7.0)]), "periods.csv", "trader")
    assert (again.added, again.unchanged) == (0, 2)  # 01:00 UTC is 02:00 BST, SP3 of the spring day


def test_the_join_keeps_every_schedule_interval_and_flags_the_missing(db):
    run_id = store_run(db, None, first=SPRING)  # 46 intervals; discharge − charge = 0 MW
    import_readings(db, readings_csv([(SPRING, p, 2.0 if p != 10 else -4.0) for p in range(1, 47) if p not in
                                      (5, 6)]), "most.csv", "trader")
    import_readings(db, readings_csv([(date(2023, 3, 27), 1, 99.0)]), "other-day.csv", "trader")
    joined, stats = schedule_vs_actual(db, run_id)
    assert len(joined) == 46 and joined["settlement_period"].tolist() == list(range(1, 47))
    assert joined["metered_mw"].isna().tolist() == [p in (5, 6) for p in range(1, 47)]
    assert (stats.intervals, stats.missing) == (46, 2) and stats.share_missing == pytest.approx(2 / 46)
    assert stats.mae_mw == pytest.approx((43 * 2.0 + 4.0) / 44) and stats.max_abs_deviation_mw == 4.0
    assert stats.max_deviation_at == pd.Timestamp("2023-03-26 04:30", tz="UTC")  # SP10: 05:30 BST
    _, other_asset = schedule_vs_actual(db, run_id, asset="another battery")
    assert other_asset.missing == 46 and other_asset.mae_mw is None


def test_the_demo_sample_is_simulated_loads_once_and_has_gaps():
    assert "SIMULATED" in DEMO_FILE.name
    frame = pd.read_csv(DEMO_FILE)
    assert len(frame) == 48 + 46 + 48 - 6 and np.isfinite(frame["metered_mw"]).all()


def test_demo_readings_load_idempotently(db):
    assert load_demo_readings(db) == 136 and load_demo_readings(db) == 0


def test_deviation_stats_with_no_readings():
    stats = deviation_stats(pd.DataFrame({"interval_start_utc": [], "scheduled_mw": [], "metered_mw": []}))
    assert stats.intervals == 0 and stats.share_missing == 0.0 and stats.mae_mw is None
