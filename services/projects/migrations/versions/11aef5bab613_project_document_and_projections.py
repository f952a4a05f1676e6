"""project document and projections: the whole project as a validated document, with indexed
projection columns for the list filters, change history and the managed network list

Revision ID: 11aef5bab613
Revises: 0c3fb6be70fd
Create Date: 2026-11-23 05:00:00
"""

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "11aef5bab613"
down_revision: str | None = "0c3fb6be70fd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARRAYS = ("countries", "cities", "sdg_goals", "sdg_targets", "sectors", "networks", "partners")
NETWORKS = Path(__file__).resolve().parents[4] / "shared" / "data" / "xarxa" / "networks.json"
INSTITUTIONS = Path(__file__).resolve().parents[4] / "shared" / "data" / "xarxa" / "institutions.json"


def upgrade() -> None:
    op.add_column("projects", sa.Column("iati_identifier", sa.Text(), nullable=True))
    op.add_column("projects", sa.Column("archived", sa.Boolean(), server_default="false", nullable=False))
    op.add_column("projects", sa.Column("parent_id", sa.UUID(), nullable=True))
    op.add_column("projects", sa.Column("doc", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("projects", sa.Column("start_date", sa.Date(), nullable=True))
    op.add_column("projects", sa.Column("end_date", sa.Date(), nullable=True))
    op.add_column("projects", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    op.add_column("projects", sa.Column("title_sort", sa.Text(), server_default="", nullable=False))
    op.alter_column("projects", "sdg_goals", new_column_name="sdg_goals_old")
    for name in ARRAYS:
        op.add_column("projects", sa.Column(name, sa.ARRAY(sa.Text()), server_default="{}", nullable=False))

    # Rows of the first schema (development data only, before any release) were turned into
    # documents here with the application's projections; a migration must not depend on code that
    # changes later, so a database still holding such rows is refused rather than converted.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM projects")).scalar():
        raise RuntimeError("projects of the pre-release schema: start from an empty database")

    op.alter_column("projects", "doc", nullable=False)
    op.alter_column("projects", "iati_identifier", nullable=False)
    op.drop_index("ix_projects_participating_orgs", table_name="projects", postgresql_using="gin")
    for old in ("title", "description", "partner_cities", "participating_orgs", "sdg_goals_old"):
        op.drop_column("projects", old)
    op.create_foreign_key(op.f("fk_projects_parent_id_projects"), "projects", "projects", ["parent_id"], ["id"])
    for name in ARRAYS:
        op.create_index(f"ix_projects_{name}", "projects", [name], unique=False, postgresql_using="gin")
    op.create_index("ix_projects_owner_status", "projects", ["owner", "status"], unique=False)

    op.create_table(
        "project_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column("tenant", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_changes_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_changes")),
        sa.UniqueConstraint("project_id", "version", name="uq_project_changes_version"),
    )
    networks = op.create_table(
        "networks",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("names", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_networks")),
    )
    seed = json.loads(NETWORKS.read_text())["items"]
    op.bulk_insert(networks, [
        {"code": n["code"], "names": {lang: n[lang] for lang in ("ca", "es", "en") if lang in n}} for n in seed
    ])


def downgrade() -> None:
    raise RuntimeError("Irreversible: the project document cannot be split back into the first schema's columns")
