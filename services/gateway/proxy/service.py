"""Forwarding a request to the service that owns its path, over pooled keep-alive connections."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from yarl import URL

from services.gateway.guards.client_address import FORWARDING_HEADERS
from shared.events import child_traceparent
from shared.guards import STREAMED
from shared.problems import RETRY_AFTER_SECONDS, ProblemError

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


class UpstreamUnreachable(ProblemError):
    """The request never reached the service (no connection): nothing happened, safe to retry."""

    status, kind, title = 503, "upstream-unreachable", "The service behind this path cannot be reached now"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class UpstreamBrokeOff(ProblemError):
    """The service took the request and broke off before answering: it may or may not have acted."""

    status, kind, title = 502, "upstream-broke-off", "The service behind this path broke off its answer"


class UpstreamTimeout(ProblemError):
    status, kind, title = 504, "upstream-timeout", "The service behind this path did not answer in time"


class Upstreams:
    """Per service: an aiohttp session that forwards requests (its pool costs far less per request
    than httpx's), and an httpx client for the gateway's own calls (OpenAPI documents, readiness).
    Created in the gateway's lifespan."""

    def __init__(self, bases: dict[str, str], connect_timeout: float, read_timeout: float, max_connections: int):
        # Idle connections are dropped before uvicorn's 5 s keep-alive closes them server-side:
        # reusing one the server is closing at that instant fails with a ReadError (seen as a 503).
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=2.0
        )
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self.bases = {name: url.rstrip("/") for name, url in bases.items()}
        self.clients = {
            name: httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) for name, url in bases.items()
        }
        self._limits = (connect_timeout, read_timeout, max_connections)
        self.sessions: dict[str, aiohttp.ClientSession] = {}

    def client(self, service: str) -> httpx.AsyncClient:
        try:
            return self.clients[service]
        except KeyError:
            raise UnknownService(f"There is no /api/{service}") from None

    def session(self, service: str) -> tuple[str, aiohttp.ClientSession]:
        if service not in self.bases:
            raise UnknownService(f"There is no /api/{service}")
        if service not in self.sessions:  # made inside the running event loop, on first use
            connect, read, limit = self._limits
            self.sessions[service] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, keepalive_timeout=2.0),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read),
                auto_decompress=False,  # bodies pass through exactly as the service encoded them
                skip_auto_headers=("User-Agent",),
            )
        return self.bases[service], self.sessions[service]

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        for session in self.sessions.values():
            await session.close()


# Replaced by the gateway's own values, never passed on as the caller wrote them.
REPLACED = {"x-request-id", "traceparent", *FORWARDING_HEADERS}


def _forward_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | REPLACED]
    headers.append(("x-request-id", request.state.request_id))
    headers.append(("traceparent", child_traceparent(request.headers.get("traceparent"))))
    if request.client:  # the address the gateway decided on (see guards/client_address.py)
        headers.append(("x-forwarded-for", request.client.host))
    headers.append(("x-forwarded-proto", request.url.scheme))
    return headers


class StreamedBody:
    """A request body passed on chunk by chunk as it arrives (an IATI import's file), never whole
    in memory. The input guard counts it (shared/guards.py); the refusal it raises on passing the
    limit is kept, so that the aborted upstream request answers as that 413."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.refused: ProblemError | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.request.stream():
                if chunk:
                    yield chunk
        except ProblemError as exc:
            self.refused = exc
            raise


# Responses up to this size are read whole (cheaper than streaming); larger ones, such as the IATI
# export, stream through chunk by chunk in constant memory.
BUFFERED_MAX = 1 << 20


async def forward(upstreams: Upstreams, service: str, request: Request) -> Response:
    base, session = upstreams.session(service)
    # The path and query go on exactly as received (still percent-encoded), never re-encoded.
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    target = raw_path.decode("latin-1")
    if request.scope.get("query_string"):
        target += "?" + request.scope["query_string"].decode("latin-1")
    try:
        url = URL(base + target, encoded=True)
    except ValueError as exc:
        raise BadTarget(str(exc)) from exc
    # A streamed body goes on chunked as it arrives; the upstream sees it cut short when it passes
    # its limit, and acts on nothing it has not read whole (the import spools first).
    streamed = StreamedBody(request) if getattr(request.state, STREAMED, False) else None
    body = streamed.chunks() if streamed else (await request.body()) or None
    request.state.forwarded = True  # from here the service may act: the audit records it before the answer
    try:
        upstream = await session.request(
            request.method, url, headers=_forward_headers(request), data=body, allow_redirects=False
        )
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
        raise UpstreamUnreachable(f"{service} cannot be reached; the request was not sent") from exc
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise UpstreamTimeout(f"{service} did not answer in time; it may have acted") from exc
    except aiohttp.InvalidURL as exc:
        raise BadTarget("The URL cannot be forwarded") from exc
    except aiohttp.ClientError as exc:
        if streamed is not None and streamed.refused is not None:
            raise streamed.refused from exc
        raise UpstreamBrokeOff(f"{service} broke off the request; it may have acted") from exc
    headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP | OWN_HEADERS]
    if upstream.content_length is not None and upstream.content_length <= BUFFERED_MAX:
        try:
            content = await upstream.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise UpstreamBrokeOff(f"{service} broke off its answer; it may have acted") from exc
        finally:
            upstream.release()
        response = Response(content, status_code=upstream.status)
    else:
        response = StreamingResponse(
            upstream.content.iter_chunked(1 << 16),
            status_code=upstream.status,
            background=BackgroundTask(upstream.release),
        )
    response.raw_headers = [
        *(h for h in response.raw_headers if h[0] == b"content-length"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers),
    ]
    return response
