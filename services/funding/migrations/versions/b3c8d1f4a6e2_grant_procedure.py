"""grant procedure: acceptances, evaluators' score sheets by version, payment orders

Revision ID: b3c8d1f4a6e2
Revises: b7c3e1f04a52
Create Date: 2026-12-01 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'b3c8d1f4a6e2'
down_revision: str | None = 'b7c3e1f04a52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('grant_application', sa.Column('acceptance', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_table(
        'grant_score_sheet',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('application_id', sa.UUID(), nullable=False),
        sa.Column('evaluator', sa.Text(), nullable=False),
        sa.Column('tenant', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('points', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('no_conflict', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['application_id'], ['grant_application.id'], name=op.f('fk_grant_score_sheet_application_id_grant_application')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_score_sheet')),
        sa.UniqueConstraint('application_id', 'evaluator', 'version', name=op.f('uq_grant_score_sheet_application_id')),
    )
    op.create_index(op.f('ix_grant_score_sheet_application_id'), 'grant_score_sheet', ['application_id'], unique=False)
    op.create_table(
        'grant_payment_order',
        sa.Column('id', sa.UUID(), nullable=False),
        sa.Column('application_id', sa.UUID(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('budget_year', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(14, 2), nullable=False),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('transaction_ids', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
        sa.Column('value_date', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['application_id'], ['grant_application.id'], name=op.f('fk_grant_payment_order_application_id_grant_application')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_payment_order')),
        sa.UniqueConstraint('application_id', 'number', name=op.f('uq_grant_payment_order_application_id')),
    )
    op.create_index(op.f('ix_grant_payment_order_application_id'), 'grant_payment_order', ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_grant_payment_order_application_id'), table_name='grant_payment_order')
    op.drop_table('grant_payment_order')
    op.drop_index(op.f('ix_grant_score_sheet_application_id'), table_name='grant_score_sheet')
    op.drop_table('grant_score_sheet')
    op.drop_column('grant_application', 'acceptance')
