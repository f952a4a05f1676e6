"""The input guard streams an IATI import's body instead of buffering it: the application gets the
chunks as they arrive, counted against the route's bound (the end-to-end proof through the real
gateway and service is tests/projects/imports/test_iati_large_files.py)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from shared.guards import MAX_IMPORT_BYTES, MAX_UPLOAD_BYTES, STREAMED, BodyTooLarge, InputGuardMiddleware

CHUNK = b"x" * (1 << 20)


def scope(path: str, content_type: str, length: int | None = None) -> Scope:
    headers = [(b"content-type", content_type.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
    }


def body(chunks: int) -> Receive:
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": CHUNK, "more_body": sent < chunks}

    return receive


class App:
    """Reads the body message by message, as the import endpoint's spool does."""

    def __init__(self) -> None:
        self.messages: list[int] = []
        self.state: dict[str, Any] = {}
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        self.state = dict(scope.get("state", {}))
        more = True
        while more:
            message = await receive()
            self.messages.append(len(message.get("body", b"")))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def run(app: App, scope_: Scope, receive: Receive) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await InputGuardMiddleware(app, max_body_bytes=1 << 20)(scope_, receive, send)
    return sent


async def test_an_import_body_reaches_the_application_chunk_by_chunk() -> None:
    app = App()
    sent = await run(app, scope("/api/projects/imports/iati", "application/xml"), body(5))
    assert sent[0]["status"] == 200
    assert app.messages == [len(CHUNK)] * 5  # five messages, not one buffered body
    assert app.state[STREAMED] is True


async def test_a_streamed_body_past_the_bound_raises_the_413_while_it_is_read() -> None:
    app = App()
    with pytest.raises(BodyTooLarge) as refused:
        await run(app, scope("/api/projects/imports/iati", "text/xml"), body(MAX_IMPORT_BYTES // len(CHUNK) + 1))
    assert refused.value.status == 413 and refused.value.kind == "payload-too-large"
    assert len(app.messages) == MAX_IMPORT_BYTES // len(CHUNK)  # every read up to the bound, none past it


async def test_a_declared_length_past_the_bound_is_refused_before_the_application() -> None:
    app = App()
    sent = await run(app, scope("/api/projects/imports/iati", "application/xml", MAX_IMPORT_BYTES + 1), body(1))
    assert sent[0]["status"] == 413 and not app.called


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/projects/imports/iati", "application/json"),  # JSON is checked whole, as everywhere
        ("/api/projects/imports/csv", "application/xml"),
        ("/api/projects/projects", "application/xml"),
    ],
)
async def test_other_bodies_are_still_read_whole_and_bounded(path: str, content_type: str) -> None:
    app = App()
    sent = await run(app, scope(path, content_type), body(3))
    assert sent[0]["status"] == 413 and not app.called
    app = App()
    small = await run(app, scope(path, content_type), body(1))
    if content_type == "application/json":  # read whole, so its JSON is checked (x... is not JSON)
        assert small[0]["status"] == 400 and not app.called
    else:  # read whole here, replayed as one message
        assert small[0]["status"] == 200 and app.messages == [len(CHUNK)] and STREAMED not in app.state


@pytest.mark.parametrize(
    ("path", "content_type", "limit"),
    [
        ("/api/funding/grants/applications/x/documents", "multipart/form-data; boundary=b", MAX_UPLOAD_BYTES),
        ("/ca/console/imports", "multipart/form-data; boundary=b", MAX_UPLOAD_BYTES),
        ("/pt/console/calls/applications/x/documents", "multipart/form-data; boundary=b", MAX_UPLOAD_BYTES),
        # The larger bound is for the upload forms' multipart bodies only.
        ("/ca/console/imports", "application/x-www-form-urlencoded", 1 << 20),
        ("/ca/console/calls/applications/x/objection", "multipart/form-data; boundary=b", 1 << 20),
        ("/de/console/imports", "multipart/form-data; boundary=b", 1 << 20),
        ("/ca/console/imports/iati/x", "multipart/form-data; boundary=b", 1 << 20),
    ],
)
def test_uploads_take_the_larger_bound_on_the_upload_routes_only(path: str, content_type: str, limit: int) -> None:
    guard = InputGuardMiddleware(App(), max_body_bytes=1 << 20)
    assert guard._limit(scope(path, content_type), content_type) == limit


async def test_a_console_upload_past_one_mebibyte_reaches_the_page() -> None:
    """Two MiB to the console's import form pass the guard (the page answers in the person's words)."""
    app = App()
    sent = await run(app, scope("/es/console/imports", "multipart/form-data; boundary=b", 2 << 20), body(2))
    assert sent[0]["status"] == 200 and app.called
