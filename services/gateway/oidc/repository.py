"""Queries of the provider: browser sessions, authorization codes, refresh tokens and the users
they were given to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.oidc.models import (
    AuthorizationCode,
    FederatedLogin,
    IdentityProvider,
    RefreshToken,
    SignInSession,
)
from services.gateway.users.models import OneTimeLink, User


async def sign_in_session(session: AsyncSession, id_hash: str) -> SignInSession | None:
    return await session.get(SignInSession, id_hash)


async def user(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def locked_code(session: AsyncSession, code_hash: str) -> AuthorizationCode | None:
    """The code's row, locked: two exchanges of one code are serial, so the second sees it used."""
    query = select(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def locked_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """The token's row, locked: two rotations of one token are serial, so the second is a replay."""
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.get(RefreshToken, token_hash)


async def revoke_family(session: AsyncSession, family: str, at: datetime) -> None:
    """Every live token rotated from one sign-in (the family is the first code's hash)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_session_tokens(session: AsyncSession, session_hash: str, at: datetime) -> None:
    """Every live token a browser session gave."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.session_hash == session_hash, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


# --- Federation (oidc/federation.py) ---------------------------------------------------------


async def identity_provider(session: AsyncSession, provider_id: str) -> IdentityProvider | None:
    return await session.get(IdentityProvider, provider_id)


async def identity_providers(session: AsyncSession, *, enabled_only: bool) -> list[IdentityProvider]:
    query = select(IdentityProvider).order_by(IdentityProvider.tenant, IdentityProvider.id)
    if enabled_only:
        query = query.where(IdentityProvider.enabled.is_(True))
    return list((await session.execute(query)).scalars())


async def provider_of_domain(session: AsyncSession, domain: str) -> IdentityProvider | None:
    """The enabled provider an email domain routes to (lower-cased on both sides)."""
    query = select(IdentityProvider).where(
        IdentityProvider.enabled.is_(True), IdentityProvider.email_domains.contains([domain])
    )
    return (await session.execute(query)).scalars().first()


async def providers_with_domains(session: AsyncSession, domains: list[str]) -> list[IdentityProvider]:
    query = select(IdentityProvider).where(IdentityProvider.email_domains.overlap(domains))
    return list((await session.execute(query)).scalars())


async def locked_federated_login(session: AsyncSession, state_hash: str) -> FederatedLogin | None:
    """The trip's row, locked: two callbacks with one state are serial, so the second sees it spent."""
    query = select(FederatedLogin).where(FederatedLogin.state_hash == state_hash).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()


async def pending_invitation(session: AsyncSession, user_id: str, now: datetime) -> OneTimeLink | None:
    query = select(OneTimeLink).where(
        OneTimeLink.user_id == user_id,
        OneTimeLink.purpose == "invitation",
        OneTimeLink.used_at.is_(None),
        OneTimeLink.expires_at > now,
    )
    return (await session.execute(query.with_for_update())).scalars().first()
