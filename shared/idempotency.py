"""Idempotency-Key for creates: a retried POST returns the first result and never acts twice.

The key is scoped to the calling client. Requests with the same key are serialised by a
transaction-level advisory lock; the response is stored in the same transaction as the effect.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Header
from pydantic import BaseModel
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from shared.auth import Principal
from shared.backbone import idempotency_keys
from shared.http import SessionDep
from shared.problem_texts import field_error
from shared.problems import IdempotencyKeyRequired, ProblemError, Unprocessable

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(ProblemError):
    status, kind, title = 422, "idempotency-key-reused", "This Idempotency-Key was used for another request"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def replay(self) -> Response:
        return Response(
            self.body,
            status_code=self.status,
            media_type="application/json",
            headers={**self.headers, REPLAY_HEADER: "true"},
        )

    def first(self) -> Response:
        return Response(self.body, status_code=self.status, media_type="application/json", headers=self.headers)


@dataclass(frozen=True)
class IdempotentRequest:
    principal: str
    key: str
    method: str
    path: str
    request_hash: str


def idempotent_request(
    principal: str, key: str | None, method: str, path: str, body: bytes
) -> IdempotentRequest | None:
    if key is None:
        return None
    if not _KEY.match(key):
        raise Unprocessable(
            "Idempotency-Key must be 1-200 visible ASCII characters",
            errors=[field_error("Idempotency-Key", "invalid_key", location="header")],
        )
    digest = hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()
    return IdempotentRequest(principal, key, method, path, digest)


async def previous_response(session: AsyncSession, request: IdempotentRequest) -> StoredResponse | None:
    """Lock the key for this transaction; the stored response if the key was used before."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"{request.principal}\n{request.key}"}
    )
    row = (
        await session.execute(
            select(idempotency_keys).where(
                idempotency_keys.c.principal == request.principal, idempotency_keys.c.key == request.key
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request.request_hash:
        raise IdempotencyKeyReused(f"Key {request.key!r} was first used for {row.method} {row.path} with another body")
    return StoredResponse(row.status_code, dict(row.headers), bytes(row.body))


async def remember(session: AsyncSession, request: IdempotentRequest, response: StoredResponse) -> None:
    await session.execute(
        insert(idempotency_keys).values(
            principal=request.principal,
            key=request.key,
            method=request.method,
            path=request.path,
            request_hash=request.request_hash,
            status_code=response.status,
            headers=response.headers,
            body=response.body,
        )
    )


async def create_once(
    session: AsyncSession,
    request: Request,
    client_id: str,
    key: str | None,
    create: Callable[[], Awaitable[StoredResponse]],
) -> Response:
    """The whole Idempotency-Key flow of a create: replay the stored response of an earlier request
    with this key, or create, store the response in the same transaction, and answer it."""
    idem = idempotent_request(client_id, key, request.method, request.url.path, await request.body())
    if idem is not None:
        earlier = await previous_response(session, idem)
        if earlier is not None:
            return earlier.replay()
    stored = await create()
    if idem is not None:
        await remember(session, idem, stored)
    return stored.first()


@dataclass(frozen=True)
class IdempotentCreate:
    """A create route's Idempotency-Key handling, given to the endpoint by `idempotent_create`."""

    session: AsyncSession
    request: Request
    key: str | None
    # Set when the route refuses requests without a key (428), with the reason the caller reads.
    required_because: str | None = None

    async def once(self, principal: Principal, create: Callable[[], Awaitable[BaseModel | StoredResponse]]) -> Response:
        """Create at most once per key of `principal`'s client: a model is answered as 201 with no
        extra headers; a `StoredResponse` as it is (its status and headers replayed too)."""
        if self.required_because is not None and not self.key:
            raise IdempotencyKeyRequired(self.required_because)

        async def stored() -> StoredResponse:
            made = await create()
            if isinstance(made, StoredResponse):
                return made
            return StoredResponse(201, {}, made.model_dump_json().encode())

        return await create_once(self.session, self.request, principal.client_id, self.key, stored)


def idempotent_create(description: str, required_because: str | None = None) -> Any:
    """Dependency: the route's `IdempotentCreate`, reading the Idempotency-Key header (documented
    with `description`). A missing required key is refused when the endpoint creates, after the
    principal and the body were checked, never before."""

    async def dependency(
        session: SessionDep, request: Request, idempotency_key: str | None = Header(None, description=description)
    ) -> IdempotentCreate:
        return IdempotentCreate(session, request, idempotency_key, required_because)

    return Depends(dependency)
