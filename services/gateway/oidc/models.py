"""The provider's state: browser sign-in sessions, authorization codes and refresh tokens.

Only SHA-256 digests of the secrets handed out (cookie values, codes, refresh tokens) are stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.database import Base


class SignInSession(Base):
    """The gateway's own browser session (its cookie): anonymous until a user signs in, when it is
    replaced by a new one (no session fixation)."""

    __tablename__ = "signin_sessions"

    id_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    csrf_token: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Who vouched for the user: a tenant's identity provider, or none (the gateway's own password).
    identity_provider: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuthorizationCode(Base):
    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    client_id: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    session_hash: Mapped[str] = mapped_column(Text, nullable=False)
    redirect_uri: Mapped[str] = mapped_column(Text, nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(Text, nullable=False)
    auth_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    identity_provider: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RefreshToken(Base):
    """One link of a rotation chain: using it spends it and issues the next one of the same family.
    A spent token used again is a stolen copy: the whole family is revoked (OAuth 2.0 Security BCP
    section 4.14.2)."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    family: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    client_id: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    session_hash: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    auth_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    identity_provider: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdentityProvider(Base):
    """A tenant's own OpenID Connect provider: its users sign in there instead of with a password.
    Configured (`xarxa federation add`), not coded. The client secret is never stored: only where
    to read it (`env:NAME` or `file:/path`), so it is in no table, dump or log."""

    __tablename__ = "identity_providers"

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # a slug, e.g. amb-entra
    name: Mapped[str] = mapped_column(Text, nullable=False)  # shown on the button
    tenant: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    issuer: Mapped[str] = mapped_column(Text, nullable=False)
    client_id: Mapped[str] = mapped_column(Text, nullable=False)
    client_secret_ref: Mapped[str] = mapped_column(Text, nullable=False)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    # Lower-cased; a domain routes to one provider only (the service checks it).
    email_domains: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    match_claim: Mapped[str] = mapped_column(Text, nullable=False)  # the claim holding the user's email
    # refuse: only users who accepted their invitation; invitation: a pending invitation is enough
    # (the first federated sign-in accepts it). Nobody is ever created from a claim.
    unknown_users: Mapped[str] = mapped_column(Text, nullable=False)
    # When set, the ID token's amr must hold this value (e.g. mfa), or its acr equal it.
    required_amr: Mapped[str | None] = mapped_column(Text)
    required_acr: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class FederatedLogin(Base):
    """One trip to a tenant's provider: its `state` (only the digest), the nonce and PKCE verifier
    to check the answer with, the browser session it belongs to (no login CSRF) and the platform's
    own authorization request to continue. Spent at the callback, whatever the outcome."""

    __tablename__ = "federated_logins"

    state_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("identity_providers.id"), nullable=False)
    session_hash: Mapped[str] = mapped_column(Text, nullable=False)
    nonce: Mapped[str] = mapped_column(Text, nullable=False)
    code_verifier: Mapped[str] = mapped_column(Text, nullable=False)
    request: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # the authorize parameters
    lang: Mapped[str] = mapped_column(Text, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
