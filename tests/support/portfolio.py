"""A small portfolio for the portal's tests, made through the public API as its officers would: enough
for every page type to have something to draw (projects in partner cities of four countries, one
whose commitments fall in a later year, an SDG spread, networks and results, an institution's 0.7 %
years, a resolved grant call that awarded grants and an open one). Tests assert on these objects,
not on the demo's codes (the demo is never loaded into the test databases)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.auth import fetch_token, register_client
from tests.support.grants import REPRESENTATIVE, tax_id
from tests.support.projects import project_payload, rich_project_payload
from tests.support.stack import Stack
from tests.support.unique import unique_code
from tests.support.waiting import eventually

# Recorded by an admin migration before the end of 2025: an as-of view of that day holds it.
MIGRATED_AT = "2025-02-03T10:00:00+01:00"
FALL_INSTITUTION = "amb"


@dataclass
class Portfolio:
    rich: dict[str, Any]  # Maputo (MZ): networks, results, SDG targets, registered in 2025 by migration
    fall: dict[str, Any]  # Medellín (CO), AMB: committed in 2024, reduced below zero in 2025
    others: list[dict[str, Any]] = field(default_factory=list)
    zero_seven_years: list[int] = field(default_factory=list)
    awarded_call: dict[str, Any] = field(default_factory=dict)
    open_call: dict[str, Any] = field(default_factory=dict)

    @property
    def projects(self) -> list[dict[str, Any]]:
        return [self.rich, self.fall, *self.others]


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


async def _in_funding(admin: httpx.AsyncClient, project: dict[str, Any]) -> None:
    async def known() -> bool:
        return (await admin.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what=f"project {project['code']} in the funding service")


async def _budget(admin: httpx.AsyncClient, project_id: str, year: int, amount: str) -> None:
    line = {"period_start": f"{year}-01-01", "period_end": f"{year}-12-31", "amount": amount, "currency": "EUR"}
    _ok(await admin.post(f"/api/funding/projects/{project_id}/budget-lines", json=line), 201)


async def _book(admin: httpx.AsyncClient, project_id: str, type_: str, amount: str, on: str) -> dict[str, Any]:
    body = {"transaction_type": type_, "amount": amount, "currency": "EUR", "value_date": on, "instrument": "conveni"}
    return _ok(await admin.post(f"/api/funding/projects/{project_id}/transactions", json=body), 201)


async def _projects(admin: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    rich = _ok(
        await admin.post(
            "/api/projects/projects",
            json=rich_project_payload(code=unique_code("WEB")),
            params={"migration": "true", "recorded_at": MIGRATED_AT},
        ),
        201,
    )
    fall = _ok(
        await admin.post(
            "/api/projects/projects",
            json=project_payload(
                owner=FALL_INSTITUTION,
                code=unique_code("WEB"),
                title={"ca": "Mobilitat a Medellín", "es": "Movilidad en Medellín", "en": "Mobility in Medellín"},
                partner_cities=[{"name": "Medellín", "country": "CO"}],
                sdg_goals=[{"goal": "11", "share": "70", "targets": ["11.2"]}, {"goal": "13", "share": "30"}],
                sectors=[{"code": "21020", "percentage": "100"}],
                modality="technical-cooperation",
                networks=["cideu"],
                dates={"planned_start": "2024-01-01", "planned_end": "2025-12-31", "actual_start": "2024-02-01"},
            ),
        ),
        201,
    )
    others = [
        _ok(await admin.post("/api/projects/projects", json=body), 201)
        for body in (
            project_payload(
                code=unique_code("WEB"),
                title={"ca": "Escola i ciutat a l'Havana", "es": "Escuela y ciudad en La Habana"},
                partner_cities=[{"name": "La Habana", "country": "CU"}],
                sdg_goals=[{"goal": "4", "share": "50"}, {"goal": "5", "share": "25"}, {"goal": "10", "share": "25"}],
                sectors=[{"code": "11130", "percentage": "100"}],
                networks=["educating-cities"],
            ),
            project_payload(
                owner=FALL_INSTITUTION,
                code=unique_code("WEB"),
                title={"ca": "Residus a Tunis", "es": "Residuos en Túnez"},
                partner_cities=[{"name": "Tunis", "country": "TN"}, {"name": "Maputo", "country": "MZ"}],
                sdg_goals=[{"goal": "12", "share": "60"}, {"goal": "6", "share": "40"}],
                sectors=[{"code": "14050", "percentage": "100"}],
                networks=["medcities"],
                dates={"planned_start": "2023-03-01", "planned_end": "2025-06-30"},
            ),
        )
    ]
    return rich, fall, others


async def _money(admin: httpx.AsyncClient, rich: dict[str, Any], fall: dict[str, Any], others: list[Any]) -> None:
    for project in (rich, fall, *others):
        await _in_funding(admin, project)
    for year, amount in ((2024, "60000.00"), (2025, "40000.00")):
        await _budget(admin, rich["id"], year, amount)
        await _budget(admin, fall["id"], year, amount)
    await _book(admin, rich["id"], "2", "20000.00", "2024-03-01")
    await _book(admin, rich["id"], "3", "8000.00", "2024-06-01")
    await _book(admin, rich["id"], "2", "15000.00", "2025-03-01")
    # The fall: 30,000 committed in 2024, withdrawn in 2025 and 10,000 committed again: 2025 is -20,000.
    committed = await _book(admin, fall["id"], "2", "30000.00", "2024-05-01")
    await _book(admin, fall["id"], "3", "5000.00", "2024-09-01")
    withdrawn = {"reason": "Conveni reformulat", "value_date": "2025-03-01"}
    _ok(await admin.post(f"/api/funding/transactions/{committed['id']}/reverse", json=withdrawn), 201)
    await _book(admin, fall["id"], "2", "10000.00", "2025-04-01")
    for project in others:
        await _budget(admin, project["id"], 2024, "12000.00")
        await _book(admin, project["id"], "2", "9000.00", "2024-10-01")


async def _zero_seven(admin: httpx.AsyncClient) -> list[int]:
    """AMB's own revenues in 2024 and 2025 (declared again, with its version, if a test did before)."""
    years = [2024, 2025]
    for year in years:
        url = f"/api/funding/institutions/{FALL_INSTITUTION}/years/{year}"
        body = {"own_revenues_eur": "5000000.00", "cooperation_budget_eur": "30000.00"}
        before = await admin.get(url)
        headers = {"If-Match": before.headers["etag"]} if before.status_code == 200 else {}
        _ok(await admin.put(url, json=body, headers=headers))
    return years


