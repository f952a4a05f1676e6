"""Declared own revenues per institution and year, and the 0.7 % commitment computed from them."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.institutions import repository
from services.funding.institutions.models import InstitutionYear
from services.funding.institutions.schemas import YearDeclaration, ZeroSevenSummary
from services.funding.ledger import repository as ledger
from shared.actor import Actor
from shared.auth import Principal, ensure_may_write_for, may_read
from shared.codelists import codelists
from shared.concurrency import check_version
from shared.contracts import funding as events
from shared.contracts.funding import RevenuesBasis
from shared.emit import emit
from shared.kafka import FUNDING_TOPIC
from shared.problems import NotFound, PreconditionRequired, Unprocessable
from shared.recorded import recording_time

COMMITMENT_RATE = Decimal("0.007")
CENT = Decimal("0.01")


class YearNotDeclared(NotFound):
    kind, title = "year-not-declared", "No revenues declared for this institution and year"


def known_institution(code: str) -> str:
    """`code` if it is in the institutions list, else a 422 naming the path field."""
    if code not in codelists()["institutions"]:
        raise Unprocessable(
            f"Unknown institution {code}",
            errors=[{"field": "institution", "in": "path", "message": "not in the institutions list", "value": code}],
        )
    return code


def target(own_revenues: Decimal) -> Decimal:
    return (own_revenues * COMMITMENT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)


async def declare_year(
    session: AsyncSession,
    actor: Actor,
    institution: str,
    year: int,
    expected_version: int | None,
    data: YearDeclaration,
    recorded_at: datetime | None = None,
) -> InstitutionYear:
    """`recorded_at` (admin migrations): when the earlier system recorded the declaration."""
    principal = actor.principal
    ensure_may_write_for(principal, institution)
    row = await repository.year(session, institution, year, lock=True)
    now = recording_time(principal, recorded_at, row.updated_at if row is not None else None)
    if row is None:
        row = InstitutionYear(
            institution=institution,
            year=year,
            version=1,
            updated_at=now,
            own_revenues_eur=data.own_revenues_eur,
            cooperation_budget_eur=data.cooperation_budget_eur,
            revenues_source=data.revenues_source,
            revenues_basis=data.revenues_basis,
        )
        repository.add(session, row)
    else:
        if expected_version is None:
            raise PreconditionRequired("This year is declared; send If-Match with its ETag to change it")
        check_version(expected_version, row.version)
        row.version += 1
        row.updated_at = now
        row.own_revenues_eur = data.own_revenues_eur
        row.cooperation_budget_eur = data.cooperation_budget_eur
        row.revenues_source = data.revenues_source
        row.revenues_basis = data.revenues_basis
    await session.flush()
    state = events.InstitutionYearV1(
        institution=institution,
        year=year,
        version=row.version,
        own_revenues_eur=row.own_revenues_eur,
        target_eur=target(row.own_revenues_eur),
        cooperation_budget_eur=row.cooperation_budget_eur,
        revenues_source=row.revenues_source,
        revenues_basis=cast(RevenuesBasis | None, row.revenues_basis),
        updated_at=row.updated_at,
    )
    await emit(
        session,
        actor,
        FUNDING_TOPIC,
        f"{institution}:{year}",
        events.REVENUE_DECLARED,
        state,
        schema_base=events.SCHEMA_BASE,
        time=row.updated_at,  # knowledge time: when the declaration was recorded
    )
    return row


async def zero_seven(session: AsyncSession, principal: Principal, institution: str, year: int) -> ZeroSevenSummary:
    if not may_read(principal, institution, []):
        raise YearNotDeclared(f"No declaration of {institution} for {year}")
    row = await repository.year(session, institution, year)
    if row is None:
        raise YearNotDeclared(f"No declaration of {institution} for {year}")
    goal = target(row.own_revenues_eur)
    committed, disbursed = await ledger.institution_year_totals(session, institution, year)
    share = (committed * 100 / goal).quantize(CENT, rounding=ROUND_HALF_UP) if goal else None
    return ZeroSevenSummary(
        institution=institution,
        year=year,
        version=row.version,
        own_revenues_eur=row.own_revenues_eur,
        target_eur=goal,
        cooperation_budget_eur=row.cooperation_budget_eur,
        revenues_source=row.revenues_source,
        revenues_basis=cast(RevenuesBasis | None, row.revenues_basis),
        committed_eur=committed,
        disbursed_eur=disbursed,
        gap_committed_eur=goal - committed,
        gap_disbursed_eur=goal - disbursed,
        committed_share_of_target=share,
    )
