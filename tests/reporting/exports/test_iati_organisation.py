"""The IATI organisation file of an institution: its figures per year from the published
projects' ledger, valid against the 2.03 organisation schema (pure builder), and served."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from lxml import etree

from services.reporting.exports import organisation
from shared.codelists import codelists
from tests.support.iati import organisation_schema as schema
from tests.support.projects import project_payload
from tests.support.waiting import eventually


def budget(start: str, eur: str, status: str = "2") -> dict[str, Any]:
    return {"kind": "budget", "data": {"period_start": start, "amount_eur": eur, "budget_status": status}}


def txn(kind: str, day: str, eur: str, in_kind: bool = False) -> dict[str, Any]:
    return {
        "kind": "transaction",
        "data": {"transaction_type": kind, "value_date": day, "amount_eur": eur, "in_kind": in_kind},
    }


def test_figures_per_year_and_country_and_a_valid_file() -> None:
    mz = {"recipient_countries": [{"code": "MZ", "percentage": "66.67"}, {"code": "CV", "percentage": "33.33"}]}
    projects: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
        (mz, [budget("2025-01-01", "100.00"), budget("2026-01-01", "50.00", "1"), txn("4", "2025-06-01", "40.00")]),
        ({"recipient_countries": []}, [budget("2025-03-01", "10.00"), txn("4", "2025-07-01", "5.00", in_kind=True)]),
        ({}, [txn("3", "2025-07-01", "7.00"), txn("4", "2026-02-01", "1.50")]),
    ]
    years = organisation.years(projects)
    assert (years[2025].budget, years[2025].committed, years[2025].expenditure) == (
        Decimal("110.00"),
        True,
        Decimal("40.00"),
    )
    assert dict(years[2025].countries) == {"MZ": Decimal("66.67"), "CV": Decimal("33.33")}
    assert (years[2026].budget, years[2026].committed, years[2026].expenditure) == (
        Decimal("50.00"),
        False,
        Decimal("1.50"),
    )
    assert dict(years[2026].countries) == {"MZ": Decimal("33.34"), "CV": Decimal("16.66")}
    xml = etree.fromstring(organisation.document(codelists()["institutions"].get("amb"), years))  # type: ignore[arg-type]
    checker = schema()
    assert checker.validate(xml), checker.error_log
    org = xml.find("iati-organisation")
    assert org is not None and org.findtext("organisation-identifier") == "XARXA-AMB"
    assert [(b.get("status"), b.findtext("value")) for b in org.findall("total-budget")] == [
        ("2", "110.00"),
        ("1", "50.00"),
    ]
    assert [e.findtext("value") for e in org.findall("total-expenditure")] == ["40.00", "1.50"]
    countries = [
        (b.find("period-start").get("iso-date"), b.find("recipient-country").get("code"), b.findtext("value"))
        for b in org.findall("recipient-country-budget")
    ]
    assert countries == [
        ("2025-01-01", "CV", "33.33"),
        ("2025-01-01", "MZ", "66.67"),
        ("2026-01-01", "CV", "16.66"),
        ("2026-01-01", "MZ", "33.34"),
    ]


async def test_the_organisation_file_is_served_and_valid(
    gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = await gateway.post("/api/projects/projects", json=project_payload(owner="el-prat"))
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project_id}")).status_code == 200

    await eventually(known, what="the project in funding")
    line = {"period_start": "2025-01-01", "period_end": "2025-12-31", "amount": "1000.00", "currency": "EUR"}
    assert (await gateway.post(f"/api/funding/projects/{project_id}/budget-lines", json=line)).status_code == 201

    async def served() -> bytes | None:
        response = await anonymous.get("/api/reporting/exports/iati-organisation", params={"reporting_org": "el-prat"})
        assert response.status_code == 200, response.text
        return response.content if b"<total-budget" in response.content else None

    xml = etree.fromstring(await eventually(served, what="the budget in the organisation file", timeout=60))
    checker = schema()
    assert checker.validate(xml), checker.error_log
    assert xml.findtext("iati-organisation/total-budget/value") == "1000.00"
    refused = await anonymous.get("/api/reporting/exports/iati-organisation", params={"reporting_org": "nobody"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reporting_org"
