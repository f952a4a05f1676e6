"""Institution years in the read models keep the declared revenues' source and basis.

Revision ID: c41d9e7b2a18
Revises: bddba9fef481
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c41d9e7b2a18"
down_revision: str | None = "bddba9fef481"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("institution_year_view", "institution_year_history")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("revenues_source", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("revenues_basis", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "revenues_basis")
        op.drop_column(table, "revenues_source")
