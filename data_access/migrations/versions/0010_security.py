"""security: per-user session version, so logout, password change, disable and role change end sessions

Revision ID: 0010_security
Revises: 0003_runs_engine
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010_security'
down_revision: Union[str, Sequence[str], None] = '0003_runs_engine'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
