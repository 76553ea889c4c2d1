"""forecast-driven runs keep, per interval, the forecasts their decisions used and the perfect-foresight cash

A new table (no change to optimisation_runs or run_intervals); a perfect-foresight run has no rows in it.

Revision ID: 0014_forecasts_run_forecasts
Revises: 0014_security_key_kinds
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from data_access.types import UTCDateTime


revision: str = '0014_forecasts_run_forecasts'
down_revision: Union[str, Sequence[str], None] = '0014_security_key_kinds'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'run_forecast_intervals',
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('optimisation_runs.id', ondelete='CASCADE'), nullable=False),
        sa.Column('interval_start_utc', UTCDateTime(), nullable=False),
        sa.Column('da_forecast', sa.Float(), nullable=True),
        sa.Column('id_forecast', sa.Float(), nullable=True),
        sa.Column('perfect_cash_gbp', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('run_id', 'interval_start_utc'),
    )


def downgrade() -> None:
    op.drop_table('run_forecast_intervals')
