"""price imports keep the SHA-256 of the file they stored, so setup knows a demo file it already loaded

NULL for imports recorded before this revision: setup reads such a demo file once more (it stores nothing
new) and then gives its import the digest.

Revision ID: 0015_price_import_digest
Revises: 0014_prices_imports
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0015_price_import_digest'
down_revision: Union[str, Sequence[str], None] = '0014_prices_imports'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('price_imports') as batch:
        batch.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
    op.create_index('ix_price_imports_content_sha256', 'price_imports', ['content_sha256'])


def downgrade() -> None:
    op.drop_index('ix_price_imports_content_sha256', table_name='price_imports')
    with op.batch_alter_table('price_imports') as batch:
        batch.drop_column('content_sha256')
