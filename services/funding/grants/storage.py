"""Where the contents of grant documents live: PostgreSQL (the default) or an S3-compatible store.

A store keeps bytes under a key and gives them back; the document's row (type, size, SHA-256,
which store) is always in PostgreSQL. The PostgreSQL store writes in the request's transaction,
so a failed upload leaves nothing behind. The S3 store writes before the row is committed: a
failure after the write leaves an unreferenced object (harmless, never served), never a row
without its content.
"""

from __future__ import annotations

from typing import Protocol

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.config import Settings
from services.funding.grants import repository
from services.funding.grants.models import GrantDocumentContent
from shared.problems import ProblemError


class ContentMissing(ProblemError):
    status, kind, title = 503, "document-content-missing", "The document's content cannot be read now"


class DocumentStore(Protocol):
    name: str

    async def put(self, session: AsyncSession, key: str, content: bytes, media_type: str) -> None: ...

    async def get(self, session: AsyncSession, key: str) -> bytes: ...


class PostgresStore:
    name = "postgresql"

    async def put(self, session: AsyncSession, key: str, content: bytes, media_type: str) -> None:
        session.add(GrantDocumentContent(key=key, content=content))
        await session.flush()

    async def get(self, session: AsyncSession, key: str) -> bytes:
        row = await repository.document_content(session, key)
        if row is None:
            raise ContentMissing(f"No content stored under {key}")
        return row.content


def stores(app: FastAPI) -> dict[str, DocumentStore]:
    """The stores, built on first use (not at import) and kept with the app."""
    built: dict[str, DocumentStore] | None = getattr(app.state, "grant_document_stores", None)
    if built is None:
        settings: Settings = app.state.runtime.settings
        built = {"postgresql": PostgresStore()}
        if settings.documents_s3_bucket:
            # boto3 is needed only where an S3 store is configured.
            from services.funding.grants.s3_store import S3Store

            built["s3"] = S3Store.from_settings(settings)
        app.state.grant_document_stores = built
    return built


def current(app: FastAPI) -> DocumentStore:
    settings: Settings = app.state.runtime.settings
    return stores(app)[settings.documents_storage]
