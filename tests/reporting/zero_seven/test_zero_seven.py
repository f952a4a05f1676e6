"""The 0.7 % report in reporting: revenues and target from events, own money by value date, SDG shares."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.unique import unique_code, unique_years
from tests.support.waiting import eventually


async def test_zero_seven_report_from_events(gateway: httpx.AsyncClient) -> None:
    y = unique_years(2)  # Santa Coloma's year to this test alone (and the next, where its money runs on)
    declared = await gateway.put(
        f"/api/funding/institutions/santa-coloma/years/{y}",
        json={"own_revenues_eur": "100000.00", "cooperation_budget_eur": "600.00"},
    )
    assert declared.status_code == 200, declared.text
    project = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                owner="santa-coloma", sdg_goals=[{"goal": "5", "share": "60"}, {"goal": "11", "share": "40"}]
            ),
        )
    ).json()
    source = await gateway.post(
        "/api/funding/sources",
        json={
            "institution": "santa-coloma",
            "code": unique_code("FEDER"),
            "kind": "feder",
            "name": {"ca": "FEDER"},
            "co_financing_rate": "50",
        },
    )
    assert source.status_code == 201, source.text

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}"
    for type_, amount, on, source_id in (
        ("2", "500.00", f"{y}-03-01", None),
        ("3", "200.00", f"{y}-05-01", None),
        ("2", "999.00", f"{y + 1}-01-10", None),
        ("2", "300.00", f"{y}-04-01", source.json()["id"]),
    ):
        booked = await gateway.post(
            f"{base}/transactions",
            json={
                "transaction_type": type_,
                "amount": amount,
                "currency": "EUR",
                "value_date": on,
                "instrument": "direct-execution",
                "source_id": source_id,
            },
        )
        assert booked.status_code == 201, booked.text
    # 1 Jul - 30 Jun: 184 days in the first year of 365 (368.00 of 730.00), or of 366 when the next is a leap year.
    line = await gateway.post(
        f"{base}/budget-lines",
        json={"period_start": f"{y}-07-01", "period_end": f"{y + 1}-06-30", "amount": "730.00", "currency": "EUR"},
    )
    assert line.status_code == 201, line.text

    async def row() -> dict[str, Any] | None:
        body = (
            await gateway.get(
                "/api/reporting/zero-seven", params={"institution": "santa-coloma", "year_from": y, "year_to": y}
            )
        ).json()
        found: dict[str, Any] | None = next(
            (r for r in body["rows"] if r["disbursed_eur"] == "200.00" and r["budgeted_eur"] != "0.00"), None
        )
        return found

    report = await eventually(row, what="the 0.7 % report with the bookings")
    assert (report["own_revenues_eur"], report["target_eur"], report["cooperation_budget_eur"]) == (
        "100000.00",
        "700.00",
        "600.00",
    )
    days = (date(y + 1, 6, 30) - date(y, 7, 1)).days + 1
    budgeted = (Decimal("730.00") * 184 / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert (report["budgeted_eur"], report["committed_eur"], report["gap_eur"]) == (str(budgeted), "500.00", "200.00")
    assert (report["committed_share_of_target"], report["disbursed_share_of_target"]) == ("71.43", "28.57")
    assert report["committed_by_sdg"] == {"5": "300.00", "11": "200.00"}
    # The FEDER-charged commitment: the funding events carry its source's kind, so it is external
    # money, shown beside the own money and never in the numerator.
    assert report["external"]["feder"]["committed_eur"] == "300.00"
    assert report["unclassified"]["committed_eur"] == "0.00"
    assert report["revenues"]["missing"] == ["source", "basis"]
