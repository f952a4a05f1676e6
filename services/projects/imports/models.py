"""Tables of the IATI imports: each import's report, and per activity what funding made of its money.

The report is written when the file is imported; the money outcome of each activity arrives later,
from funding's `funding.iati-money-applied` event, and completes the same report.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.database import Base


class IatiImport(Base):
    __tablename__ = "iati_imports"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    client_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # The ImportReport as answered, without its items (iati_import_items) and money outcomes (below);
    # imports before iati_import_items hold their items here.
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class IatiImportMoney(Base):
    """One activity's money in one import: what was sent to funding, and funding's answer."""

    __tablename__ = "iati_import_money"

    import_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("iati_imports.id"), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    sent: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    applied: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IatiImportItem(Base):
    """One activity's outcome in one import, in the file's order (`slot`): written batch by batch,
    so that an import's report never sits in memory whole."""

    __tablename__ = "iati_import_items"

    import_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("iati_imports.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
