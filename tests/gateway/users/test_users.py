"""Users and their administration, against the real stack: invitations, roles, tenant
administrators, password resets, disabling, and every change in the audit trail."""

from __future__ import annotations

from typing import Any

import httpx
import jwt

from tests.support.auth import Tokens
from tests.support.people import (
    PASSWORD,
    Person,
    browser,
    form_fields,
    invite,
    next_code,
    person,
    pkce,
    refresh,
    set_password,
    sign_in,
    sign_in_page,
    submit,
    unique_email,
)
from tests.support.stack import Stack
from tests.support.waiting import eventually


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def events_about(stack: Stack, tokens: Tokens, subject: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        items = (await admin.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
    return [i for i in items if i["subject"] == subject and i["event"]]


async def count_users(stack: Stack, tokens: Tokens) -> int:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        return len((await admin.get("/api/gateway/users", params={"limit": 500})).json()["items"])


async def test_bad_invitations_are_refused_by_field_and_create_nobody(stack: Stack, tokens: Tokens) -> None:
    before = await count_users(stack, tokens)
    good: dict[str, Any] = {
        "email": unique_email("x"),
        "name": "N",
        "tenant": "amb",
        "tenant_kind": "institution",
        "roles": ["officer"],
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"roles": ["emperor"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"roles": ["partner-reporter"]}, "roles"),  # not a role of an institution
        ({"tenant_kind": "partner", "roles": ["officer"]}, "roles"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"tenant": "amb; DROP TABLE users"}, "tenant"),
        ({"tenant_kind": "kingdom"}, "tenant_kind"),
        ({"locale": "fr"}, "locale"),
        ({"is_admin": True}, "is_admin"),
    ]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        for change, field in cases:
            response = await admin.post("/api/gateway/users", json={**good, **change})
            assert response.status_code == 422, (change, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert field in str(response.json()["errors"]), (change, response.json())
        created = await admin.post("/api/gateway/users", json=good)
        assert created.status_code == 201
        again = await admin.post("/api/gateway/users", json={**good, "email": good["email"].upper()})
        assert again.status_code == 409 and again.json()["errors"][0]["field"] == "email"
    assert await count_users(stack, tokens) == before + 1


async def test_roles_map_to_scopes_and_a_change_reaches_the_next_token(stack: Stack, tokens: Tokens) -> None:
    reporter = await person(
        stack, tokens.headers("admin"), tenant="ENT-ROLES", kind="entity", roles=["entity-applicant"]
    )
    signed = await sign_in(stack, reporter)
    await signed.browser.aclose()
    first = jwt.decode(signed.tokens["access_token"], options={"verify_signature": False})
    assert first["scope"] == "grants:apply" and first["tenant_kind"] == "partner"  # an entity acts as a partner
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        changed = await admin.put(f"/api/gateway/users/{reporter.id}/roles", json={"roles": ["tenant-admin"]})
        assert changed.status_code == 200 and changed.json()["roles"] == ["tenant-admin"]
        wrong = await admin.put(f"/api/gateway/users/{reporter.id}/roles", json={"roles": ["officer"]})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "roles"
    rotated = await refresh(stack, signed.tokens["refresh_token"])
    assert jwt.decode(rotated.json()["access_token"], options={"verify_signature": False})["scope"] == ""
    events = [e["event"] for e in await events_about(stack, tokens, reporter.id)]
    assert "user.roles-set:tenant-admin" in events and "user.invited" in events
    assert "user.invitation-accepted" in events


async def test_a_tenant_administrator_manages_its_own_tenant_only(stack: Stack, tokens: Tokens) -> None:
    chief = await person(stack, tokens.headers("admin"), tenant="MZ-CMM", kind="partner", roles=["tenant-admin"])
    signed = await sign_in(stack, chief)
    await signed.browser.aclose()
    own = bearer(signed.tokens["access_token"])
    reporter = await invite(stack, own, tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])
    assert reporter["link"].startswith(f"{stack.gateway}/oauth/password?token=")
    other_user = await person(stack, tokens.headers("admin"), tenant="amb", kind="institution", roles=["officer"])
    async with httpx.AsyncClient(base_url=stack.gateway, headers=own) as client:
        elsewhere = await client.post(
            "/api/gateway/users",
            json={
                "email": unique_email("x"),
                "name": "N",
                "tenant": "amb",
                "tenant_kind": "institution",
                "roles": ["officer"],
            },
        )
        assert elsewhere.status_code == 403
        platform = await client.post(
            "/api/gateway/users",
            json={
                "email": unique_email("x"),
                "name": "N",
                "tenant": "MZ-CMM",
                "tenant_kind": "partner",
                "roles": ["platform-admin"],
            },
        )
        assert platform.status_code == 422  # not a partner's role at all
        listed = (await client.get("/api/gateway/users")).json()["items"]
        assert {u["tenant"] for u in listed} == {"MZ-CMM"}
        assert (await client.get(f"/api/gateway/users/{other_user.id}")).status_code == 404
        assert (await client.post(f"/api/gateway/users/{other_user.id}/disable")).status_code == 404
        assert (await client.get("/api/gateway/users", params={"tenant": "amb"})).status_code == 403
        assert (await client.post(f"/api/gateway/users/{chief.id}/disable")).status_code == 409
    # A client token without admin, and a user without the role, manage nobody.
    for headers in (tokens.headers("ajuntament"), bearer((await sign_in_tokens(stack, other_user))["access_token"])):
        async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as client:
            assert (await client.get("/api/gateway/users")).status_code == 403
    async with httpx.AsyncClient(base_url=stack.gateway) as anonymous:
        assert (await anonymous.get("/api/gateway/users")).status_code == 401


