"""runs record the worker that solved them (host name of the process or Celery worker)

Older rows get NULL: the worker was not recorded then.

Revision ID: 0013_stack_run_worker
Revises: 0013_integrity_flag_bad_readings
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_stack_run_worker'
down_revision: Union[str, Sequence[str], None] = '0013_integrity_flag_bad_readings'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Plain ALTER TABLE (no batch rebuild): rebuilding optimisation_runs on SQLite would cascade to its intervals.
def upgrade() -> None:
    op.add_column('optimisation_runs', sa.Column('worker', sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column('optimisation_runs', 'worker')
