"""carbon footprint: assets, COV power readings, carbon intensity, stored footprints

Revision ID: 0007_carbon
Revises: 0006_price_email
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007_carbon'
down_revision: Union[str, Sequence[str], None] = '0006_price_email'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('carbon_assets',
    sa.Column('asset_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('asset_id', name=op.f('pk_carbon_assets'))
    )
    op.create_table('carbon_intensity',
    sa.Column('interval_start_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('forecast_g_per_kwh', sa.Float(), nullable=True),
    sa.Column('actual_g_per_kwh', sa.Float(), nullable=True),
    sa.Column('index_label', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('interval_start_utc', name=op.f('pk_carbon_intensity'))
    )
    op.create_table('asset_footprints',
    sa.Column('asset_id', sa.String(length=64), nullable=False),
    sa.Column('settlement_date', sa.Date(), nullable=False),
    sa.Column('half_hour_id', sa.Integer(), nullable=False),
    sa.Column('start_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('power_kw', sa.Float(), nullable=True),
    sa.Column('known_share', sa.Float(), nullable=False),
    sa.Column('energy_kwh', sa.Float(), nullable=True),
    sa.Column('intensity_g_per_kwh', sa.Float(), nullable=True),
    sa.Column('intensity_kind', sa.String(length=8), nullable=True),
    sa.Column('footprint_g', sa.Float(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['carbon_assets.asset_id'],
                            name=op.f('fk_asset_footprints_asset_id_carbon_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('asset_id', 'settlement_date', 'half_hour_id', name=op.f('pk_asset_footprints'))
    )
    op.create_table('power_readings',
    sa.Column('asset_id', sa.String(length=64), nullable=False),
    sa.Column('time_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('power_kw', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['carbon_assets.asset_id'],
                            name=op.f('fk_power_readings_asset_id_carbon_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('asset_id', 'time_utc', name=op.f('pk_power_readings'))
    )


def downgrade() -> None:
    op.drop_table('power_readings')
    op.drop_table('asset_footprints')
    op.drop_table('carbon_intensity')
    op.drop_table('carbon_assets')
