"""imported money in the ledger

Ledger entries booked by an IATI import say so (`imported`); budget lines and planned disbursements
can be withdrawn by a negating entry (`reverses_id`), as transactions are reversed; each imported
entry names the ledger entry that holds its money.

Revision ID: d8e3f5a2b7c1
Revises: c5d2e8a1f930
Create Date: 2026-12-02 01:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d8e3f5a2b7c1"
down_revision: str | None = "c5d2e8a1f930"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("transactions", "budget_lines", "planned_disbursements"):
        op.add_column(table, sa.Column("imported", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    for table in ("budget_lines", "planned_disbursements"):
        op.add_column(table, sa.Column("reverses_id", sa.UUID(), nullable=True))
        op.create_foreign_key(op.f(f"fk_{table}_reverses_id_{table}"), table, table, ["reverses_id"], ["id"])
        op.create_unique_constraint(op.f(f"uq_{table}_reverses_id"), table, ["reverses_id"])
    op.add_column("iati_money_entries", sa.Column("ledger_id", sa.UUID(), nullable=True))


def downgrade() -> None:
    op.drop_column("iati_money_entries", "ledger_id")
    for table in ("budget_lines", "planned_disbursements"):
        op.drop_constraint(op.f(f"uq_{table}_reverses_id"), table, type_="unique")
        op.drop_constraint(op.f(f"fk_{table}_reverses_id_{table}"), table, type_="foreignkey")
        op.drop_column(table, "reverses_id")
    for table in ("transactions", "budget_lines", "planned_disbursements"):
        op.drop_column(table, "imported")
