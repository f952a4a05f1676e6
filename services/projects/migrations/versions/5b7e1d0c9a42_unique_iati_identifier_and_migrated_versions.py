"""IATI identifiers unique in the registry (case-insensitive); versions say when they were migrated.

Revision ID: 5b7e1d0c9a42
Revises: 391d43d5e1c2
Create Date: 2026-12-01 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b7e1d0c9a42"
down_revision: str | None = "391d43d5e1c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Fails on existing duplicates on purpose: which project keeps an identifier is a human decision.
    op.create_index(
        "uq_projects_iati_identifier", "projects", [sa.text("lower(iati_identifier)")], unique=True
    )
    op.add_column(
        "project_changes", sa.Column("migrated", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("project_changes", "migrated")
    op.drop_index("uq_projects_iati_identifier", table_name="projects")
