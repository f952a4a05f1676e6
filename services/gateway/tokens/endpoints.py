"""POST /oauth/token (client credentials; people's grants in oidc/) and GET /.well-known/jwks.json."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response

from services.gateway.clients.revocations import RevocationList
from services.gateway.oidc import service as oidc
from services.gateway.oidc.responses import oauth_error, tokens
from services.gateway.tokens import service
from services.gateway.tokens.schemas import (
    Jwks,
    RevokedClientsResponse,
    SigningKeyList,
    SigningKeyRead,
    TokenResponse,
)
from services.gateway.tokens.service import KeyRing, OAuthError
from services.gateway.users.events import Context
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.revocations import REVOCATIONS_PATH

router = APIRouter(tags=["auth"])


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "Malformed Basic credentials", 401) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Malformed Basic credentials", 401)
    return client_id, secret


def _credentials(request: Request, client_id: str | None, client_secret: str | None) -> tuple[str, str]:
    """HTTP Basic (RFC 6749 section 2.3.1), else client_id and client_secret in the form."""
    credentials = _basic_credentials(request.headers.get("authorization"))
    if credentials is None:
        if not client_id or client_secret is None:
            raise OAuthError("invalid_client", "Client authentication is required", 401)
        credentials = (client_id, client_secret)
    return credentials


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    openapi_extra=access("none"),
    summary="Tokens: client credentials (systems); authorization code with PKCE and refresh token (people)",
    responses={
        400: {"description": "invalid_request, unsupported_grant_type or invalid_scope"},
        401: {"description": "invalid_client"},
        429: {"description": "too many failed authentications from this address or for this client id"},
    },
)
async def token(
    request: Request,
    response: Response,
    session: SessionDep,
    grant_type: Annotated[str | None, Form(max_length=64)] = None,
    scope: Annotated[str | None, Form(max_length=500)] = None,
    client_id: Annotated[str | None, Form(max_length=200)] = None,
    client_secret: Annotated[str | None, Form(max_length=500)] = None,
    code: Annotated[str | None, Form(max_length=200)] = None,
    redirect_uri: Annotated[str | None, Form(max_length=2000)] = None,
    code_verifier: Annotated[str | None, Form(max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Any:
    if grant_type is None:
        raise OAuthError("invalid_request", "grant_type is required")
    address = request.client.host if request.client else "unknown"
    limits = request.app.state.failure_limits
    if grant_type in ("authorization_code", "refresh_token"):
        # People's grants, for the registered relying parties (oidc/).
        credentials = _credentials(request, client_id, client_secret)
        try:
            relying_party = oidc.limited_client(limits, request.app.state.oidc_clients, address, *credentials)
            body = await oidc.user_grant(
                session,
                Context.of(request),
                request.app.state.oidc_issuer,
                relying_party,
                grant_type,
                code=code,
                redirect_uri=redirect_uri,
                code_verifier=code_verifier,
                refresh_token=refresh_token,
            )
        except oidc.GrantError as exc:
            return oauth_error(request, exc)
        return tokens(body)
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Supported: client_credentials, authorization_code, refresh_token")
    credentials = _credentials(request, client_id, client_secret)
    keys: KeyRing = request.app.state.keys
    body = await service.client_credentials(
        session, limits, keys, request.app.state.settings, address, credentials, scope
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return body


@router.get(
    "/.well-known/jwks.json",
    response_model=Jwks,
    openapi_extra=access("none"),
    summary="Public keys that verify the gateway's tokens",
)
async def jwks(request: Request) -> Any:
    keys: KeyRing = request.app.state.keys
    return keys.jwks


@router.get(
    "/api/gateway/keys",
    response_model=SigningKeyList,
    openapi_extra=access("required", ("admin",)),
    responses={401: {"description": "no token"}, 403: {"description": "not a platform administrator"}},
    summary="The token signing keys: which one signs, which are still published, which are retired",
    tags=["keys"],
)
async def signing_keys(session: SessionDep, principal: Annotated[Principal, requires("admin")]) -> SigningKeyList:
    keys = await service.signing_keys(session)
    return SigningKeyList(items=[SigningKeyRead(kid=k.kid, created_at=k.created_at, state=k.state) for k in keys])


@router.post(
    "/api/gateway/keys",
    response_model=SigningKeyRead,
    status_code=201,
    openapi_extra=access("required", ("admin",)),
    responses={401: {"description": "no token"}, 403: {"description": "not a platform administrator"}},
    summary="Rotate: a new key signs from now on; earlier keys stay published, so live tokens keep verifying",
    tags=["keys"],
)
async def rotate_key(
    request: Request, session: SessionDep, principal: Annotated[Principal, requires("admin")]
) -> SigningKeyRead:
    key = await service.rotate_key_audited(session, Context.of(request), principal)
    return SigningKeyRead(kid=key.kid, created_at=key.created_at, state="signing")


@router.get(
    REVOCATIONS_PATH,
    response_model=RevokedClientsResponse,
    openapi_extra=access("none"),
    summary="Digests of revoked clients; answers when the list changes after `after` (long polling)",
)
async def revoked_clients(
    request: Request,
    after: Annotated[str | None, Query(max_length=64)] = None,
    wait: Annotated[float, Query(ge=0, le=30)] = 0,
) -> Any:
    revoked: RevocationList = request.app.state.gate.revoked
    await revoked.changed_since(after, wait)
    return {"tag": revoked.tag, "clients": revoked.digests()}
