"""iati money

Transactions, budgets and planned disbursements imported with IATI activities, kept as the file
states them beside the ledger, with their EUR value where a rate exists and a flag where none does.

Revision ID: c5d2e8a1f930
Revises: b3c8d1f4a6e2
Create Date: 2026-12-01 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c5d2e8a1f930"
down_revision: str | None = "b3c8d1f4a6e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "iati_money_sets",
        sa.Column("project_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("iati_identifier", sa.Text(), nullable=False),
        sa.Column("import_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("default_currency", sa.Text(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_iati_money_sets"),
    )
    op.create_table(
        "iati_money_entries",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("project_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("import_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("amount_eur", sa.Numeric(18, 2), nullable=True),
        sa.Column("rate", sa.Numeric(20, 8), nullable=True),
        sa.Column("rate_date", sa.Date(), nullable=True),
        sa.Column("rate_source", sa.Text(), nullable=True),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column("flag_message", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_iati_money_entries"),
        sa.UniqueConstraint("project_id", "kind", "ordinal", name="uq_iati_money_entries_position"),
    )
    op.create_index("ix_iati_money_entries_owner", "iati_money_entries", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_iati_money_entries_owner", table_name="iati_money_entries")
    op.drop_table("iati_money_entries")
    op.drop_table("iati_money_sets")
