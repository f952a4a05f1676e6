"""iati import items

Each activity's outcome of an IATI import in a row of its own, written batch by batch, instead of
inside the import's report: a large file's report is never held whole in memory.

Revision ID: c7e4b2d9a031
Revises: a3c9e1f07b52
Create Date: 2026-12-02 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c7e4b2d9a031"
down_revision: str | None = "a3c9e1f07b52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "iati_import_items",
        sa.Column("import_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("item", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["iati_imports.id"], name="fk_iati_import_items_import_id_iati_imports"),
        sa.PrimaryKeyConstraint("import_id", "slot", name="pk_iati_import_items"),
    )


def downgrade() -> None:
    op.drop_table("iati_import_items")
