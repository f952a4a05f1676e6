"""Applications across calls (the rules of service.application_page): an entity's own, an
institution's officers' of their calls.

An entity sees only its own applications (scores once the call is resolved, as in each call's
list); the officers of an institution see those of its calls; admins see all. Any other caller
holding one of the scopes gets an empty list, never another's. Pages are newest submitted first,
by a keyset cursor on (submitted_at, id), so a page does not shift while applications arrive.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.applications import criteria_of, decimal_sheets, scores_hidden
from services.funding.grants.models import GrantApplication, GrantCall
from services.funding.grants.repository import ApplicationFilters
from services.funding.grants.schemas import ApplicationSummary
from services.funding.grants.scoring import criterion_scores
from shared.auth import Principal
from shared.problem_texts import field_error
from shared.problems import Unprocessable


def encode_cursor(application: GrantApplication) -> str:
    raw = json.dumps([application.submitted_at.isoformat(), str(application.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw, ident = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        at = datetime.fromisoformat(raw)
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, uuid.UUID(ident)
    except (ValueError, TypeError, UnicodeError, binascii.Error) as exc:
        raise Unprocessable(
            "The cursor is not one this API issued",
            errors=[field_error("cursor", "invalid_cursor", location="query", value=cursor)],
        ) from exc


async def whose(session: AsyncSession, principal: Principal) -> ApplicationFilters | None:
    """The caller's own part of the applications; None when it has none."""
    if principal.is_admin:
        return ApplicationFilters()
    if principal.tenant_kind == "institution":
        return ApplicationFilters(institution=principal.tenant) if "funding:write" in principal.scopes else None
    entity = await repository.entity_of_tenant(session, principal.tenant)
    return ApplicationFilters(entity_id=entity.id) if entity is not None else None


def summary(principal: Principal, call: GrantCall, application: GrantApplication) -> ApplicationSummary:
    hidden = scores_hidden(principal, call)
    sheets = {} if hidden else decimal_sheets(application.scores)
    return ApplicationSummary(
        id=application.id,
        reference=application.reference,
        call_id=call.id,
        call_code=call.code,
        call_title=call.rules.get("title", {}),
        call_status=call.status,
        institution=call.institution,
        year=call.year,
        entity_id=application.entity_id,
        modality=application.modality,
        state=application.state,
        requested=events.money(application.requested),
        granted=events.money(application.granted),
        criterion_scores=criterion_scores(sheets, criteria_of(call)),
        total_score=None if hidden else application.total_score,
        decision_reason=application.decision_reason,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
    )
