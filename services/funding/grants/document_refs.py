"""Files an objection or a justification cites: uploaded to that same application, for that step.

The step keeps what each file was when it was cited (id, title, name, type, size, SHA-256), so its
read lists them and a download can be checked against the hash the step was filed with.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.models import GrantApplication
from shared.problem_texts import field_error
from shared.problems import Unprocessable


class DocumentReference(Unprocessable):
    kind, title = "document-reference", "A cited file is not one of this step's uploaded files"


async def cited(
    session: AsyncSession, application: GrantApplication, ids: list[uuid.UUID], purpose: str
) -> list[dict[str, Any]]:
    """The files `ids` name, each uploaded to `application` with `purpose`; else a 422 naming each
    offending `documents.<i>` (an unknown id and another application's file read the same)."""
    found = await repository.documents_by_id(session, application.id, ids)
    errors: list[dict[str, Any]] = []
    seen: set[uuid.UUID] = set()
    for position, ident in enumerate(ids):
        field, document = f"documents.{position}", found.get(ident)
        if ident in seen:
            errors.append(field_error(field, "duplicate", value=str(ident), what="file"))
        elif document is None:
            errors.append(field_error(field, "not_a_document_of", value=str(ident), document=str(ident)))
        elif document.purpose != purpose:
            other = {"actual": document.purpose, "purpose": purpose}
            errors.append(field_error(field, "document_of_other_purpose", value=str(ident), **other))
        seen.add(ident)
    if errors:
        raise DocumentReference(
            f"The {purpose} cites files that were not uploaded to {application.reference} for its {purpose}",
            errors=errors,
        )
    return [
        {
            "id": str(d.id),
            "title": d.title,
            "filename": d.filename,
            "media_type": d.media_type,
            "size_bytes": d.size_bytes,
            "sha256": d.sha256,
        }
        for d in (found[i] for i in ids)
    ]
