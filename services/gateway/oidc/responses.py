"""The token endpoint's answers that are not pages: a refusal (RFC 6749 section 5.2) and the
tokens themselves. Both the provider's routes and POST /oauth/token (tokens/endpoints.py) answer
them, so they live here rather than in either endpoint module."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.gateway.oidc.service import GrantError
from shared.problems import problem_response

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(request: Request, error: GrantError) -> Response:
    """The token endpoint's error, shaped as its OAuthError problems are; returned, not raised, so
    what the refusal changed (a replayed token's family revoked) is committed."""
    headers = dict(NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="xarxa"'
    return problem_response(
        error.status,
        f"oauth-{error.error.replace('_', '-')}",
        "The token request was refused",
        request,
        error.description,
        headers=headers,
        error=error.error,
        error_description=error.description,
    )


def tokens(body: dict[str, Any]) -> Response:
    return JSONResponse(body, headers=NO_STORE)
