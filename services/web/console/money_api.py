"""The funding API's ledger as the signed-in person: a project's entries and totals, the sources
of funds, the rate a value date would be converted with, and the bookings themselves (each with
the Idempotency-Key of the form the person was shown)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.web.console.api import ConsoleApi, Problem, problem_of
from services.web.gateway_client import ApiError

FUNDING = "/api/funding"


@dataclass(frozen=True)
class Ledger:
    transactions: list[dict[str, Any]]
    budget_lines: list[dict[str, Any]]
    summary: dict[str, Any]


async def ledger(api: ConsoleApi, project_id: str) -> Ledger:
    """Raises ApiError (404) when the funding service does not hold the project for this person."""
    transactions = await api.get_json(f"{FUNDING}/projects/{project_id}/transactions")
    budget_lines = await api.get_json(f"{FUNDING}/projects/{project_id}/budget-lines")
    summary = await api.get_json(f"{FUNDING}/projects/{project_id}/summary")
    return Ledger(list(transactions["items"]), list(budget_lines["items"]), dict(summary))


async def sources(api: ConsoleApi, institution: str) -> list[dict[str, Any]]:
    return list((await api.get_json(f"{FUNDING}/sources", {"institution": institution}))["items"])


@dataclass(frozen=True)
class Rate:
    """The rate the funding service converts a currency with on a value date (its own lookup)."""

    units_per_eur: str
    rate_date: str
    source: str


@dataclass(frozen=True)
class Valued:
    """The amount in EUR as the funding service would book it, with the rate it would use."""

    eur: Decimal
    rate: Rate


async def valued(api: ConsoleApi, currency: str, amount: Decimal, on: str) -> Valued | Problem | None:
    """The funding service's own conversion (GET /rates/{currency}/conversion, nothing booked);
    None when it holds no rate for that date (a booking would be refused `missing-exchange-rate`);
    a Problem when it refuses the currency, the amount or the date."""
    path = f"{FUNDING}/rates/{currency}/conversion"
    response = await api.send("GET", path, params={"amount": str(amount), "on": on})
    if response.status_code == 200:
        body = response.json()
        rate = Rate(str(body["rate"]), str(body["rate_date"]), str(body["rate_source"]))
        return Valued(Decimal(str(body["amount_eur"])), rate)
    if response.status_code == 422 and response.json().get("type", "").endswith("/missing-exchange-rate"):
        return None
    if 400 <= response.status_code < 500:
        return problem_of(response)
    raise ApiError(response.status_code, f"{FUNDING}/rates/{{currency}}/conversion")


async def _create(api: ConsoleApi, path: str, body: dict[str, Any], key: str) -> dict[str, Any] | Problem:
    response = await api.send("POST", path, json=body, headers={"Idempotency-Key": key})
    if response.status_code in (200, 201):
        return dict(response.json())
    if response.status_code >= 500:
        raise ApiError(response.status_code, path)
    return problem_of(response)


async def book(api: ConsoleApi, project_id: str, kind: str, body: dict[str, Any], key: str) -> dict[str, Any] | Problem:
    """A budget line, or a transaction of the ledger's own type."""
    resource = "budget-lines" if kind == "budget" else "transactions"
    return await _create(api, f"{FUNDING}/projects/{project_id}/{resource}", body, key)


async def reverse(api: ConsoleApi, transaction_id: str, body: dict[str, Any], key: str) -> dict[str, Any] | Problem:
    return await _create(api, f"{FUNDING}/transactions/{transaction_id}/reverse", body, key)
