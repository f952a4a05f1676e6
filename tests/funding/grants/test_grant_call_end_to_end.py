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
import hashlib
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.funding.grants.master_plan import plan_for
from tests.support.auth import fetch_token, register_client
from tests.support.grants import REPRESENTATIVE, tax_id
from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually

CRITERIA = ("relevance", "feasibility", "partnership")


async def registered_everywhere(gateway: httpx.AsyncClient, apps: dict[str, dict[str, Any]]) -> bool:
    """Each proposal is in the registry and funding has heard of it: the definitive resolution books
    the grants' commitments, so it waits (409, retry) for a proposal funding does not know yet."""
    for a in apps.values():
        for path in (f"/api/projects/projects/{a['project_id']}", f"/api/funding/project-refs/{a['project_id']}"):
            if (await gateway.get(path)).status_code != 200:
                return False
    return True


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


def sheet(points: tuple[int, int, int], **extra: Any) -> dict[str, Any]:
    """A score sheet; the evaluator is whoever sends it, declaring no conflict of interest."""
    scored = {c: str(p) for c, p in zip(CRITERIA, points, strict=True)}
    return {"points": scored, "no_conflict_of_interest": True, **extra}


async def evaluator_client(stack: Stack, institution: str = "ajuntament-barcelona") -> httpx.AsyncClient:
    """A signed-in evaluator of the institution: an API client of their own (their subject)."""
    creds = await register_client(stack, institution, "institution", ["funding:write"])
    token = await fetch_token(stack.gateway, creds)
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers={"Authorization": f"Bearer {token}"})


async def entity_client(stack: Stack, gateway: httpx.AsyncClient, tag: str, letter: str) -> httpx.AsyncClient:
    tenant = f"ENT-{letter}-{tag}"
    registered = await gateway.post(
        "/api/funding/grants/entities",
        json={
            "tenant": tenant,
            "name": f"Entitat {letter} {tag}",
            "tax_id": tax_id(),
            "org_type": "22",
            "contact": {"email": f"{letter.lower()}@example.org"},
            "legal_representative": REPRESENTATIVE,
        },
    )
    assert registered.status_code == 201, registered.text
    creds = await register_client(stack, tenant, "partner", ["grants:apply"])
    token = await fetch_token(stack.gateway, creds)
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers={"Authorization": f"Bearer {token}"})


async def upload(client: httpx.AsyncClient, application_id: str, purpose: str, title: str) -> dict[str, Any]:
    """A PDF of its own (its title in its content, so its SHA-256 is its own) added to the application."""
    pdf = b"%PDF-1.4\n% " + title.encode() + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    files = {"file": (f"{title}.pdf", pdf, "application/pdf")}
    data = {"purpose": purpose, "title": title}
    added = await client.post(f"/api/funding/grants/applications/{application_id}/documents", files=files, data=data)
    assert added.status_code == 201, added.text
    return dict(added.json())