async def sign_in_tokens(stack: Stack, who: Person) -> dict[str, Any]:
    signed = await sign_in(stack, who)
    await signed.browser.aclose()
    return signed.tokens


async def test_a_disabled_user_is_out_at_once_everywhere(stack: Stack, tokens: Tokens) -> None:
    user = await person(stack, tokens.headers("admin"), tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])
    signed = await sign_in(stack, user)
    access = bearer(signed.tokens["access_token"])
    projects_direct = stack.url("projects")
    async with httpx.AsyncClient(headers=access) as client:
        assert (await client.get(f"{stack.gateway}/api/projects/projects")).status_code == 200
        assert (await client.get(f"{projects_direct}/api/projects/projects")).status_code == 200
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        disabled = await admin.post(f"/api/gateway/users/{user.id}/disable")
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    async with httpx.AsyncClient(headers=access) as client:
        assert (await client.get(f"{stack.gateway}/api/projects/projects")).status_code == 401

        async def refused_by_the_service() -> bool:
            return (await client.get(f"{projects_direct}/api/projects/projects")).status_code == 401

        await eventually(refused_by_the_service, timeout=5, what="the projects service refusing the disabled user")
    assert (await refresh(stack, signed.tokens["refresh_token"])).json()["error"] == "invalid_grant"
    # The browser's session with the gateway is over too, and the password opens nothing.
    page = await sign_in_page(signed.browser, stack, pkce()[1])
    assert page.status_code == 200
    refused = await submit(signed.browser, page, user.email, user.password, "")
    assert refused.status_code == 401
    await signed.browser.aclose()
    events = [e["event"] for e in await events_about(stack, tokens, user.id)]
    assert events[0] == "signin.disabled" and "user.disabled" in events


async def test_a_password_reset_link_sets_a_new_password_and_ends_the_sessions(stack: Stack, tokens: Tokens) -> None:
    user = await person(
        stack, tokens.headers("admin"), tenant="ajuntament-barcelona", kind="institution", roles=["reviewer"]
    )
    signed = await sign_in(stack, user)
    await signed.browser.aclose()
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        issued = await admin.post(f"/api/gateway/users/{user.id}/password-reset", json={"second_factor": True})
    assert issued.status_code == 201
    assert (await refresh(stack, signed.tokens["refresh_token"])).json()["error"] == "invalid_grant"
    link = issued.json()["link"]
    weak, _ = await set_password(stack, link, "short")
    assert weak.status_code == 422 and "12" in weak.text
    wrong_code, _ = await set_password(stack, link, "a brand new long passphrase", lambda secret: "000000")
    assert wrong_code.status_code == 422
    done, new_secret = await set_password(stack, link, "a brand new long passphrase")
    assert done.status_code == 200 and new_secret and new_secret != user.totp_secret
    async with browser(stack) as client:
        reused = await client.get(link)
        assert reused.status_code == 400
        page = await sign_in_page(client, stack, pkce()[1])
        old = await submit(client, page, user.email, PASSWORD, next_code(new_secret))
        assert old.status_code == 401
    renewed = Person(
        user.id, user.email, "a brand new long passphrase", user.tenant, user.tenant_kind, user.roles, new_secret
    )
    assert (await sign_in_tokens(stack, renewed))["access_token"]
    events = [e["event"] for e in await events_about(stack, tokens, user.id)]
    assert "user.password-reset-issued" in events and "user.password-reset" in events


async def test_an_invitation_link_works_once_and_not_after_a_new_one(stack: Stack, tokens: Tokens) -> None:
    invited = await invite(stack, tokens.headers("admin"), tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])
    async with browser(stack) as client:
        page = await client.get(invited["link"])
        assert page.status_code == 200 and invited["user"]["email"] in page.text
        fields = form_fields(page.text, "/oauth/password")
        forged = await client.post("/oauth/password", data={**fields, "csrf_token": "x", "password": PASSWORD})
        assert forged.status_code == 403
        assert (await client.get("/oauth/password", params={"token": "not-a-token"})).status_code == 400
    done, secret = await set_password(stack, invited["link"], PASSWORD)
    assert done.status_code == 200 and secret is None  # partners sign in without a second factor
    async with browser(stack) as client:
        assert (await client.get(invited["link"])).status_code == 400


async def test_a_tenant_administrator_cannot_touch_a_platform_administrator(stack: Stack, tokens: Tokens) -> None:
    admin = tokens.headers("admin")
    chief = await person(stack, admin, tenant="amb", kind="institution", roles=["tenant-admin"])
    platform = await invite(stack, admin, tenant="amb", kind="institution", roles=["platform-admin"])
    officer = await invite(stack, admin, tenant="amb", kind="institution", roles=["officer"])
    own = bearer((await sign_in_tokens(stack, chief))["access_token"])
    platform_id, officer_id = platform["user"]["id"], officer["user"]["id"]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=own) as client:
        assert (await client.post(f"/api/gateway/users/{platform_id}/disable")).status_code == 403
        demote = await client.put(f"/api/gateway/users/{platform_id}/roles", json={"roles": ["officer"]})
        assert demote.status_code == 403
        promote = await client.put(f"/api/gateway/users/{officer_id}/roles", json={"roles": ["platform-admin"]})
        assert promote.status_code == 403
        # Its own tenant's officer it does manage.
        assert (
            await client.put(f"/api/gateway/users/{officer_id}/roles", json={"roles": ["reviewer"]})
        ).status_code == 200
        assert (await client.post(f"/api/gateway/users/{officer_id}/disable")).status_code == 200
    async with httpx.AsyncClient(base_url=stack.gateway, headers=admin) as client:
        assert (await client.get(f"/api/gateway/users/{platform_id}")).json()["roles"] == ["platform-admin"]
