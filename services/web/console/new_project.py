"""Officers: a project registered and published in a few short screens. The first step creates the
draft (one per Idempotency-Key made when the form is shown), each later step changes it with
If-Match (a change made since by someone else is refused, not lost); publishing shows first what
becomes public, and the registry says what an IATI activity still lacks."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from services.web.console import new_project_api as calls
from services.web.console import new_project_forms as forms
from services.web.console.api import ConsoleApi, Problem, idempotency_key
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import FieldError, date_labels, errors_of
from services.web.console.kit import (
    OFFICER_ROLES,
    Language,
    api_for,
    dedupe,
    forbidden,
    form_of,
    only,
    page,
    visible_project,
)
from services.web.console.session import Session
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console/projects")

STEP_TEMPLATES = {step: f"console/new/{step}.html" for step in forms.STEPS}


def _step_url(lang: str, project_id: object, step: str) -> str:
    return f"/{lang}/console/projects/{project_id}/steps/{step}"


def _redirect(request: Request, url: str) -> Response:
    return finish(request, RedirectResponse(url, status_code=303))


def _key(form: dict[str, str]) -> str:
    """The key the form was shown with; a form that lost it gets a new one (a create of its own)."""
    try:
        return str(uuid.UUID(form.get("idempotency_key", "")))
    except ValueError:
        return idempotency_key()


async def _signed_in(request: Request, lang: str) -> tuple[Session, ConsoleApi]:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    return session, api_for(request, session, lang)


def _options(items: list[dict[str, Any]], numbered: bool = False) -> list[dict[str, str]]:
    """A codelist as a picker's options: its code, and its name in the person's language."""
    return [{"code": i["code"], "label": f"{i['code']} {i['name']}" if numbered else i["name"]} for i in items]


async def _choices(api: ConsoleApi, session: Session, lang: str, step: str) -> dict[str, Any]:
    """What each step's pickers offer, from the API's codelists and lists."""
    if step == "what":
        return {
            "sectors": _options(await calls.codelist(api, "Sector", lang), numbered=True),
            "modalities": _options(await calls.codelist(api, "modalities", lang)),
            "statuses": _options(await calls.codelist(api, "ActivityStatus", lang)),
        }
    if step == "where":
        partners = await calls.known_partners(api, session.tenant)
        return {
            "countries": _options(await calls.codelist(api, "Country", lang)),
            "roles": _options(await calls.codelist(api, "OrganisationRole", lang)),
            "networks": await calls.networks(api),
            "partners": [{"code": p["ref"], "label": f"{p['name']} ({p['ref']})"} for p in partners],
        }
    if step == "sdgs":
        return {
            "goals": [
                {"code": g["code"], "label": f"{g['code']}. {g['name']}"}
                for g in await calls.codelist(api, "sdg-goals", lang)
            ]
        }
    return {
        "result_types": _options(await calls.codelist(api, "ResultType", lang)),
        "measures": _options(await calls.codelist(api, "IndicatorMeasure", lang)),
    }


def _labels(lang: str) -> dict[str, str]:
    return date_labels(Formats(lang).gettext)


async def _show(
    request: Request,
    session: Session,
    lang: str,
    step: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    api = api_for(request, session, lang)
    full = {"step": step, "steps": forms.STEPS, "errors": [], "stale": False, **context}
    full.update(await _choices(api, session, lang, step))
    return page(request, session, lang, STEP_TEMPLATES[step], full, status)


def _refused(problem: Problem) -> int:
    return 409 if problem.status == 412 else 422


# --- (a) What it is: the draft is created here ------------------------------------------------


@router.get("/new")
async def new_project(request: Request, lang: Language) -> Response:
    session, _ = await _signed_in(request, lang)
    context = {"project": None, "etag": "", "values": forms.what_values(None), "key": idempotency_key()}
    return await _show(request, session, lang, "what", context)


@router.post("/new")
async def create_project(request: Request, lang: Language) -> Response:
    session, api = await _signed_in(request, lang)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    typed, key = forms.what_typed(form), _key(form)
    created = await calls.create_draft(api, forms.what_create(typed, session.tenant), key)
    if isinstance(created, calls.Saved):
        return _redirect(request, _step_url(lang, created.project["id"], "where"))
    errors = dedupe(errors_of(created, forms.what_field, _labels(lang)))
    context = {"project": None, "etag": "", "values": typed, "key": key, "errors": errors}
    return await _show(request, session, lang, "what", context, status=_refused(created))


# --- Every step of a project registered --------------------------------------------------------


def _step(step: str) -> str:
    if step not in forms.STEPS:
        raise HTTPException(status_code=404)
    return step


def _values(step: str, project: dict[str, Any], choices: dict[str, Any], lang: str) -> dict[str, Any]:
    if step == "what":
        return {"values": forms.what_values(project)}
    if step == "where":
        return {"values": forms.where_values(project, choices["networks"])}
    if step == "sdgs":
        rows = forms.sdg_values(project, lang)
        request = forms.sdg_request(rows, lang)
        return {"values": rows.values, "rows": rows.count, "total": forms.sdg_total(request)}
    return {"results": forms.results_rows(project, lang)}


@router.get("/{project_id}/steps/{step}")
async def step_page(request: Request, lang: Language, project_id: uuid.UUID, step: str) -> Response:
    session, api = await _signed_in(request, lang)
    project, etag = await visible_project(api, project_id)
    step = _step(step)
    networks = await calls.networks(api) if step == "where" else []
    context = {"project": project, "etag": etag, **_values(step, project, {"networks": networks}, lang)}
    return await _show(request, session, lang, step, context)


@router.post("/{project_id}/steps/{step}")
async def step_save(request: Request, lang: Language, project_id: uuid.UUID, step: str) -> Response:
    session, api = await _signed_in(request, lang)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    step = _step(step)
    project, _ = await visible_project(api, project_id)
    # The version the person read: a change made since by someone else is refused (412), not lost.
    etag = form.get("etag", "")[:40]
    saved, context = await _save(api, session, lang, step, project, etag, form)
    if isinstance(saved, calls.Saved):
        following = forms.STEPS.index(step) + 1
        if following < len(forms.STEPS):
            return _redirect(request, _step_url(lang, project_id, forms.STEPS[following]))
        return _redirect(request, f"/{lang}/console/projects/{project_id}/publish")
    context = {"project": project, "etag": etag, **context}
    status = 200 if saved is None else (409 if context.get("stale") else 422)
    return await _show(request, session, lang, step, context, status=status)


async def _save(
    api: ConsoleApi,
    session: Session,
    lang: str,
    step: str,
    project: dict[str, Any],
    etag: str,
    form: dict[str, str],
) -> tuple[calls.Saved | Problem | None, dict[str, Any]]:
    """The step's change, and what to show again when it is not saved: None with the form itself
    (a row added or removed, the total counted), or the API's problem beside the fields."""
    gettext = Formats(lang).gettext
    project_id = str(project["id"])

    def refused(problem: Problem, field_of: Any, shown: dict[str, Any]) -> tuple[Problem, dict[str, Any]]:
        errors = dedupe(errors_of(problem, field_of, _labels(lang)))
        return problem, {**shown, "errors": errors, "stale": problem.status == 412}

    if step == "what":
        typed = forms.what_typed(form)
        typed["code"], typed["status"] = project["code"], project["status"]  # their own operations
        saved = await calls.patch(api, project_id, etag, forms.what_editable(typed, project))
        if isinstance(saved, calls.Saved):
            return saved, {}
        return refused(saved, forms.what_field, {"values": typed})
    if step == "where":
        networks = await calls.networks(api)
        partners = await calls.known_partners(api, session.tenant)
        institutions = {i["code"]: i["name"] for i in await calls.codelist(api, "institutions", lang)}
        typed_where = forms.where_typed(form, networks)
        body = forms.where_patch(typed_where, project, partners, networks, institutions.get(project["owner"], ""))
        saved = await calls.patch(api, project_id, etag, body)
        if isinstance(saved, calls.Saved):
            return saved, {}
        kept = len(body["participating_orgs"]) - len(
            [o for o in body["participating_orgs"] if o.get("side") == "partner"]
        )
        return refused(saved, forms.where_field(kept, typed_where), {"values": typed_where})
    if step == "sdgs":
        rows = forms.sdg_typed(form, add=form.get("action") == "add")
        request = forms.sdg_request(rows, lang)
        shown: dict[str, Any] = {"values": rows.values, "rows": rows.count, "total": forms.sdg_total(request)}
        if form.get("action") in ("add", "total"):
            return None, shown
        if not request.goals:
            return Problem(422, "", ""), {**shown, "errors": [forms.sdg_missing(gettext)]}
        saved = await calls.patch(api, project_id, etag, {"sdg_goals": request.goals})
        if isinstance(saved, calls.Saved):
            return saved, {}
        return refused(saved, forms.sdg_field(request), shown)
    results = forms.results_typed(form)
    if forms.results_edit(results, form.get("action", "")):
        return None, {"results": results}
    sent = forms.results_request(results, lang)
    if not any(result["indicators"] for result in sent.results):
        return Problem(422, "", ""), {"results": results, "errors": [forms.results_missing(gettext)]}
    saved = await calls.replace_results(api, project_id, etag, sent.results)
    if isinstance(saved, calls.Saved):
        return saved, {}
    return refused(saved, forms.results_field(sent), {"results": results})


