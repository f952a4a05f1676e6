"""Console sessions, kept in the browser's cookie, encrypted and signed (Fernet: AES-CBC + HMAC).

The web service has no database and runs as several replicas, so a session cannot live in one
process's memory: the cookie carries the gateway's tokens (access, rotating refresh, ID token for
the sign-out hint), sealed with a key derived from the client secret every replica shares. The
browser holds it HttpOnly, SameSite=Lax, Secure when the public address is https; scripts never
read it and it cannot be read or altered without the key. What a cookie cannot do alone, this
module adds in each process: sessions signed out here are refused at once (a replica that did not
see the sign-out refuses the old cookie when its access token is due for refresh, since the
gateway revoked the refresh token), and concurrent requests of one session refresh only once.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
import zlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

COOKIE = "xarxa_console"
FLOW_COOKIE = "xarxa_console_flow"
FLOW_SECONDS = 600
# Browsers keep cookies up to 4096 bytes (name and attributes included): stay well below.
MAX_COOKIE_BYTES = 3800
# `seen` is rewritten (a new cookie) at most this often, not on every request.
SEEN_GRANULARITY = 60


@dataclass(frozen=True)
class Session:
    sid: str
    sub: str
    name: str
    email: str
    tenant: str
    tenant_kind: str
    roles: list[str]
    locale: str
    csrf: str
    access_token: str
    access_expires: int
    refresh_token: str
    id_token: str
    created: int
    seen: int

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class CookieBox:
    """Seals and opens cookie values; `purpose` keeps a flow cookie from passing as a session."""

    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"xarxa-web console cookie").derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, purpose: str, data: dict[str, Any]) -> str:
        packed = zlib.compress(json.dumps({"p": purpose, "d": data}, separators=(",", ":")).encode())
        return self._fernet.encrypt(packed).decode()

    def open(self, purpose: str, value: str | None, max_age: int) -> dict[str, Any] | None:
        if not value or len(value) > MAX_COOKIE_BYTES:
            return None
        try:
            content = json.loads(zlib.decompress(self._fernet.decrypt(value.encode(), ttl=max_age)))
        except (InvalidToken, zlib.error, ValueError):
            return None
        if not isinstance(content, dict) or content.get("p") != purpose or not isinstance(content.get("d"), dict):
            return None
        data: dict[str, Any] = content["d"]
        return data

    def seal_session(self, session: Session) -> str:
        return self.seal("session", asdict(session))

    def open_session(self, value: str | None, max_age: int) -> Session | None:
        data = self.open("session", value, max_age)
        if data is None:
            return None
        try:
            return Session(**data)
        except TypeError:  # a cookie of an older layout
            return None


def new_session(claims: dict[str, Any], tokens: dict[str, Any], now: int | None = None) -> Session:
    now = now or int(time.time())
    return Session(
        sid=secrets.token_urlsafe(16),  # a new id at every sign-in: nothing planted before survives
        sub=str(claims["sub"]),
        name=str(claims.get("name", "")),
        email=str(claims.get("email", "")),
        tenant=str(claims.get("tenant", "")),
        tenant_kind=str(claims.get("tenant_kind", "")),
        roles=[str(r) for r in claims.get("roles", [])],
        locale=str(claims.get("locale", "")),
        csrf=secrets.token_urlsafe(24),
        access_token=str(tokens["access_token"]),
        access_expires=now + int(tokens.get("expires_in", 0)),
        refresh_token=str(tokens["refresh_token"]),
        id_token=str(tokens["id_token"]),
        created=now,
        seen=now,
    )


def rotated(session: Session, tokens: dict[str, Any], now: int) -> Session:
    return replace(
        session,
        access_token=str(tokens["access_token"]),
        access_expires=now + int(tokens.get("expires_in", 0)),
        refresh_token=str(tokens["refresh_token"]),
        id_token=str(tokens.get("id_token") or session.id_token),
        seen=now,
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class SessionRegistry:
    """What one process remembers about sessions: those signed out, and the refreshes just made."""

    absolute_seconds: int
    _ended: dict[str, float] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # old refresh token digest -> (the session it was rotated into, when)
    _rotations: dict[str, tuple[Session, float]] = field(default_factory=dict)

    def end(self, sid: str) -> None:
        self._prune()
        self._ended[sid] = time.monotonic() + self.absolute_seconds

    def ended(self, sid: str) -> bool:
        return sid in self._ended

    def lock(self, refresh_token: str) -> asyncio.Lock:
        return self._locks.setdefault(_digest(refresh_token), asyncio.Lock())

    def rotation_of(self, refresh_token: str) -> Session | None:
        """The session a concurrent request already refreshed this token into (a replayed refresh
        token would make the gateway revoke the whole sign-in)."""
        hit = self._rotations.get(_digest(refresh_token))
        return hit[0] if hit and time.monotonic() - hit[1] < 120 else None

    def rotated(self, old_refresh_token: str, session: Session) -> None:
        self._prune()
        key = _digest(old_refresh_token)
        self._rotations[key] = (session, time.monotonic())
        self._locks.pop(key, None)

    def _prune(self) -> None:
        now = time.monotonic()
        self._ended = {sid: until for sid, until in self._ended.items() if until > now}
        self._rotations = {k: v for k, v in self._rotations.items() if now - v[1] < 120}
        if len(self._locks) > 10_000:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
