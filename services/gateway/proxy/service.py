"""Forwarding a request to the service that owns its path, over pooled keep-alive connections."""

from __future__ import annotations

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from shared.events import child_traceparent
from shared.problems import ProblemError

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}

# Set by the gateway's own server and middleware; the upstream's copies would be duplicates.
OWN_HEADERS = {"date", "server", "x-request-id"}


class UnknownService(ProblemError):
    status, kind, title = 404, "not-found", "No such API"


class BadTarget(ProblemError):
    status, kind, title = 400, "invalid-url", "The URL cannot be forwarded"


class UpstreamUnavailable(ProblemError):
    status, kind, title = 502, "upstream-unavailable", "The service behind this path is unavailable"


class UpstreamTimeout(ProblemError):
    status, kind, title = 504, "upstream-timeout", "The service behind this path did not answer in time"


class Upstreams:
    """One httpx client per service, created in the gateway's lifespan."""

    def __init__(self, bases: dict[str, str], connect_timeout: float, read_timeout: float, max_connections: int):
        # Idle connections are dropped before uvicorn's 5 s keep-alive closes them server-side:
        # reusing one the server is closing at that instant fails with a ReadError (seen as a 503).
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=2.0
        )
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self.clients = {
            name: httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) for name, url in bases.items()
        }

    def client(self, service: str) -> httpx.AsyncClient:
        try:
            return self.clients[service]
        except KeyError:
            raise UnknownService(f"There is no /api/{service}") from None

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()


def _forward_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
    headers = [(k, v) for k, v in headers if k.lower() not in ("x-request-id", "traceparent")]
    headers.append(("x-request-id", request.state.request_id))
    headers.append(("traceparent", child_traceparent(request.headers.get("traceparent"))))
    if request.client:
        headers.append(("x-forwarded-for", request.client.host))
    return headers


async def forward(upstreams: Upstreams, service: str, request: Request) -> Response:
    client = upstreams.client(service)
    # The path and query go on exactly as received (still percent-encoded), never re-encoded.
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    target = raw_path.decode("latin-1")
    if request.scope.get("query_string"):
        target += "?" + request.scope["query_string"].decode("latin-1")
    try:
        upstream_request = client.build_request(
            request.method, target, headers=_forward_headers(request), content=await request.body()
        )
    except httpx.InvalidURL as exc:
        raise BadTarget(str(exc)) from exc
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(f"{service} did not answer: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise UpstreamUnavailable(f"{service} is unreachable: {type(exc).__name__}") from exc
    headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP | OWN_HEADERS}
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )
