"""The updates API's review routes and the imports API, as the signed-in officer or reviewer."""

from __future__ import annotations

import asyncio
from typing import Any

from services.web.console.api import ConsoleApi, Problem, problem_of
from services.web.gateway_client import ApiError

UPDATE_STATES = ("submitted", "approved", "returned")


async def updates_of_projects(api: ConsoleApi, state: str, project_id: str) -> list[dict[str, Any]]:
    """The updates of the person's institution's projects (the API picks them by the person's
    tenant), oldest first: the one waiting longest is reviewed first."""
    listed = await api.get_json("/api/projects/updates", {"status": state, "project_id": project_id})
    return sorted(listed["items"], key=lambda u: (u["created_at"], u["id"]))


async def update(api: ConsoleApi, update_id: str) -> dict[str, Any] | None:
    response = await api.send("GET", f"/api/projects/updates/{update_id}")
    if response.status_code in (403, 404, 422):
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, "/api/projects/updates/{id}")
    return dict(response.json())


async def review(api: ConsoleApi, update_id: str, decision: str, comments: str) -> dict[str, Any] | Problem:
    body: dict[str, Any] = {"decision": decision}
    if comments:
        body["comments"] = comments
    response = await api.send("POST", f"/api/projects/updates/{update_id}/review", json=body)
    return dict(response.json()) if response.status_code == 200 else problem_of(response)


async def projects_by_id(api: ConsoleApi, ids: set[str]) -> dict[str, dict[str, Any]]:
    """The projects the updates are about, as the person may see them (one missing is left out)."""

    async def one(project_id: str) -> tuple[str, dict[str, Any] | None]:
        try:
            project, _ = await api.project(project_id)
        except ApiError:
            return project_id, None
        return project_id, project

    found = await asyncio.gather(*(one(i) for i in sorted(ids)))
    return {i: p for i, p in found if p is not None}


async def import_file(api: ConsoleApi, kind: str, owner: str, visibility: str, data: bytes) -> dict[str, Any] | Problem:
    """A CSV of the template's columns or an IATI activity file, for the person's institution."""
    if kind == "iati":
        path, media, params = (
            "/api/projects/imports/iati",
            "application/xml",
            {"owner": owner, "visibility": visibility},
        )
    else:
        path, media, params = "/api/projects/imports/csv", "text/csv", {"owner": owner}
    response = await api.send("POST", path, params=params, content=data, headers={"Content-Type": media}, timeout=300)
    return dict(response.json()) if response.status_code in (200, 201) else problem_of(response)


async def iati_report(api: ConsoleApi, import_id: str) -> dict[str, Any] | None:
    """An IATI import's report (with funding's answers for each activity's money, once in)."""
    response = await api.send("GET", f"/api/projects/imports/iati/{import_id}")
    if response.status_code in (403, 404, 422):
        return None
    if response.status_code != 200:
        raise ApiError(response.status_code, "/api/projects/imports/iati/{id}")
    return dict(response.json())
