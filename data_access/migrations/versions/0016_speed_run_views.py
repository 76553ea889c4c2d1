"""run_views: what a finished run's view draws from its intervals, built once and stored

Runs stored before this get their view built and stored the first time they are shown.

Revision ID: 0016_speed_run_views
Revises: 0015_price_import_digest
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from data_access.types import UTCDateTime


revision: str = '0016_speed_run_views'
down_revision: Union[str, Sequence[str], None] = '0015_price_import_digest'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'run_views',
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=8), nullable=False),
        sa.Column('view_format', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('built_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['optimisation_runs.id'],
                                name=op.f('fk_run_views_run_id_optimisation_runs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('run_id', 'theme', name=op.f('pk_run_views')),
    )


def downgrade() -> None:
    op.drop_table('run_views')
