"""Demo of the annual grant call, loaded through the public API: the calls of the last two years,
resolved and under way (recorded by an admin as a migration from the earlier system would), and
this year's call, open. Entities and figures are fictional; the shape follows the Ajuntament's
calls (programmes, modalities, two-year projects paid over two budgets, minimum score 50)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from shared.money import CENT

ENTITIES = [
    ("ENT-AIGUA", "Associació Aigua per a Tothom (demo)", "G00001016", "22"),
    ("ENT-DONES", "Fundació Dones i Ciutat (demo)", "G00001024", "22"),
    ("ENT-EDUCA", "Col·lectiu Educació Global (demo)", "G00001032", "22"),
    ("ENT-ECON", "Xarxa d'Economia Solidària (demo)", "G00001040", "21"),
]
CITIES = [("Maputo", "MZ"), ("La Habana", "CU"), ("Medellín", "CO"), ("Tunis", "TN"), ("Saint-Louis", "SN")]
MODALITIES = [  # code, programme, ca title, en title, SDG goal, DAC sector
    ("gender-justice", "global-justice", "Justícia de gènere", "Gender justice", "5", "15170"),
    ("economic-justice", "global-justice", "Justícia econòmica", "Economic justice", "8", "25010"),
    ("education", "education", "Educació per la justícia global", "Education for global justice", "4", "11130"),
]


def call_body(year: int, opens: datetime, closes: datetime) -> dict[str, Any]:
    y, y1 = str(year), str(year + 1)
    return {
        "institution": "ajuntament-barcelona",
        "year": year,
        "code": f"CONV-{year}",
        "title": {
            "ca": f"Convocatòria de subvencions per a projectes de justícia global {year}",
            "es": f"Convocatoria de subvenciones para proyectos de justicia global {year}",
            "en": f"Grant call for global justice projects {year}",
        },
        "rules": {"ca": "Bases reguladores (demo)", "en": "Rules of the call (demo)"},
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "programmes": [
            {
                "code": "global-justice",
                "title": {"ca": "Cooperació per la justícia global", "en": "Cooperation for global justice"},
            },
            {
                "code": "education",
                "title": {"ca": "Educació per la justícia global", "en": "Education for global justice"},
            },
        ],
        "modalities": [
            {
                "code": code,
                "programme": programme,
                "title": {"ca": ca, "en": en},
                "budget": {y: "120000.00", y1: "60000.00"} if programme == "global-justice" else {y: "50000.00"},
                "remainder_to": ["education"] if code == "gender-justice" else [],
            }
            for code, programme, ca, en, _, _ in MODALITIES
        ],
        "criteria": [
            {"code": "relevance", "title": {"ca": "Pertinença", "en": "Relevance"}, "max_points": "40"},
            {"code": "feasibility", "title": {"ca": "Viabilitat", "en": "Feasibility"}, "max_points": "35"},
            {
                "code": "partnership",
                "title": {"ca": "Partenariat local", "en": "Local partnership"},
                "max_points": "25",
            },
        ],
        "min_score": "50",
        "eligibility": {"max_grant_eur": "90000.00", "max_months": 24, "entity_types": ["21", "22"]},
    }


def applications(year: int) -> list[dict[str, Any]]:
    """Eight deterministic applications: modality, entity, city, request per budget year, points."""
    out = []
    for n in range(8):
        code, programme, ca, en, goal, sector = MODALITIES[n % 3]
        city, country = CITIES[(n + year) % len(CITIES)]
        first = Decimal(20000 + 5000 * ((n * 7 + year) % 6))
        requested = {str(year): f"{first:.2f}"}
        if programme == "global-justice" and n % 2 == 0:
            requested[str(year + 1)] = f"{first / 2:.2f}"
        points = (22 + (n * 5 + year) % 17, 15 + (n * 3 + year) % 19, 8 + (n * 11 + year) % 16)
        out.append(
            {
                "entity": ENTITIES[n % len(ENTITIES)][0],
                "points": points,
                "body": {
                    "modality": code,
                    "requested": requested,
                    "duration_months": 24 if len(requested) == 2 else 12,
                    "proposal": {
                        "title": {"ca": f"{ca} a {city}", "en": f"{en} in {city}"},
                        "description": {"en": f"{en} with civil society organisations of {city} (demo)."},
                        "partner_cities": [{"name": city, "country": country}],
                        "recipient_countries": [{"code": country, "percentage": "100"}],
                        "sdg_goals": [{"goal": goal, "share": "100"}],
                        "sectors": [{"code": sector, "percentage": "100"}],
                        "modality": "global-citizenship-education" if programme == "education" else "ngo-grant",
                        "dates": {"planned_start": f"{year}-09-01", "planned_end": f"{year + 1}-12-31"},
                    },
                },
            }
        )
    return out


def _ok(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:
        raise RuntimeError(f"demo grant call: {what} refused: {response.text}")
    body: dict[str, Any] = response.json()
    return body


def _entities(client: httpx.Client) -> dict[str, str]:
    ids = {}
    for tenant, name, tax_id, org_type in ENTITIES:
        body = {
            "tenant": tenant,
            "name": name,
            "tax_id": tax_id,
            "org_type": org_type,
            "contact": {"email": "info@example.org"},
            "legal_representative": {"name": "Representant (demo)", "tax_id": "00000000T", "post": "Presidència"},
        }
        ids[tenant] = _ok(client.post("/api/funding/grants/entities", json=body), f"entity {tenant}")["id"]
    return ids


def _resolve_definitive(client: httpx.Client, call_id: str, on: date) -> None:
    deadline = time.monotonic() + 60
    while True:  # the proposals must have reached the registry and come back as projects
        response = client.post(
            f"/api/funding/grants/calls/{call_id}/resolutions/definitive", json={"resolved_on": on.isoformat()}
        )
        if response.status_code != 409 or "proposal-not-registered" not in response.text or time.monotonic() > deadline:
            _ok(response, "definitive resolution")
            return
        time.sleep(0.3)


def _past_call(client: httpx.Client, entities: dict[str, str], year: int, finished: bool) -> None:
    opens = datetime(year, 2, 1, 9, tzinfo=UTC)
    call = _ok(
        client.post("/api/funding/grants/calls", json=call_body(year, opens, opens + timedelta(days=45))),
        f"call {year}",
    )
    base = f"/api/funding/grants/calls/{call['id']}"
    _ok(client.post(f"{base}/status", json={"status": "open"}), "opening")
    submitted = []
    for n, spec in enumerate(applications(year)):
        body = {
            **spec["body"],
            "entity_id": entities[spec["entity"]],
            "submitted_at": (opens + timedelta(days=n + 1)).isoformat(),
        }
        submitted.append((spec, _ok(client.post(f"{base}/applications", json=body), "application")))
    _ok(client.post(f"{base}/status", json={"status": "closed"}), "closing")
    for spec, application in submitted:
        path = f"/api/funding/grants/applications/{application['id']}"
        _ok(client.post(f"{path}/admission", json={"admitted": True}), "admission")
        points = dict(zip(("relevance", "feasibility", "partnership"), (str(p) for p in spec["points"]), strict=True))
        _ok(client.post(f"{path}/scores", json={"points": points, "no_conflict_of_interest": True}), "scores")
    provisional = {"resolved_on": date(year, 6, 1).isoformat()}  # the definitive follows the objection period
    _ok(client.post(f"{base}/resolutions/provisional", json=provisional), "provisional resolution")
    _resolve_definitive(client, call["id"], date(year, 7, 15))
    for _, application in submitted:
        path = f"/api/funding/grants/applications/{application['id']}"
        current = _ok(client.get(path), "application")
        if current["state"] != "granted":
            continue
        _ok(client.post(f"{path}/acceptance", json={"accepted_on": date(year, 7, 17).isoformat()}), "acceptance")
        years = sorted(int(y) for y in current["granted"])
        for budget_year in years if finished else years[:1]:
            paid_on = date(budget_year, 9, 1) if budget_year == year else date(budget_year, 3, 1)
            _ok(
                client.post(f"{path}/payments", json={"budget_year": budget_year, "value_date": paid_on.isoformat()}),
                "payment",
            )
        if finished:
            granted = sum(Decimal(v) for v in current["granted"].values())
            spent = (granted * Decimal("0.95")).quantize(CENT)
            summary = {"ca": "Memòria final (demo)"}
            lines = [{"category": "general", "amount_eur": str(spent), "description": "Despesa del projecte (demo)"}]
            justification = {"lines": lines, "summary": summary, "filed_on": date(year + 1, 9, 1).isoformat()}
            _ok(client.post(f"{path}/justification", json=justification), "justification")
            review = {"lines": [{"line": 0, "accepted": True}], "value_date": date(year + 1, 12, 15).isoformat()}
            _ok(client.post(f"{path}/justification/review", json=review), "review")


def _open_call(client: httpx.Client, entities: dict[str, str], year: int) -> None:
    opens = datetime(year, 1, 15, 9, tzinfo=UTC)
    closes = max(datetime(year, 3, 15, 14, tzinfo=UTC), datetime.now(UTC) + timedelta(days=30))
    call = _ok(client.post("/api/funding/grants/calls", json=call_body(year, opens, closes)), f"call {year}")
    base = f"/api/funding/grants/calls/{call['id']}"
    _ok(client.post(f"{base}/status", json={"status": "open"}), "opening")
    for spec in applications(year)[:5]:
        _ok(
            client.post(f"{base}/applications", json={**spec["body"], "entity_id": entities[spec["entity"]]}),
            "application",
        )


def load_grants_demo(client: httpx.Client) -> None:
    """Load the demo calls unless they are there already (this year's demo call marks them)."""
    year = datetime.now(UTC).year
    calls = _ok(client.get("/api/funding/grants/calls", params={"institution": "ajuntament-barcelona"}), "calls")
    if any(call["code"] == f"CONV-{year}" for call in calls["items"]):
        return
    entities = _entities(client)
    _past_call(client, entities, year - 2, finished=True)
    _past_call(client, entities, year - 1, finished=False)
    _open_call(client, entities, year)
