"""The 0.7 % report in reporting: revenues and target from events, money by value date, SDG shares."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually


async def test_zero_seven_report_from_events(gateway: httpx.AsyncClient) -> None:
    declared = await gateway.put(
        "/api/funding/institutions/santa-coloma/years/2033",
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

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}/transactions"
    for type_, amount, on in (
        ("2", "500.00", "2033-03-01"),
        ("3", "200.00", "2033-05-01"),
        ("2", "999.00", "2034-01-10"),
    ):
        await gateway.post(
            base,
            json={
                "transaction_type": type_,
                "amount": amount,
                "currency": "EUR",
                "value_date": on,
                "instrument": "direct-execution",
            },
        )

    async def row() -> dict[str, Any] | None:
        body = (
            await gateway.get(
                "/api/reporting/zero-seven", params={"institution": "santa-coloma", "year_from": 2033, "year_to": 2033}
            )
        ).json()
        found: dict[str, Any] | None = next((r for r in body["rows"] if r["disbursed_eur"] == "200.00"), None)
        return found

    report = await eventually(row, what="the 0.7 % report with the bookings")
    assert (report["own_revenues_eur"], report["target_eur"], report["cooperation_budget_eur"]) == (
        "100000.00",
        "700.00",
        "600.00",
    )
    assert (report["committed_eur"], report["gap_eur"], report["committed_share_of_target"]) == (
        "500.00",
        "200.00",
        "71.43",
    )
    assert report["committed_by_sdg"] == {"5": "300.00", "11": "200.00"}
