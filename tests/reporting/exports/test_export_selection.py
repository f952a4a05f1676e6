"""The project exports (CSV, XLSX, IATI) take the project list's narrowing too: words, SDG goal and
target, sector, with the reports' filters (modality, active years ...), and hold exactly the
projects the projects API lists for the same parameters. The reporting list reads one project.
Unknown codes are a 422 naming the parameter."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
from lxml import etree

from tests.support.projects import project_payload
from tests.support.waiting import eventually


def codes_of_csv(text: str) -> set[str]:
    return {row["code"] for row in csv.DictReader(io.StringIO(text))}


async def test_exports_hold_exactly_the_projects_the_list_shows_for_every_filter(
    gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    word = f"zq{uuid.uuid4().hex[:8]}"
    specs: list[dict[str, Any]] = [
        {
            "title": {"ca": f"Aigua {word} Maputo"},
            "sdg_goals": [{"goal": "6", "share": "100", "targets": ["6.1"]}],
            "sectors": [{"code": "14030", "percentage": "100"}],
            "modality": "technical-cooperation",
            "dates": {"planned_start": "2024-01-01", "planned_end": "2024-12-31"},
        },
        {
            "title": {"es": "Residuos en Medellín"},
            "description": {"en": f"Waste {word.upper()} in Medellín"},  # words match in any case
            "sdg_goals": [{"goal": "11", "share": "100", "targets": ["11.6"]}],
            "sectors": [{"code": "14050", "percentage": "100"}],
            "modality": "ngo-grant",
            "dates": {"planned_start": "2026-01-01"},
        },
        {
            "title": {"en": f"Gender {word}"},
            "sdg_goals": [{"goal": "5", "share": "60"}, {"goal": "6", "share": "40", "targets": ["6.2"]}],
            "sectors": [{"code": "15170", "percentage": "100"}],
            "modality": "technical-cooperation",
            "dates": {"planned_start": "2020-01-01", "planned_end": "2022-06-30"},
        },
        # Not matching the word: every other filter must still leave it out of the word's files.
        {"title": {"ca": "Una altra cosa"}, "modality": "ngo-grant"},
    ]
    created = []
    for spec in specs:
        response = await gateway.post("/api/projects/projects", json=project_payload(**spec))
        assert response.status_code == 201, response.text
        created.append(response.json())

    async def reported() -> bool:
        listed = await anonymous.get("/api/reporting/exports/projects", params={"q": word})
        return len(codes_of_csv(listed.text)) == 3

    await eventually(reported, what="the projects in the reports")
    cases = [
        {},
        {"sdg_goal": "6"},
        {"sdg_target": "6.2"},
        {"sector": "14050"},
        {"modality": "technical-cooperation"},
        {"modality": "ngo-grant", "sdg_goal": "11"},
        {"sdg_goal": "6", "sector": "14030"},
        {"sdg_goal": "5", "sdg_target": "6.1"},  # both must hold: nothing
        {"year": "2021"},
        {"year": "2024", "modality": "technical-cooperation"},
        {"year": "2023"},
        {"city": "Maputo", "status": "2"},
    ]
    owner = created[0]["owner"]
    for case in cases:
        params = {"q": word, **case}
        listed = await anonymous.get("/api/projects/projects", params={**params, "limit": 500})
        assert listed.status_code == 200, listed.text
        expected = {p["code"] for p in listed.json()["items"]}
        exported = {k: v for k, v in params.items() if k != "year"}
        if "year" in case:
            exported |= {"active_from": case["year"], "active_to": case["year"]}
        csv_file = await anonymous.get("/api/reporting/exports/projects", params={**exported, "format": "csv"})
        assert csv_file.status_code == 200, csv_file.text
        assert codes_of_csv(csv_file.text) == expected, case
        xml = await anonymous.get("/api/reporting/exports/iati", params={**exported, "reporting_org": owner})
        if not expected:
            assert xml.status_code == 404, case
            continue
        identifiers = etree.fromstring(xml.content).xpath("//iati-activity/iati-identifier/text()")
        assert set(identifiers) == {p["iati_identifier"] for p in created if p["code"] in expected}, case
    assert {p["code"] for p in created[:3]} == codes_of_csv(
        (await anonymous.get("/api/reporting/exports/projects", params={"q": f"  {word}  "})).text
    )


async def test_unknown_codes_in_the_narrowing_are_a_422_naming_the_parameter(anonymous: httpx.AsyncClient) -> None:
    bad = [
        ({"sdg_goal": "18"}, "sdg_goal"),
        ({"sdg_goal": "0"}, "sdg_goal"),
        ({"sdg_target": "6.99"}, "sdg_target"),
        ({"sdg_target": "x"}, "sdg_target"),
        ({"sector": "99999"}, "sector"),
        ({"sector": "1403"}, "sector"),
        ({"modality": "lobbying"}, "modality"),
        ({"q": "x" * 201}, "q"),
    ]
    for path, extra in (
        ("/api/reporting/exports/projects", {}),
        ("/api/reporting/exports/iati", {"reporting_org": "amb"}),
    ):
        for params, field in bad:
            response = await anonymous.get(path, params={**params, **extra})
            assert response.status_code == 422, (path, params)
            errors = response.json().get("errors") or response.json().get("detail")
            assert field in str(errors), (path, params, errors)
    other = await anonymous.get(
        "/api/reporting/exports/iati", params={"reporting_org": "amb", "institution": "ajuntament-barcelona"}
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "institution"
    listed = await anonymous.get("/api/projects/projects", params={"modality": "lobbying"})
    assert listed.status_code == 422 and listed.json()["errors"][0]["field"] == "modality"


async def test_the_reporting_list_reads_one_project_with_its_money_by_year(
    gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    project = (await gateway.post("/api/projects/projects", json=project_payload())).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    for amount, day in (("100.00", "2025-03-01"), ("250.50", "2026-02-01")):
        booked = await gateway.post(
            f"/api/funding/projects/{project['id']}/transactions",
            json={
                "transaction_type": "2",
                "amount": amount,
                "currency": "EUR",
                "value_date": day,
                "instrument": "conveni",
            },
        )
        assert booked.status_code == 201, booked.text

    async def money() -> dict[str, Any] | None:
        body = (await anonymous.get("/api/reporting/projects", params={"id": project["id"], "by_year": "true"})).json()
        if body["items"] and body["items"][0]["money"]["committed_eur"] == "350.50":
            return dict(body)
        return None

    body = await eventually(money, what="the bookings in the project's money")
    assert [p["id"] for p in body["items"]] == [project["id"]] and body["next_cursor"] is None
    years = body["items"][0]["money"]["years"]
    assert {y: m["committed_eur"] for y, m in years.items()} == {"2025": "100.00", "2026": "250.50"}
    unknown = await anonymous.get("/api/reporting/projects", params={"id": str(uuid.uuid4())})
    assert unknown.status_code == 200 and unknown.json()["items"] == []
    malformed = await anonymous.get("/api/reporting/projects", params={"id": "1 OR 1=1"})
    assert malformed.status_code == 422
    draft = (await gateway.post("/api/projects/projects", json=project_payload(visibility="draft"))).json()
    hidden = await anonymous.get("/api/reporting/projects", params={"id": draft["id"]})
    assert hidden.json()["items"] == []
