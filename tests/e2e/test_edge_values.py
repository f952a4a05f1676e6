"""Values at the edges of their range, in every query parameter of every operation and in the
bodies that carry dates and amounts: a 4xx problem naming the field, never a 500."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import orjson
import pytest

from tests.support.projects import project_payload
from tests.support.waiting import eventually


async def _funded_project(gateway: httpx.AsyncClient) -> str:
    """A project the funding service already knows (it learns of it from the projects topic)."""
    created = await gateway.post("/api/projects/projects", json=project_payload())
    assert created.status_code == 201, created.text
    project_id = str(created.json()["id"])

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project_id}")).status_code == 200

    await eventually(known, what="the project reaching funding")
    return project_id


EDGE_DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "10000-01-01", "2026-02-30"]
EDGE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", str(2**70)]
CRAFTED_CURSORS = [
    "x",
    "====",
    base64.urlsafe_b64encode(b"not json").decode(),
    base64.urlsafe_b64encode(orjson.dumps({"k": [1, 2]})).decode(),
    base64.urlsafe_b64encode(orjson.dumps(["9999-12-31T23:59:59", "zz"])).decode(),
    base64.urlsafe_b64encode(orjson.dumps([None, None])).decode(),
    base64.urlsafe_b64encode(orjson.dumps(["0001-01-01", str(uuid.uuid4())])).decode(),
    base64.urlsafe_b64encode(b"\xff" * 64).decode(),
    "A" * 4000,
]


def _values(name: str, schema: dict[str, Any]) -> list[str]:
    kinds = {s.get("type") for s in [schema, *schema.get("anyOf", [])]}
    formats = {s.get("format") for s in [schema, *schema.get("anyOf", [])]}
    if "cursor" in name or "after" in name or "before" in name:
        return CRAFTED_CURSORS
    if "date" in formats or "date-time" in formats or name in ("as_of", "since"):
        return EDGE_DATES
    if kinds & {"integer", "number"} or "year" in name:
        return [*EDGE_NUMBERS, "0", "-1"]
    return []


def _cases(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    cases = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                for value in _values(parameter["name"], parameter.get("schema", {})):
                    cases.append((method, path, parameter["name"], value))
    return cases


def _fill(path: str) -> str:
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        name = out[start + 1 : end]
        filler = (
            "2026"
            if name == "year"
            else "ajuntament-barcelona"
            if name in ("institution", "owner")
            else str(uuid.uuid4())
        )
        out = out[:start] + filler + out[end + 1 :]
    return out


async def test_every_query_parameter_at_its_edges_is_a_4xx_or_an_answer(gateway: httpx.AsyncClient) -> None:
    doc = (await gateway.get("/openapi.json")).json()
    cases = _cases(doc)
    assert len(cases) > 100, "the sweep reaches the reports, lists and exports"
    server_errors = []
    for _, path, name, value in cases:
        response = await gateway.get(_fill(path), params={name: value})
        if response.status_code >= 500:
            server_errors.append(f"GET {path}?{name}={value[:40]}: {response.status_code} {response.text[:200]}")
        elif response.status_code in (400, 422):
            assert response.headers["content-type"].startswith("application/problem+json")
    assert not server_errors, "\n".join(server_errors)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
async def test_project_dates_at_their_edges(gateway: httpx.AsyncClient, value: str) -> None:
    body = project_payload(dates={"planned_start": value, "planned_end": value})
    response = await gateway.post("/api/projects/projects", json=body)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert any("dates" in e["field"] for e in response.json()["errors"])


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e999", "sNaN", "1e-999"])
async def test_non_finite_amounts_are_refused_by_name(gateway: httpx.AsyncClient, amount: str) -> None:
    project_id = await _funded_project(gateway)
    bodies = {
        f"/api/funding/projects/{project_id}/transactions": {
            "transaction_type": "2",
            "amount": amount,
            "currency": "EUR",
            "value_date": "2026-01-15",
            "instrument": "conveni",
        },
        f"/api/funding/projects/{project_id}/budget-lines": {
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "amount": amount,
            "currency": "EUR",
        },
    }
    for path, body in bodies.items():
        response = await gateway.post(path, json=body)
        assert response.status_code == 422, (path, response.status_code, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["amount"], response.text


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
async def test_money_dates_at_their_edges(gateway: httpx.AsyncClient, value: str) -> None:
    project_id = await _funded_project(gateway)
    booked = await gateway.post(
        f"/api/funding/projects/{project_id}/transactions",
        json={
            "transaction_type": "2",
            "amount": "100.00",
            "currency": "EUR",
            "value_date": "2026-01-15",
            "instrument": "conveni",
        },
    )
    assert booked.status_code == 201, booked.text
    attempts = {
        "value_date": await gateway.post(
            f"/api/funding/projects/{project_id}/transactions",
            json={
                "transaction_type": "3",
                "amount": "10.00",
                "currency": "USD",
                "value_date": value,
                "instrument": "conveni",
            },
        ),
        "period": await gateway.post(
            f"/api/funding/projects/{project_id}/budget-lines",
            json={"period_start": value, "period_end": value, "amount": "10.00", "currency": "EUR"},
        ),
        "reversal": await gateway.post(
            f"/api/funding/transactions/{booked.json()['id']}/reverse",
            json={"reason": "edge", "value_date": value},
        ),
    }
    for what, response in attempts.items():
        assert response.status_code < 500, (what, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json"), what


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
async def test_rate_dates_outside_the_calendar_are_refused_by_name(gateway: httpx.AsyncClient, value: str) -> None:
    read = await gateway.get("/api/funding/rates/USD", params={"on": value})
    written = await gateway.put(f"/api/funding/rates/USD/{value}", json={"units_per_eur": "1.1", "source": "ECB"})
    for response, field in ((read, "on"), (written, "rate_date")):
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]
