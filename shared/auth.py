"""Authentication and authorisation primitives that every service uses.

The gateway issues RS256 JWTs (OAuth2 client credentials); each service verifies them itself
against the gateway's JWKS, checks the scope declared on the route, and applies tenant rules in
its service layer with the plain functions at the end of this module.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import httpx
import jwt
from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from shared.problems import ProblemError

SCOPES: dict[str, str] = {
    "projects:read": "Read projects, including drafts of your own tenant",
    "projects:write": "Create and change your institution's projects",
    "funding:write": "Record budgets, revenues and transactions of your institution",
    "rates:write": "Set exchange rates: finance administration",
    "updates:push": "Push partner updates for projects you participate in",
    "updates:review": "Review partner updates of your institution's projects",
    "grants:apply": "Apply to grant calls, object, accept and justify grants as an entity",
    "reports:read": "Read reports, including unpublished figures of your tenant",
    "admin": "Everything, for every tenant; clients and audit",
}
TenantKind = Literal["institution", "partner"]
ALGORITHM = "RS256"
AUDIENCE = "xarxa"


class Unauthorized(ProblemError):
    status, kind, title = 401, "unauthorized", "A valid bearer token is required"

    def __init__(self, detail: str, error: str = "invalid_token") -> None:
        header = 'Bearer realm="xarxa"' if error == "missing" else f'Bearer realm="xarxa", error="{error}"'
        super().__init__(detail, headers={"WWW-Authenticate": header})


class Forbidden(ProblemError):
    status, kind, title = 403, "forbidden", "Not allowed for this client"


class InsufficientScope(Forbidden):
    kind, title = "insufficient-scope", "The token lacks the scope this operation needs"


class OtherTenant(Forbidden):
    kind, title = "other-tenant", "The resource belongs to another tenant"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API client acting for one tenant."""

    client_id: str
    tenant: str
    tenant_kind: TenantKind
    scopes: frozenset[str]
    rate_per_second: float = 50.0

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes

    def has_any(self, scopes: list[str]) -> bool:
        return self.is_admin or bool(self.scopes.intersection(scopes))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    kind = claims.get("tenant_kind")
    if kind not in ("institution", "partner") or not claims.get("tenant") or not claims.get("sub"):
        raise Unauthorized("The token lacks tenant claims")
    return Principal(
        client_id=str(claims["sub"]),
        tenant=str(claims["tenant"]),
        tenant_kind=kind,
        scopes=frozenset(str(claims.get("scope", "")).split()),
        rate_per_second=float(claims.get("rate", 50.0)),
    )


KeySource = Callable[[], Awaitable[dict[str, Any]]]


def jwks_keys(url: str) -> KeySource:
    """Keys from a JWKS document over HTTP (how services get the gateway's public keys)."""

    async def fetch() -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(url)
                response.raise_for_status()
                keys = response.json()["keys"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise Unauthorized(f"The signing keys cannot be fetched now: {type(exc).__name__}") from exc
        return {k["kid"]: jwt.PyJWK(k).key for k in keys}

    return fetch


@dataclass
class TokenVerifier:
    """Verifies gateway-issued JWTs; keys are cached and fetched again when an unknown kid shows up."""

    issuer: str
    key_source: KeySource
    audience: str = AUDIENCE
    leeway: float = 5.0
    # An unknown kid (a key rotated a moment ago) refetches the key set, at most once a second.
    refresh_interval: float = 1.0
    _keys: dict[str, Any] = field(default_factory=dict)
    _fetched_at: float = -1e9
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _verified: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    # Client ids whose tokens are refused from the moment they are revoked (shared/revocations.py).
    revoked: Container[str] = field(default_factory=frozenset)

    async def verify(self, token: str) -> Principal:
        principal = await self._verify(token)
        if principal.client_id in self.revoked:
            raise Unauthorized("The client of this token has been revoked")
        return principal

    async def _verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is not a JWT") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized("Unexpected token algorithm")
        key = await self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"The token is not valid: {exc}") from exc
        principal = principal_from_claims(claims)
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[token] = (principal, float(claims["exp"]))
        return principal

    async def _key(self, kid: str) -> Any:
        if kid in self._keys:
            return self._keys[kid]
        arrived = time.monotonic()
        async with self._lock:
            # A fetch begun after this token arrived answers it too. Otherwise the token waits for
            # the interval rather than being refused: a key rotated just after another fetch (or
            # after a token with a made-up kid) verifies at once, and fetches stay one a second.
            if kid not in self._keys and self._fetched_at < arrived:
                await asyncio.sleep(max(0.0, self._fetched_at + self.refresh_interval - time.monotonic()))
                self._fetched_at = time.monotonic()
                self._keys = await self.key_source()
        if kid not in self._keys:
            raise Unauthorized("The token was signed with an unknown key")
        return self._keys[kid]


