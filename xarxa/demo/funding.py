"""Demo money for the demo portfolio, booked through the public API like any integrator would.

All figures are illustrative, including the exchange rates (labelled as such in their source).
Deterministic: the same portfolio always gets the same bookings.
"""

from __future__ import annotations

import math
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

RATE_SOURCE = "Xarxa demo rates (illustrative, not official)"
# Units per EUR around which the illustrative rates move.
RATE_LEVELS = {"USD": 1.10, "MZN": 70.5, "COP": 4450.0, "CUP": 26.4}
CURRENCY_BY_COUNTRY = {"MZ": "MZN", "CO": "COP", "CU": "CUP", "MR": "USD", "TN": "EUR", "MA": "EUR"}
YEARS = range(2021, 2027)
SHORT_YEAR = 2023  # the year in which the demo institutions fall short of 0.7 %


def demo_rates_csv(start: date = date(2021, 1, 1), end: date = date(2026, 12, 31)) -> str:
    """Working-day rates in the central-bank CSV layout, smoothly varying."""
    currencies = list(RATE_LEVELS)
    lines = ["Date," + ",".join(currencies)]
    day, n = start, 0
    while day <= end:
        if day.weekday() < 5:
            values = [RATE_LEVELS[c] * (1 + 0.04 * math.sin(n / 90 + i)) for i, c in enumerate(currencies)]
            lines.append(day.isoformat() + "," + ",".join(f"{v:.4f}" for v in values))
            n += 1
        day += timedelta(days=1)
    return "\n".join(lines) + "\n"


def _wait_known(client: httpx.Client, project_ids: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    for project_id in project_ids:
        while client.get(f"/api/funding/project-refs/{project_id}").status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"project {project_id} never reached the funding service")
            time.sleep(0.2)


def _book(client: httpx.Client, project_id: str, key: str, body: dict[str, Any]) -> None:
    response = client.post(
        f"/api/funding/projects/{project_id}/transactions", json=body, headers={"Idempotency-Key": key}
    )
    if response.status_code != 201:
        raise RuntimeError(f"demo booking {key} refused: {response.text}")


def _sources(client: httpx.Client) -> dict[str, str]:
    specs: list[dict[str, Any]] = [
        {"institution": "amb", "code": "AMB-OWN", "kind": "own-budget", "name": {"ca": "Pressupost propi AMB (0,7 %)"}},
        {
            "institution": "amb",
            "code": "AMB-FEDER-2127",
            "kind": "feder",
            "co_financing_rate": "50",
            "programme": "FEDER Catalunya 2021-2027",
            "name": {"ca": "FEDER 2021-2027 (conveni amb la Generalitat)"},
            "reporting_periods": [
                {"start": f"{y}-01-01", "end": f"{y}-12-31", "due": f"{y + 1}-03-31"} for y in range(2022, 2027)
            ],
        },
        {
            "institution": "ajuntament-barcelona",
            "code": "BCN-OWN",
            "kind": "own-budget",
            "name": {"ca": "Pressupost propi de Justícia Global i Cooperació Internacional"},
        },
        {
            "institution": "ajuntament-barcelona",
            "code": "BCN-EC-LA",
            "kind": "ec-call",
            "co_financing_rate": "80",
            "programme": "Global Europe - Local authorities",
            "call_id": "EuropeAid/2023/LA",
            "name": {"en": "European Commission call for local authorities"},
        },
    ]
    ids: dict[str, str] = {}
    existing = {s["code"]: s["id"] for s in client.get("/api/funding/sources").json()["items"]}
    for spec in specs:
        if spec["code"] in existing:
            ids[spec["code"]] = existing[spec["code"]]
            continue
        response = client.post("/api/funding/sources", json=spec)
        response.raise_for_status()
        ids[spec["code"]] = response.json()["id"]
    return ids


