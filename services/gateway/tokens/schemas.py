"""API models of the token endpoint (RFC 6749 section 5.1) and the key set (RFC 7517)."""

from typing import Any

from pydantic import BaseModel


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class Jwks(BaseModel):
    keys: list[dict[str, Any]]
