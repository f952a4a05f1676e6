"""API models of the token endpoint (RFC 6749 section 5.1) and the key set (RFC 7517)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class Jwks(BaseModel):
    keys: list[dict[str, Any]]


class RevokedClientsResponse(BaseModel):
    tag: str = Field(description="Version of the list; pass it as `after` to wait for the next change")
    clients: list[str] = Field(description="SHA-256 (hex) of each revoked client id")


class SigningKeyRead(BaseModel):
    kid: str
    created_at: datetime
    state: Literal["signing", "published", "retired"] = Field(
        description="signing: signs new tokens; published: verifies tokens already out; retired: neither"
    )


class SigningKeyList(BaseModel):
    items: list[SigningKeyRead]
