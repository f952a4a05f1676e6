"""The grants awarded, as the transparency laws ask public bodies to publish them (Llei 19/2013,
art. 8.1.c; Llei catalana 19/2014, art. 15.1.c): beneficiary, purpose, amount, call and date.

Only definitive resolutions are published here, and the reserve list's later awards with the date
of their own act; provisional resolutions award nothing. Beneficiaries are shown by name only:
an entity's tax id may be a person's.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.act import localized
from services.funding.grants.models import GrantCall
from services.funding.grants.schemas import AwardedGrant, Resolution, ResolutionDecision
from shared.codelists import codelists
from shared.spreadsheet import csv_row

CSV_HEADERS = {
    "ca": ["Beneficiari", "Finalitat", "Modalitat", "Import (EUR)", "Convocatòria", "Títol de la convocatòria",
           "Institució", "Referència", "Data de concessió", "Parcial", "De la llista de reserva"],
    "es": ["Beneficiario", "Finalidad", "Modalidad", "Importe (EUR)", "Convocatoria", "Título de la convocatoria",
           "Institución", "Referencia", "Fecha de concesión", "Parcial", "De la lista de reserva"],
    "en": ["Beneficiary", "Purpose", "Modality", "Amount (EUR)", "Call", "Call title",
           "Institution", "Reference", "Awarded on", "Partial", "From the reserve list"],
}  # fmt: skip
YES_NO = {"ca": ("sí", "no"), "es": ("sí", "no"), "en": ("yes", "no")}


async def awarded(session: AsyncSession, institution: str | None, year: int | None, lang: str) -> list[AwardedGrant]:
    out: list[AwardedGrant] = []
    for call in await repository.calls(session, institution, year):
        resolution = _definitive(call)
        if resolution is None:
            continue
        titles = await repository.project_titles(session, call.id)
        act_date = resolution.resolved_on or resolution.resolved_at.date()
        out += [_grant(call, titles, d, act_date, False, lang) for d in resolution.decisions if d.funded]
        out += [_grant(call, titles, d, t.on, True, lang) for t in resolution.takeovers for d in t.funded if d.funded]
    out.sort(key=lambda g: (g.awarded_on, g.call_code, g.reference))
    return out


def _grant(
    call: GrantCall,
    titles: dict[uuid.UUID, dict[str, str]],
    decision: ResolutionDecision,
    on: date,
    from_reserve: bool,
    lang: str,
) -> AwardedGrant:
    institution = codelists()["institutions"].get(call.institution)
    modalities = {m["code"]: m["title"] for m in call.rules["modalities"]}
    return AwardedGrant(
        beneficiary=decision.entity,
        purpose=localized(titles.get(decision.application_id), lang),
        modality=localized(modalities.get(decision.modality), lang) or decision.modality,
        amount_eur=sum(decision.granted.values(), Decimal("0.00")),
        amounts_by_year=decision.granted,
        call_id=call.id,
        call_code=call.code,
        call_title=localized(call.rules.get("title"), lang),
        institution=institution.label(lang) if institution else call.institution,
        reference=decision.reference,
        awarded_on=on,
        partial=decision.partial,
        from_reserve_list=from_reserve,
    )


def _definitive(call: GrantCall) -> Resolution | None:
    if not call.resolution or call.resolution.get("kind") != "definitive":
        return None
    return Resolution.model_validate(call.resolution)


def awarded_csv(grants: list[AwardedGrant], lang: str) -> str:
    yes, no = YES_NO[lang]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS[lang])
    for g in grants:
        writer.writerow(
            csv_row(
                [
                    *(g.beneficiary, g.purpose, g.modality, g.amount_eur, g.call_code, g.call_title),
                    *(g.institution, g.reference, g.awarded_on.isoformat()),
                    yes if g.partial else no,
                    yes if g.from_reserve_list else no,
                ]
            )
        )
    return out.getvalue()
