"""Formula injection through the API: projects titled and partnered with text a spreadsheet would
evaluate come out of the CSV exports escaped and out of the XLSX exports as plain string cells,
while the amounts stay numbers. (A negative amount cannot be booked through the API; the writers'
handling of one is in tests/shared/test_spreadsheet.py.)"""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually
from tests.support.xlsx_cells import cells

HOSTILE_TITLES = [
    '=HYPERLINK("http://x.example/","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1+1",
    "\uff1dSUM(A1)",
]


async def test_hostile_text_is_never_a_formula_in_csv_or_xlsx(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:6]
    city = f"Injectio {tag}"
    hostile_city = f'=HYPERLINK("http://x.example/{tag}","open")'
    projects = []
    for title in HOSTILE_TITLES:
        created = await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                title={"ca": title},
                partner_cities=[{"name": city, "country": "CU"}, {"name": hostile_city, "country": "CU"}],
            ),
        )
        assert created.status_code == 201, created.text
        projects.append(created.json())
    booked = projects[0]

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{booked['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    transaction = await gateway.post(
        f"/api/funding/projects/{booked['id']}/transactions",
        json={
            "transaction_type": "2",
            "amount": "1234.56",
            "currency": "EUR",
            "value_date": "2025-06-01",
            "instrument": "conveni",
        },
    )
    assert transaction.status_code == 201, transaction.text

    async def reported() -> bool:
        report = (await gateway.get("/api/reporting/sdg", params={"city": city})).json()
        return bool(report["projects"] == len(HOSTILE_TITLES) and report["totals"]["committed_eur"] == "1234.56")

    await eventually(reported, what="the projects and the booking in the report")
    by_code = {p["code"]: p for p in projects}

    exported = await gateway.get("/api/reporting/exports/projects", params={"city": city})
    rows = list(csv.DictReader(io.StringIO(exported.text, newline="")))
    assert sorted(r["code"] for r in rows) == sorted(by_code)
    for row in rows:
        title = by_code[row["code"]]["title"]["ca"]
        assert row["title"] == "'" + title, row
        assert row["partner_cities"] == f"{city}; {hostile_city}"  # starts harmless: kept as it is
        assert Decimal(row["committed_eur"]) == (Decimal("1234.56") if row["code"] == booked["code"] else 0)

    xlsx = await gateway.get("/api/reporting/exports/projects", params={"city": city, "format": "xlsx"})
    sheet = cells(xlsx.content)
    assert not [c for c in sheet.values() if c.formula is not None]
    header = {sheet[(0, c)].value: c for c in range(len(rows[0]))}
    for r in range(1, len(rows) + 1):
        code = sheet[(r, header["code"])].value
        cell = sheet[(r, header["title"])]
        assert (cell.type, cell.value, cell.quote_prefix) == ("s", by_code[code]["title"]["ca"], True)
        committed = sheet.get((r, header["committed_eur"]))
        assert committed is not None and committed.type == "n"
        assert float(committed.value) == (1234.56 if code == booked["code"] else 0.0)

    breakdown = await gateway.get("/api/reporting/exports/breakdown", params={"city": city, "by": "city"})
    by_city = {r["city"]: r for r in csv.DictReader(io.StringIO(breakdown.text, newline=""))}
    assert "'" + hostile_city in by_city and hostile_city not in by_city
    assert by_city["'" + hostile_city]["projects"] == str(len(HOSTILE_TITLES))

    breakdown_xlsx = await gateway.get(
        "/api/reporting/exports/breakdown", params={"city": city, "by": "city", "format": "xlsx"}
    )
    sheet = cells(breakdown_xlsx.content)
    assert not [c for c in sheet.values() if c.formula is not None]
    [hostile_row] = [r for (r, c), cell in sheet.items() if c == 0 and cell.value == hostile_city]
    assert sheet[(hostile_row, 0)].type == "s" and sheet[(hostile_row, 0)].quote_prefix
    assert (sheet[(hostile_row, 1)].type, sheet[(hostile_row, 1)].value) == ("n", str(len(HOSTILE_TITLES)))
