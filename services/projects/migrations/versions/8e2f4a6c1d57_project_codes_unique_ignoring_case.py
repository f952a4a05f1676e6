"""Project codes unique per owner whatever the case (AJB-1 and ajb-1 are one code to a person).

Revision ID: 8e2f4a6c1d57
Revises: 5b7e1d0c9a42
Create Date: 2026-12-01 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e2f4a6c1d57"
down_revision: str | None = "5b7e1d0c9a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Fails on existing look-alike codes on purpose: which project keeps the code is a human decision.
    op.drop_constraint("uq_projects_owner_code", "projects", type_="unique")
    op.create_index("uq_projects_owner_code", "projects", ["owner", sa.text("lower(code)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_projects_owner_code", table_name="projects")
    op.create_unique_constraint("uq_projects_owner_code", "projects", ["owner", "code"])
