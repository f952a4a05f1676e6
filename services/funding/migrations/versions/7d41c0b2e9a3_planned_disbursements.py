"""planned disbursements

Payments foreseen (IATI planned-disbursement) get a table of their own instead of being booked as
future-dated transactions.

Revision ID: 7d41c0b2e9a3
Revises: 5c0e7a2f9b41
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '7d41c0b2e9a3'
down_revision: str | None = '5c0e7a2f9b41'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'planned_disbursements',
        sa.Column('id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column('project_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('planned_type', sa.Text(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=True),
        sa.Column('provider_org', sa.Text(), nullable=True),
        sa.Column('receiver_org', sa.Text(), nullable=True),
        sa.Column('amount', sa.Numeric(18, 2), nullable=False),
        sa.Column('currency', sa.Text(), nullable=False),
        sa.Column('amount_eur', sa.Numeric(18, 2), nullable=False),
        sa.Column('rate', sa.Numeric(20, 8), nullable=False),
        sa.Column('rate_date', sa.Date(), nullable=False),
        sa.Column('rate_source', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('client_id', sa.Text(), nullable=True),
        sa.CheckConstraint('period_end IS NULL OR period_end >= period_start', name='ck_planned_disbursements_period'),
        sa.PrimaryKeyConstraint('id', name='pk_planned_disbursements'),
        sa.UniqueConstraint('seq', name='uq_planned_disbursements_seq'),
    )
    op.create_index('ix_planned_disbursements_project', 'planned_disbursements', ['project_id', 'seq'])


def downgrade() -> None:
    op.drop_index('ix_planned_disbursements_project', table_name='planned_disbursements')
    op.drop_table('planned_disbursements')
