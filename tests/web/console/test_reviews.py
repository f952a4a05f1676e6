"""The review queue and the review page without script (httpx through the gateway): an officer sees
the updates of the institution's projects oldest first, filtered by state and project in the query
string, reads an actual beside its target and baseline, cannot return without comments (the error
beside the field, nothing changed), returns with comments, and the partner reads them in Portuguese
in its receipts. A form without the session's CSRF token and a review of an update no longer waiting
change nothing; other roles and unknown updates find no page."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from lxml import html

from tests.support.auth import Tokens
from tests.support.stack import Stack
from tests.web.console.conftest import World, console_client, csrf_of, officer_of, sign_in


async def _push(tokens: Tokens, world: World, value: str, narrative: str) -> dict[str, Any]:
    indicator = world.shared["results"][0]["indicators"][0]
    content = {
        "narrative": {"pt": narrative},
        "actuals": [
            {"indicator_id": indicator["id"], "period_start": "2025-01-01", "period_end": "2025-12-31", "value": value}
        ],
        "spending": [
            {"amount": "1500.50", "currency": "MZN", "period_start": "2025-01-01", "period_end": "2025-03-31"}
        ],
    }
    headers = {**tokens.headers("maputo"), "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=world.gateway, headers=headers) as partner:
        pushed = await partner.post(f"/api/projects/projects/{world.shared['id']}/updates", json=content)
    assert pushed.status_code == 201, pushed.text
    body: dict[str, Any] = pushed.json()
    return body


async def _receipt(tokens: Tokens, world: World, update_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:
        answer = await owner.get(f"/api/projects/updates/{update_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _links(page: str) -> list[str]:
    return [str(h) for h in html.fromstring(page).xpath("//ul[contains(@class,'reviews')]//a/@href")]


def _text(page: str) -> str:
    return " ".join(" ".join(html.fromstring(page).xpath("//main")[0].itertext()).split())


async def _period_actual(world: World) -> str | None:
    """The shared project's 2025 actual, as the public reads it."""
    async with httpx.AsyncClient(base_url=world.gateway) as public:
        project = (await public.get(f"/api/projects/projects/{world.shared['id']}")).json()
    period = project["results"][0]["indicators"][0]["periods"][1]
    assert period["start"] == "2025-01-01"
    actual: str | None = period.get("actual")
    return actual


async def test_an_officer_returns_an_update_with_comments_and_the_partner_reads_them(
    stack: Stack, tokens: Tokens, world: World
) -> None:
    # Other tests report and approve actuals of the shared project too: this one's value is its own,
    # and the project's actual is compared with what it was before the return.
    before = await _period_actual(world)
    first = await _push(tokens, world, "4321.5", "Primeira ligação")
    second = await _push(tokens, world, "1300", "Segunda ligação")
    officer = await officer_of(stack, tokens)
    async with console_client(world.gateway) as client:
        await sign_in(client, officer, "/ca/console/reviews")
        queue = await client.get("/ca/console/reviews")
        assert queue.status_code == 200
        links = _links(queue.text)
        mine = [f"/ca/console/reviews/{first['id']}", f"/ca/console/reviews/{second['id']}"]
        assert [link for link in links if link in mine] == mine  # the one waiting longest first
        # Filters travel in the query string, to the update and back.
        filtered = await client.get("/ca/console/reviews", params={"state": "submitted", "project": world.shared["id"]})
        assert f"/ca/console/reviews/{first['id']}?project={world.shared['id']}" in _links(filtered.text)
        other = await client.get("/ca/console/reviews", params={"project": world.other_published["id"]})
        assert _links(other.text) == []
        returned_only = await client.get("/ca/console/reviews", params={"state": "returned"})
        assert not set(mine) & set(_links(returned_only.text))

        opened = await client.get(f"/ca/console/reviews/{first['id']}", params={"state": "all"})
        assert opened.status_code == 200
        text = _text(opened.text)
        assert "Informat pel soci 4.321,5" in text, text
        assert "Meta del període 2.500" in text and "Línia de base 1.200 (2023)" in text
        assert "1.500,5 MZN" in text
        assert html.fromstring(opened.text).xpath("//blockquote[@lang='pt']/p/text()") == ["Primeira ligação"]
        assert 'href="/ca/console/reviews?state=all"' in opened.text
        csrf = csrf_of(opened.text)

        # Without the session's token: refused, nothing changed.
        forged = await client.post(
            f"/ca/console/reviews/{first['id']}", data={"decision": "approve", "csrf_token": "x"}
        )
        assert forged.status_code == 403
        assert (await _receipt(tokens, world, first["id"]))["status"] == "submitted"

        # Returning takes comments: the API's error beside the field, nothing changed.
        empty = await client.post(
            f"/ca/console/reviews/{first['id']}?state=all",
            data={"decision": "return", "comments": "   ", "csrf_token": csrf},
        )
        assert empty.status_code == 422
        tree = html.fromstring(empty.text)
        assert tree.xpath("//div[@class='error-summary']//a/@href") == ["#comments"]
        assert tree.xpath("//textarea[@id='comments']/@aria-invalid") == ["true"]
        assert tree.xpath("//p[@class='field-error']")
        assert (await _receipt(tokens, world, first["id"]))["status"] == "submitted"

        comments = "Falta a fotografia da ligação"
        sent = await client.post(
            f"/ca/console/reviews/{first['id']}?state=all",
            data={"decision": "return", "comments": comments, "csrf_token": csrf},
        )
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/ca/console/reviews/{first['id']}?state=all&done=return"
        done = await client.get(sent.headers["location"])
        assert "Actualització retornada al soci amb els vostres comentaris." in _text(done.text)
        assert not html.fromstring(done.text).xpath("//button[@name='decision']")  # no longer waiting
        receipt = await _receipt(tokens, world, first["id"])
        assert receipt["status"] == "returned" and receipt["log"][-1]["comments"] == comments
        assert await _period_actual(world) == before  # returned: nothing of it counts

        # Reviewed already: the API's conflict in the summary, nothing changed.
        again = await client.post(
            f"/ca/console/reviews/{first['id']}", data={"decision": "approve", "csrf_token": csrf}
        )
        assert again.status_code == 409
        assert html.fromstring(again.text).xpath("//div[@class='error-summary']//li")
        assert (await _receipt(tokens, world, first["id"]))["status"] == "returned"

        assert (await client.get(f"/ca/console/reviews/{uuid.uuid4()}")).status_code == 404
        assert (await client.get("/ca/console/reviews/not-an-id")).status_code in (404, 422)

    async with console_client(world.gateway) as client:
        await sign_in(client, world.reporter, "/pt/console/updates")
        receipts = await client.get("/pt/console/updates")
        rows = html.fromstring(receipts.text).xpath("//table[@class='data']//tr[td]")
        row = " ".join(" ".join(r.text_content().split()) for r in rows if comments in r.text_content())
        assert "Devolvida" in row and f"Comentários da instituição: {comments}" in row, row
        # The partner has no review pages.
        assert (await client.get("/pt/console/reviews")).status_code == 404
        assert (await client.get(f"/pt/console/reviews/{second['id']}")).status_code == 404
