"""runs record the worker that solved them (host name of the process or Celery worker)

Older rows get NULL: the worker was not recorded then.

Revision ID: 0013_stack_run_worker
Revises: 0012_api_key_scopes
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_stack_run_worker'
down_revision: Union[str, Sequence[str], None] = '0012_api_key_scopes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('optimisation_runs') as batch:
        batch.add_column(sa.Column('worker', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('optimisation_runs') as batch:
        batch.drop_column('worker')
