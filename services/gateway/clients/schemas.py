"""API models of the clients admin API (/api/gateway/clients)."""

from datetime import datetime

from pydantic import BaseModel, Field


class NewClientRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, max_length=20)
    tenant: str | None = Field(
        default=None, max_length=100, description="A platform administrator's choice; else the caller's own tenant"
    )
    tenant_kind: str | None = Field(
        default=None, max_length=20, description="institution, partner or entity (with `tenant`)"
    )


class ClientRead(BaseModel):
    client_id: str
    name: str
    tenant: str
    tenant_kind: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    state: str = Field(description="active or revoked")


class ClientList(BaseModel):
    items: list[ClientRead]
    grantable_scopes: list[str] = Field(description="The scopes the caller may give a new client of this tenant")


class CreatedClient(BaseModel):
    client: ClientRead
    client_secret: str = Field(description="Shown only in this answer; the gateway keeps an Argon2 hash")
