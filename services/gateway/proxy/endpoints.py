"""The catch-all routes: /api/{service}/... goes to that service, path unchanged; every other path
that the gateway does not answer itself is a page of the public portal (services/web)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.gateway.proxy.service import UnknownService, Upstreams, forward

router = APIRouter()

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
# First path segments that belong to the gateway: an unknown path under them is the API's 404, never a page.
OWN_SEGMENTS = {"api", "oauth", ".well-known", "docs", "openapi.json", "asyncapi.json", "healthz", "readyz"}


@router.api_route("/api/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(service: str, path: str, request: Request) -> Response:
    upstreams: Upstreams = request.app.state.upstreams
    return await forward(upstreams, service, request)


# The portal's forms: the console's (CSRF-protected there) and its sign-out; no other page takes a POST.
@router.post("/auth/sign-out", include_in_schema=False)
@router.post("/{lang}/console/{path:path}", include_in_schema=False)
async def portal_forms(request: Request) -> Response:
    portal: Upstreams = request.app.state.portal
    return await forward(portal, "web", request)


@router.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def portal(path: str, request: Request) -> Response:
    if path.split("/", 1)[0] in OWN_SEGMENTS:
        raise UnknownService(f"There is no /{path}")
    portal: Upstreams = request.app.state.portal
    return await forward(portal, "web", request)
