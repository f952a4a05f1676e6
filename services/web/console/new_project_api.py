"""The projects API calls of the new-project wizard and of publishing, as the signed-in officer (the
registry applies every rule: the console sends what was typed and shows what it answers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.web.console.api import ConsoleApi, Problem, problem_of

PROJECTS = "/api/projects/projects"


@dataclass(frozen=True)
class Saved:
    """A project as the API answered a change, with its new ETag."""

    project: dict[str, Any]
    etag: str


async def create_draft(api: ConsoleApi, body: dict[str, Any], key: str) -> Saved | Problem:
    """One draft per key: a second submit of the same form is the API's replay of the first."""
    response = await api.send("POST", PROJECTS, json=body, headers={"Idempotency-Key": key})
    if response.status_code in (200, 201):
        return Saved(dict(response.json()), response.headers.get("etag", ""))
    return problem_of(response)


async def _change(api: ConsoleApi, method: str, path: str, etag: str, **kwargs: Any) -> Saved | Problem:
    headers = {"If-Match": etag, **kwargs.pop("headers", {})}
    response = await api.send(method, path, headers=headers, **kwargs)
    if response.status_code == 200:
        return Saved(dict(response.json()), response.headers.get("etag", ""))
    return problem_of(response)


async def patch(api: ConsoleApi, project_id: str, etag: str, body: dict[str, Any]) -> Saved | Problem:
    headers = {"Content-Type": "application/merge-patch+json"}
    return await _change(api, "PATCH", f"{PROJECTS}/{project_id}", etag, json=body, headers=headers)


async def replace_results(api: ConsoleApi, project_id: str, etag: str, results: list[Any]) -> Saved | Problem:
    return await _change(api, "PUT", f"{PROJECTS}/{project_id}/results", etag, json={"results": results})


async def publish(api: ConsoleApi, project_id: str, etag: str) -> Saved | Problem:
    return await _change(api, "POST", f"{PROJECTS}/{project_id}/publish", etag)


async def publication_check(api: ConsoleApi, project_id: str) -> dict[str, Any]:
    """What publishing would find missing now, in the person's language (changes nothing)."""
    return dict(await api.get_json(f"{PROJECTS}/{project_id}/publication-check"))


async def archive(api: ConsoleApi, project_id: str, etag: str) -> Saved | Problem:
    return await _change(api, "POST", f"{PROJECTS}/{project_id}/archive", etag)


async def codelist(api: ConsoleApi, name: str, language: str) -> list[dict[str, Any]]:
    """A codelist's items (code, name in the person's language where the source has it)."""
    labelled = language if language in ("ca", "es", "en", "fr", "pt") else "en"
    return list((await api.get_json(f"/api/projects/codelists/{name}", {"lang": labelled}))["items"])


async def networks(api: ConsoleApi) -> list[dict[str, Any]]:
    return list((await api.get_json("/api/projects/networks"))["items"])


async def known_partners(api: ConsoleApi, owner: str) -> list[dict[str, str]]:
    """The partner organisations the institution's projects already name (the registry keeps no
    separate list of partners): each once, by its ref, with the name and type it was given."""
    found: dict[str, dict[str, str]] = {}
    for visibility in ("published", "draft"):
        listed = await api.get_json(PROJECTS, {"owner": owner, "visibility": visibility, "limit": "500"})
        for project in listed["items"]:
            for org in project.get("participating_orgs") or []:
                if org.get("side") == "partner" and org["ref"] not in found:
                    found[org["ref"]] = {"ref": org["ref"], "name": org["name"], "type": str(org.get("type") or "")}
    return sorted(found.values(), key=lambda org: org["name"].casefold())
