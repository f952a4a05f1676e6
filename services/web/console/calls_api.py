"""The grant call's API as an applicant entity sees it: published calls, its own applications, and
each step the API takes from it (register, apply, upload, object, waive, accept, renounce, justify).
Every rule stays in the funding service; a refusal comes back as its problem."""

from __future__ import annotations

from typing import Any

from services.web.console.api import ConsoleApi, Problem, problem_of
from services.web.gateway_client import ApiError

GRANTS = "/api/funding/grants"


async def calls(api: ConsoleApi) -> list[dict[str, Any]]:
    return list((await api.get_json(f"{GRANTS}/calls"))["items"])


async def call(api: ConsoleApi, call_id: str) -> dict[str, Any] | None:
    response = await api.send("GET", f"{GRANTS}/calls/{call_id}")
    if response.status_code in (404, 422):
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, "/calls/{id}")
    return dict(response.json())


async def resolution(api: ConsoleApi, call_id: str) -> dict[str, Any] | None:
    """The call's latest published resolution (its deadlines: objections_until, acceptance_until)."""
    response = await api.send("GET", f"{GRANTS}/calls/{call_id}/resolution")
    return dict(response.json()) if response.status_code == 200 else None


async def own_applications(api: ConsoleApi) -> list[dict[str, Any]]:
    """The entity's applications across calls, newest first (a few pages at most)."""
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(10):
        listed = await api.get_json(f"{GRANTS}/applications", {"limit": "200", "cursor": cursor})
        items.extend(listed["items"])
        cursor = listed.get("next_cursor") or ""
        if not cursor:
            break
    return items


async def application(api: ConsoleApi, application_id: str) -> dict[str, Any] | None:
    response = await api.send("GET", f"{GRANTS}/applications/{application_id}")
    if response.status_code in (403, 404, 422):
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, "/applications/{id}")
    return dict(response.json())


async def documents(api: ConsoleApi, application_id: str) -> list[dict[str, Any]]:
    return list((await api.get_json(f"{GRANTS}/applications/{application_id}/documents"))["items"])


def _answer(response: Any) -> dict[str, Any] | Problem:
    return dict(response.json()) if response.status_code in (200, 201) else problem_of(response)


async def register_entity(api: ConsoleApi, body: dict[str, Any]) -> dict[str, Any] | Problem:
    return _answer(await api.send("POST", f"{GRANTS}/entities", json=body))


async def apply(api: ConsoleApi, call_id: str, body: dict[str, Any], key: str) -> dict[str, Any] | Problem:
    response = await api.send(
        "POST", f"{GRANTS}/calls/{call_id}/applications", json=body, headers={"Idempotency-Key": key}
    )
    return _answer(response)


async def upload(
    api: ConsoleApi, application_id: str, purpose: str, title: str, filename: str, content: bytes, media_type: str
) -> dict[str, Any] | Problem:
    response = await api.send(
        "POST",
        f"{GRANTS}/applications/{application_id}/documents",
        data={"purpose": purpose, "title": title},
        files={"file": (filename, content, media_type)},
    )
    return _answer(response)


async def step(
    api: ConsoleApi, application_id: str, name: str, body: dict[str, Any] | None
) -> dict[str, Any] | Problem:
    """One of the applicant's steps: objection, hearing-waiver, acceptance, renunciation, justification."""
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    return _answer(await api.send("POST", f"{GRANTS}/applications/{application_id}/{name}", **kwargs))


async def download(api: ConsoleApi, application_id: str, document_id: str) -> Any:
    return await api.send("GET", f"{GRANTS}/applications/{application_id}/documents/{document_id}")
