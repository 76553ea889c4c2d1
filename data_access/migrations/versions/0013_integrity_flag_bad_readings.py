"""integrity: flag stored COV readings that fail today's rules; asset ratings; when turbine reports arrived

Older versions stored any parseable time and power (a reading stamped year 0261, a power of -1e12 kW).
This adds ``power_readings.invalid_reason`` and sets it on every row outside [2000-01-01, now + 1 day]
or beyond ±10 GW (no asset had a rating before this revision); reads skip flagged rows. It also adds
``carbon_assets.rating_kw`` (optional), ``turbine_metrics.received_at`` (NULL on older rows) and
``turbine_tickets.failed_again_at`` (the turbine still reported broken after the repair).

Revision ID: 0013_integrity_flag_bad_readings
Revises: 0013_runs_dedupe_index
"""
from datetime import UTC, datetime, timedelta
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from data_access.types import UTCDateTime


revision: str = '0013_integrity_flag_bad_readings'
down_revision: Union[str, Sequence[str], None] = '0013_runs_dedupe_index'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The rules of domain.reading_integrity as they were when this revision was written (kept here so the
# migration does not change when the rules do).
EARLIEST_UTC = datetime(2000, 1, 1, tzinfo=UTC)
LIMIT_KW = 10_000_000.0

_readings = sa.table('power_readings', sa.column('time_utc', UTCDateTime()), sa.column('power_kw', sa.Float()),
                     sa.column('invalid_reason', sa.String(200)))


def upgrade() -> None:
    with op.batch_alter_table('carbon_assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_kw', sa.Float(), nullable=True))
    with op.batch_alter_table('power_readings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invalid_reason', sa.String(length=200), nullable=True))
    with op.batch_alter_table('turbine_metrics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', UTCDateTime(), nullable=True))
    with op.batch_alter_table('turbine_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_again_at', UTCDateTime(), nullable=True))
    latest = datetime.now(UTC) + timedelta(days=1)
    for condition, reason in (
        (_readings.c.time_utc < EARLIEST_UTC, 'time before 2000-01-01 (flagged by migration 0013)'),
        (_readings.c.time_utc > latest, 'time more than a day in the future (flagged by migration 0013)'),
        (sa.func.abs(_readings.c.power_kw) > LIMIT_KW, 'power beyond ±10 GW (flagged by migration 0013)'),
    ):
        op.execute(_readings.update().where(condition, _readings.c.invalid_reason.is_(None))
                   .values(invalid_reason=reason))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35 has it): a batch "move and copy" would drop and
    # recreate carbon_assets, and its ON DELETE CASCADE would take every power reading with it.
    for table, column in (('turbine_tickets', 'failed_again_at'), ('turbine_metrics', 'received_at'), ('power_readings', 'invalid_reason'),
                          ('carbon_assets', 'rating_kw')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
