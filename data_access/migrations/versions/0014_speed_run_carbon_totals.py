"""run_carbon_totals: a finished run's schedule carbon, computed once instead of on every view

Runs stored before this get their totals computed on their next view.

Revision ID: 0014_speed_run_carbon_totals
Revises: 0014_forecasts_run_forecasts
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from data_access.types import UTCDateTime


revision: str = '0014_speed_run_carbon_totals'
down_revision: Union[str, Sequence[str], None] = '0014_forecasts_run_forecasts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'run_carbon_totals',
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('emitted_tco2', sa.Float(), nullable=True),
        sa.Column('avoided_tco2', sa.Float(), nullable=True),
        sa.Column('net_tco2', sa.Float(), nullable=True),
        sa.Column('coverage_share', sa.Float(), nullable=False),
        sa.Column('intervals', sa.Integer(), nullable=False),
        sa.Column('intervals_with_intensity', sa.Integer(), nullable=False),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['optimisation_runs.id'],
                                name=op.f('fk_run_carbon_totals_run_id_optimisation_runs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('run_id', name=op.f('pk_run_carbon_totals')),
    )


def downgrade() -> None:
    op.drop_table('run_carbon_totals')
