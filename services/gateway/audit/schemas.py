"""API models of the audit trail."""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel


class AuditEntryRead(BaseModel):
    id: int
    at: datetime
    request_id: str
    client_request_id: str | None
    client_id: str | None
    tenant: str | None
    method: str
    path: str
    status: int
    remote_addr: str | None
    duration_ms: int
    event: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    """Which rows of the trail: by client, tenant, since when; `before_id` pages on, newest first."""

    client_id: str | None
    tenant: str | None
    since: datetime | None
    before_id: int | None
    limit: int
    # Rows of one person or client: what it did (client_id) and what was done to it (subject).
    person: str | None = None


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    next_before_id: int | None
