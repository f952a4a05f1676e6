"""tenants' own identity providers, their sign-in trips; which provider authenticated a code or token

Revision ID: a5d9e3c17f42
Revises: 7c4e2b91d0a3
Create Date: 2026-12-02 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a5d9e3c17f42"
down_revision: str | None = "7c4e2b91d0a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("tenant", sa.Text(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("client_secret_ref", sa.Text(), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("email_domains", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("match_claim", sa.Text(), nullable=False),
        sa.Column("unknown_users", sa.Text(), nullable=False),
        sa.Column("required_amr", sa.Text(), nullable=True),
        sa.Column("required_acr", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_identity_providers_tenant"), "identity_providers", ["tenant"], unique=False)
    op.create_table(
        "federated_logins",
        sa.Column("state_hash", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.Text(), nullable=False),
        sa.Column("session_hash", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["identity_providers.id"]),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    op.add_column("signin_sessions", sa.Column("identity_provider", sa.Text(), nullable=True))
    op.add_column("authorization_codes", sa.Column("identity_provider", sa.Text(), nullable=True))
    op.add_column("refresh_tokens", sa.Column("identity_provider", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("refresh_tokens", "identity_provider")
    op.drop_column("authorization_codes", "identity_provider")
    op.drop_column("signin_sessions", "identity_provider")
    op.drop_table("federated_logins")
    op.drop_index(op.f("ix_identity_providers_tenant"), table_name="identity_providers")
    op.drop_table("identity_providers")
