"""operational readings (metered battery output per settlement period)

Revision ID: 0004_operational
Revises: 0008_turbines
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004_operational'
down_revision: Union[str, Sequence[str], None] = '0008_turbines'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('operational_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset', sa.String(length=64), nullable=False),
    sa.Column('interval_start_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settlement_date', sa.Date(), nullable=False),
    sa.Column('settlement_period', sa.Integer(), nullable=False),
    sa.Column('metered_mw', sa.Float(), nullable=False),
    sa.Column('source_file', sa.String(length=255), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operational_readings')),
    sa.UniqueConstraint('asset', 'interval_start_utc', name='uq_operational_readings_asset_interval')
    )


def downgrade() -> None:
    op.drop_table('operational_readings')