# --- Publishing and archiving ----------------------------------------------------------------


def _gaps(problem: Problem, lang: str, project_id: object) -> list[dict[str, str]]:
    """What the registry said the project lacks, each with a link to the step that asks for it."""
    gaps = []
    for error in errors_of(problem, lambda e: forms.step_of(e), _labels(lang)):
        gaps.append({"message": error.message, "href": _step_url(lang, project_id, error.field or "what")})
    return gaps


async def _public_view(api: ConsoleApi, project: dict[str, Any], lang: str) -> dict[str, Any]:
    """The names the portal shows for the project's codes."""
    goals = {g["code"]: g["name"] for g in await calls.codelist(api, "sdg-goals", lang)}
    sectors = {s["code"]: s["name"] for s in await calls.codelist(api, "Sector", lang)}
    countries = {c["code"]: c["name"] for c in await calls.codelist(api, "Country", lang)}
    return {"goal_names": goals, "sector_names": sectors, "country_names": countries}


async def _publish_page(
    request: Request,
    session: Session,
    lang: str,
    project: dict[str, Any],
    etag: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    api = api_for(request, session, lang)
    full = {"project": project, "etag": etag, "gaps": [], "stale": False, "refusal": "", "published": False, **context}
    full.update(await _public_view(api, project, lang))
    # Named before the button is pressed: the registry's own rule, previewed (the same as publish's 422).
    needed = [] if project["visibility"] != "draft" else (await calls.publication_check(api, project["id"]))["missing"]
    full["needed"] = [
        {"message": g["message"], "href": _step_url(lang, project["id"], forms.step_of(g))} for g in needed
    ]
    return page(request, session, lang, "console/new/publish.html", full, status)


@router.get("/{project_id}/publish")
async def publish_page(request: Request, lang: Language, project_id: uuid.UUID, published: bool = False) -> Response:
    session, api = await _signed_in(request, lang)
    project, etag = await visible_project(api, project_id)
    return await _publish_page(request, session, lang, project, etag, {"published": published})


@router.post("/{project_id}/publish")
async def publish(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session, api = await _signed_in(request, lang)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    project, _ = await visible_project(api, project_id)
    etag = form.get("etag", "")[:40]
    done = await calls.publish(api, str(project_id), etag)
    if isinstance(done, calls.Saved):
        return _redirect(request, f"/{lang}/console/projects/{project_id}/publish?published=true")
    context: dict[str, Any] = {"published": False, "stale": done.status == 412}
    if done.status == 422:
        context["gaps"] = _gaps(done, lang, project_id)
    elif done.status != 412:
        context["refusal"] = done.detail or done.title
    return await _publish_page(request, session, lang, project, etag, context, status=_refused(done))


@router.get("/{project_id}/archive")
async def archive_page(request: Request, lang: Language, project_id: uuid.UUID, archived: bool = False) -> Response:
    session, api = await _signed_in(request, lang)
    project, etag = await visible_project(api, project_id)
    context = {"project": project, "etag": etag, "errors": [], "stale": False, "archived": archived}
    return page(request, session, lang, "console/new/archive.html", context)


@router.post("/{project_id}/archive")
async def archive(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session, api = await _signed_in(request, lang)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    project, _ = await visible_project(api, project_id)
    etag = form.get("etag", "")[:40]
    if form.get("confirm") != "yes":
        gettext = Formats(lang).gettext
        errors = [FieldError("confirm", gettext("Confirm that the project is to be archived."))]
        context = {"project": project, "etag": etag, "errors": errors, "stale": False, "archived": False}
        return page(request, session, lang, "console/new/archive.html", context, status=422)
    done = await calls.archive(api, str(project_id), etag)
    if isinstance(done, calls.Saved):
        return _redirect(request, f"/{lang}/console/projects/{project_id}/archive?archived=true")
    errors = [] if done.status == 412 else errors_of(done, lambda e: None)
    context = {"project": project, "etag": etag, "errors": errors, "stale": done.status == 412, "archived": False}
    return page(request, session, lang, "console/new/archive.html", context, status=_refused(done))
