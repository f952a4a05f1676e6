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


async def test_by_year_exports_have_a_column_per_year_and_figure_adding_up_to_the_lifetime(
    gateway: httpx.AsyncClient,
) -> None:
    city = f"Yearcsv {uuid.uuid4().hex[:6]}"
    project = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                partner_cities=[{"name": city, "country": "CU"}], sdg_goals=[{"goal": "6", "share": "100"}]
            ),
        )
    ).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}"
    for amount, on in (("100.00", "2024-03-01"), ("250.50", "2025-02-01")):
        booked = await gateway.post(
            f"{base}/transactions",
            json={
                "transaction_type": "2",
                "amount": amount,
                "currency": "EUR",
                "value_date": on,
                "instrument": "conveni",
            },
        )
        assert booked.status_code == 201, booked.text
    # 1 Jul 2024 - 30 Jun 2025: 184 of 365 days in 2024, 181 in 2025.
    line = await gateway.post(
        f"{base}/budget-lines",
        json={"period_start": "2024-07-01", "period_end": "2025-06-30", "amount": "365.00", "currency": "EUR"},
    )
    assert line.status_code == 201, line.text

    async def report() -> dict[str, str] | None:
        totals: dict[str, str] = (await gateway.get("/api/reporting/sdg", params={"city": city})).json()["totals"]
        return totals if totals["budgeted_eur"] == "365.00" else None

    await eventually(report, what="the bookings in the report")
    params = {"city": city, "by_year": "true"}
    sdg = list(csv.DictReader(io.StringIO((await gateway.get("/api/reporting/exports/sdg", params=params)).text)))
    total = next(r for r in sdg if r["level"] == "total")
    goal = next(r for r in sdg if r["level"] == "goal")
    for row in (total, goal):
        assert (row["attributed_committed_eur_2024"], row["attributed_committed_eur_2025"]) == ("100.00", "250.50")
        assert (row["attributed_budgeted_eur_2024"], row["attributed_budgeted_eur_2025"]) == ("184.00", "181.00")
        assert row["attributed_committed_eur"] == "350.50" and row["attributed_budgeted_eur"] == "365.00"
    assert goal["contributes_to_committed_eur_2025"] == "250.50" and total["contributes_to_committed_eur_2025"] == ""
    assert "attributed_committed_eur_2023" not in total, "only the years the money belongs to"

    listed = list(
        csv.DictReader(io.StringIO((await gateway.get("/api/reporting/exports/projects", params=params)).text))
    )
    assert [(r["committed_eur_2024"], r["committed_eur_2025"], r["budgeted_eur_2024"]) for r in listed] == [
        ("100.00", "250.50", "184.00")
    ]
    # A money-year window keeps its years only; without by_year there are no year columns.
    window = await gateway.get("/api/reporting/exports/projects", params={**params, "money_year_from": "2025"})
    (only,) = list(csv.DictReader(io.StringIO(window.text)))
    assert (only["committed_eur"], only["committed_eur_2025"], "committed_eur_2024" in only) == (
        "250.50",
        "250.50",
        False,
    )
    plain = list(
        csv.DictReader(io.StringIO((await gateway.get("/api/reporting/exports/projects", params={"city": city})).text))
    )
    assert not any(name.endswith("_2025") for name in plain[0])
    by_city = await gateway.get("/api/reporting/exports/breakdown", params={**params, "by": "city"})
    (row, city_total) = list(csv.DictReader(io.StringIO(by_city.text)))
    assert (row["attributed_committed_eur_2024"], city_total["attributed_committed_eur_2025"]) == ("100.00", "250.50")
    xlsx = await gateway.get("/api/reporting/exports/sdg", params={**params, "format": "xlsx"})
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as workbook:
        assert "attributed_committed_eur_2025" in workbook.read("xl/sharedStrings.xml").decode()
