"""grant documents and legal representatives

An entity's legal representative; uploaded files of applications, objections and justifications
(metadata with type, size and SHA-256) and, when stored in PostgreSQL, their content.

Revision ID: e4b7a91c3d20
Revises: 7d41c0b2e9a3
Create Date: 2026-12-01 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e4b7a91c3d20"
down_revision: str | None = "7d41c0b2e9a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "grant_entity", sa.Column("legal_representative", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_table(
        "grant_document",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("application_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("storage", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("tenant", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grant_application.id"],
            name=op.f("fk_grant_document_application_id_grant_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_document")),
    )
    op.create_index(op.f("ix_grant_document_application_id"), "grant_document", ["application_id"], unique=False)
    op.create_table(
        "grant_document_content",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_grant_document_content")),
    )


def downgrade() -> None:
    op.drop_table("grant_document_content")
    op.drop_index(op.f("ix_grant_document_application_id"), table_name="grant_document")
    op.drop_table("grant_document")
    op.drop_column("grant_entity", "legal_representative")
