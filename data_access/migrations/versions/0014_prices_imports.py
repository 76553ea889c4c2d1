"""price imports get an id (what they added and displaced, for undo) and sources a precedence per market

market_prices.import_id is NULL for rows stored before imports were recorded (they cannot be undone).

Revision ID: 0014_prices_imports
Revises: 0014_speed_run_carbon_totals
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



revision: str = '0014_prices_imports'
down_revision: Union[str, Sequence[str], None] = '0014_speed_run_carbon_totals'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'price_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('format', sa.String(length=16), nullable=False),
        sa.Column('good_lines_only', sa.Boolean(), nullable=False),
        sa.Column('rows_added', sa.Integer(), nullable=False),
        sa.Column('rows_displaced', sa.Integer(), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('undone_by', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_imports')),
    )
    op.create_table(
        'price_import_displaced',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('market', sa.String(length=32), nullable=False),
        sa.Column('interval_start_utc', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('price_gbp_per_mwh', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['price_imports.id'], ondelete='CASCADE',
                                name=op.f('fk_price_import_displaced_import_id_price_imports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_import_displaced')),
    )
    op.create_index('ix_price_import_displaced_import', 'price_import_displaced', ['import_id'])
    op.create_table(
        'price_precedence',
        sa.Column('market', sa.String(length=32), nullable=False),
        sa.Column('order', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('market', name=op.f('pk_price_precedence')),
    )
    op.add_column('market_prices', sa.Column('import_id', sa.Integer(), nullable=True))
    op.create_index('ix_market_prices_import_id', 'market_prices', ['import_id'])


def downgrade() -> None:
    op.drop_index('ix_market_prices_import_id', table_name='market_prices')
    with op.batch_alter_table('market_prices') as batch:
        batch.drop_column('import_id')
    op.drop_table('price_precedence')
    op.drop_index('ix_price_import_displaced_import', table_name='price_import_displaced')
    op.drop_table('price_import_displaced')
    op.drop_table('price_imports')
