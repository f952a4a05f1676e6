"""Everyone's own activity: the gateway's trail of what the person did and what was done to their
account (GET /api/gateway/audit/mine), never another person's, and the console's page of it."""

from __future__ import annotations

import httpx
from lxml import html

from tests.support.auth import Tokens
from tests.support.people import person
from tests.support.people import sign_in as token_sign_in
from tests.support.stack import Stack
from tests.web.console.conftest import PARTNER, World, console_client, officer_of, sign_in


async def test_a_person_reads_their_own_trail_and_nobody_elses(world: World, stack: Stack, tokens: Tokens) -> None:
    officer = await officer_of(stack, tokens)
    signed = await token_sign_in(stack, officer)
    mine = {"Authorization": f"Bearer {signed.tokens['access_token']}"}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        assert (await client.get("/api/gateway/audit/mine")).status_code == 401
        trail = await client.get("/api/gateway/audit/mine", headers=mine)
        assert trail.status_code == 200, trail.text
        items = trail.json()["items"]
        events = [i["event"] for i in items]
        # Invited by an administrator, the invitation accepted, then signed in: the newest first.
        assert {"user.invited", "user.invitation-accepted", "signin.succeeded"} <= set(events), events
        assert all(officer.id in (i["client_id"], i["subject"]) for i in items)
        # A system client sees its own rows only, though it may write for its whole tenant.
        system = await client.get("/api/gateway/audit/mine", headers=tokens.headers("ajuntament"))
        assert system.status_code == 200
        assert all(officer.id not in (i["client_id"], i["subject"]) for i in system.json()["items"])
        paged = await client.get("/api/gateway/audit/mine", headers=mine, params={"limit": 1})
        assert len(paged.json()["items"]) == 1 and paged.json()["next_before_id"] == paged.json()["items"][0]["id"]
        assert (await client.get("/api/gateway/audit/mine", headers=mine, params={"limit": 0})).status_code == 422


async def test_the_console_shows_the_persons_activity_in_their_language(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    # A reporter of their own: the page shows the newest 50 rows, and the shared reporter signs in
    # in many tests, which would page their invitation out of sight.
    reporter = await person(stack, tokens.headers("admin"), tenant=PARTNER, kind="partner", roles=["partner-reporter"])
    async with console_client(world.gateway) as client:
        await sign_in(client, reporter, "/pt/console")
        page = await client.get("/pt/console/audit")
    assert page.status_code == 200 and page.headers["content-language"] == "pt"
    tree = html.fromstring(page.text)
    assert tree.xpath("string(//h1)") == "A sua atividade"
    rows = [[c.text_content().strip() for c in r.xpath("td")] for r in tree.xpath("//table//tbody/tr")]
    whats = [r[1] for r in rows]
    assert "Sessão iniciada" in whats and "Convite aceite, palavra-passe definida" in whats, whats
    assert all(r[3] in ("Feito",) or r[3].startswith("Recusado") for r in rows)
    # Only the partner's own rows: the Maputo partner's sign-ins, none of the officer's.
    assert world.officer.email not in page.text and PARTNER not in whats
    assert "/console/audit" in page.text  # the navigation names it for every role
