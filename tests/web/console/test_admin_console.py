"""The administration pages through the gateway, as a browser without script: a tenant administrator
of the Ajuntament invites a person (the one-time link shown once), changes roles and disables (the
disabled person's console session stops at once); another tenant's user is not there (404); forms
without the session's CSRF token change nothing; an officer finds no administration page; a
platform administrator rotates the signing key, which a tenant administrator cannot even see."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
from lxml import html

from services.gateway.users.roles import ROLES_OF_KIND as GATEWAY_ROLES_OF_KIND
from services.web.console.admin_roles import ROLES_OF_KIND, state_of
from tests.support.auth import Tokens, fetch_token
from tests.support.people import PASSWORD, Person, person, set_password, unique_email
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.web.console.conftest import INSTITUTION, World, console_client, csrf_of, officer_of, sign_in


def test_the_console_offers_exactly_the_roles_the_gateway_allows_per_kind() -> None:
    assert {k: frozenset(v) for k, v in ROLES_OF_KIND.items()} == GATEWAY_ROLES_OF_KIND


def test_a_users_state_in_one_word() -> None:
    base: dict[str, Any] = {"disabled_at": None, "locked_until": None, "active": False}
    assert state_of(base) == "invited"
    assert state_of({**base, "active": True}) == "active"
    assert state_of({**base, "active": True, "locked_until": "2999-01-01T00:00:00+00:00"}) == "locked"
    assert state_of({**base, "active": True, "locked_until": "2000-01-01T00:00:00+00:00"}) == "active"
    assert state_of({**base, "active": True, "disabled_at": "2026-01-01T00:00:00+00:00"}) == "disabled"


async def tenant_admin(stack: Stack, tokens: Tokens) -> Person:
    return await person(stack, tokens.headers("admin"), tenant=INSTITUTION, kind="institution", roles=["tenant-admin"])


async def api_user(stack: Stack, tokens: Tokens, user_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        found = await admin.get(f"/api/gateway/users/{user_id}")
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def audit_events(stack: Stack, tokens: Tokens, subject: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        items = (await admin.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
    return [i for i in items if i["subject"] == subject and i["event"]]


def checkboxes(page: str, name: str = "roles") -> dict[str, bool]:
    boxes = html.fromstring(page).xpath(f"//input[@type='checkbox'][@name='{name}']")
    return {str(b.get("value")): b.get("checked") is not None for b in boxes}


def summary(page: str) -> list[tuple[str, str]]:
    tree = html.fromstring(page)
    return [(a.get("href"), a.text_content().strip()) for a in tree.xpath("//div[@class='error-summary']//a")]


def invitation_link(page: str) -> str | None:
    found = html.fromstring(page).xpath("//textarea[@id='invitation-link']/text()")
    return str(found[0]).strip() if found else None


async def test_a_tenant_administrator_invites_changes_roles_and_disables(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    chief = await tenant_admin(stack, tokens)
    async with console_client(world.gateway) as client:
        listed = await sign_in(client, chief, "/ca/console/admin/users")
        assert listed.status_code == 200, listed.text[:500]
        # The Ajuntament's people, not Maputo's.
        assert world.officer.email in listed.text and world.reporter.email not in listed.text
        assert 'name="tenant"' not in listed.text  # no tenant to pick for a tenant administrator

        form = await client.get("/ca/console/admin/users/new")
        assert form.status_code == 200
        # An institution's roles, without the platform administrator's.
        assert set(checkboxes(form.text)) == set(ROLES_OF_KIND["institution"]) - {"platform-admin"}
        csrf = csrf_of(form.text)

        # Wrong: not an email; no role. Each beside its field, what was typed kept, nobody created.
        wrong = await client.post(
            "/ca/console/admin/users/new",
            data={
                "csrf_token": csrf,
                "email": "not-an-email",
                "name": "Núria Puig",
                "roles": "officer",
                "locale": "ca",
            },
        )
        assert wrong.status_code == 422
        targets = [href for href, _ in summary(wrong.text)]
        assert "#email" in targets, wrong.text
        assert html.fromstring(wrong.text).xpath("//input[@id='name']/@value") == ["Núria Puig"]
        assert checkboxes(wrong.text)["officer"] is True
        assert "Escriu una adreça electrònica" in wrong.text
        no_role = await client.post(
            "/ca/console/admin/users/new",
            data={"csrf_token": csrf, "email": unique_email("nobody"), "name": "N", "locale": "ca"},
        )
        assert no_role.status_code == 422 and "#roles" in [h for h, _ in summary(no_role.text)]

        # A tenant administrator cannot make a platform administrator, even with a forged form.
        forged_email = unique_email("forged")
        forged = await client.post(
            "/ca/console/admin/users/new",
            data={"csrf_token": csrf, "email": forged_email, "name": "F", "roles": "platform-admin", "locale": "ca"},
        )
        assert forged.status_code == 422 and "No pots donar aquests rols" in forged.text
        # Nor invite into another tenant by adding fields: the tenant is the administrator's own.
        elsewhere_email = unique_email("elsewhere")
        elsewhere = await client.post(
            "/ca/console/admin/users/new",
            data={
                "csrf_token": csrf,
                "email": elsewhere_email,
                "name": "E",
                "roles": "officer",
                "tenant": "amb",
                "tenant_kind": "institution",
                "locale": "es",
            },
        )
        assert elsewhere.status_code == 303
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
            everyone = (await admin.get("/api/gateway/users", params={"limit": 500})).json()["items"]
        by_email = {u["email"]: u for u in everyone}
        assert "nobody" not in str(by_email) and forged_email not in by_email
        assert by_email[elsewhere_email]["tenant"] == INSTITUTION

        # Right: the link comes back once, on the list, to pass on.
        email = unique_email("invited")
        sent = await client.post(
            "/ca/console/admin/users/new",
            data={"csrf_token": csrf, "email": email, "name": "Jordi Vila", "roles": "officer", "locale": "ca"},
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/ca/console/admin/users"
        shown = await client.get(sent.headers["location"])
        link = invitation_link(shown.text)
        assert link is not None and link.startswith(f"{stack.gateway}/oauth/password?token="), shown.text[:2000]
        assert "Jordi Vila" in shown.text and email in shown.text
        assert invitation_link((await client.get("/ca/console/admin/users")).text) is None  # once
        done, secret = await set_password(stack, link, PASSWORD)
        assert done.status_code == 200, done.text
        invited = next(u for u in (await api_users(stack, tokens)) if u["email"] == email)
        newcomer = Person(invited["id"], email, PASSWORD, INSTITUTION, "institution", ["officer"], secret)
        assert invited["tenant"] == INSTITUTION and invited["roles"] == ["officer"] and invited["active"]

        # Roles: a partner's role refused beside the field, nothing changed; then officer and reviewer.
        user_page = await client.get(f"/ca/console/admin/users/{newcomer.id}")
        assert user_page.status_code == 200 and checkboxes(user_page.text)["officer"] is True
        refused = await client.post(
            f"/ca/console/admin/users/{newcomer.id}/roles", data={"csrf_token": csrf, "roles": "partner-reporter"}
        )
        assert refused.status_code == 422 and "#roles" in [h for h, _ in summary(refused.text)]
        assert (await api_user(stack, tokens, newcomer.id))["roles"] == ["officer"]
        saved = await client.post(
            f"/ca/console/admin/users/{newcomer.id}/roles",
            data={"csrf_token": csrf, "roles": ["officer", "reviewer"]},
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=roles")
        assert (await api_user(stack, tokens, newcomer.id))["roles"] == ["officer", "reviewer"]
        assert "user.roles-set:officer,reviewer" in [e["event"] for e in await audit_events(stack, tokens, newcomer.id)]

        # Disable: the newcomer, signed in to the console, is out at their very next page.
        async with console_client(world.gateway) as theirs:
            own = await sign_in(theirs, newcomer, "/ca/console/projects")
            assert own.status_code == 200
            confirm = await client.get(f"/ca/console/admin/users/{newcomer.id}/disable")
            assert confirm.status_code == 200 and 'method="post"' in confirm.text
            off = await client.post(f"/ca/console/admin/users/{newcomer.id}/disable", data={"csrf_token": csrf})
            assert off.status_code == 303 and off.headers["location"].endswith("?saved=disabled")
            after = await theirs.get("/ca/console/projects")
            assert after.status_code == 303 and after.headers["location"].startswith("/auth/sign-in?"), after.text
        assert (await api_user(stack, tokens, newcomer.id))["disabled_at"] is not None
        disabled = [e for e in await audit_events(stack, tokens, newcomer.id) if e["event"] == "user.disabled"]
        assert disabled and disabled[0]["client_id"] == chief.id


async def api_users(stack: Stack, tokens: Tokens) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        items: list[dict[str, Any]] = (await admin.get("/api/gateway/users", params={"limit": 500})).json()["items"]
    return items


async def test_another_tenants_user_is_not_there_and_forms_without_csrf_change_nothing(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    chief = await tenant_admin(stack, tokens)
    own = await officer_of(stack, tokens)
    other = world.reporter  # Maputo's
    async with console_client(world.gateway) as client:
        await sign_in(client, chief, "/es/console/admin/users")
        csrf = csrf_of((await client.get("/es/console/admin/users/new")).text)
        for path in (f"/es/console/admin/users/{other.id}", f"/es/console/admin/users/{other.id}/disable"):
            assert (await client.get(path)).status_code == 404, path
        for path, data in (
            (f"/es/console/admin/users/{other.id}/roles", {"csrf_token": csrf, "roles": "partner-reporter"}),
            (f"/es/console/admin/users/{other.id}/disable", {"csrf_token": csrf}),
        ):
            assert (await client.post(path, data=data)).status_code == 404, path
        # An id that would walk the API's paths is no user either.
        for odd in ("..", "usr_x%3Fa%3D1", "%2E%2E"):
            assert (await client.get(f"/es/console/admin/users/{odd}")).status_code == 404, odd
        other_user = await api_user(stack, tokens, other.id)
        assert other_user["active"] and other_user["roles"] == ["partner-reporter"]

        # Without the session's token (none, or another), or from another site: refused, nothing done.
        for data, headers in (
            ({}, {}),
            ({"csrf_token": "forged"}, {}),
            ({"csrf_token": csrf}, {"Origin": "https://evil.example"}),
        ):
            off = await client.post(f"/es/console/admin/users/{own.id}/disable", data=data, headers=headers)
            assert off.status_code == 403, (data, headers)
            roles = await client.post(
                f"/es/console/admin/users/{own.id}/roles", data={**data, "roles": "reviewer"}, headers=headers
            )
            assert roles.status_code == 403
            invite = await client.post(
                "/es/console/admin/users/new",
                data={**data, "email": unique_email("csrf"), "name": "C", "roles": "officer", "locale": "es"},
                headers=headers,
            )
            assert invite.status_code == 403
        mine = await api_user(stack, tokens, own.id)
        assert mine["disabled_at"] is None and mine["roles"] == ["officer"]
        assert not [u for u in await api_users(stack, tokens) if u["email"].startswith("csrf-")]
        # Nor the administrator on themselves.
        me = await client.get(f"/es/console/admin/users/{chief.id}")
        assert me.status_code == 200 and "/disable" not in me.text
    # An officer finds no administration page.
    async with console_client(world.gateway) as client:
        await sign_in(client, own, "/ca/console")
        for path in ("/ca/console/admin/users", "/ca/console/admin/users/new", "/ca/console/admin/keys"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get(f"/ca/console/admin/users/{chief.id}")).status_code == 404


async def jwks_kids(gateway: str) -> list[str]:
    async with httpx.AsyncClient(base_url=gateway) as public:
        return [k["kid"] for k in (await public.get("/.well-known/jwks.json")).json()["keys"]]


async def test_a_platform_administrator_rotates_the_key_and_a_tenant_administrator_cannot(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    platform = await person(
        stack, tokens.headers("admin"), tenant=INSTITUTION, kind="institution", roles=["platform-admin"]
    )
    chief = await tenant_admin(stack, tokens)
    async with console_client(world.gateway) as client:
        await sign_in(client, chief, "/en/console/admin/users")
        csrf = csrf_of((await client.get("/en/console/admin/users")).text)
        assert "/en/console/admin/keys" not in (await client.get("/en/console/admin/users")).text
        for path in ("/en/console/admin/keys", "/en/console/admin/keys/rotate"):
            assert (await client.get(path)).status_code == 404, path
        before = await jwks_kids(stack.gateway)
        assert (await client.post("/en/console/admin/keys/rotate", data={"csrf_token": csrf})).status_code == 404
        assert await jwks_kids(stack.gateway) == before
    async with console_client(world.gateway) as client:
        listed = await sign_in(client, platform, "/en/console/admin/users?tenant=MZ-CMM")
        assert listed.status_code == 200 and world.reporter.email in listed.text  # a tenant picked
        assert world.officer.email not in listed.text
        keys = await client.get("/en/console/admin/keys")
        assert keys.status_code == 200
        rows = html.fromstring(keys.text).xpath("//table[@class='data']/tbody/tr")
        states = {r.xpath("string(th)").strip(): r.xpath("string(td[2])").strip() for r in rows}
        signing = [kid for kid, state in states.items() if state == "Signs new tokens"]
        assert len(signing) == 1 and signing[0] == (await jwks_kids(stack.gateway))[0]
        confirm = await client.get("/en/console/admin/keys/rotate")
        assert confirm.status_code == 200
        csrf = csrf_of(confirm.text)
        assert (await client.post("/en/console/admin/keys/rotate", data={})).status_code == 403
        assert set(await jwks_kids(stack.gateway)) == set(states) - {
            kid for kid, state in states.items() if state == "Retired"
        }
        rotated = await client.post("/en/console/admin/keys/rotate", data={"csrf_token": csrf})
        assert rotated.status_code == 303, rotated.text
        kid = rotated.headers["location"].split("rotated=", 1)[1]
        assert kid not in states
        shown = await client.get(rotated.headers["location"])
        assert f"Key {kid} signs new tokens from now on." in shown.text
    kids = await jwks_kids(stack.gateway)
    assert kid in kids and signing[0] in kids  # the earlier key stays published
    # New tokens are signed with it (the same function `xarxa keys rotate` runs), once the
    # gateway has heard of it (a notification, at commit).

    async def signed_with_it() -> bool:
        token = await fetch_token(stack.gateway, tokens.credentials["admin"])
        return bool(jwt.get_unverified_header(token)["kid"] == kid)

    await eventually(signed_with_it, timeout=5, interval=0.05, what="tokens signed with the rotated key")
    events = await audit_events(stack, tokens, kid)
    assert [e["event"] for e in events] == ["key.rotated"] and events[0]["client_id"] == platform.id
