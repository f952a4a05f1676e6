"""People who sign in, and the one-time links that invite them or let them set a new password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.database import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # the `sub` of the user's tokens
    email: Mapped[str] = mapped_column(Text, nullable=False, unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(Text, nullable=False)
    tenant: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    tenant_kind: Mapped[str] = mapped_column(Text, nullable=False)  # institution, partner or entity
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    locale: Mapped[str] = mapped_column(Text, nullable=False)
    password_hash: Mapped[str | None] = mapped_column(Text)  # none until the invitation is accepted
    totp_secret: Mapped[str | None] = mapped_column(Text)
    # The last TOTP time step accepted: a code is good once (RFC 6238 section 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_signins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OneTimeLink(Base):
    """An invitation or a password reset. Only the SHA-256 of the link's token is stored."""

    __tablename__ = "one_time_links"

    token_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)  # invitation or password-reset
    # A new second factor to confirm with this link (institution users' invitations, or a reset
    # after a lost device); it replaces the user's only once a code from it is typed.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
