"""runs dedupe index: at most one live run per reuse fingerprint, enforced by the database

A unique partial index on (params_hash, input_fingerprint) over the runs that are queued, running or
succeeded, so two identical requests at once make one run (the second insert fails and reopens the first),
instead of a look-up before an insert that both requests pass.

Existing duplicates (made before this index, by that race) are resolved on upgrade, per fingerprint:
the NEWEST succeeded run is kept (the one an identical request has been reopening: the look-up took the
newest), or the newest queued/running one when none succeeded. The others keep their rows and results:
an older succeeded duplicate gets ``duplicate_of_id`` (the kept run), which takes it out of the index;
a queued or running duplicate is ended ``cancelled``, saying which run it duplicated. Downgrade drops the
index and the column (the cancelled duplicates stay cancelled).

Revision ID: 0013_runs_dedupe_index
Revises: 0012_api_key_scopes
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_runs_dedupe_index'
down_revision: Union[str, Sequence[str], None] = '0012_api_key_scopes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LIVE = "status IN ('queued', 'running', 'succeeded') AND duplicate_of_id IS NULL"
INDEX = 'uq_optimisation_runs_live_reuse'


def _resolve_duplicates(connection) -> None:
    rows = connection.execute(sa.text(
        "SELECT id, params_hash, input_fingerprint, status FROM optimisation_runs "
        "WHERE status IN ('queued', 'running', 'succeeded') ORDER BY id")).all()
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for run_id, params_hash, fingerprint, status in rows:
        groups.setdefault((params_hash, fingerprint), []).append((run_id, status))
    for runs in groups.values():
        if len(runs) < 2:
            continue
        succeeded = [run_id for run_id, status in runs if status == 'succeeded']
        kept = max(succeeded) if succeeded else max(run_id for run_id, _ in runs)
        for run_id, status in runs:
            if run_id == kept:
                continue
            if status == 'succeeded':
                connection.execute(sa.text("UPDATE optimisation_runs SET duplicate_of_id = :kept WHERE id = :id"),
                                   {"kept": kept, "id": run_id})
            else:
                connection.execute(sa.text(
                    "UPDATE optimisation_runs SET status = 'cancelled', duplicate_of_id = :kept, "
                    "finished_at = CURRENT_TIMESTAMP, message = :message WHERE id = :id"),
                    {"kept": kept, "id": run_id,
                     "message": f"Ended by the upgrade: run #{kept} has the same parameters on the same prices."})


def upgrade() -> None:
    op.add_column('optimisation_runs', sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
    _resolve_duplicates(op.get_bind())
    op.create_index(INDEX, 'optimisation_runs', ['params_hash', 'input_fingerprint'], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index(INDEX, table_name='optimisation_runs')
    with op.batch_alter_table('optimisation_runs') as batch:
        batch.drop_column('duplicate_of_id')
