"""API clients of the OAuth2 client-credentials grant. Secrets are stored only as Argon2 hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.database import Base


class Client(Base):
    __tablename__ = "clients"

    client_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    secret_hash: Mapped[str] = mapped_column(Text, nullable=False)
    tenant: Mapped[str] = mapped_column(Text, nullable=False)
    tenant_kind: Mapped[str] = mapped_column(Text, nullable=False)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    rate_per_second: Mapped[float] = mapped_column(Float, nullable=False, default=50.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