def _call_body(code: str, year: int, opens: datetime, closes: datetime) -> dict[str, Any]:
    return {
        "institution": "ajuntament-barcelona",
        "year": year,
        "code": code,
        "title": {"ca": f"Convocatòria {code}", "es": f"Convocatoria {code}", "en": f"Grant call {code}"},
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "programmes": [{"code": "p", "title": {"ca": "Justícia global", "en": "Global justice"}}],
        "modalities": [
            {
                "code": "m",
                "programme": "p",
                "title": {"ca": "Gènere", "en": "Gender"},
                "budget": {str(year): "50000.00"},
            }
        ],
        "criteria": [{"code": "c", "title": {"ca": "Pertinença", "en": "Relevance"}, "max_points": "100"}],
        "min_score": "50",
        "eligibility": {"max_grant_eur": "40000.00", "max_months": 12, "entity_types": ["22"]},
    }


def _application(entity_id: str, year: int, amount: str, city: tuple[str, str], submitted: datetime) -> dict[str, Any]:
    proposal = project_payload(
        title={"ca": f"Dones i ciutat a {city[0]}", "en": f"Women and the city in {city[0]}"},
        partner_cities=[{"name": city[0], "country": city[1]}],
        sdg_goals=[{"goal": "5", "share": "100"}],
        modality="ngo-grant",
        dates={"planned_start": f"{year}-09-01", "planned_end": f"{year + 1}-06-30"},
    )
    for key in ("owner", "code", "status", "visibility", "participating_orgs"):
        proposal.pop(key, None)
    return {
        "modality": "m",
        "proposal": proposal,
        "requested": {str(year): amount},
        "duration_months": 10,
        "entity_id": entity_id,
        "submitted_at": submitted.isoformat(),
    }


