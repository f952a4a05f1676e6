"""The public portal: server-rendered pages in Catalan, Spanish and English over the gateway's public
API. No database and no Kafka: its only dependency is the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from services.web.assets import LONG_CACHE, Assets
from services.web.config import Settings
from services.web.console import admin as console_admin
from services.web.console import admin_clients as console_admin_clients
from services.web.console import audit as console_audit
from services.web.console import auth as console_auth
from services.web.console import calls as console_calls
from services.web.console import grants as console_grants
from services.web.console import home as console_home
from services.web.console import imports as console_imports
from services.web.console import money as console_money
from services.web.console import new_project as console_new_project
from services.web.console import projects as console_projects
from services.web.console import reviews as console_reviews
from services.web.console import updates as console_updates
from services.web.console.api import Unauthenticated
from services.web.console.auth import Console, ConsoleOff, SignInRequired, sign_in_redirect
from services.web.console.provider import Provider
from services.web.console.rendering import CONSOLE_LANGUAGES, ConsoleTemplates
from services.web.gateway_client import ApiError, Gateway
from services.web.i18n import LANGUAGES, negotiate
from services.web.pages import embed, events, explore, home, places, project, reports
from services.web.pages.common import CSP, Templates
from shared.logs import configure_logging

SWAGGER_UI_DIR = Path(__file__).parent / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        app.state.gateway = Gateway(
            settings.gateway_url, settings.connect_timeout, settings.read_timeout, settings.codelist_cache_seconds
        )
        # The console exists only where the gateway knows the portal as its client (a secret given).
        if settings.client_secret is not None:
            app.state.console = Console(settings, Provider(settings, app.state.gateway.http))
        try:
            yield
        finally:
            await app.state.gateway.aclose()

    app = FastAPI(title="Xarxa portal", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.assets = Assets.load()
    app.state.templates = Templates(app.state.assets)
    app.state.console_templates = ConsoleTemplates(app.state.assets)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> Response:
        try:
            response = await request.app.state.gateway.http.get("/healthz", timeout=5.0)
            ready = response.status_code == 200
        except httpx.HTTPError:
            ready = False
        if ready:
            return JSONResponse({"status": "ready", "checks": {"gateway": "ok"}})
        return JSONResponse({"status": "not-ready", "checks": {"gateway": "unreachable"}}, 503, {"Retry-After": "5"})

    @app.get("/")
    async def root(request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        return RedirectResponse(f"/{language}/", status_code=302, headers={"Vary": "Accept-Language"})

    @app.get("/static/{name}")
    async def static(name: str) -> Response:
        assets: Assets = app.state.assets
        if name not in assets.files:
            raise HTTPException(status_code=404)
        content, media_type = assets.files[name]
        return Response(content, media_type=media_type, headers={"Cache-Control": LONG_CACHE})

    @app.get("/vendor/swagger-ui/{name}")
    async def swagger_ui(name: str) -> Response:
        """The files of the npm package swagger-ui-dist that the gateway's /docs loads."""
        if name not in SWAGGER_UI_FILES:
            raise HTTPException(status_code=404)
        path = SWAGGER_UI_DIR / name
        if not path.is_file():
            raise HTTPException(status_code=404)
        return Response(
            path.read_bytes(), media_type=SWAGGER_UI_FILES[name], headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        """Browsers ask for it on pages that name no icon (the gateway's sign-in pages): no icon, no 404."""
        return Response(status_code=204, headers={"Cache-Control": LONG_CACHE})

    @app.get("/{lang}")
    async def language_root(lang: str) -> Response:
        if lang not in LANGUAGES:
            raise HTTPException(status_code=404)
        return RedirectResponse(f"/{lang}/", status_code=301)

    app.include_router(console_auth.router)
    for console_module in (
        console_home,
        console_new_project,  # before console_projects: /projects/new is not a project id
        console_projects,
        console_updates,
        console_grants,
        console_reviews,
        console_imports,
        console_admin,
        console_money,
        console_calls,
        console_audit,
        console_admin_clients,
    ):
        app.include_router(console_module.router)
    for module in (home, explore, project, places, reports, events, embed):
        app.include_router(module.router)

    def error_page(request: Request, status: int) -> Response:
        first = request.url.path.strip("/").split("/")[0]
        language = first if first in LANGUAGES else negotiate(request.headers.get("accept-language"))
        templates: Templates = request.app.state.templates
        body = templates.render(
            language,
            "error.html",
            {"title": "error", "status": status, "path": "", "query": "", "request_path": request.url.path},
        )
        return Response(
            body,
            status_code=status,
            media_type="text/html",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", "Content-Language": language},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_page(request, exc.status_code)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        return sign_in_redirect(exc, request)

    @app.exception_handler(Unauthenticated)
    async def token_refused(request: Request, exc: Unauthenticated) -> Response:
        # The API no longer takes the session's token (the user disabled, say): sign in again.
        first = request.url.path.strip("/").split("/")[0]
        language = first if first in CONSOLE_LANGUAGES else "ca"
        return sign_in_redirect(SignInRequired(language, f"/{language}/console"), request)

    @app.exception_handler(ConsoleOff)
    async def console_off(request: Request, exc: ConsoleOff) -> Response:
        return error_page(request, 404)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        # A filter value the API refuses (an edited address) means there is no such page.
        return error_page(request, 404 if exc.status in (404, 422) else 502)

    @app.exception_handler(httpx.HTTPError)
    async def unreachable(request: Request, exc: Any) -> Response:
        return error_page(request, 503)

    return app
