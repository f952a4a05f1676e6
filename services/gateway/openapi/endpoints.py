"""/openapi.json (merged), /docs (Swagger UI over it) and /asyncapi.json (every topic and event)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse

from services.gateway.openapi import service
from services.gateway.openapi.service import OpenApiMerger

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi_document(request: Request) -> dict[str, Any]:
    app = request.app
    base = get_openapi(title="Xarxa API", version=app.version, description=app.description, routes=app.routes)
    merger: OpenApiMerger = app.state.openapi
    return await merger.document(base)


@router.get("/asyncapi.json")
async def asyncapi_document() -> dict[str, Any]:
    return service.asyncapi()


# Swagger UI from the npm package swagger-ui-dist, served by the portal (services/web): no CDN.
SWAGGER_UI = "/vendor/swagger-ui"


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Xarxa API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
    )
