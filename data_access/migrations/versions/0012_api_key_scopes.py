"""api key scopes: the turbines, smart meters and carbon assets a machine key may write for

Existing keys get no rows, so they stay fleet keys (may write for everything), as before.

Revision ID: 0012_api_key_scopes
Revises: 0010_security
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0012_api_key_scopes'
down_revision: Union[str, Sequence[str], None] = '0010_security'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('api_key_scopes',
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('turbine', 'meter', 'asset')", name=op.f('ck_api_key_scopes_kind_known')),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_key_scopes_api_key_id_api_keys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('api_key_id', 'kind', 'ref', name=op.f('pk_api_key_scopes'))
    )


def downgrade() -> None:
    op.drop_table('api_key_scopes')
