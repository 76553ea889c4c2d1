"""meters: smart meters, their readings and price plans

Revision ID: 0009_meters
Revises: 0004_operational

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_meters'
down_revision: Union[str, Sequence[str], None] = '0004_operational'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('price_plans',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('supplier', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('unit_rate_p_per_kwh', sa.Float(), nullable=False),
    sa.Column('peak_multipliers', sa.JSON(), nullable=False),
    sa.Column('day_ahead_multiplier', sa.Float(), nullable=True),
    sa.Column('rate_cap_p_per_kwh', sa.Float(), nullable=True),
    sa.CheckConstraint("kind IN ('flat', 'day_ahead_tracker')", name=op.f('ck_price_plans_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_plans'))
    )
    op.create_table('smart_meters',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('price_plan_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['price_plan_id'], ['price_plans.id'], name=op.f('fk_smart_meters_price_plan_id_price_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_smart_meters'))
    )
    op.create_table('meter_readings',
    sa.Column('meter_id', sa.String(length=64), nullable=False),
    sa.Column('reading_time_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('power_kw', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['smart_meters.id'], name=op.f('fk_meter_readings_meter_id_smart_meters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meter_id', 'reading_time_utc', name=op.f('pk_meter_readings'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('meter_readings')
    op.drop_table('smart_meters')
    op.drop_table('price_plans')
