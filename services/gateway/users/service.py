"""Users: invited by an administrator, signing in with an Argon2id password and, in institutions,
a TOTP code; locked after repeated failures; disabled at once everywhere."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.clients import repository as clients_repository
from services.gateway.clients.failures import FailureLimits, TooManyFailures
from services.gateway.users import repository
from services.gateway.users.events import Context, record_event
from services.gateway.users.models import OneTimeLink, User
from services.gateway.users.roles import (
    PLATFORM_ADMIN,
    ROLES_OF_KIND,
    TENANT_ADMIN,
    USER_TENANT_KINDS,
    second_factor_required,
)
from shared.auth import Forbidden, Principal
from shared.problems import Conflict, NotFound, Unprocessable

_hasher = PasswordHasher()  # argon2-cffi's default type is Argon2id (RFC 9106)
_DUMMY_HASH = _hasher.hash("not-a-password")  # an unknown email costs what a wrong password does
LOCALES = ("ca", "es", "en")
INVITATION, PASSWORD_RESET = "invitation", "password-reset"
MIN_PASSWORD, MAX_PASSWORD = 12, 256
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}$")
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class UserNotFound(NotFound):
    kind, title = "user-not-found", "No such user"


class EmailTaken(Conflict):
    kind, title = "email-taken", "A user with this email exists"


class InvalidUser(Unprocessable):
    kind, title = "invalid-user", "The user is not valid"


class NotUsersAdministrator(Forbidden):
    kind, title = "not-users-administrator", "Only the tenant's administrators manage its users"


class LinkNotValid(Unprocessable):
    kind, title = "link-not-valid", "The link is not valid, used or expired"


class WeakPassword(Unprocessable):
    kind, title = "weak-password", "The password is not acceptable"


class WrongCode(Unprocessable):
    kind, title = "wrong-code", "The code is not right"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


# --- Who manages whom --------------------------------------------------------------------------


@dataclass(frozen=True)
class Administrator:
    """The caller of the users API: a platform administrator (any tenant) or a tenant's own."""

    id: str
    tenant: str
    tenant_kind: str
    platform: bool

    def ensure_manages(self, tenant: str) -> None:
        if not self.platform and tenant != self.tenant:
            raise NotUsersAdministrator(f"Tenant {self.tenant} cannot manage users of {tenant}")


async def administrator(session: AsyncSession, principal: Principal) -> Administrator:
    """`admin` scope (a client or a platform administrator), or a signed-in tenant administrator."""
    if principal.is_admin:
        return Administrator(principal.client_id, principal.tenant, principal.tenant_kind, True)
    user = await repository.user(session, principal.client_id)
    if user is None or user.disabled_at is not None or TENANT_ADMIN not in user.roles:
        raise NotUsersAdministrator("Needs the admin scope or the tenant administrator role")
    return Administrator(user.id, user.tenant, user.tenant_kind, False)


def _invalid(field: str, message: str, value: Any) -> InvalidUser:
    return InvalidUser(message, errors=[{"field": field, "message": message, "value": value}])


def _check_roles(roles: list[str], kind: str, by: Administrator) -> list[str]:
    allowed = ROLES_OF_KIND[kind]  # type: ignore[index]
    wrong = sorted(set(roles) - allowed)
    if wrong:
        raise _invalid("roles", f"roles not held in a tenant of kind {kind}: {', '.join(wrong)}", wrong)
    if PLATFORM_ADMIN in roles and not by.platform:
        raise NotUsersAdministrator("Only a platform administrator grants the platform administrator role")
    return sorted(set(roles))


# --- Administration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLink:
    user: User
    token: str
    expires_at: datetime


