"""daily price email: recipients and the sent log

Revision ID: 0006_price_email
Revises: 0011_studies
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006_price_email'
down_revision: Union[str, Sequence[str], None] = '0011_studies'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('price_email_recipients',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_price_email_recipients_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_price_email_recipients'))
    )
    op.create_table('price_email_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_date', sa.Date(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('claimed', 'sent', 'failed')", name=op.f('ck_price_email_sent_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_email_sent')),
    sa.UniqueConstraint('settlement_date', 'recipient', 'kind', name='uq_price_email_sent_date_recipient_kind')
    )


def downgrade() -> None:
    op.drop_table('price_email_sent')
    op.drop_table('price_email_recipients')
