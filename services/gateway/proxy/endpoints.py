"""The catch-all route: /api/{service}/... goes to that service, path unchanged."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.gateway.proxy.service import Upstreams, forward

router = APIRouter()

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/api/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(service: str, path: str, request: Request) -> Response:
    upstreams: Upstreams = request.app.state.upstreams
    return await forward(upstreams, service, request)
