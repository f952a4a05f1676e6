"""What every page shares: the language from the URL, templates per language, the ETag from the
freshness of the data shown, and the filters of the API's reports."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any

from babel.support import Translations
from fastapi import Depends, HTTPException, Request
from starlette.responses import HTMLResponse, Response

from services.web.assets import Assets
from services.web.charts import SDG_COLOURS
from services.web.config import Settings
from services.web.gateway_client import Gateway
from services.web.geo import land_path
from services.web.i18n import LANGUAGES
from services.web.templating import LocalisedTemplates

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class Templates(LocalisedTemplates):
    """The portal's pages, in its three languages."""

    languages = LANGUAGES

    def globals_for(self, language: str, translations: Translations) -> dict[str, Any]:
        return {"sdg_colours": SDG_COLOURS, "land_path": land_path()}


def language_of(lang: str) -> str:
    if lang not in LANGUAGES:
        raise HTTPException(status_code=404)
    return lang


Language = Annotated[str, Depends(language_of)]


def gateway(request: Request) -> Gateway:
    value: Gateway = request.app.state.gateway
    return value


GatewayDep = Annotated[Gateway, Depends(gateway)]


def as_of_of(request: Request) -> str | None:
    """A valid past or present day, or nothing (the live figures)."""
    value = request.query_params.get("as_of") or None
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day.isoformat() if day <= date.today() else None


def freshness_key(*reports: dict[str, Any]) -> str:
    return json.dumps([report.get("freshness") for report in reports], sort_keys=True, default=str)


def page(
    request: Request,
    language: str,
    template: str,
    context: dict[str, Any],
    data_key: str,
    status: int = 200,
    csp: str = CSP,
) -> Response:
    """Render with an ETag made of the URL, the assets and the data's freshness; 304 when unchanged."""
    assets: Assets = request.app.state.assets
    settings: Settings = request.app.state.settings
    tag = hashlib.sha256(f"{request.url.path}?{request.url.query}|{assets.version}|{data_key}".encode()).hexdigest()
    etag = f'W/"{tag[:32]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.page_max_age_seconds}",
        "Content-Language": language,
        "Content-Security-Policy": csp,
        "Vary": "Accept-Language",
    }
    if status == 200 and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    templates: Templates = request.app.state.templates
    path = request.url.path.split("/", 2)[2] if request.url.path.count("/") >= 2 else ""
    query = f"?{request.url.query}" if request.url.query else ""
    body = templates.render(
        language, template, {"path": path, "query": query, "request_path": request.url.path, **context}
    )
    return HTMLResponse(body, status_code=status, headers=headers)
