"""CORS for third-party dashboards on the public read API.

Origins listed in `XARXA_GATEWAY_PUBLIC_API_ORIGINS` may read `GET`/`HEAD` under `/api/` from a
browser: published figures only, so a request that carries credentials (an Authorization header or
cookies) gets no CORS headers, and `Access-Control-Allow-Credentials` is never sent. Origins match
exactly (scheme, host and port, as the browser sends them); there is no wildcard. Requests of the
first-party front ends (`XARXA_GATEWAY_CORS_ORIGINS`) pass through to their own CORS; any other
preflight is refused here with a 403 that carries no CORS header at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

METHODS = ("GET", "HEAD")
# Request headers a dashboard may send (CORS-safelisted ones need no permission; these are the rest
# that make sense on a public read). Authorization is not among them: public data needs no token.
ALLOWED_HEADERS = ("accept-language", "if-none-match", "if-modified-since", "x-request-id", "traceparent")
EXPOSED_HEADERS = "ETag, Cache-Control, Content-Language, Content-Disposition, Retry-After, X-Request-ID"
MAX_AGE = "600"
PREFIX = "/api/"


def exact_origin(value: str) -> str:
    """`scheme://host[:port]` exactly as a browser sends it in `Origin`, or ValueError."""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "*" in value
        or parts.username is not None
        or parts.password is not None
        or parts.path
        or parts.query
        or parts.fragment
        or value != value.lower()
        or value != f"{parts.scheme}://{parts.netloc}"
    ):
        raise ValueError(f"{value!r} is not an exact origin like https://dashboard.example.org")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    except ValueError as exc:
        raise ValueError(f"{value!r} has an invalid port") from exc
    return value


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _without_cors(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if not name.lower().startswith(b"access-control-")]


class PublicReadCorsMiddleware:
    def __init__(self, app: ASGIApp, origins: Iterable[str], first_party: Iterable[str] = ()) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.first_party = frozenset(first_party)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        if origin is None or origin in self.first_party:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        requested = _header(scope, b"access-control-request-method")
        if method == "OPTIONS" and requested is not None:
            listed = origin in self.origins and scope["path"].startswith(PREFIX)
            if listed and self._preflight_allowed(requested, _header(scope, b"access-control-request-headers")):
                await self._preflight(origin, send)
            else:
                await self._refused(send)
            return
        credentials = _header(scope, b"authorization") is not None or _header(scope, b"cookie") is not None
        if origin not in self.origins or not scope["path"].startswith(PREFIX) or method not in METHODS or credentials:

            async def without_cors(message: Message) -> None:
                # Not a read we allow this origin: no CORS header at all, whoever set it further in.
                if message["type"] == "http.response.start":
                    message["headers"] = _without_cors(message.get("headers", []))
                await send(message)

            await self.app(scope, receive, without_cors)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *_without_cors(message.get("headers", [])),
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
                    (b"vary", b"Origin"),
                ]
            await send(message)

        await self.app(scope, receive, with_cors)

    @staticmethod
    def _preflight_allowed(method: str, headers: str | None) -> bool:
        asked = {name.strip().lower() for name in (headers or "").split(",") if name.strip()}
        return method in METHODS and asked <= set(ALLOWED_HEADERS)

    @staticmethod
    async def _refused(send: Send) -> None:
        headers = [(b"vary", b"Origin"), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _preflight(origin: str, send: Send) -> None:
        headers = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", ", ".join(METHODS).encode()),
            (b"access-control-allow-headers", ", ".join(ALLOWED_HEADERS).encode()),
            (b"access-control-max-age", MAX_AGE.encode()),
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
