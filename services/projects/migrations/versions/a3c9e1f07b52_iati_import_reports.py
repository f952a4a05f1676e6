"""iati import reports

Each IATI import keeps its report, and per activity what funding made of its money (filled in by
funding's `funding.iati-money-applied` event).

Revision ID: a3c9e1f07b52
Revises: 8e2f4a6c1d57
Create Date: 2026-12-01 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a3c9e1f07b52"
down_revision: str | None = "8e2f4a6c1d57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "iati_imports",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_iati_imports"),
    )
    op.create_table(
        "iati_import_money",
        sa.Column("import_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("project_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("sent", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("applied", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["iati_imports.id"], name="fk_iati_import_money_import_id_iati_imports"),
        sa.PrimaryKeyConstraint("import_id", "project_id", name="pk_iati_import_money"),
    )


def downgrade() -> None:
    op.drop_table("iati_import_money")
    op.drop_table("iati_imports")
