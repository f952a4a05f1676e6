"""One delivery attempt, without servers: the destination is checked again at sending (DNS
rebinding), the request goes to the checked address, redirects are not followed, and the log
holds a fixed word, never exception text."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
import pytest

from services.reporting.webhooks import service
from services.reporting.webhooks.models import WebhookDelivery, WebhookSubscription
from shared import outbound
from shared.outbound import Allowlist


class Rebinding:
    """A name whose first answer is public and every later one private (a TTL-0 rebinding)."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls += 1
        return ["93.184.215.14"] if self.calls == 1 else ["127.0.0.1"]


async def public(host: str, port: int) -> Sequence[str]:
    return ["93.184.215.14"]


def subscription(url: str) -> WebhookSubscription:
    return WebhookSubscription(
        id=uuid.uuid4(),
        tenant="ajuntament-barcelona",
        url=url,
        event_types=["project.registered"],
        secret="s3cret",
        active=True,
        created_at=datetime.now(UTC),
    )


def delivery(sub: WebhookSubscription) -> WebhookDelivery:
    return WebhookDelivery(
        id=uuid.uuid4(),
        subscription_id=sub.id,
        event_id=uuid.uuid4(),
        event_type="project.registered",
        event={"id": "e1", "type": "project.registered"},
        status="pending",
        attempts=0,
        next_attempt_at=datetime.now(UTC),
        log=[],
        created_at=datetime.now(UTC),
    )


def recording(answer: httpx.Response | Exception) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.AsyncClient(transport=httpx.MockTransport(handle), follow_redirects=False), sent


async def test_a_name_rebound_to_loopback_after_subscribing_gets_nothing() -> None:
    resolve = Rebinding()
    sub = subscription("https://hooks.example.org/in")
    await outbound.check(sub.url, Allowlist(), resolve)  # what subscribe() checks: public then
    client, sent = recording(httpx.Response(200))
    async with client:
        entry = await service._attempt(client, sub, delivery(sub), Allowlist(), resolve)
    assert sent == []
    assert entry["error"] == "destination not allowed" and "status" not in entry
    assert "127.0.0.1" not in str(entry)


async def test_the_attempt_connects_to_the_address_it_checked() -> None:
    sub = subscription("https://hooks.example.org:8443/in?x=1")
    client, sent = recording(httpx.Response(204))
    async with client:
        entry = await service._attempt(client, sub, delivery(sub), Allowlist(), public)
    assert entry["status"] == 204 and "error" not in entry
    [request] = sent
    assert (request.url.host, request.url.port, request.url.raw_path) == ("93.184.215.14", 8443, b"/in?x=1")
    assert request.headers["host"] == "hooks.example.org:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.org"
    assert request.headers["xarxa-webhook-signature"].startswith("v1=")


async def test_a_redirect_is_a_failed_attempt_and_is_not_followed() -> None:
    sub = subscription("https://hooks.example.org/in")
    client, sent = recording(httpx.Response(307, headers={"Location": "http://169.254.169.254/latest/"}))
    async with client:
        entry = await service._attempt(client, sub, delivery(sub), Allowlist(), public)
    assert len(sent) == 1
    assert (entry["status"], entry["error"]) == (307, "redirect not followed")


@pytest.mark.parametrize(
    ("failure", "word"),
    [
        (httpx.ConnectTimeout("timed out connecting to 10.1.2.3:443"), "timeout"),
        (httpx.ReadTimeout("read timed out from internal-db.lan"), "timeout"),
        (httpx.ConnectError("[Errno 111] Connection refused (10.1.2.3)"), "connection failed"),
        (httpx.RemoteProtocolError("illegal header from 10.1.2.3"), "protocol error"),
    ],
)
async def test_the_log_says_a_fixed_word_never_the_exception_text(failure: Exception, word: str) -> None:
    sub = subscription("https://hooks.example.org/in")
    client, _ = recording(failure)
    async with client:
        entry = await service._attempt(client, sub, delivery(sub), Allowlist(), public)
    assert entry["error"] == word
    assert set(entry) == {"at", "error", "ms"}
