"""Results: targets vs actuals per period and per SDG indicator code."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.projects import project_payload, rich_project_payload
from tests.support.waiting import eventually


async def test_results_per_project_and_per_sdg_indicator(gateway: httpx.AsyncClient) -> None:
    first = (await gateway.post("/api/projects/projects", json=rich_project_payload(owner="sant-boi"))).json()
    second = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                owner="sant-boi",
                results=[
                    {
                        "type": "1",
                        "title": {"ca": "Serveis"},
                        "indicators": [
                            {
                                "title": {"ca": "Connexions noves"},
                                "measure": "1",
                                "cumulative": True,
                                "aggregation_status": True,
                                "sdg_indicator": "6.1.1",
                                "periods": [
                                    {"start": "2025-01-01", "end": "2025-12-31", "target": "500", "actual": "600"}
                                ],
                            },
                            {
                                "title": {"ca": "Residus recollits"},
                                "measure": "2",
                                "sdg_indicator": "11.6.1",
                                "periods": [
                                    {"start": "2025-01-01", "end": "2025-12-31", "target": "70", "actual": "65"}
                                ],
                            },
                        ],
                    }
                ],
            ),
        )
    ).json()

    async def report() -> dict[str, Any] | None:
        body: dict[str, Any] = (await gateway.get("/api/reporting/results", params={"institution": "sant-boi"})).json()
        codes = {p["code"] for p in body["projects"]}
        return body if {first["code"], second["code"]} <= codes else None

    body = await eventually(report, what="both projects in the results report")
    totals = {row["code"]: row for row in body["by_sdg_indicator"]}
    assert (totals["6.1.1"]["projects"], totals["6.1.1"]["indicators"]) == (2, 2)
    # Units per identical period, never across periods (2000 + 500 would mix two years).
    assert [(p["start"], p["projects"], p["target"], p["actual"]) for p in totals["6.1.1"]["periods"]] == [
        ("2024-01-01", 1, "2000", "1850"),
        ("2025-01-01", 1, "500", "600"),
    ]
    # A percentage is never added up (nor averaged): it is listed per project and counted as left out.
    assert (totals["11.6.1"]["periods"], totals["11.6.1"]["not_rolled_up"]) == ([], {"percentage": 1})
    assert totals["6.1.1"]["label"]["en"].startswith("Proportion of population using safely managed drinking water")
    rich = next(p for p in body["projects"] if p["code"] == first["code"])
    period = rich["indicators"][0]["periods"][0]
    assert (period["target"], period["actual"], period["achievement_percent"]) == ("2000", "1850", "92.50")
    # The project says its connections are a running total and may be added up; the rich project's
    # indicator does not say whether it is cumulative, so the code has no lifetime figure.
    stated = next(p for p in body["projects"] if p["code"] == second["code"])["indicators"][0]
    assert (stated["cumulative"], stated["aggregation_status"]) == (True, True)
    assert (rich["indicators"][0]["cumulative"], totals["6.1.1"]["cumulative_unstated"]) == (None, 1)
    assert totals["6.1.1"]["lifetime"] is None
    only = (
        await gateway.get("/api/reporting/results", params={"institution": "sant-boi", "sdg_indicator": "11.6.1"})
    ).json()
    assert [p["code"] for p in only["projects"]] == [second["code"]]
