"""CSV and XLSX exports of the reports and of the project list carry the same figures as the JSON."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually


async def test_csv_and_xlsx_exports_hold_the_report_figures(gateway: httpx.AsyncClient) -> None:
    city = f"Csvtest {uuid.uuid4().hex[:6]}"
    project = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                partner_cities=[{"name": city, "country": "CU"}], title={"ca": 'Exportació, amb comes "i cometes"'}
            ),
        )
    ).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    await gateway.post(
        f"/api/funding/projects/{project['id']}/transactions",
        json={
            "transaction_type": "2",
            "amount": "1234.56",
            "currency": "EUR",
            "value_date": "2025-06-01",
            "instrument": "conveni",
        },
    )

    async def report() -> dict[str, str] | None:
        totals: dict[str, str] = (await gateway.get("/api/reporting/sdg", params={"city": city})).json()["totals"]
        return totals if totals["committed_eur"] == "1234.56" else None

    await eventually(report, what="the booking in the report")
    sdg = await gateway.get("/api/reporting/exports/sdg", params={"city": city})
    assert sdg.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sdg.text)))
    assert {r["code"]: r["attributed_committed_eur"] for r in rows if r["level"] == "goal"} == {
        "6": "740.74",
        "11": "493.82",
    }
    assert next(r for r in rows if r["level"] == "total")["attributed_committed_eur"] == "1234.56"

    projects = await gateway.get("/api/reporting/exports/projects", params={"city": city})
    listed = list(csv.DictReader(io.StringIO(projects.text)))
    assert [(r["code"], r["title"], r["committed_eur"], r["sdg_goals"]) for r in listed] == [
        (project["code"], 'Exportació, amb comes "i cometes"', "1234.56", "6:60 11:40")
    ]

    by_country = await gateway.get(
        "/api/reporting/exports/breakdown", params={"city": city, "by": "country", "format": "xlsx"}
    )
    assert by_country.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(by_country.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        strings = workbook.read("xl/sharedStrings.xml").decode()
    assert "1234.56" in sheet and "CU" in strings
    assert (await gateway.get("/api/reporting/exports/sdg", params={"format": "pdf"})).status_code == 422
