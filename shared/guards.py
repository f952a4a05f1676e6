"""Input that could hurt the system is refused at the door with a clean 4xx problem.

Oversized bodies (413), JSON that is malformed or not valid UTF-8 (400), JSON nested deeper than
any real document (400), NUL characters (400), and paths or query strings that are not valid
UTF-8 (400). The body is
read once here and replayed to the application; an IATI import's file is the exception: it streams
through (the gateway forwards it, the service spools it to disk) with its own bound counted as it
arrives (413 from the read that passes it).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import ProblemError, problem_response

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that take uploaded files (multipart/form-data only) get a larger, still bounded, limit:
# one file of up to UPLOAD_FILE_BYTES plus the form's framing and fields. Every other request, and
# any other content type on these routes, keeps the general limit.
# The console's own upload forms (an application's documents, an import file) take the same bound.
UPLOAD_PATHS = re.compile(
    r"^/api/funding/grants/applications/[^/]+/documents$"
    r"|^/(ca|es|en|pt|fr)/console/(imports|calls/applications/[^/]+/documents)$"
)
UPLOAD_FILE_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = UPLOAD_FILE_BYTES + 64 * 1024
# The IATI import takes a publisher's whole file (XML only), streamed by the projects service:
# bounded too, as services/projects/imports/iati.py MAX_BYTES.
IMPORT_PATHS = re.compile(r"^/api/projects/imports/iati$")
IMPORT_TYPES = frozenset({"application/xml", "text/xml"})
MAX_IMPORT_BYTES = 128 * 1024 * 1024
# request.state key: the body was not read here but streams, bounded (see `_bounded`).
STREAMED = "streamed_body"


class BodyTooLarge(ProblemError):
    """A streamed body passed its route's limit while it was being read."""

    status, kind, title = 413, "payload-too-large", "The request body is too large"


# C0 control characters other than tab, line feed and carriage return: never legitimate in text,
# NUL cannot be stored by PostgreSQL, and none of them can be written in XML 1.0 (IATI exports).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def json_shape(value: Any) -> tuple[int, bool]:
    """Nesting depth of a parsed JSON value, and whether any key or string holds a control character.

    Iterative, so that no input can exhaust the stack.
    """
    deepest = 0
    nul = False
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, depth)
            for key, child in node.items():
                nul = nul or CONTROL.search(key) is not None
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            nul = nul or CONTROL.search(node) is not None
    return deepest, nul


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class InputGuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = 1_048_576,
        max_json_depth: int = 32,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.max_upload_bytes = max(max_upload_bytes, max_body_bytes)

    def _limit(self, scope: Scope, content_type: str) -> int:
        if content_type.split(";", 1)[0].strip().lower() in IMPORT_TYPES and IMPORT_PATHS.match(scope["path"]):
            return max(MAX_IMPORT_BYTES, self.max_body_bytes)
        multipart = content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"
        return self.max_upload_bytes if multipart and UPLOAD_PATHS.match(scope["path"]) else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check_url(scope)
        if refusal is None and scope["method"] in WRITE_METHODS and self._streams(scope):
            refusal, receive = self._bounded(scope, receive)
        elif refusal is None and scope["method"] in WRITE_METHODS:
            body, refusal = await self._read_body(scope, receive)
            if refusal is None:
                receive = _replay(body, receive)
        if refusal is not None:
            status, kind, title, detail = refusal
            response = problem_response(status, kind, title, Request(scope), detail)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _streams(self, scope: Scope) -> bool:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return media in IMPORT_TYPES and IMPORT_PATHS.match(scope["path"]) is not None

    def _bounded(self, scope: Scope, receive: Receive) -> tuple[tuple[int, str, str, str] | None, Receive]:
        """A declared length over the limit is refused at once; otherwise the body is counted as the
        application reads it, and the read that passes the limit raises BodyTooLarge (a 413)."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = self._limit(scope, headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return (413, "payload-too-large", BodyTooLarge.title, f"At most {limit} bytes"), receive
        scope.setdefault("state", {})[STREAMED] = True
        size = 0

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(f"At most {limit} bytes")
            return message

        return None, counted

    def _check_url(self, scope: Scope) -> tuple[int, str, str, str] | None:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        path = unquote_to_bytes(raw_path)
        query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
        if not _valid_utf8(path) or not _valid_utf8(query):
            return 400, "invalid-utf8", "The URL is not valid UTF-8", "Percent-encode UTF-8 only"
        if b"\x00" in path or b"\x00" in query:
            return 400, "nul-character", "Text may not contain NUL characters", "Remove %00 from the URL"
        return None

    async def _read_body(self, scope: Scope, receive: Receive) -> tuple[bytes, tuple[int, str, str, str] | None]:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = self._limit(scope, headers.get("content-type", ""))
        too_large = (413, "payload-too-large", "The request body is too large", f"At most {limit} bytes")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return b"", too_large
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return b"", too_large
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and _is_json(headers.get("content-type", "")):
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                reason = "not valid UTF-8" if not _valid_utf8(body) else str(exc)
                return body, (400, "malformed-json", "The body is not valid JSON", reason)
            depth, nul = json_shape(parsed)
            if depth > self.max_json_depth:
                too_deep = f"At most {self.max_json_depth} levels"
                return body, (400, "json-too-deep", "The JSON body is nested too deeply", too_deep)
            if nul:
                return body, (
                    400,
                    "control-character",
                    "Text may not contain control characters",
                    "Only tab, line feed and carriage return are allowed below U+0020",
                )
        return body, None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
