"""Tables of the project registry.

A project is stored as its validated document (`doc`, the editable fields and results) beside its
identity, lifecycle and version columns. The projection columns are derived from the document on
every write and exist only so that list filters are indexed queries.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.database import Base


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        # Codes are unique per owner whatever their case, as a person reads them.
        Index("uq_projects_owner_code", "owner", func.lower(text("code")), unique=True),
        *(
            Index(f"ix_projects_{col}", col, postgresql_using="gin")
            for col in ("countries", "cities", "sdg_goals", "sdg_targets", "sectors", "networks", "partners")
        ),
        Index("ix_projects_owner_status", "owner", "status"),
        Index("ix_projects_owner_iati_identifier", "owner", "iati_identifier"),
        # One activity, one identifier in the whole registry, whatever the case (IATI compares them so).
        Index("uq_projects_iati_identifier", func.lower(text("iati_identifier")), unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    iati_identifier: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    visibility: Mapped[str] = mapped_column(Text, nullable=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("projects.id"))
    doc: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Projections of `doc` for filtering (see projections.py).
    countries: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    cities: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    sdg_goals: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    sdg_targets: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    networks: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    partners: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    title_sort: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ProjectChange(Base):
    """Who changed what and when: one row per version of a project."""

    __tablename__ = "project_changes"
    __table_args__ = (UniqueConstraint("project_id", "version", name="uq_project_changes_version"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("projects.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    event_type: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    client_id: Mapped[str | None] = mapped_column(Text)
    tenant: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    # Written by an admin migrating history (any status at registration), not by the lifecycle.
    migrated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)


class Network(Base):
    """The managed list of city networks (seeded from shared/data/xarxa/networks.json)."""

    __tablename__ = "networks"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
