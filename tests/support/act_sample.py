"""A definitive and a provisional resolution of a small call, built in memory for the act's golden tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from services.funding.grants.models import GrantApplication, GrantCall, GrantEntity
from services.funding.grants.schemas import Resolution, ResolutionDecision, ResolutionFigures

CALL_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-8000-{n:012d}")


def call() -> GrantCall:
    rules: dict[str, Any] = {
        "title": {
            "ca": "Subvencions per a projectes de cooperació per a la justícia global 2026",
            "es": "Subvenciones para proyectos de cooperación para la justicia global 2026",
        },
        "rules": {
            "ca": "Convocatòria aprovada per Decret d'Alcaldia S1/D/2026-123 (BOPB de 3 de març de 2026).",
            "es": "Convocatoria aprobada por Decreto de Alcaldía S1/D/2026-123 (BOPB de 3 de marzo de 2026).",
        },
        "regulatory_bases": {
            "ca": "Bases reguladores aprovades per la Comissió de Govern el 9 de febrer de 2026 (BOPB 20.2.2026).",
            "es": "Bases reguladoras aprobadas por la Comisión de Gobierno el 9 de febrero de 2026 (BOPB 20.2.2026).",
        },
        "signatory": {
            "name": "Marta Ribas i Puig",
            "post": {
                "ca": "Regidora de Justícia Global i Cooperació Internacional",
                "es": "Concejala de Justicia Global y Cooperación Internacional",
            },
        },
        "opens_at": "2026-03-04T08:00:00+00:00",
        "closes_at": "2026-04-03T22:00:00+00:00",
        "modalities": [
            {
                "code": "gender",
                "programme": "gj",
                "title": {"ca": "Justícia de gènere", "es": "Justicia de género"},
                "budget": {"2026": "90000.00", "2027": "30000.00"},
            },
        ],
        "criteria": [{"code": "c", "title": {"ca": "Criteri"}, "max_points": "100"}],
        "min_score": "50",
    }
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return GrantCall(
        id=CALL_ID,
        institution="ajuntament-barcelona",
        year=2026,
        code="JG-2026",
        status="resolved",
        version=1,
        rules=rules,
        next_number=5,
        created_at=now,
        updated_at=now,
    )


ENTITIES = [
    ("Associació Aigua per a Tothom", "G00001016"),
    ("Fundació Dones i Ciutat", "G00001024"),
    ("Col·lectiu Educació Global", "G00001032"),
    ("Xarxa d'Economia Solidària", "G00001040"),
    ("Associació Ciutats Obertes", "G00001057"),
]
PROJECTS = [
    ({"ca": "Aigua potable a Maputo", "es": "Agua potable en Maputo"}, {"2026": "60000.00", "2027": "20000.00"}),
    (
        {"ca": "Dones i ciutat a Medellín", "es": "Mujeres y ciudad en Medellín"},
        {"2026": "40000.00", "2027": "15000.00"},
    ),
    ({"ca": "Educació per a la pau", "es": "Educación para la paz"}, {"2026": "20000.00"}),
    ({"ca": "Economia social a Tunis"}, {"2026": "25000.00"}),
    ({"ca": "Ciutats refugi", "es": "Ciudades refugio"}, {"2026": "30000.00"}),
]


def entities() -> dict[uuid.UUID, GrantEntity]:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    return {
        _id(100 + i): GrantEntity(
            id=_id(100 + i),
            tenant=f"ENT-{i}",
            tax_id=tax,
            org_ref=f"XARXA-ENT-{tax}",
            name=name,
            org_type="22",
            contact={},
            legal_representative=None,
            created_at=now,
        )
        for i, (name, tax) in enumerate(ENTITIES)
    }


def applications() -> list[GrantApplication]:
    states = ["granted", "granted", "denied", "not-admitted", "denied"]
    scores = [Decimal("84.00"), Decimal("71.50"), Decimal("42.25"), None, Decimal("60.00")]
    objections = [None, {"status": "upheld"}, {"status": "rejected"}, None, None]
    out = []
    for i, (title, requested) in enumerate(PROJECTS):
        out.append(
            GrantApplication(
                id=_id(200 + i),
                call_id=CALL_ID,
                entity_id=_id(100 + i),
                reference=f"JG-2026-{i + 1:04d}",
                modality="gender",
                project_id=_id(300 + i),
                state=states[i],
                version=3,
                proposal={"title": title},
                requested=requested,
                documents=[],
                duration_months=12,
                total_score=scores[i],
                objection=objections[i],
                decision_reason="Manca el pressupost detallat" if i == 3 else None,
                granted={},
                bookings={},
                scores={},
                submitted_at=datetime(2026, 3, 10, tzinfo=UTC),
                updated_at=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )
    return out


def resolution(kind: str = "definitive") -> Resolution:
    d = [
        ResolutionDecision(
            application_id=_id(200),
            reference="JG-2026-0001",
            entity=ENTITIES[0][0],
            modality="gender",
            programme="gj",
            rank=1,
            total_score=Decimal("84.00"),
            funded=True,
            granted={2026: Decimal("60000.00"), 2027: Decimal("20000.00")},
            reason="funded in full",
        ),
        ResolutionDecision(
            application_id=_id(201),
            reference="JG-2026-0002",
            entity=ENTITIES[1][0],
            modality="gender",
            programme="gj",
            rank=2,
            total_score=Decimal("71.50"),
            funded=True,
            granted={2026: Decimal("30000.00"), 2027: Decimal("10000.00")},
            reason="funded partially",
            partial=True,
        ),
        ResolutionDecision(
            application_id=_id(202),
            reference="JG-2026-0003",
            entity=ENTITIES[2][0],
            modality="gender",
            programme="gj",
            rank=None,
            total_score=Decimal("42.25"),
            funded=False,
            granted={},
            reason="below the minimum",
        ),
        ResolutionDecision(
            application_id=_id(203),
            reference="JG-2026-0004",
            entity=ENTITIES[3][0],
            modality="gender",
            programme="gj",
            rank=None,
            total_score=None,
            funded=False,
            granted={},
            reason="not admitted",
        ),
        ResolutionDecision(
            application_id=_id(204),
            reference="JG-2026-0005",
            entity=ENTITIES[4][0],
            modality="gender",
            programme="gj",
            rank=3,
            total_score=Decimal("60.00"),
            funded=False,
            granted={},
            reason="not funded",
            reserve=1,
        ),
    ]
    return Resolution(
        call_id=CALL_ID,
        call_code="JG-2026",
        institution="ajuntament-barcelona",
        kind=kind,
        # Printed (and resolved in the system) on another day than the act's date: the act's date counts.
        resolved_at=datetime(2026, 12, 18, 9, 30, tzinfo=UTC),
        resolved_on=date(2026, 12, 15) if kind == "definitive" else date(2026, 10, 1),
        objections_until=date(2026, 10, 15) if kind == "provisional" else None,
        acceptance_until=date(2027, 1, 12) if kind == "definitive" else None,
        min_score=Decimal("50"),
        tie_break="",
        figures=ResolutionFigures(
            submitted=5,
            admitted=4,
            at_or_above_minimum=3,
            funded=2,
            funded_share_of_eligible_percent=Decimal("66.67"),
            budget_by_year={2026: Decimal("90000.00"), 2027: Decimal("30000.00")},
            granted_by_year={2026: Decimal("90000.00"), 2027: Decimal("30000.00")},
            granted_by_programme={"gj": {2026: Decimal("90000.00"), 2027: Decimal("30000.00")}},
            granted_total=Decimal("120000.00"),
        ),
        decisions=d,
        transfers=[],
        left_by_modality={"gender": {2026: Decimal("0.00"), 2027: Decimal("0.00")}},
    )