async def _awarded_call(stack: Stack, admin: httpx.AsyncClient) -> dict[str, Any]:
    """Last year's call taken to its definitive resolution, as the grant office records it afterwards:
    two associations apply, one is funded, the other scores under the minimum."""
    year = datetime.now(UTC).year - 1
    opens = datetime(year, 2, 1, 9, tzinfo=UTC)
    call = _ok(
        await admin.post(
            "/api/funding/grants/calls", json=_call_body(unique_code("WEB"), year, opens, opens + timedelta(days=40))
        ),
        201,
    )
    base = f"/api/funding/grants/calls/{call['id']}"
    _ok(await admin.post(f"{base}/status", json={"status": "open"}))
    applications = []
    for n, (amount, city) in enumerate((("30000.00", ("Maputo", "MZ")), ("20000.00", ("Medellín", "CO")))):
        tenant = unique_code("ENT")
        entity = {
            "tenant": tenant,
            "name": f"Associació {tenant}",
            "tax_id": tax_id(),
            "org_type": "22",
            "contact": {"email": "entitat@example.org"},
            "legal_representative": REPRESENTATIVE,
        }
        entity_id = _ok(await admin.post("/api/funding/grants/entities", json=entity), 201)["id"]
        body = _application(entity_id, year, amount, city, opens + timedelta(days=n + 1))
        applications.append(_ok(await admin.post(f"{base}/applications", json=body), 201))
    _ok(await admin.post(f"{base}/status", json={"status": "closed"}))
    evaluator = await register_client(stack, "ajuntament-barcelona", "institution", ["funding:write"])
    headers = {"Authorization": f"Bearer {await fetch_token(stack.gateway, evaluator)}"}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers) as scorer:
        for application, points in zip(applications, ("80", "40"), strict=True):
            path = f"/api/funding/grants/applications/{application['id']}"
            _ok(await admin.post(f"{path}/admission", json={"admitted": True}))
            sheet = {"points": {"c": points}, "no_conflict_of_interest": True}
            _ok(await scorer.post(f"{path}/scores", json=sheet))
    _ok(await admin.post(f"{base}/resolutions/provisional", json={"resolved_on": f"{year}-06-01"}))

    async def definitive() -> httpx.Response | None:
        # The proposals must first have reached the registry and come back as projects.
        answer = await admin.post(f"{base}/resolutions/definitive", json={"resolved_on": f"{year}-07-15"})
        return None if answer.status_code == 409 and "proposal-not-registered" in answer.text else answer

    _ok(await eventually(definitive, what="the proposals registered, then the definitive resolution"))
    return call


async def _open_call(admin: httpx.AsyncClient) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = _call_body(unique_code("WEB"), now.year, now - timedelta(days=1), now + timedelta(days=30))
    call = _ok(await admin.post("/api/funding/grants/calls", json=body), 201)
    _ok(await admin.post(f"/api/funding/grants/calls/{call['id']}/status", json={"status": "open"}))
    return call


async def load_portfolio(stack: Stack, admin: httpx.AsyncClient) -> Portfolio:
    """Make the portfolio and wait until the reports hold all of it (money and the awarded grants too)."""
    rich, fall, others = await _projects(admin)
    await _money(admin, rich, fall, others)
    portfolio = Portfolio(rich, fall, others, await _zero_seven(admin))
    portfolio.awarded_call = await _awarded_call(stack, admin)
    portfolio.open_call = await _open_call(admin)

    async def reported() -> bool:
        for project in (rich, fall):
            listed = await admin.get("/api/reporting/projects", params={"id": project["id"], "by_year": "true"})
            items = listed.json()["items"] if listed.status_code == 200 else []
            if not items or len(items[0]["money"]["years"]) < 2:
                return False
        awarded = (await admin.get("/api/funding/grants/awarded")).json()["items"]
        return any(g["call_id"] == portfolio.awarded_call["id"] for g in awarded)

    await eventually(reported, timeout=60, what="the portal's portfolio in the reports")
    return portfolio
