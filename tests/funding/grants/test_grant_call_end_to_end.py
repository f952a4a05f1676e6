"""A small call (three modalities, twelve applications) through every state, checked by hand.

Budget years Y (this year) and Y+1. Criteria: relevance 40, feasibility 35, partnership 25; the
minimum is 50. Gender {Y: 100,000, Y+1: 50,000} passes what it leaves to education; economic
{Y: 80,000} keeps it; education {Y: 30,000}.

Provisional (by hand): gender funds G1 84 (40,000 + 20,000), G2 75 (30,000 + 20,000), G3 70
(30,000); G4 70 ties with G3 on every criterion and was submitted later, and 20,000 no longer fits
in Y. G5 45 is under the minimum; G6 is not admitted. Economic funds E1 (50,000); E2 (40,000) does
not fit in the 30,000 left and E3 is not funded below it. Education funds D1 (15,000); D2 needs
Y+1 money that only gender's remainder (Y+1: 10,000) brings, so it is funded with it (15,000 +
5,000); D3 (10,000) finds nothing left in Y.
Definitive, after G4's objection is upheld (85 points): gender funds G4 (20,000 + 15,000) and G1;
G2 no longer fits in Y+1 (15,000 left); gender passes Y: 40,000 and Y+1: 15,000 to education,
which funds D2 and D3 with it.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.funding.grants.master_plan import plan_for
from tests.support.auth import fetch_token, register_client
from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually

CRITERIA = ("relevance", "feasibility", "partnership")


def call_payload(code: str, year: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    y, y1 = str(year), str(year + 1)
    return {
        "institution": "ajuntament-barcelona",
        "year": year,
        "code": code,
        "title": {"ca": "Convocatòria de subvencions", "es": "Convocatoria de subvenciones", "en": "Grant call"},
        "rules": {"ca": "Bases de la convocatòria"},
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(hours=2)).isoformat(),
        "programmes": [
            {"code": "global-justice", "title": {"ca": "Cooperació per la justícia global"}},
            {"code": "education", "title": {"ca": "Educació per la justícia global"}},
        ],
        "modalities": [
            {
                "code": "gender",
                "programme": "global-justice",
                "title": {"ca": "Justícia de gènere"},
                "budget": {y: "100000.00", y1: "50000.00"},
                "remainder_to": ["education"],
            },
            {
                "code": "economic",
                "programme": "global-justice",
                "title": {"ca": "Justícia econòmica"},
                "budget": {y: "80000.00"},
            },
            {
                "code": "education",
                "programme": "education",
                "title": {"ca": "Educació"},
                "budget": {y: "30000.00"},
            },
        ],
        "criteria": [
            {"code": "relevance", "title": {"ca": "Pertinença"}, "max_points": "40"},
            {"code": "feasibility", "title": {"ca": "Viabilitat"}, "max_points": "35"},
            {"code": "partnership", "title": {"ca": "Partenariat"}, "max_points": "25"},
        ],
        "min_score": "50",
        "eligibility": {"max_grant_eur": "120000.00", "max_months": 24, "entity_types": ["21", "22"]},
    }


def sheet(evaluator: str, points: tuple[int, int, int]) -> dict[str, Any]:
    return {"evaluator": evaluator, "points": {c: str(p) for c, p in zip(CRITERIA, points, strict=True)}}


async def entity_client(stack: Stack, gateway: httpx.AsyncClient, tag: str, letter: str) -> httpx.AsyncClient:
    tenant = f"ENT-{letter}-{tag}"
    registered = await gateway.post(
        "/api/funding/grants/entities",
        json={
            "tenant": tenant,
            "name": f"Entitat {letter} {tag}",
            "tax_id": f"G{uuid.uuid4().int % 10**8:08d}",
            "org_type": "22",
            "contact": {"email": f"{letter.lower()}@example.org"},
        },
    )
    assert registered.status_code == 201, registered.text
    creds = await register_client(stack, tenant, "partner", ["grants:apply"])
    token = await fetch_token(stack.gateway, creds)
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers={"Authorization": f"Bearer {token}"})


def granted(application: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in application["granted"].items()}


async def test_a_call_from_publication_to_justification(stack: Stack, gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:6]
    year = datetime.now(UTC).year
    y, y1 = str(year), str(year + 1)
    created = await gateway.post("/api/funding/grants/calls", json=call_payload(f"GC-{tag}", year))
    assert created.status_code == 201, created.text
    call = created.json()
    assert call["status"] == "draft" and call["budget_by_year"] == {y: "210000.00", y1: "50000.00"}
    base = f"/api/funding/grants/calls/{call['id']}"
    entity_a = await entity_client(stack, gateway, tag, "A")
    entity_b = await entity_client(stack, gateway, tag, "B")
    city = f"Grantcity {tag}"

    def application(modality: str, requested: dict[str, str], **proposal: Any) -> dict[str, Any]:
        payload = project_payload(**proposal)
        for key in ("owner", "code", "status", "visibility", "participating_orgs"):
            payload.pop(key, None)
        return {"modality": modality, "proposal": payload, "requested": requested, "duration_months": 24}

    early = await entity_a.post(f"{base}/applications", json=application("gender", {y: "40000.00"}))
    assert early.status_code == 404  # a draft call is not published yet
    assert (await gateway.post(f"{base}/status", json={"status": "open"})).json()["status"] == "open"

    plan = [  # (name, entity, modality, requested, score sheets or None when not admitted)
        ("G1", entity_a, "gender", {y: "40000.00", y1: "20000.00"}, [(35, 30, 20), (33, 30, 20)]),
        ("G2", entity_b, "gender", {y: "30000.00", y1: "20000.00"}, [(30, 25, 20)]),
        ("G3", entity_a, "gender", {y: "30000.00"}, [(30, 25, 15)]),
        ("G4", entity_b, "gender", {y: "20000.00", y1: "15000.00"}, [(30, 25, 15)]),
        ("G5", entity_a, "gender", {y: "10000.00"}, [(20, 15, 10)]),
        ("G6", entity_b, "gender", {y: "10000.00"}, None),
        ("E1", entity_a, "economic", {y: "50000.00"}, [(35, 30, 20)]),
        ("E2", entity_b, "economic", {y: "40000.00"}, [(30, 30, 20)]),
        ("E3", entity_a, "economic", {y: "20000.00"}, [(25, 20, 10)]),
        ("D1", entity_b, "education", {y: "15000.00"}, [(30, 30, 20)]),
        ("D2", entity_a, "education", {y: "15000.00", y1: "5000.00"}, [(28, 30, 20)]),
        ("D3", entity_b, "education", {y: "10000.00"}, [(20, 20, 15)]),
    ]
    apps: dict[str, dict[str, Any]] = {}
    for name, client, modality, requested, _ in plan:
        cities = [{"name": city, "country": "MZ"}] if name == "G1" else [{"name": "Maputo", "country": "MZ"}]
        body = application(modality, requested, partner_cities=cities, sdg_goals=[{"goal": "5", "share": "100"}])
        key = {"Idempotency-Key": f"{tag}-{name}"}
        response = await client.post(f"{base}/applications", json=body, headers=key)
        assert response.status_code == 201, (name, response.text)
        if name == "G1":  # a retry with the same key submits once
            again = await client.post(f"{base}/applications", json=body, headers=key)
            assert again.json()["id"] == response.json()["id"]
        apps[name] = response.json()
    assert [a["reference"] for a in apps.values()] == [f"GC-{tag}-{n:04d}" for n in range(1, 13)]

    too_much = application("gender", {y: "100000.00", y1: "30000.00"})
    refused = await entity_a.post(f"{base}/applications", json=too_much)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "requested"

    # Every proposal reaches the registry as a draft of the Ajuntament, with the entity implementing it.
    async def proposals_registered() -> bool:
        found = [(await gateway.get(f"/api/projects/projects/{a['project_id']}")) for a in apps.values()]
        return all(r.status_code == 200 for r in found)

    await eventually(proposals_registered, what="the proposals in the registry")
    draft = (await gateway.get(f"/api/projects/projects/{apps['G1']['project_id']}")).json()
    assert (draft["visibility"], draft["status"], draft["owner"], draft["code"]) == (
        "draft",
        "1",
        "ajuntament-barcelona",
        apps["G1"]["reference"],
    )
    assert any(o["role"] == "4" and o["name"] == f"Entitat A {tag}" for o in draft["participating_orgs"])

    # Scoring waits for the closing; the other entity sees nothing of A's application.
    assert (await entity_b.get(f"/api/funding/grants/applications/{apps['G1']['id']}")).status_code == 404
    assert (await gateway.post(f"{base}/status", json={"status": "closed"})).json()["status"] == "closed"
    late = await entity_a.post(f"{base}/applications", json=application("gender", {y: "1000.00"}))
    assert late.status_code == 409
    for name, _, _, _, sheets in plan:
        path = f"/api/funding/grants/applications/{apps[name]['id']}"
        if sheets is None:
            out = await gateway.post(
                f"{path}/admission", json={"admitted": False, "reason": "Documentation incomplete"}
            )
            assert out.json()["state"] == "not-admitted"
            continue
        assert (await gateway.post(f"{path}/admission", json={"admitted": True})).json()["state"] == "admitted"
        for i, points in enumerate(sheets):
            scored = await gateway.post(f"{path}/scores", json=sheet(f"evaluator-{i}", points))
            assert scored.status_code == 200, scored.text
        apps[name] = scored.json()
    assert apps["G1"]["criterion_scores"] == {"relevance": "34.00", "feasibility": "30.00", "partnership": "20.00"}
    assert apps["G1"]["total_score"] == "84.00"
    over = await gateway.post(
        f"/api/funding/grants/applications/{apps['G2']['id']}/scores", json=sheet("x", (41, 0, 0))
    )
    assert over.status_code == 422

    provisional = (await gateway.post(f"{base}/resolutions/provisional")).json()
    decisions = {d["reference"][-4:]: d for d in provisional["decisions"]}
    by_name = {name: decisions[apps[name]["reference"][-4:]] for name in apps}
    assert {n for n, d in by_name.items() if d["funded"]} == {"G1", "G2", "G3", "E1", "D1", "D2"}
    assert (by_name["G3"]["rank"], by_name["G4"]["rank"]) == (3, 4)  # the tie goes to the earlier submission
    assert (
        f"below {apps['E2']['reference']}" in by_name["E3"]["reason"]
        and "remainder of gender" in by_name["D2"]["reason"]
    )
    assert "below the minimum" in by_name["G5"]["reason"] and by_name["G6"]["reason"] == "not admitted"
    figures = provisional["figures"]
    assert (figures["submitted"], figures["admitted"], figures["at_or_above_minimum"], figures["funded"]) == (
        12,
        11,
        10,
        6,
    )
    assert figures["funded_share_of_eligible_percent"] == "60.00"
    assert figures["granted_by_year"] == {y: "180000.00", y1: "45000.00"}
    assert figures["granted_by_programme"] == {
        "education": {y: "30000.00", y1: "5000.00"},
        "global-justice": {y: "150000.00", y1: "40000.00"},
    }

    # Objections: G4 upheld with a revised sheet, E3 rejected; only the entity itself may object.
    g4 = f"/api/funding/grants/applications/{apps['G4']['id']}"
    assert (await entity_a.post(f"{g4}/objection", json={"text": "Not mine"})).status_code == 404
    assert (await entity_b.post(f"{g4}/objection", json={"text": "Partnership was under-scored"})).status_code == 200
    e3 = f"/api/funding/grants/applications/{apps['E3']['id']}"
    assert (await entity_a.post(f"{e3}/objection", json={"text": "Please review"})).status_code == 200
    pending = await gateway.post(f"{base}/resolutions/definitive")
    assert pending.status_code == 409 and pending.json()["type"].endswith("/applications-pending")
    upheld = await gateway.post(
        f"{g4}/objection/decision",
        json={"upheld": True, "answer": "Scores revised", "sheets": [sheet("evaluator-0", (35, 30, 20))]},
    )
    assert upheld.json()["total_score"] == "85.00" and upheld.json()["state"] == "provisionally-denied"
    rejected = await gateway.post(f"{e3}/objection/decision", json={"upheld": False, "answer": "The scores stand"})
    assert rejected.json()["objection"]["status"] == "rejected"

    today = datetime.now(UTC).date()
    before = await plan_row(gateway, year) if plan_for("ajuntament-barcelona", year) is not None else {}
    definitive = (await gateway.post(f"{base}/resolutions/definitive", json={"resolved_on": today.isoformat()})).json()
    decisions = {d["reference"]: d for d in definitive["decisions"]}
    funded = {name for name in apps if decisions[apps[name]["reference"]]["funded"]}
    assert funded == {"G4", "G1", "E1", "D1", "D2", "D3"}
    figures = definitive["figures"]
    assert figures["granted_by_year"] == {y: "150000.00", y1: "40000.00"} and figures["granted_total"] == "190000.00"
    assert figures["funded_share_of_eligible_percent"] == "60.00"
    assert definitive["transfers"] == [
        {
            "source": "gender",
            "target": "education",
            "amounts": {y: "40000.00", y1: "15000.00"},
            "used": {y: "10000.00", y1: "5000.00"},
        }
    ]
    assert definitive["left_by_modality"]["gender"] == {y: "30000.00", y1: "10000.00"}

    # The published lists: JSON, CSV and a printable page, readable by anyone.
    async with httpx.AsyncClient(base_url=stack.gateway) as public:
        rows = list(
            csv.DictReader(io.StringIO((await public.get(f"{base}/resolution", params={"format": "csv"})).text))
        )
        page = await public.get(f"{base}/resolution", params={"format": "html", "lang": "es"})
    assert sum(Decimal(r[f"granted_{y}_eur"]) for r in rows) == Decimal("150000.00")
    assert "Resolución definitiva" in page.text and "60.00 %" in page.text

    # The grant: commitments per budget year in the ledger; the project leaves draft and reaches the reports.
    g1 = f"/api/funding/grants/applications/{apps['G1']['id']}"
    project_id = apps["G1"]["project_id"]
    ledger = (await gateway.get(f"/api/funding/projects/{project_id}/transactions")).json()["items"]
    assert sorted((t["transaction_type"], t["amount"], t["value_date"]) for t in ledger) == [
        ("2", "20000.00", f"{year + 1}-01-01"),
        ("2", "40000.00", today.isoformat()),
    ]
    assert all(t["instrument"] == "grant-call" for t in ledger)
    assert (await gateway.get(f"/api/funding/grants/applications/{apps['G2']['id']}")).json()["state"] == "denied"

    async def published() -> bool:
        project = (await gateway.get(f"/api/projects/projects/{project_id}")).json()
        return bool(project["visibility"] == "published" and project["status"] == "2")

    await eventually(published, what="the granted project published")

    # Acceptance, two instalments, justification of 55,000: 5,000 comes back by reversing entries.
    assert (await entity_a.post(f"{g1}/acceptance")).json()["state"] == "accepted"
    for budget_year in (year, year + 1):
        paid = await gateway.post(f"{g1}/payments", json={"budget_year": budget_year})
        assert paid.json()["state"] == "in-execution", paid.text
    again = await gateway.post(f"{g1}/payments", json={"budget_year": year})
    assert again.status_code == 409
    justified = await entity_a.post(f"{g1}/justification", json={"spent_eur": "55000.00", "summary": {"ca": "Fet"}})
    assert justified.json()["state"] == "justified"
    closed = (await gateway.post(f"{g1}/justification/review", json={"accepted_eur": "55000.00"})).json()
    assert closed["state"] == "closed" and closed["justification"]["returned_eur"] == "5000.00"
    assert [s["to_state"] for s in closed["steps"]] == [
        "submitted",
        "admitted",
        "scored",
        "scored",
        "provisionally-granted",
        "granted",
        "accepted",
        "in-execution",
        "in-execution",
        "justified",
        "closed",
    ]
    summary = (await gateway.get(f"/api/funding/projects/{project_id}/summary")).json()["totals"]
    assert (summary["committed_eur"], summary["disbursed_eur"], summary["spent_eur"]) == (
        "55000.00",
        "55000.00",
        "55000.00",
    )

    async def reported() -> dict[str, Any] | None:
        report = (await gateway.get("/api/reporting/sdg", params={"city": city})).json()
        totals: dict[str, Any] = report["totals"]
        return totals if totals["spent_eur"] == "55000.00" else None

    totals = await eventually(reported, what="the grant in the SDG report")
    assert (totals["committed_eur"], totals["disbursed_eur"]) == ("55000.00", "55000.00")

    if plan_for("ajuntament-barcelona", year) is not None:
        after = await plan_row(gateway, year)
        assert Decimal(after["call_committed_eur"]) - Decimal(before["call_committed_eur"]) == Decimal("150000.00")
        # All but G1 (whose partner city is not a priority) went to Maputo, a priority city.
        assert Decimal(after["priority_cities_eur"]) - Decimal(before["priority_cities_eur"]) == Decimal("110000.00")
        budget = Decimal(after["directorate_budget_eur"])
        share = (Decimal(after["call_committed_eur"]) * 100 / budget).quantize(Decimal("0.01"))
        assert Decimal(after["call_share_percent"]) == share
        assert after["on_target"] == (Decimal("60") <= share <= Decimal("70"))


async def plan_row(gateway: httpx.AsyncClient, year: int) -> dict[str, Any]:
    url = f"/api/funding/institutions/ajuntament-barcelona/years/{year}"
    if (await gateway.get(url)).status_code == 404:
        declared = {"own_revenues_eur": "100000000.00", "cooperation_budget_eur": "250000.00"}
        assert (await gateway.put(url, json=declared)).status_code in (200, 201)
    report = (await gateway.get("/api/funding/grants/master-plan/ajuntament-barcelona")).json()
    row: dict[str, Any] = next(r for r in report["years"] if r["year"] == year)
    return row
