"""The audit trail: one row per write attempt that reached the gateway, refused or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Integer, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.database import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), index=True)
    request_id: Mapped[str] = mapped_column(Text, nullable=False)  # the gateway's own
    client_request_id: Mapped[str | None] = mapped_column(Text)  # the caller's X-Request-ID, sanitised
    client_id: Mapped[str | None] = mapped_column(Text, index=True)
    tenant: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text, nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    remote_addr: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    # Sign-ins and changes of a user's access: what happened (e.g. "signin.failed") and to whom.
    event: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text, index=True)
