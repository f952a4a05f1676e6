"""The gateway's API as the signed-in person: every call carries their access token and language,
so the services apply their own access rules (the console only shows what they answer)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.web.gateway_client import ApiError, Gateway


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem the API answered: errors[] carry field, code, params and the message
    already in the caller's language (Accept-Language)."""

    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)


class Unauthenticated(Exception):
    """The API refused the token (401): the session is over."""


def problem_of(response: httpx.Response) -> Problem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    listed = body.get("errors")
    errors: list[Any] = listed if isinstance(listed, list) else []
    return Problem(
        response.status_code,
        str(body.get("title", "")),
        str(body.get("detail", "")),
        [e for e in errors if isinstance(e, dict)],
    )


class ConsoleApi:
    def __init__(self, gateway: Gateway, access_token: str, language: str) -> None:
        self.http = gateway.http
        self.headers = {"Authorization": f"Bearer {access_token}", "Accept-Language": language}

    async def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any call as the person (each role's API module builds on this and `get_json`)."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.http.request(method, path, headers=headers, **kwargs)
        if response.status_code == 401:
            raise Unauthenticated()
        return response

    async def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = await self.send("GET", path, params={k: v for k, v in (params or {}).items() if v})
        if response.status_code != 200:
            raise ApiError(response.status_code, path)
        return response.json()

    # --- projects ---

    async def projects(self, params: dict[str, str]) -> dict[str, Any]:
        return dict(await self.get_json("/api/projects/projects", params))

    async def project(self, project_id: str) -> tuple[dict[str, Any], str]:
        """The project as the person may see it, and its ETag (the version edits must match)."""
        response = await self.send("GET", f"/api/projects/projects/{project_id}")
        if response.status_code != 200:
            raise ApiError(response.status_code, "/api/projects/projects/{id}")
        return dict(response.json()), response.headers.get("etag", "")

    async def patch_project(self, project_id: str, etag: str, patch: dict[str, Any]) -> Problem | None:
        response = await self.send(
            "PATCH",
            f"/api/projects/projects/{project_id}",
            json=patch,
            headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
        )
        return None if response.status_code == 200 else problem_of(response)

    async def push_update(self, project_id: str, content: dict[str, Any], key: str) -> dict[str, Any] | Problem:
        response = await self.send(
            "POST",
            f"/api/projects/projects/{project_id}/updates",
            json=content,
            headers={"Idempotency-Key": key},
        )
        return dict(response.json()) if response.status_code in (200, 201) else problem_of(response)

    async def updates(self) -> list[dict[str, Any]]:
        return list((await self.get_json("/api/projects/updates"))["items"])

    # --- grants ---

    async def calls(self, institution: str) -> list[dict[str, Any]]:
        return list((await self.get_json("/api/funding/grants/calls", {"institution": institution}))["items"])

    async def applications(self, state: str) -> list[dict[str, Any]]:
        """The applications to the person's institution's calls, newest first."""
        listed = await self.get_json("/api/funding/grants/applications", {"limit": "100", "state": state})
        return list(listed["items"])


def idempotency_key() -> str:
    return str(uuid.uuid4())
