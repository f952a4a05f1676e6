"""Declared own revenues say where their figure comes from and whether it is settled or budgeted.

Revision ID: b7c3e1f04a52
Revises: e4b7a91c3d20
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c3e1f04a52"
down_revision: str | None = "e4b7a91c3d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("institution_years", sa.Column("revenues_source", sa.Text(), nullable=True))
    op.add_column("institution_years", sa.Column("revenues_basis", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("institution_years", "revenues_basis")
    op.drop_column("institution_years", "revenues_source")
