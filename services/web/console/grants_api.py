"""The grant call's API as the signed-in grant manager or evaluator: every step through the
gateway's routes of funding's grants, the person's token and language on each call."""

from __future__ import annotations

from typing import Any

from services.web.console.api import ConsoleApi, Problem, problem_of
from services.web.gateway_client import ApiError

BASE = "/api/funding/grants"


async def calls(api: ConsoleApi, institution: str) -> list[dict[str, Any]]:
    """The institution's calls: the published ones, and its drafts for its own grant managers."""
    return list((await api.get_json(f"{BASE}/calls", {"institution": institution}))["items"])


async def call(api: ConsoleApi, call_id: str) -> dict[str, Any] | None:
    """The call, drafts included for its institution's officers; None when it is not there for them."""
    response = await api.send("GET", f"{BASE}/calls/{call_id}")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, f"{BASE}/calls/{{id}}")
    return dict(response.json())


async def call_applications(api: ConsoleApi, call_id: str) -> list[dict[str, Any]] | None:
    """Every application of the call with its sheets, for its institution's officers (None: not theirs)."""
    response = await api.send("GET", f"{BASE}/calls/{call_id}/applications")
    if response.status_code in (403, 404):
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, f"{BASE}/calls/{{id}}/applications")
    return list(response.json()["items"])


async def application(api: ConsoleApi, application_id: str) -> dict[str, Any] | None:
    response = await api.send("GET", f"{BASE}/applications/{application_id}")
    if response.status_code in (403, 404):
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, f"{BASE}/applications/{{id}}")
    return dict(response.json())


async def resolution(api: ConsoleApi, call_id: str) -> dict[str, Any] | None:
    """The call's latest resolution (provisional or definitive), None before the first."""
    response = await api.send("GET", f"{BASE}/calls/{call_id}/resolution")
    return dict(response.json()) if response.status_code == 200 else None


async def _post(api: ConsoleApi, path: str, body: dict[str, Any] | None, key: str = "") -> dict[str, Any] | Problem:
    headers = {"Idempotency-Key": key} if key else {}
    response = await api.send("POST", f"{BASE}{path}", json=body, headers=headers)
    return dict(response.json()) if response.status_code in (200, 201) else problem_of(response)


async def create_call(api: ConsoleApi, body: dict[str, Any], key: str) -> dict[str, Any] | Problem:
    return await _post(api, "/calls", body, key)


async def move_call(api: ConsoleApi, call_id: str, status: str) -> dict[str, Any] | Problem:
    return await _post(api, f"/calls/{call_id}/status", {"status": status})


async def resolve(api: ConsoleApi, call_id: str, kind: str) -> dict[str, Any] | Problem:
    return await _post(api, f"/calls/{call_id}/resolutions/{kind}", None)


async def admit(api: ConsoleApi, application_id: str, body: dict[str, Any]) -> dict[str, Any] | Problem:
    return await _post(api, f"/applications/{application_id}/admission", body)


async def score(api: ConsoleApi, application_id: str, body: dict[str, Any]) -> dict[str, Any] | Problem:
    return await _post(api, f"/applications/{application_id}/scores", body)


async def decide_objection(api: ConsoleApi, application_id: str, body: dict[str, Any]) -> dict[str, Any] | Problem:
    return await _post(api, f"/applications/{application_id}/objection/decision", body)


async def pay(api: ConsoleApi, application_id: str, body: dict[str, Any]) -> dict[str, Any] | Problem:
    return await _post(api, f"/applications/{application_id}/payments", body)


async def review_justification(api: ConsoleApi, application_id: str, body: dict[str, Any]) -> dict[str, Any] | Problem:
    return await _post(api, f"/applications/{application_id}/justification/review", body)
