"""A file as Spanish Excel saves it ("CSV (delimitado por comas)": semicolons, Windows-1252,
decimal commas) imports like the template, for projects and for transactions; and an amount that
reads more than one way is refused naming the column and what to write."""

from __future__ import annotations

import uuid

import httpx

from tests.support.waiting import eventually


def excel(rows: list[list[str]], encoding: str) -> bytes:
    return "\r\n".join(";".join(f'"{cell}"' if ";" in cell else cell for cell in row) for row in rows).encode(encoding)


async def test_a_spanish_excel_file_imports(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    header = ["code", "title_ca", "description_ca", "visibility", "partner_city", "partner_country", "sectors"]
    header += ["sdg_goals", "planned_start"]
    first = [f"XL-{tag}-1", "Rehabilitació a l'Havana", "Habitatge al Centre Històric", "published", "L'Havana"]
    rows = [header, [*first, "CU", "16040:62,5;43030:37,5", "11:100", "2025-01-01"]]
    for encoding, code in (("cp1252", f"XL-{tag}-1"), ("utf-8-sig", f"XL-{tag}-2")):
        rows[1][0] = code
        report = await gateway.post(
            "/api/projects/imports/csv",
            params={"owner": "ajuntament-barcelona"},
            content=excel(rows, encoding),
            headers={"Content-Type": "text/csv"},
        )
        assert report.status_code == 200, report.text
        assert report.json()["imported"] == 1, report.text
        project = (await gateway.get(f"/api/projects/projects/{report.json()['items'][0]['project_id']}")).json()
        assert project["title"] == {"ca": "Rehabilitació a l'Havana"}  # accents kept from either encoding
        assert project["visibility"] == "published" and project["recipient_countries"][0]["code"] == "CU"
        assert [(s["code"], s["percentage"]) for s in project["sectors"]] == [("16040", "62.5"), ("43030", "37.5")]
    project_id = report.json()["items"][0]["project_id"]

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project_id}")).status_code == 200

    await eventually(known, what="the imported project in funding")
    money = [
        ["project_code", "transaction_type", "amount", "currency", "value_date", "instrument", "description"],
        [f"XL-{tag}-2", "2", "1.234,56", "EUR", "2025-03-02", "conveni", "Primer tram; conveni 2025"],
        [f"XL-{tag}-2", "2", "25000", "EUR", "2025-03-02", "conveni", "Sense decimals"],
        [f"XL-{tag}-2", "2", "1.234.56", "EUR", "2025-03-02", "conveni", "Ambigu"],
        [f"XL-{tag}-2", "2", "12,3456", "EUR", "2025-03-02", "conveni", "Massa decimals"],
    ]
    booked = await gateway.post(
        "/api/funding/imports/transactions",
        params={"owner": "ajuntament-barcelona"},
        content=excel(money, "cp1252"),
        headers={"Content-Type": "text/csv"},
    )
    assert booked.status_code == 200, booked.text
    result = booked.json()
    assert (result["booked"], result["refused"]) == (2, 2), result
    for item, value in zip(result["items"][2:], ("1.234.56", "12,3456"), strict=True):
        assert item["errors"][0]["field"] == "amount" and item["errors"][0]["value"] == value
        assert "1234,56" in item["errors"][0]["message"]
    ledger = (await gateway.get(f"/api/funding/projects/{project_id}/transactions")).json()["items"]
    assert [(t["amount"], t["description"]) for t in ledger] == [
        ("1234.56", "Primer tram; conveni 2025"),
        ("25000.00", "Sense decimals"),
    ]