async def signed_off(officer: httpx.AsyncClient, application_id: str, cited: list[dict[str, Any]]) -> None:
    """Each file a step cites is downloaded by the officer, and is what it was when it was cited."""
    for document in cited:
        path = f"/api/funding/grants/applications/{application_id}/documents/{document['id']}"
        download = await officer.get(path)
        assert download.status_code == 200, download.text
        assert hashlib.sha256(download.content).hexdigest() == document["sha256"]


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
    g4_form = await upload(entity_b, apps["G4"]["id"], "application", "G4 application form")

    too_much = application("gender", {y: "100000.00", y1: "30000.00"})
    refused = await entity_a.post(f"{base}/applications", json=too_much)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "requested"

    # Every proposal reaches the registry as a draft of the Ajuntament, with the entity implementing it.
    async def proposals_registered() -> bool:
        return await registered_everywhere(gateway, apps)

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
    evaluators = [await evaluator_client(stack), await evaluator_client(stack)]
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
            scored = await evaluators[i].post(f"{path}/scores", json=sheet(points))
            assert scored.status_code == 200, scored.text
        apps[name] = scored.json()
    # The applicant sees no scores before the resolution; its officers do, sheet by evaluator.
    unseen = (await entity_a.get(f"/api/funding/grants/applications/{apps['G1']['id']}")).json()
    assert (unseen["total_score"], unseen["scores"], unseen["score_sheets"]) == (None, {}, [])
    # So is its list across calls: its own applications only, no scores yet; its officers see them.
    own = (await entity_a.get("/api/funding/grants/applications", params={"call_id": call["id"]})).json()["items"]
    own_names = {name for name, client, *_ in plan if client is entity_a}
    assert {i["id"] for i in own} == {apps[n]["id"] for n in own_names}
    assert {i["total_score"] for i in own} == {None}
    officers = (await gateway.get("/api/funding/grants/applications", params={"call_id": call["id"]})).json()
    assert len(officers["items"]) == 12 and {i["total_score"] for i in officers["items"]} != {None}
    assert len({s["evaluator"] for s in apps["G1"]["score_sheets"]}) == 2
    assert apps["G1"]["criterion_scores"] == {"relevance": "34.00", "feasibility": "30.00", "partnership": "20.00"}
    assert apps["G1"]["total_score"] == "84.00"
    g2_scores = f"/api/funding/grants/applications/{apps['G2']['id']}/scores"
    over = await evaluators[0].post(g2_scores, json=sheet((41, 0, 0)))
    assert over.status_code == 422
    conflicted = await evaluators[1].post(g2_scores, json={**sheet((30, 25, 20)), "no_conflict_of_interest": False})
    assert conflicted.status_code == 422 and conflicted.json()["errors"][0]["field"] == "no_conflict_of_interest"

    provisional = (await gateway.post(f"{base}/resolutions/provisional")).json()
    seen = (await entity_a.get(f"/api/funding/grants/applications/{apps['G1']['id']}")).json()
    assert seen["total_score"] == "84.00" and len(seen["score_sheets"]) == 2  # known with the resolution
    listed = (await entity_a.get("/api/funding/grants/applications", params={"state": "provisionally-granted"})).json()
    assert {i["reference"]: i["total_score"] for i in listed["items"]}[apps["G1"]["reference"]] == "84.00"
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
    # Each objection cites the files uploaded for it during the hearing, of its own application only.
    g4_agreement = await upload(entity_b, apps["G4"]["id"], "objection", "G4 partnership agreement")
    e3_letter = await upload(entity_a, apps["E3"]["id"], "objection", "E3 letter")
    assert (await entity_a.post(f"{g4}/objection", json={"text": "Not mine"})).status_code == 404
    wrong = [str(uuid.uuid4()), e3_letter["id"], g4_form["id"], g4_agreement["id"], g4_agreement["id"]]
    refused = await entity_b.post(f"{g4}/objection", json={"text": "Partnership", "documents": wrong})
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("documents.0", "not_a_document_of"),
        ("documents.1", "not_a_document_of"),  # another application's reads as unknown
        ("documents.2", "document_of_other_purpose"),
        ("documents.4", "duplicate"),
    ]
    unchanged = (await entity_b.get(f"{g4}")).json()
    assert (unchanged["state"], unchanged["objection"]) == ("provisionally-denied", None)
    objected = await entity_b.post(
        f"{g4}/objection", json={"text": "Partnership was under-scored", "documents": [g4_agreement["id"]]}
    )
    assert objected.status_code == 200, objected.text
    cited = objected.json()["objection"]["documents"]
    assert [(d["id"], d["title"], d["sha256"]) for d in cited] == [
        (g4_agreement["id"], "G4 partnership agreement", g4_agreement["sha256"])
    ]
    e3 = f"/api/funding/grants/applications/{apps['E3']['id']}"
    e3_objected = await entity_a.post(f"{e3}/objection", json={"text": "Please review", "documents": [e3_letter["id"]]})
    assert e3_objected.status_code == 200, e3_objected.text
    await signed_off(gateway, apps["G4"]["id"], cited)
    await signed_off(gateway, apps["E3"]["id"], e3_objected.json()["objection"]["documents"])
    pending = await gateway.post(f"{base}/resolutions/definitive")
    assert pending.status_code == 409 and pending.json()["type"].endswith("/applications-pending")
    # The evaluator answers G4's objection with a revised sheet: a second version, the first kept.
    revised = await evaluators[0].post(f"{g4}/scores", json=sheet((35, 30, 20), note="Partnership re-read"))
    assert revised.status_code == 200, revised.text
    assert [s["version"] for s in revised.json()["score_sheets"]] == [1, 2]
    assert [s["points"]["partnership"] for s in revised.json()["score_sheets"]] == ["15", "20"]
    upheld = await gateway.post(f"{g4}/objection/decision", json={"upheld": True, "answer": "Scores revised"})
    assert upheld.json()["total_score"] == "85.00" and upheld.json()["state"] == "provisionally-denied"
    # E3's evaluator revised too, but the objection is rejected: the revision stays on file and does not count.
    assert (await evaluators[0].post(f"{e3}/scores", json=sheet((40, 35, 25)))).status_code == 200
    rejected = await gateway.post(f"{e3}/objection/decision", json={"upheld": False, "answer": "The scores stand"})
    assert rejected.json()["objection"]["status"] == "rejected" and rejected.json()["total_score"] == "55.00"
    assert len(rejected.json()["score_sheets"]) == 2
    # The objection period is still running: the definitive waits unless every other applicant waives it.
    early = await gateway.post(f"{base}/resolutions/definitive")
    assert early.status_code == 409 and early.json()["type"].endswith("/period-open"), early.text
    assert early.json()["deadline"] == provisional["objections_until"]
    for name, client, *_ in plan:
        if name not in ("G4", "E3", "G6"):
            waived = await client.post(f"/api/funding/grants/applications/{apps[name]['id']}/hearing-waiver")
            assert waived.status_code == 200, (name, waived.text)
    twice = await entity_a.post(f"/api/funding/grants/applications/{apps['G1']['id']}/hearing-waiver")
    assert twice.status_code == 409
    # Its hearing waived, G1 takes no objection files.
    late_pdf = {"file": ("late.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    late_file = await entity_a.post(
        f"/api/funding/grants/applications/{apps['G1']['id']}/documents",
        files=late_pdf,
        data={"purpose": "objection", "title": "Late"},
    )
    assert late_file.status_code == 409, late_file.text

    today = datetime.now(ZoneInfo("Europe/Madrid")).date()  # acts are dated in Barcelona
    before = await plan_row(gateway, year) if plan_for("ajuntament-barcelona", year) is not None else {}
    resolved = await gateway.post(f"{base}/resolutions/definitive", json={"resolved_on": today.isoformat()})
    assert resolved.status_code == 200, resolved.text
    definitive = resolved.json()
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
    lines = [
        {"category": "general", "amount_eur": "45000.00", "description": "Staff"},
        {"category": "general", "amount_eur": "10000.00", "description": "Travel"},
    ]
    invoices = await upload(entity_a, apps["G1"]["id"], "justification", "G1 invoices")
    body = {"lines": lines, "summary": {"ca": "Fet"}}
    for other in (g4_agreement["id"], e3_letter["id"], str(uuid.uuid4())):  # another's, its own E3's, unknown
        cites_other = await entity_a.post(f"{g1}/justification", json={**body, "documents": [other]})
        assert cites_other.status_code == 422, cites_other.text
        assert [(e["field"], e["code"]) for e in cites_other.json()["errors"]] == [("documents.0", "not_a_document_of")]
    assert (await entity_a.get(g1)).json()["justification"] is None
    justified = await entity_a.post(f"{g1}/justification", json={**body, "documents": [invoices["id"]]})
    assert justified.json()["state"] == "justified", justified.text
    review = {"lines": [{"line": 0, "accepted": True}, {"line": 1, "accepted": True}]}
    closed = (await gateway.post(f"{g1}/justification/review", json=review)).json()
    assert closed["state"] == "closed" and closed["justification"]["returned_eur"] == "5000.00", closed
    # The reviewed justification still lists its files; the officer downloads them as cited.
    assert [d["id"] for d in closed["justification"]["documents"]] == [invoices["id"]]
    await signed_off(gateway, apps["G1"]["id"], closed["justification"]["documents"])
    files = (await entity_a.get(f"{g1}/documents")).json()["items"]
    assert [(f["id"], f["purpose"]) for f in files] == [(invoices["id"], "justification")]
    assert [s["to_state"] for s in closed["steps"]] == [
        "submitted",
        "admitted",
        "scored",
        "scored",
        "provisionally-granted",
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


async def test_a_past_call_by_its_deadlines_partial_grant_reserve_payment_plan_and_returns(
    stack: Stack, gateway: httpx.AsyncClient
) -> None:
    """The 2026 call as the grant office ran it, its acts recorded with their registry dates.

    One modality of 100,000 (2026); minimum 50; partial grants down to 60 %; a reserve list; 80 %
    paid on acceptance and 20 % after the justification; 10 working days to object and to accept.
    P1 85 (50,000) and P2 80 (30,000) are funded; P3 75 asks 30,000 and gets the 20,000 left
    (66.67 %); P4 70 (25,000) and P5 60 (10,000) are the reserve; P6 45 is under the minimum.
    Provisional on Friday 4 September: the period runs to 21 September across the Diada (11th).
    Definitive on 22 September: acceptance until 7 October across La Mercè (24th, a local holiday).
    """
    tag = uuid.uuid4().hex[:6]
    payload = call_payload(f"PAST-{tag}", 2026)
    payload.update(
        {
            "opens_at": "2026-06-01T08:00:00+00:00",
            "closes_at": "2026-07-15T12:00:00+00:00",
            "modalities": [
                {"code": "m", "programme": "global-justice", "title": {"ca": "M"}, "budget": {"2026": "100000.00"}}
            ],
            "local_holidays": ["2026-05-25", "2026-09-24"],
            "periods": {"objection_days": 10, "acceptance_days": 10, "justification_days": 60},
            "partial_funding": {"min_share_percent": "60"},
            "reserve_list": True,
            "payment_plan": [
                {"stage": "acceptance", "share_percent": "80"},
                {"stage": "justification", "share_percent": "20"},
            ],
            "budget_categories": [
                {"code": "staff", "title": {"ca": "Personal"}},
                {"code": "travel", "title": {"ca": "Viatges"}},
                {"code": "equipment", "title": {"ca": "Equipament"}},
            ],
        }
    )
    bad_plan = {**payload, "code": f"BAD-{tag}", "payment_plan": [{"stage": "acceptance", "share_percent": "90"}]}
    assert (await gateway.post("/api/funding/grants/calls", json=bad_plan)).status_code == 422
    created = await gateway.post("/api/funding/grants/calls", json=payload)
    assert created.status_code == 201, created.text
    base = f"/api/funding/grants/calls/{created.json()['id']}"
    assert (await gateway.post(f"{base}/status", json={"status": "open"})).status_code == 200

    entities: dict[str, tuple[str, httpx.AsyncClient]] = {}
    for letter in ("A", "B"):
        tenant = f"ENT-P{letter}-{tag}"
        body: dict[str, Any] = {
            "tenant": tenant,
            "name": f"Entitat {letter} {tag}",
            "tax_id": tax_id(),
            "org_type": "22",
            "contact": {"email": "p@example.org"},
            "legal_representative": REPRESENTATIVE,
        }
        registered = await gateway.post("/api/funding/grants/entities", json=body)
        assert registered.status_code == 201, registered.text
        creds = await register_client(stack, tenant, "partner", ["grants:apply"])
        headers = {"Authorization": f"Bearer {await fetch_token(stack.gateway, creds)}"}
        entities[letter] = (
            registered.json()["id"],
            httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers),
        )
    plan = [  # name, entity, requested 2026, points
        ("P1", "A", "50000.00", (35, 30, 20)),
        ("P2", "B", "30000.00", (30, 30, 20)),
        ("P3", "A", "30000.00", (30, 25, 20)),
        ("P4", "B", "25000.00", (30, 25, 15)),
        ("P5", "A", "10000.00", (25, 20, 15)),
        ("P6", "B", "10000.00", (20, 15, 10)),
    ]
    apps: dict[str, dict[str, Any]] = {}
    for n, (name, letter, amount, _) in enumerate(plan):
        proposal = project_payload()
        for key in ("owner", "code", "status", "visibility", "participating_orgs"):
            proposal.pop(key, None)
        body = {
            "modality": "m",
            "proposal": proposal,
            "requested": {"2026": amount},
            "duration_months": 12,
            "entity_id": entities[letter][0],
            "submitted_at": f"2026-06-{10 + n:02d}T10:00:00+00:00",
        }
        response = await gateway.post(f"{base}/applications", json=body)
        assert response.status_code == 201, response.text
        apps[name] = response.json()

    def path(name: str) -> str:
        return f"/api/funding/grants/applications/{apps[name]['id']}"

    assert (await gateway.post(f"{base}/status", json={"status": "closed"})).status_code == 200
    evaluator = await evaluator_client(stack)
    for name, _, _, points in plan:
        assert (await gateway.post(f"{path(name)}/admission", json={"admitted": True})).status_code == 200
        assert (await evaluator.post(f"{path(name)}/scores", json=sheet(points))).status_code == 200

    future = await gateway.post(f"{base}/resolutions/provisional", json={"resolved_on": "2199-01-01"})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "resolved_on"
    provisional = await gateway.post(f"{base}/resolutions/provisional", json={"resolved_on": "2026-09-04"})
    assert provisional.status_code == 200, provisional.text
    assert (provisional.json()["resolved_on"], provisional.json()["objections_until"]) == ("2026-09-04", "2026-09-21")

    # Objections: on 21 September still in time (the Diada moved the deadline), on 22 September late.
    on_time = await gateway.post(f"{path('P4')}/objection", json={"text": "Re-read", "filed_on": "2026-09-21"})
    assert on_time.status_code == 200, on_time.text
    late = await gateway.post(f"{path('P5')}/objection", json={"text": "Late", "filed_on": "2026-09-22"})
    assert late.status_code == 409 and late.json()["type"].endswith("/period-over")
    assert late.json()["deadline"] == "2026-09-21" and "2026-09-21" in late.json()["detail"]
    assert late.json()["errors"][0]["field"] == "filed_on"
    _, client_b = entities["B"]
    today_late = await client_b.post(f"{path('P6')}/objection", json={"text": "Now"})
    assert today_late.status_code == 409 and today_late.json()["deadline"] == "2026-09-21"
    backdated = await client_b.post(f"{path('P6')}/objection", json={"text": "Now", "filed_on": "2026-09-10"})
    assert backdated.status_code == 403  # only an admin records a registry date
    assert (await gateway.post(f"{path('P4')}/objection/decision", json={"upheld": False, "answer": "No"})).is_success

    async def proposals_registered() -> bool:
        return await registered_everywhere(gateway, apps)

    await eventually(proposals_registered, what="the proposals in the registry")
    early = await gateway.post(f"{base}/resolutions/definitive", json={"resolved_on": "2026-09-21"})
    assert early.status_code == 409 and early.json()["type"].endswith("/period-open")
    assert early.json()["deadline"] == "2026-09-21"
    resolved = await gateway.post(f"{base}/resolutions/definitive", json={"resolved_on": "2026-09-22"})
    assert resolved.status_code == 200, resolved.text
    definitive = resolved.json()
    assert definitive["acceptance_until"] == "2026-10-07"
    decided = {d["reference"]: d for d in definitive["decisions"]}
    row = {name: decided[apps[name]["reference"]] for name in apps}
    assert [n for n in apps if row[n]["funded"]] == ["P1", "P2", "P3"]
    assert row["P3"]["partial"] and row["P3"]["granted"] == {"2026": "20000.00"}
    assert "funded partially" in row["P3"]["reason"] and "(66.67 %)" in row["P3"]["reason"]
    assert (row["P4"]["reserve"], row["P5"]["reserve"], row["P6"]["reserve"]) == (1, 2, None)
    assert "reserve list, position 1" in row["P4"]["reason"] and "below the minimum" in row["P6"]["reason"]

    # Acceptance: 7 October is in time (La Mercè), 8 October is late; a partial grant is reformulated.
    accepted = await gateway.post(f"{path('P1')}/acceptance", json={"accepted_on": "2026-10-07"})
    assert accepted.status_code == 200, accepted.text
    orders = accepted.json()["payment_orders"]
    assert [(o["number"], o["stage"], o["amount"], o["status"]) for o in orders] == [
        (1, "acceptance", "40000.00", "due"),
        (2, "justification", "10000.00", "planned"),
    ]
    too_late = await gateway.post(f"{path('P2')}/acceptance", json={"accepted_on": "2026-10-08"})
    assert too_late.status_code == 409 and too_late.json()["deadline"] == "2026-10-07"
    unreformulated = await gateway.post(f"{path('P3')}/acceptance", json={"accepted_on": "2026-10-01"})
    assert unreformulated.status_code == 422 and unreformulated.json()["errors"][0]["field"] == "reformulation"
    reformulated = await gateway.post(
        f"{path('P3')}/acceptance",
        json={"accepted_on": "2026-10-01", "reformulation": "Two workshops instead of three"},
    )
    assert reformulated.status_code == 200 and reformulated.json()["acceptance"]["partial"] is True

    # P2 renounces; the institution releases its grant and the reserve takes over in order: P4 in full
    # (25,000 of the 30,000); P5's 10,000 does not fit the 5,000 left, and 50 % is under the 60 % minimum.
    renounced = await client_b.post(f"{path('P2')}/renunciation", json={"reason": "The partner withdrew"})
    assert renounced.status_code == 200 and renounced.json()["state"] == "renounced", renounced.text
    released = await gateway.post(f"{path('P2')}/release", json={"reason": "Renunciation accepted"})
    assert released.status_code == 200 and released.json()["state"] == "renounced", released.text
    after = (await gateway.get(f"{base}/resolution")).json()
    takeover = after["takeovers"][0]
    assert takeover["released_by"] == apps["P2"]["reference"] and takeover["released"] == {"2026": "30000.00"}
    assert [d["reference"] for d in takeover["funded"]] == [apps["P4"]["reference"]]
    assert takeover["left"] == {"2026": "5000.00"} and after["left_by_modality"]["m"] == {"2026": "5000.00"}
    p4 = (await gateway.get(path("P4"))).json()
    assert p4["state"] == "granted" and p4["granted"] == {"2026": "25000.00"}
    assert "reserve list, position 1" in p4["decision_reason"] and apps["P2"]["reference"] in p4["decision_reason"]
    assert (await gateway.get(path("P5"))).json()["state"] == "denied"
    p2_ledger = (await gateway.get(f"/api/funding/projects/{apps['P2']['project_id']}/summary")).json()["totals"]
    assert p2_ledger["committed_eur"] == "0.00"
    # The reserve's grant is accepted by its entity itself, in its own period from today.
    assert (await client_b.post(f"{path('P4')}/acceptance")).json()["state"] == "accepted"

    # P1: the advance paid; the rest waits for the justification, which has a refused line.
    paid = await gateway.post(f"{path('P1')}/payments", json={"budget_year": 2026, "value_date": "2026-10-15"})
    assert paid.status_code == 200 and paid.json()["payment_orders"][0]["status"] == "paid", paid.text
    waits = await gateway.post(f"{path('P1')}/payments", json={"budget_year": 2026})
    assert waits.status_code == 409 and "waits for the justification" in waits.json()["detail"]
    client_a = entities["A"][1]
    lines = [
        {"category": "staff", "amount_eur": "30000.00", "description": "Two coordinators"},
        {"category": "travel", "amount_eur": "8000.00", "description": "Visits to Maputo"},
        {"category": "equipment", "amount_eur": "4000.00", "description": "A car"},
    ]
    wrong = await client_a.post(
        f"{path('P1')}/justification",
        json={
            "lines": [*lines, {"category": "party", "amount_eur": "1.00", "description": "x"}],
            "summary": {"ca": "F"},
        },
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "lines.3.category"
    justified = await client_a.post(f"{path('P1')}/justification", json={"lines": lines, "summary": {"ca": "Fet"}})
    assert justified.status_code == 200 and justified.json()["justification"]["spent_eur"] == "42000.00"
    partial_review = {"lines": [{"line": 0, "accepted": True}, {"line": 1, "accepted": True}]}
    incomplete = await gateway.post(f"{path('P1')}/justification/review", json=partial_review)
    assert incomplete.status_code == 422 and incomplete.json()["errors"][0]["field"] == "lines.2"
    review = {
        "lines": [
            {"line": 0, "accepted": True},
            {"line": 1, "accepted": True},
            {"line": 2, "accepted": False, "reason": "Not in the approved budget"},
        ]
    }
    closed = await gateway.post(f"{path('P1')}/justification/review", json=review)
    assert closed.status_code == 200, closed.text
    p1 = closed.json()
    assert p1["state"] == "closed" and p1["justification"]["accepted_eur"] == "38000.00"
    assert p1["justification"]["returned_eur"] == "2000.00"
    assert p1["justification"]["lines"][2] == {**lines[2], "accepted": False, "reason": "Not in the approved budget"}
    assert [(o["stage"], o["amount"], o["status"]) for o in p1["payment_orders"]] == [
        ("acceptance", "40000.00", "paid"),
        ("justification", "10000.00", "cancelled"),
        ("return", "-2000.00", "returned"),
    ]
    ledger = (await gateway.get(f"/api/funding/projects/{apps['P1']['project_id']}/summary")).json()["totals"]
    assert (ledger["committed_eur"], ledger["disbursed_eur"], ledger["spent_eur"]) == ("38000.00",) * 3
    entries = (await gateway.get(f"/api/funding/projects/{apps['P1']['project_id']}/transactions")).json()["items"]
    returned = [t for t in entries if t["transaction_type"] == "3" and Decimal(t["amount"]) < 0]
    assert [t["amount"] for t in returned] == ["-40000.00"]  # reversed whole, booked again at 38,000
    assert str(returned[0]["id"]) in p1["payment_orders"][2]["transaction_ids"]

    # P3 (partial, 20,000): 16,000 on acceptance, all justified, then the last 4,000 paid and closed.
    assert (await gateway.post(f"{path('P3')}/payments", json={"budget_year": 2026})).status_code == 200
    staff = [{"category": "staff", "amount_eur": "20000.00", "description": "Workshops"}]
    assert (
        await client_a.post(f"{path('P3')}/justification", json={"lines": staff, "summary": {"ca": "F"}})
    ).is_success
    reviewed = await gateway.post(f"{path('P3')}/justification/review", json={"lines": [{"line": 0, "accepted": True}]})
    assert reviewed.json()["state"] == "justified" and reviewed.json()["payment_orders"][1]["status"] == "due"
    rest = await gateway.post(f"{path('P3')}/payments", json={"budget_year": 2026})
    assert rest.status_code == 200 and rest.json()["state"] == "closed", rest.text
    assert [(o["amount"], o["status"]) for o in rest.json()["payment_orders"]] == [
        ("16000.00", "paid"),
        ("4000.00", "paid"),
    ]
    p3 = (await gateway.get(f"/api/funding/projects/{apps['P3']['project_id']}/summary")).json()["totals"]
    assert (p3["committed_eur"], p3["disbursed_eur"], p3["spent_eur"]) == ("20000.00",) * 3
