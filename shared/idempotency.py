"""Idempotency-Key for creates: a retried POST returns the first result and never acts twice.

The key is scoped to the calling client. Requests with the same key are serialised by a
transaction-level advisory lock; the response is stored in the same transaction as the effect.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from shared.backbone import idempotency_keys
from shared.problem_texts import field_error
from shared.problems import ProblemError, Unprocessable

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
