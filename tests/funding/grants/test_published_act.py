"""The resolution as published through the gateway: the act (HTML, PDF, CSV) and the public list
of grants awarded (transparency), open to anyone, with definitive resolutions only."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from pypdf import PdfReader

from tests.support.auth import fetch_token, register_client
from tests.support.grants import application_body, call_body, registered_entity
from tests.support.stack import Stack
from tests.support.waiting import eventually

SIGNATORY = {"name": "Marta Ribas i Puig", "post": {"ca": "Regidora", "es": "Concejala", "en": "Councillor"}}


async def test_the_act_and_the_grants_awarded_are_published(
    stack: Stack, gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    year = datetime.now(UTC).year
    code = f"ACT-{uuid.uuid4().hex[:8]}"
    body = {
        **call_body(code),
        "title": {"ca": "Convocatòria de justícia global", "es": "Convocatoria de justicia global"},
        "rules": {"ca": "Convocatòria aprovada per decret.", "es": "Convocatoria aprobada por decreto."},
        "regulatory_bases": {"ca": "Bases reguladores de 2026.", "es": "Bases reguladoras de 2026."},
        "signatory": SIGNATORY,
        "reserve_list": True,
    }
    # 1000 EUR: A's 600 fits, B's 600 then does not (B goes to the reserve list), C is below the minimum.
    body["modalities"][0]["budget"] = {str(year): "1000.00"}
    created = await gateway.post("/api/funding/grants/calls", json=body)
    assert created.status_code == 201, created.text
    call_id = created.json()["id"]
    base = f"/api/funding/grants/calls/{call_id}"
    # Before anything is resolved: no act, for anyone.
    assert (await anonymous.get(f"{base}/resolution/act")).status_code == 404
    assert (await gateway.post(f"{base}/status", json={"status": "open"})).status_code == 200

    clients: list[httpx.AsyncClient] = []
    apps: dict[str, dict[str, Any]] = {}
    try:
        for name, amount, title in [
            ("A", "600.00", {"ca": "Aigua a Maputo", "es": "Agua en Maputo"}),
            ("B", "600.00", {"ca": "Dones i ciutat", "es": "Mujeres y ciudad"}),
            ("C", "300.00", {"ca": "Educació", "es": "Educación"}),
        ]:
            client, entity = await registered_entity(stack)
            clients.append(client)
            payload = {**application_body(title=title), "requested": {str(year): amount}}
            applied = await client.post(f"{base}/applications", json=payload)
            assert applied.status_code == 201, applied.text
            apps[name] = {**applied.json(), "entity": entity["name"], "client": client}
        assert (await gateway.post(f"{base}/status", json={"status": "closed"})).status_code == 200
        evaluator = await register_client(stack, "ajuntament-barcelona", "institution", ["funding:write"])
        token = await fetch_token(stack.gateway, evaluator)
        async with httpx.AsyncClient(base_url=stack.gateway, headers={"Authorization": f"Bearer {token}"}) as scorer:
            for name, points in (("A", "90"), ("B", "70"), ("C", "40")):
                path = f"/api/funding/grants/applications/{apps[name]['id']}"
                assert (await gateway.post(f"{path}/admission", json={"admitted": True})).status_code == 200
                sheet = {"points": {"c": points}, "no_conflict_of_interest": True}
                scored = await scorer.post(f"{path}/scores", json=sheet)
                assert scored.status_code == 200, scored.text
        provisional = await gateway.post(f"{base}/resolutions/provisional")
        assert provisional.status_code == 200, provisional.text
        # A provisional resolution awards nothing: not in the transparency list.
        listed = (await anonymous.get("/api/funding/grants/awarded", params={"year": year})).json()["items"]
        assert call_id not in {g["call_id"] for g in listed}
        provisional_act = await anonymous.get(f"{base}/resolution/act", params={"lang": "es"})
        assert provisional_act.status_code == 200 and "Resolución provisional" in provisional_act.text
        for name in apps:
            waived = await apps[name]["client"].post(
                f"/api/funding/grants/applications/{apps[name]['id']}/hearing-waiver"
            )
            assert waived.status_code == 200, waived.text

        async def definitive() -> httpx.Response | None:
            # Dated today in Barcelona by the service itself (UTC may still be yesterday there).
            answer = await gateway.post(f"{base}/resolutions/definitive")
            return None if answer.status_code == 409 and "proposal-not-registered" in answer.text else answer

        resolved = await eventually(definitive, what="the proposals registered, then the definitive resolution")
        assert resolved.status_code == 200, resolved.text
        today = resolved.json()["resolved_on"]

        # The act, for anyone: HTML in the language asked for, PDF, CSV.
        page = await anonymous.get(f"{base}/resolution/act", params={"lang": "es"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        text = page.text
        for expected in (
            "Ayuntamiento de Barcelona",
            "Resolución definitiva de la convocatoria Convocatoria de justicia global",
            code,
            apps["A"]["entity"],
            "Agua en Maputo",
            "600,00\xa0€",
            "Bases reguladoras de 2026.",
            "Convocatoria aprobada por decreto.",
            "lista de reserva, posición 1",
            "Puntuación de 40,00 puntos, inferior a la mínima de 50,00",
            "Marta Ribas i Puig",
            "Concejala",
        ):
            assert expected in text, expected
        pdf = await anonymous.get(f"{base}/resolution/act", params={"lang": "ca", "format": "pdf"})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Ajuntament de Barcelona" in extracted and "Marta Ribas i Puig" in extracted
        rows = list(
            csv.reader(io.StringIO((await anonymous.get(f"{base}/resolution/act", params={"format": "csv"})).text))
        )
        assert rows[0][:3] == ["Referència", "Entitat", "NIF"]
        assert {r[0]: r[7] for r in rows[1:]} == {
            apps["A"]["reference"]: "Atorgada",
            apps["B"]["reference"]: "Denegada",
            apps["C"]["reference"]: "Denegada",
        }

        # Transparency: the grant awarded, as JSON and as open data; the denied are not there.
        listed_page = await anonymous.get(
            "/api/funding/grants/awarded", params={"institution": "ajuntament-barcelona", "year": year, "lang": "es"}
        )
        assert listed_page.status_code == 200, listed_page.text
        ours = [g for g in listed_page.json()["items"] if g["call_id"] == call_id]
        assert ours == [
            {
                "beneficiary": apps["A"]["entity"],
                "purpose": "Agua en Maputo",
                "modality": "M",
                "amount_eur": "600.00",
                "amounts_by_year": {str(year): "600.00"},
                "call_id": call_id,
                "call_code": code,
                "call_title": "Convocatoria de justicia global",
                "institution": "Ayuntamiento de Barcelona",
                "reference": apps["A"]["reference"],
                "awarded_on": today,
                "partial": False,
                "from_reserve_list": False,
            }
        ]
        total = sum(Decimal(g["amount_eur"]) for g in listed_page.json()["items"])
        assert Decimal(listed_page.json()["total_eur"]) == total
        open_data = await anonymous.get("/api/funding/grants/awarded", params={"format": "csv", "year": year})
        assert open_data.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(open_data.text)))
        mine = [r for r in table if r["Convocatòria"] == code]
        assert [(r["Beneficiari"], r["Finalitat"], r["Import (EUR)"], r["Data de concessió"]) for r in mine] == [
            (apps["A"]["entity"], "Aigua a Maputo", "600.00", today)
        ]
        refused = await anonymous.get("/api/funding/grants/awarded", params={"institution": "nowhere"})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "institution"
        # A draft call and an unknown one have no act.
        draft = await gateway.post("/api/funding/grants/calls", json=call_body(f"ACT-D-{uuid.uuid4().hex[:6]}"))
        for unknown in (draft.json()["id"], str(uuid.uuid4())):
            assert (await anonymous.get(f"/api/funding/grants/calls/{unknown}/resolution/act")).status_code == 404
    finally:
        for client in clients:
            await client.aclose()
