"""runs engine: run lifecycle columns, price series, user-owned API keys

Old run statuses are migrated to the lifecycle's final statuses (the optimiser's own outcome is kept
in ``solver_status``): optimal/suboptimal -> succeeded, time_limit_no_solution -> timed_out,
solver_error -> failed.

Revision ID: 0003_runs_engine
Revises: 0009_meters
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003_runs_engine'
down_revision: Union[str, Sequence[str], None] = '0009_meters'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STATUS_MAP = (("optimal", "succeeded"), ("suboptimal", "succeeded"), ("time_limit_no_solution", "timed_out"),
              ("solver_error", "failed"))


def upgrade() -> None:
    with op.batch_alter_table('optimisation_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solver_status', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('job_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('progress_done', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('progress_total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('error_traceback', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('da_series', sa.String(length=32), nullable=False, server_default='day_ahead'))
        batch_op.add_column(sa.Column('id_series', sa.String(length=32), nullable=False, server_default='intraday'))
        batch_op.add_column(sa.Column('prices_as_of', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_optimisation_runs_cancelled_by_id_users'), 'users',
                                    ['cancelled_by_id'], ['id'])
        batch_op.create_index('ix_optimisation_runs_status', ['status'], unique=False)
    with op.batch_alter_table('optimisation_runs', schema=None) as batch_op:
        batch_op.alter_column('progress_done', server_default=None)
        batch_op.alter_column('progress_total', server_default=None)
        batch_op.alter_column('da_series', server_default=None)
        batch_op.alter_column('id_series', server_default=None)
    runs = sa.table('optimisation_runs', sa.column('status', sa.String), sa.column('solver_status', sa.String))
    for old, new in STATUS_MAP:
        op.execute(runs.update().where(runs.c.status == old).values(status=new, solver_status=old))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_keys_user_id_users'), 'users', ['user_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_keys_user_id_users'), type_='foreignkey')
        batch_op.drop_column('user_id')
    runs = sa.table('optimisation_runs', sa.column('status', sa.String), sa.column('solver_status', sa.String))
    for old, new in STATUS_MAP:
        op.execute(runs.update().where(runs.c.status == new, runs.c.solver_status == old).values(status=old))
    op.execute(runs.update().where(runs.c.status == 'cancelled').values(status='failed'))
    with op.batch_alter_table('optimisation_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_optimisation_runs_status')
        batch_op.drop_constraint(batch_op.f('fk_optimisation_runs_cancelled_by_id_users'), type_='foreignkey')
        for column in ('prices_as_of', 'id_series', 'da_series', 'error_traceback', 'cancelled_at',
                       'cancelled_by_id', 'heartbeat_at', 'progress_total', 'progress_done', 'job_id',
                       'solver_status'):
            batch_op.drop_column(column)
