"""The API clients pages through the gateway, as a browser without script: a tenant administrator
of the Ajuntament creates a client with the scopes the gateway lets it grant (the secret shown once,
and it works for a token), revokes it after confirming (its token refused); a scope beyond what it
may grant is refused beside the field; forms without the session's CSRF token change nothing; an
officer finds no such page."""

from __future__ import annotations

from typing import Any

import httpx
from lxml import html

from tests.support.auth import Credentials, Tokens, fetch_token
from tests.support.people import person
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.web.console.conftest import INSTITUTION, World, console_client, csrf_of, sign_in


def secret_of(page: str) -> str | None:
    found = html.fromstring(page).xpath("//textarea[@id='client-secret']/text()")
    return str(found[0]).strip() if found else None


async def api_clients(stack: Stack, tokens: Tokens) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        listed = await admin.get("/api/gateway/clients", params={"tenant": INSTITUTION})
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


async def test_a_tenant_administrator_creates_sees_the_secret_once_and_revokes(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    chief = await person(stack, tokens.headers("admin"), tenant=INSTITUTION, kind="institution", roles=["tenant-admin"])
    async with console_client(world.gateway) as client:
        users = await sign_in(client, chief, "/ca/console/admin/users")
        assert 'href="/ca/console/admin/clients"' in users.text
        form = await client.get("/ca/console/admin/clients/new")
        assert form.status_code == 200
        offered = html.fromstring(form.text).xpath("//input[@name='scopes']/@value")
        assert "projects:read" in offered and "admin" not in offered and "grants:apply" not in offered
        csrf = csrf_of(form.text)
        before = len(await api_clients(stack, tokens))

        # No name, a forged scope: errors beside their fields, what was typed kept, nothing made.
        wrong = await client.post(
            "/ca/console/admin/clients/new", data={"csrf_token": csrf, "name": "Dades", "scopes": "admin"}
        )
        assert wrong.status_code == 422, wrong.text[:500]
        targets = html.fromstring(wrong.text).xpath("//div[@class='error-summary']//a/@href")
        assert "#scopes" in targets and "Tria almenys un abast" in wrong.text
        assert html.fromstring(wrong.text).xpath("//input[@id='name']/@value") == ["Dades"]
        refused = await client.post("/ca/console/admin/clients/new", data={"name": "X", "scopes": "projects:read"})
        assert refused.status_code == 403
        assert len(await api_clients(stack, tokens)) == before

        made = await client.post(
            "/ca/console/admin/clients/new",
            data={"csrf_token": csrf, "name": "Portal de dades", "scopes": ["projects:read", "reports:read"]},
        )
        assert made.status_code == 303 and made.headers["location"] == "/ca/console/admin/clients"
        listed = await client.get("/ca/console/admin/clients")
        assert listed.status_code == 200
        secret = secret_of(listed.text)
        assert secret and "Portal de dades" in listed.text
        ours = next(c for c in await api_clients(stack, tokens) if c["name"] == "Portal de dades")
        assert ours["client_id"] in listed.text and ours["scopes"] == ["projects:read", "reports:read"]
        # Shown once: not on the next visit.
        again = await client.get("/ca/console/admin/clients")
        assert secret_of(again.text) is None and secret not in again.text

        token = await fetch_token(stack.gateway, Credentials(ours["client_id"], secret, INSTITUTION, "institution", []))
        bearer = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=stack.gateway, headers=bearer) as system:
            assert (await system.get("/api/projects/projects")).status_code == 200

            confirm = await client.get(f"/ca/console/admin/clients/{ours['client_id']}/revoke")
            assert confirm.status_code == 200 and "Portal de dades" in confirm.text
            no_csrf = await client.post(f"/ca/console/admin/clients/{ours['client_id']}/revoke", data={})
            assert no_csrf.status_code == 403
            assert (await system.get("/api/projects/projects")).status_code == 200
            done = await client.post(
                f"/ca/console/admin/clients/{ours['client_id']}/revoke", data={"csrf_token": csrf_of(confirm.text)}
            )
            assert done.status_code == 303, done.text[:500]
            shown = await client.get(done.headers["location"])
            assert "Revocat" in shown.text and "Portal de dades" in shown.text

            async def refused_token() -> bool:
                return (await system.get("/api/projects/projects")).status_code == 401

            await eventually(refused_token, timeout=5, interval=0.1, what="the revoked client's token refused")
        assert next(c for c in await api_clients(stack, tokens) if c["client_id"] == ours["client_id"])["state"] == (
            "revoked"
        )
        # Another tenant's or an unknown client has no revoke page.
        assert (await client.get("/ca/console/admin/clients/xc_nobody/revoke")).status_code == 404


async def test_an_officer_finds_no_api_clients_page(world: World) -> None:
    async with console_client(world.gateway) as client:
        await sign_in(client, world.officer, "/ca/console")
        for path in ("/ca/console/admin/clients", "/ca/console/admin/clients/new"):
            assert (await client.get(path)).status_code == 404, path
        posted = await client.post("/ca/console/admin/clients/new", data={"name": "X", "scopes": "projects:read"})
        assert posted.status_code == 404
