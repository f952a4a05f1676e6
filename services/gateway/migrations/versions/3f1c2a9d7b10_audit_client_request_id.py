"""audit: the caller's own request id, kept apart from the gateway's

Revision ID: 3f1c2a9d7b10
Revises: eb2ec0714d76
Create Date: 2026-12-01 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f1c2a9d7b10"
down_revision: str | None = "eb2ec0714d76"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("client_request_id", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_log", "client_request_id")