async def _new_link(
    session: AsyncSession, user: User, purpose: str, ttl_seconds: int, second_factor: bool
) -> IssuedLink:
    now = _now()
    await repository.spend_open_links(session, user.id, purpose, now)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=ttl_seconds)
    session.add(
        OneTimeLink(
            token_hash=digest(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=expires,
            totp_secret=pyotp.random_base32() if second_factor else None,
        )
    )
    await session.flush()
    return IssuedLink(user, token, expires)


async def invite(
    session: AsyncSession,
    context: Context,
    by: Administrator,
    *,
    email: str,
    name: str,
    tenant: str,
    tenant_kind: str,
    roles: list[str],
    locale: str,
    ttl_seconds: int,
) -> IssuedLink:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise _invalid("email", "not an email address", email)
    if not _TENANT.match(tenant):
        raise _invalid("tenant", "letters, digits, dots, dashes and underscores, up to 100", tenant)
    if tenant_kind not in USER_TENANT_KINDS:
        raise _invalid("tenant_kind", "institution, partner or entity", tenant_kind)
    if locale not in LOCALES:
        raise _invalid("locale", "ca, es or en", locale)
    by.ensure_manages(tenant)
    if not by.platform and tenant_kind != by.tenant_kind:
        raise _invalid("tenant_kind", f"tenant {tenant} is of kind {by.tenant_kind}", tenant_kind)
    roles = _check_roles(roles, tenant_kind, by)
    if await repository.by_email(session, email) is not None:
        raise EmailTaken(f"{email} already has a user", errors=[{"field": "email", "message": "taken", "value": email}])
    user = User(
        id=f"usr_{secrets.token_urlsafe(12)}",
        email=email,
        name=name.strip(),
        tenant=tenant,
        tenant_kind=tenant_kind,
        roles=roles,
        locale=locale,
        failed_signins=0,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # the same email invited concurrently
        raise EmailTaken(f"{email} already has a user") from exc
    link = await _new_link(session, user, INVITATION, ttl_seconds, second_factor_required(tenant_kind))
    record_event(session, context, "user.invited", actor=by.id, tenant=tenant, subject=user.id, status=201)
    return link


async def managed_user(session: AsyncSession, by: Administrator, user_id: str) -> User:
    user = await repository.locked_user(session, user_id)
    # Another tenant's user is as absent as an unknown one.
    if user is None or (not by.platform and user.tenant != by.tenant):
        raise UserNotFound(f"No user {user_id}")
    return user


async def _changeable_user(session: AsyncSession, by: Administrator, user_id: str) -> User:
    """A platform administrator's access is changed by platform administrators only."""
    user = await managed_user(session, by, user_id)
    if PLATFORM_ADMIN in user.roles and not by.platform:
        raise NotUsersAdministrator("Only a platform administrator changes a platform administrator's access")
    return user


async def list_users(
    session: AsyncSession, by: Administrator, tenant: str | None, limit: int, after: str | None
) -> list[User]:
    if not by.platform:
        if tenant is not None:
            by.ensure_manages(tenant)
        tenant = by.tenant
    return await repository.list_users(session, tenant, limit, after)


async def set_roles(session: AsyncSession, context: Context, by: Administrator, user_id: str, roles: list[str]) -> User:
    user = await _changeable_user(session, by, user_id)
    if user.disabled_at is not None:
        raise Conflict(f"User {user_id} is disabled")
    user.roles = _check_roles(roles, user.tenant_kind, by)
    await session.flush()
    record_event(
        session, context, f"user.roles-set:{','.join(user.roles)}", actor=by.id, tenant=user.tenant, subject=user.id
    )
    return user


async def disable(session: AsyncSession, context: Context, by: Administrator, user_id: str) -> User:
    """Refused from now on: sign-in, its sessions and refresh tokens, and (through the revocation
    list every service follows) its access tokens."""
    user = await _changeable_user(session, by, user_id)
    if user.id == by.id:
        raise Conflict("An administrator cannot disable itself")
    now = _now()
    if user.disabled_at is None:
        user.disabled_at = now
    await repository.end_sessions_and_tokens(session, user.id, now)
    await repository.spend_open_links(session, user.id, INVITATION, now)
    await repository.spend_open_links(session, user.id, PASSWORD_RESET, now)
    await session.flush()
    await clients_repository.notify_revoked(session, user.id)  # a user's tokens carry its id as client id
    record_event(session, context, "user.disabled", actor=by.id, tenant=user.tenant, subject=user.id)
    return user


async def password_reset(
    session: AsyncSession, context: Context, by: Administrator, user_id: str, second_factor: bool, ttl_seconds: int
) -> IssuedLink:
    """A one-time link to set a new password (and a new second factor after a lost device).
    The user's sessions end: whoever knew the old password is out."""
    user = await _changeable_user(session, by, user_id)
    if user.disabled_at is not None:
        raise Conflict(f"User {user_id} is disabled")
    if user.password_hash is None:
        raise Conflict(f"User {user_id} has not accepted the invitation yet")
    await repository.end_sessions_and_tokens(session, user.id, _now())
    new_factor = second_factor and second_factor_required(user.tenant_kind)
    link = await _new_link(session, user, PASSWORD_RESET, ttl_seconds, new_factor)
    record_event(session, context, "user.password-reset-issued", actor=by.id, tenant=user.tenant, subject=user.id)
    return link


# --- One-time links, used by the person -------------------------------------------------------


async def open_link(session: AsyncSession, token: str) -> tuple[OneTimeLink, User]:
    link = await repository.link_by_hash(session, digest(token))
    if link is None or link.used_at is not None or link.expires_at <= _now():
        raise LinkNotValid("The link is not valid, used or expired")
    user = await repository.user(session, link.user_id)
    if user is None or user.disabled_at is not None:
        raise LinkNotValid("The link is not valid, used or expired")
    return link, user


def check_password(password: str, user: User) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPassword(
            f"Between {MIN_PASSWORD} and {MAX_PASSWORD} characters",
            errors=[{"field": "password", "message": "length", "value": len(password)}],
        )
    lowered = password.lower()
    if user.email in lowered or user.email.split("@", 1)[0] in lowered or len(set(password)) < 5:
        raise WeakPassword(
            "Not your email, not a repeated character",
            errors=[{"field": "password", "message": "guessable", "value": None}],
        )


def _totp_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step that `code` belongs to (now, or one step either side for clock drift), if any
    and later than the last one accepted."""
    code = code.strip().replace(" ", "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(_now())
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def redeem(session: AsyncSession, context: Context, token: str, password: str, code: str) -> User:
    """Accept an invitation or a reset: a new password, and the link's second factor confirmed."""
    link, user = await open_link(session, token)
    check_password(password, user)
    if link.totp_secret is not None:
        step = _totp_step(link.totp_secret, code, None)
        if step is None:
            raise WrongCode(
                "Type the code the app shows now", errors=[{"field": "code", "message": "wrong code", "value": None}]
            )
        user.totp_secret, user.totp_last_step = link.totp_secret, step
    user.password_hash = await asyncio.to_thread(_hasher.hash, password)
    user.failed_signins, user.locked_until = 0, None
    link.used_at = _now()
    await session.flush()
    event = "user.invitation-accepted" if link.purpose == INVITATION else "user.password-reset"
    record_event(session, context, event, actor=user.id, tenant=user.tenant, subject=user.id)
    return user


def provisioning_uri(link: OneTimeLink, user: User) -> str | None:
    if link.totp_secret is None:
        return None
    return pyotp.TOTP(link.totp_secret).provisioning_uri(name=user.email, issuer_name="Xarxa")


# --- Sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInOutcome:
    user: User | None
    failure: str | None  # "invalid" (one answer for every wrong part), "locked" or "limited"


@dataclass
class SignInPolicy:
    limits: FailureLimits  # per address and per email, in memory: refused before any hashing
    lockout_failures: int
    lockout_seconds: int


async def sign_in(
    session: AsyncSession, context: Context, policy: SignInPolicy, email: str, password: str, code: str
) -> SignInOutcome:
    """One answer for a wrong email, password or code: nothing tells which part was wrong, so a
    password cannot be tested without its second factor."""
    email = email.strip().lower()[:300]
    try:
        policy.limits.reserve(context.remote_addr, email)
    except TooManyFailures:
        limited = await repository.by_email(session, email)
        record_event(
            session,
            context,
            "signin.limited",
            actor=None,
            tenant=limited.tenant if limited else None,
            subject=limited.id if limited else None,
            status=429,
        )
        return SignInOutcome(None, "limited")
    found = await repository.by_email(session, email)
    user = await repository.locked_user(session, found.id) if found is not None else None
    now = _now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        record_event(session, context, "signin.locked", actor=None, tenant=user.tenant, subject=user.id, status=429)
        return SignInOutcome(None, "locked")
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        async with policy.limits.verifications:
            await asyncio.to_thread(_hasher.verify, stored, password)
        password_ok = user is not None and user.password_hash is not None
    except (VerificationError, InvalidHashError):
        password_ok = False
    step: int | None = None
    code_ok = True
    if password_ok and user is not None and second_factor_required(user.tenant_kind):
        step = _totp_step(user.totp_secret, code, user.totp_last_step) if user.totp_secret else None
        code_ok = step is not None
    if user is None or not password_ok or not code_ok or user.disabled_at is not None:
        reason = "disabled" if user is not None and user.disabled_at is not None and password_ok else "failed"
        if user is not None:
            user.failed_signins += 1
            if user.failed_signins >= policy.lockout_failures:
                user.locked_until = now + timedelta(seconds=policy.lockout_seconds)
                user.failed_signins = 0
                record_event(
                    session, context, "signin.lockout", actor=None, tenant=user.tenant, subject=user.id, status=401
                )
        record_event(
            session,
            context,
            f"signin.{reason}",
            actor=None,
            tenant=user.tenant if user else None,
            subject=user.id if user else None,
            status=401,
        )
        return SignInOutcome(None, "invalid")
    user.failed_signins, user.locked_until = 0, None
    if step is not None:
        user.totp_last_step = step
    policy.limits.succeeded(context.remote_addr, email)
    await session.flush()
    record_event(session, context, "signin.succeeded", actor=user.id, tenant=user.tenant, subject=user.id)
    return SignInOutcome(user, None)


def active(user: User | None) -> bool:
    return user is not None and user.disabled_at is None and user.password_hash is not None