oauth2_scheme = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes=SCOPES)),
    scheme_name="OAuth2",
    description="OAuth2 client credentials: POST /oauth/token at the gateway.",
    auto_error=False,
)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use the Bearer scheme", error="invalid_request")
    return token.strip()


async def _principal(
    security_scopes: SecurityScopes, request: Request, authorization: str | None = Depends(oauth2_scheme)
) -> Principal | None:
    token = bearer_token(authorization)
    if token is None:
        if security_scopes.scopes:
            raise Unauthorized("This operation needs a bearer token", error="missing")
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(token)
    request.state.principal = principal
    if security_scopes.scopes and not principal.has_any(security_scopes.scopes):
        raise InsufficientScope(f"Needs one of: {' '.join(security_scopes.scopes)}")
    return principal


def requires(*scopes: str) -> Any:
    """Dependency: a verified principal holding one of `scopes` (401 without token, 403 without scope)."""
    return Security(_principal, scopes=list(scopes))


async def _signed_in(principal: Annotated[Principal | None, Security(_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("This operation needs a bearer token", error="missing")
    return principal


def signed_in() -> Any:
    """Dependency: any verified principal, whatever its scopes (what concerns the caller alone)."""
    return Depends(_signed_in)


def optional_principal() -> Any:
    """Dependency: the verified principal if a token was sent, else None (anonymous, published data)."""
    return Security(_principal)


AuthMode = Literal["none", "optional", "required"]
TenantRule = Literal["none", "owner", "owner-or-partner"]


def access(auth: AuthMode, scopes: tuple[str, ...] = (), tenant: TenantRule = "none") -> dict[str, Any]:
    """`openapi_extra` of a route: its access rule, published as `x-xarxa-access`.

    The security test matrix is generated from these, so every route must declare one.
    """
    rule = {"auth": auth, "scopes": list(scopes), "tenant": tenant}
    security: list[dict[str, list[str]]]
    if auth == "none":
        security = []
    elif auth == "optional":
        security = [{}, {"OAuth2": list(scopes)}]
    else:
        security = [{"OAuth2": list(scopes)}]
    return {"x-xarxa-access": rule, "security": security}


# --- Tenant rules: plain functions called by the services' business logic -------------------


def may_write_for(principal: Principal, owner: str) -> bool:
    """An institution writes only its own projects and money."""
    return principal.is_admin or (principal.tenant_kind == "institution" and principal.tenant == owner)


def may_read(principal: Principal, owner: str, partners: list[str]) -> bool:
    """A tenant reads its institution's projects, or the projects its organisation takes part in."""
    if principal.is_admin:
        return True
    if principal.tenant_kind == "institution":
        return principal.tenant == owner
    return principal.tenant in partners


def may_see_unpublished(principal: Principal | None, owner: str, partners: list[str]) -> bool:
    """Drafts need a token with projects:read of the owner institution or of a partner organisation."""
    return principal is not None and principal.has_any(["projects:read"]) and may_read(principal, owner, partners)


def ensure_may_write_for(principal: Principal, owner: str) -> None:
    if not may_write_for(principal, owner):
        raise OtherTenant(f"Tenant {principal.tenant} cannot write for {owner}")