def load_funding_demo(client: httpx.Client, projects: list[dict[str, Any]]) -> None:
    """Rates, sources, bookings for every published project under way, then the declared years."""
    client.post(
        "/api/funding/rates/import",
        content=demo_rates_csv().encode(),
        headers={"Content-Type": "text/csv"},
        params={"source": "manual", "note": RATE_SOURCE},
    ).raise_for_status()
    sources = _sources(client)
    funded = [p for p in projects if p["visibility"] == "published" and p["status"] in ("2", "3", "4")]
    _wait_known(client, [p["id"] for p in funded])
    committed: dict[tuple[str, int], Decimal] = {}
    for index, project in enumerate(funded):
        owner, country = project["owner"], (project["partner_cities"] or [{"country": "ES"}])[0]["country"]
        if owner not in ("amb", "ajuntament-barcelona"):
            continue  # municipalities under the coordinated programme book nothing in the demo
        start = project["dates"].get("actual_start") or project["dates"].get("planned_start") or "2024-02-01"
        year = int(start[:4])
        eu = "eu-funded" in project["tags"]
        own = sources["AMB-OWN" if owner == "amb" else "BCN-OWN"]
        amount = Decimal(120_000 + (index * 37_500) % 480_000)
        instrument = "direct-execution" if owner == "amb" else "conveni"
        key = f"demo-{project['code']}"
        _book(
            client,
            project["id"],
            f"{key}-c",
            {
                "transaction_type": "2",
                "amount": str(amount),
                "currency": "EUR",
                "value_date": f"{year}-02-15",
                "instrument": instrument,
                "source_id": own,
                "receiver_org": project["participating_orgs"][-1]["name"] if project["participating_orgs"] else None,
            },
        )
        committed[(owner, year)] = committed.get((owner, year), Decimal(0)) + amount
        if eu:
            _book(
                client,
                project["id"],
                f"{key}-eu",
                {
                    "transaction_type": "11",
                    "amount": str((amount / 2).quantize(Decimal("0.01"))),
                    "currency": "EUR",
                    "value_date": f"{year}-03-01",
                    "instrument": "conveni",
                    "source_id": sources["AMB-FEDER-2127"],
                    "provider_org": "Generalitat de Catalunya (FEDER)",
                },
            )
        currency = CURRENCY_BY_COUNTRY.get(country, "USD")
        share = Decimal("0.6") if project["status"] == "2" else Decimal("0.95")
        local = amount * share * Decimal(str(RATE_LEVELS.get(currency, 1.0) * 0.9))
        _book(
            client,
            project["id"],
            f"{key}-d",
            {
                "transaction_type": "3",
                "amount": str(local.quantize(Decimal("0.01"), ROUND_HALF_UP)),
                "currency": currency,
                "value_date": f"{year}-06-10",
                "instrument": instrument,
                "source_id": own,
            },
        )
        if project["status"] in ("3", "4"):
            spent = local * Decimal("0.9")
            _book(
                client,
                project["id"],
                f"{key}-e",
                {
                    "transaction_type": "4",
                    "amount": str(spent.quantize(Decimal("0.01"), ROUND_HALF_UP)),
                    "currency": currency,
                    "value_date": f"{year + 1}-11-30",
                    "instrument": instrument,
                },
            )
        for number, exchange in enumerate(project.get("exchanges", [])):
            _book(
                client,
                project["id"],
                f"{key}-k{number}",
                {
                    "transaction_type": "4",
                    "amount": exchange["value_eur"],
                    "currency": "EUR",
                    "in_kind": True,
                    "value_date": exchange["date"],
                    "instrument": "direct-execution",
                    "description": f"{exchange['staff_days']} staff-days of {exchange['institution']}",
                },
            )
    for (owner, year), total in sorted(committed.items()):
        # Illustrative revenues: 0.7 % is met with a margin, except in SHORT_YEAR.
        factor = Decimal("1.3") if year == SHORT_YEAR else Decimal("0.9")
        revenues = (total * factor / Decimal("0.007")).quantize(Decimal("1000"))
        url = f"/api/funding/institutions/{owner}/years/{year}"
        current = client.get(url)
        headers = {"If-Match": current.headers["etag"]} if current.status_code == 200 else {}
        client.put(
            url, json={"own_revenues_eur": str(revenues), "cooperation_budget_eur": str(total)}, headers=headers
        ).raise_for_status()
