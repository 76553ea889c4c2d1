"""api keys: machine scopes (turbines:write, ...), an optional expiry, the last address, seen addresses

Machine keys made before scopes get every scope a machine key could use then (``FLEET_GATEWAY_SCOPES``
as of this revision, written out here so a later change to the list does not rewrite history), so they
keep working as before; user keys get none (they act as their user).

Revision ID: 0014_security_key_kinds
Revises: 0013_stack_run_worker
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from data_access.types import UTCDateTime


revision: str = '0014_security_key_kinds'
down_revision: Union[str, Sequence[str], None] = '0013_stack_run_worker'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PRE_SCOPE_MACHINE_SCOPES = ("footprint:read footprint:write meters:read meters:write prices:read runs:read "
                            "turbines:read turbines:write")


def upgrade() -> None:
    op.add_column('api_keys', sa.Column('scopes', sa.String(length=255), nullable=True))
    op.add_column('api_keys', sa.Column('expires_at', UTCDateTime(), nullable=True))
    op.add_column('api_keys', sa.Column('last_used_address', sa.String(length=64), nullable=True))
    op.execute(sa.text("UPDATE api_keys SET scopes = :scopes WHERE user_id IS NULL")
               .bindparams(scopes=PRE_SCOPE_MACHINE_SCOPES))
    op.create_table('api_key_addresses',
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('first_seen_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_key_addresses_api_key_id_api_keys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('api_key_id', 'address', name=op.f('pk_api_key_addresses'))
    )


def downgrade() -> None:
    op.drop_table('api_key_addresses')
    # plain DROP COLUMN: a batch rebuild of api_keys would cascade-delete its scope rows on SQLite
    for column in ('last_used_address', 'expires_at', 'scopes'):
        op.drop_column('api_keys', column)
