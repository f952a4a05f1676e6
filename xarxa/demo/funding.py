"""Demo money for the demo portfolio, booked through the public API like any integrator would.

All figures are illustrative, including the exchange rates (labelled as such in their source).
Deterministic: the same portfolio always gets the same bookings.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from shared import iati
from shared.money import CENT
from xarxa.demo.history import BOOKING_DELAY, params, recorded

RATE_SOURCE = "Xarxa demo rates (illustrative, not official)"
# Units per EUR around which the illustrative rates move.
RATE_LEVELS = {"USD": 1.10, "MZN": 70.5, "COP": 4450.0, "CUP": 26.4}
CURRENCY_BY_COUNTRY = {"MZ": "MZN", "CO": "COP", "CU": "CUP", "MR": "USD", "TN": "EUR", "MA": "EUR"}
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


def _book(client: httpx.Client, booking: Booking) -> None:
    response = client.post(
        f"/api/funding/projects/{booking.project_id}/transactions",
        json=booking.body,
        params=params(booking.recorded_at),
        headers={"Idempotency-Key": booking.key},
    )
    if response.status_code != 201:
        raise RuntimeError(f"demo booking {booking.key} refused: {response.text}")


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


@dataclass(frozen=True)
class Booking:
    """One demo transaction of a project, and when the earlier system recorded it (None: now)."""

    project_id: str
    owner: str
    key: str
    body: dict[str, Any]
    recorded_at: datetime | None


def _project_bookings(index: int, project: dict[str, Any], sources: dict[str, str]) -> list[Booking]:
    owner, country = project["owner"], (project["partner_cities"] or [{"country": "ES"}])[0]["country"]
    start = project["dates"].get("actual_start") or project["dates"].get("planned_start") or "2024-02-01"
    year = int(start[:4])
    eu = "eu-funded" in project["tags"]
    own = sources["AMB-OWN" if owner == "amb" else "BCN-OWN"]
    amount = Decimal(120_000 + (index * 37_500) % 480_000)
    instrument = "direct-execution" if owner == "amb" else "conveni"
    key = f"demo-{project['code']}"
    bodies: list[tuple[str, dict[str, Any]]] = [
        (
            f"{key}-c",
            {
                "transaction_type": iati.COMMITMENT,
                "amount": str(amount),
                "currency": "EUR",
                "value_date": f"{year}-02-15",
                "instrument": instrument,
                "source_id": own,
                "receiver_org": project["participating_orgs"][-1]["name"] if project["participating_orgs"] else None,
            },
        )
    ]
    if eu:
        bodies.append(
            (
                f"{key}-eu",
                {
                    "transaction_type": iati.INCOMING_COMMITMENT,
                    "amount": str((amount / 2).quantize(CENT)),
                    "currency": "EUR",
                    "value_date": f"{year}-03-01",
                    "instrument": "conveni",
                    "source_id": sources["AMB-FEDER-2127"],
                    "provider_org": "Generalitat de Catalunya (FEDER)",
                },
            )
        )
    currency = CURRENCY_BY_COUNTRY.get(country, "USD")
    share = Decimal("0.6") if project["status"] == "2" else Decimal("0.95")
    local = amount * share * Decimal(str(RATE_LEVELS.get(currency, 1.0) * 0.9))
    bodies.append(
        (
            f"{key}-d",
            {
                "transaction_type": iati.DISBURSEMENT,
                "amount": str(local.quantize(CENT, ROUND_HALF_UP)),
                "currency": currency,
                "value_date": f"{year}-06-10",
                "instrument": instrument,
                "source_id": own,
            },
        )
    )
    if project["status"] in ("3", "4"):
        spent = local * Decimal("0.9")
        bodies.append(
            (
                f"{key}-e",
                {
                    "transaction_type": iati.EXPENDITURE,
                    "amount": str(spent.quantize(CENT, ROUND_HALF_UP)),
                    "currency": currency,
                    "value_date": f"{year + 1}-11-30",
                    "instrument": instrument,
                },
            )
        )
    for number, exchange in enumerate(project.get("exchanges", [])):
        bodies.append(
            (
                f"{key}-k{number}",
                {
                    "transaction_type": iati.EXPENDITURE,
                    "amount": exchange["value_eur"],
                    "currency": "EUR",
                    "in_kind": True,
                    "value_date": exchange["date"],
                    "instrument": "direct-execution",
                    "description": f"{exchange['staff_days']} staff-days of {exchange['institution']}",
                },
            )
        )
    planned = [
        Booking(project["id"], owner, k, body, recorded(body["value_date"], BOOKING_DELAY)) for k, body in bodies
    ]
    # Recorded in the order they were recorded (those of the future last, now): the API refuses a
    # booking recorded before the project's previous one.
    return sorted(planned, key=lambda b: (b.recorded_at is None, b.recorded_at or datetime.now(UTC)))


def demo_bookings(projects: list[dict[str, Any]], sources: dict[str, str]) -> list[Booking]:
    """Every demo transaction of the published projects under way of the two institutions."""
    funded = [p for p in projects if p["visibility"] == "published" and p["status"] in ("2", "3", "4")]
    out: list[Booking] = []
    for index, project in enumerate(funded):
        if project["owner"] in ("amb", "ajuntament-barcelona"):  # programme municipalities book nothing
            out.extend(_project_bookings(index, project, sources))
    return out


def declarations(bookings: list[Booking]) -> list[tuple[str, int, dict[str, Any], datetime | None]]:
    """The declared own revenues per institution and year, each as recorded: the budgeted figure in
    January, replaced by the settled accounts' figure at the end of May of the next year (once that
    day is past). Illustrative revenues: 0.7 % is met with a margin, except in SHORT_YEAR."""
    committed: dict[tuple[str, int], Decimal] = {}
    for booking in bookings:
        if booking.body["transaction_type"] == iati.COMMITMENT:
            year = int(booking.body["value_date"][:4])
            key = (booking.owner, year)
            committed[key] = committed.get(key, Decimal(0)) + Decimal(booking.body["amount"])
    out = []
    for (owner, year), total in sorted(committed.items()):
        factor = Decimal("1.3") if year == SHORT_YEAR else Decimal("0.9")
        settled = (total * factor / Decimal("0.007")).quantize(Decimal("1000"))
        settled_at = recorded(f"{year + 1}-05-31")
        budgeted = (settled * Decimal("0.97")).quantize(Decimal("1000")) if settled_at else settled
        base = {"cooperation_budget_eur": str(total)}
        out.append(
            (
                owner,
                year,
                {
                    **base,
                    "own_revenues_eur": str(budgeted),
                    "revenues_source": f"Pressupost general {year} aprovat (demo)",
                    "revenues_basis": "budgeted",
                },
                recorded(f"{year}-01-20"),
            )
        )
        if settled_at:
            body = {
                **base,
                "own_revenues_eur": str(settled),
                "revenues_source": f"Liquidació del pressupost {year} (demo)",
                "revenues_basis": "settled",
            }
            out.append((owner, year, body, settled_at))
    return out


def load_funding_demo(client: httpx.Client, projects: list[dict[str, Any]]) -> None:
    """Rates, sources, bookings for every published project under way, then the declared years,
    each recorded when the earlier system recorded it (xarxa/demo/history.py)."""
    client.post(
        "/api/funding/rates/import",
        content=demo_rates_csv().encode(),
        headers={"Content-Type": "text/csv"},
        params={"source": "manual", "note": RATE_SOURCE},
    ).raise_for_status()
    sources = _sources(client)
    bookings = demo_bookings(projects, sources)
    _wait_known(client, sorted({b.project_id for b in bookings}))
    for booking in bookings:
        _book(client, booking)
    history = declarations(bookings)
    final = {(owner, year): body for owner, year, body, _ in history}
    done: set[tuple[str, int]] = set()
    for owner, year, body, when in history:
        url = f"/api/funding/institutions/{owner}/years/{year}"
        current = client.get(url)
        if current.status_code == 200:
            # Loaded before (a second `make up`): history cannot be written under what is recorded
            # since, so the year only takes the final declaration, now, if it differs.
            if (owner, year) in done:
                continue
            done.add((owner, year))
            body = final[(owner, year)]
            shown = current.json()
            if all(str(shown.get(k)) == str(v) or _same_amount(shown.get(k), v) for k, v in body.items()):
                continue
            when = None
        headers = {"If-Match": current.headers["etag"]} if current.status_code == 200 else {}
        client.put(url, json=body, headers=headers, params=params(when)).raise_for_status()


def _same_amount(shown: Any, given: Any) -> bool:
    try:
        return Decimal(str(shown)) == Decimal(str(given))
    except ArithmeticError:
        return False
