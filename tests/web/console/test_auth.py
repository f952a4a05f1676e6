"""The console as the gateway's confidential client (backend-for-frontend), through the real stack:
the code flow with PKCE, state and nonce; tokens only in a sealed HttpOnly cookie; refresh before
expiry; CSRF on forms; sign-out that ends the session here and at the gateway."""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.web.config import Settings
from services.web.console.session import COOKIE, FLOW_COOKIE, MAX_COOKIE_BYTES, CookieBox
from services.web.main import create_app
from tests.support.auth import Tokens
from tests.support.people import form_fields
from tests.support.stack import WEB_CLIENT_ID, WEB_CLIENT_SECRET, Stack
from tests.web.console.conftest import World, console_client, csrf_of, follow, officer_of, sign_in


def _set_cookie(response: httpx.Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie set: {response.headers.get_list('set-cookie')}"
    return found[-1]


async def test_sign_in_with_pkce_state_and_nonce_keeps_the_tokens_out_of_the_browser(world: World) -> None:
    async with console_client(world.gateway) as client:
        start = await client.get("/ca/console/projects?q=aigua")
        assert start.status_code == 303 and start.headers["location"].startswith("/auth/sign-in?")
        to_provider = await client.get(start.headers["location"])
        assert to_provider.status_code == 303
        flow_cookie = _set_cookie(to_provider, FLOW_COOKIE).lower()
        assert "httponly" in flow_cookie and "samesite=lax" in flow_cookie and "path=/auth" in flow_cookie
        query = parse_qs(urlsplit(to_provider.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
        assert query["state"][0] and query["nonce"][0] and query["client_id"] == [WEB_CLIENT_ID]
        assert query["redirect_uri"] == [f"{world.gateway}/auth/callback"]
        # Neither the verifier nor the state are readable in what the browser holds.
        assert query["state"][0] not in flow_cookie

    async with console_client(world.gateway) as client:
        landed = await sign_in(client, world.officer, "/ca/console/projects?q=aigua")
        assert landed.status_code == 200 and str(landed.url).endswith("/ca/console/projects?q=aigua")
        assert world.officer.email in landed.text or "Test Person" in landed.text
        value = client.cookies.get(COOKIE)
        assert value is not None and len(value) < MAX_COOKIE_BYTES
        # Sealed: no token, no claim in the clear (a JWT's header would start with eyJ).
        assert "eyJ" not in value
        assert world.officer.email not in base64.urlsafe_b64decode(value + "==").decode("latin-1")
        assert landed.headers["cache-control"] == "no-store"


async def test_the_session_cookie_is_httponly_samesite_lax_and_not_secure_on_plain_http(world: World) -> None:
    async with console_client(world.gateway) as client:
        page = await follow(client, await client.get("/en/console"))
        fields = {"email": world.reporter.email, "password": world.reporter.password, "code": ""}
        form = {**form_fields(page.text, "/oauth/authorize"), **fields}
        answer = await client.post("/oauth/authorize", data=form)
        callback = await client.get(answer.headers["location"])
        assert callback.status_code == 303 and callback.headers["location"] == "/en/console"
        header = _set_cookie(callback, COOKIE).lower()
        assert "httponly" in header and "samesite=lax" in header and "path=/" in header
        assert "secure" not in header  # http://127.0.0.1: a Secure cookie would never come back
        # The flow cookie is spent: a replayed callback is refused.
        replay = await client.get(answer.headers["location"])
        assert replay.status_code == 400 and client.cookies.get(COOKIE) is not None


async def test_a_callback_with_another_state_or_without_the_flow_is_refused(world: World) -> None:
    async with console_client(world.gateway) as client:
        page = await follow(client, await client.get("/ca/console"))
        form = {
            **form_fields(page.text, "/oauth/authorize"),
            "email": world.reporter.email,
            "password": world.reporter.password,
        }
        answer = await client.post("/oauth/authorize", data=form)
        location = answer.headers["location"]
        forged = location.replace("state=", "state=x")
        refused = await client.get(forged)
        assert refused.status_code == 400 and COOKIE not in client.cookies
    async with console_client(world.gateway) as stranger:  # a code pushed into someone else's browser
        assert (await stranger.get(location)).status_code == 400
        assert COOKIE not in stranger.cookies


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/ca/console", "/ca/console/../../oauth/x", "/ca/projects", "/\\evil"],
)
async def test_sign_in_never_leads_back_outside_the_console(world: World, target: str) -> None:
    async with console_client(world.gateway) as client:
        started = await client.get("/auth/sign-in", params={"lang": "es", "next": target})
        assert started.status_code == 303
        box = CookieBox(WEB_CLIENT_SECRET)
        flow = box.open("flow", client.cookies.get(FLOW_COOKIE), 600)
        assert flow is not None and flow["next"] == "/es/console"


async def test_console_forms_refuse_a_missing_or_wrong_csrf_token_and_change_nothing(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    project = world.shared
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens))
        page = await client.get(f"/ca/console/projects/{project['id']}")
        assert page.status_code == 200
        etag = page.text.split('name="etag" value="')[1].split('"')[0].replace("&#34;", '"')
        data = {"etag": etag, "title_ca": "Canviat sense testimoni", "title_es": "", "title_en": ""}
        for token in ({}, {"csrf_token": "not-the-token"}):
            refused = await client.post(f"/ca/console/projects/{project['id']}", data={**data, **token})
            assert refused.status_code == 403
        cross_site = await client.post(
            f"/ca/console/projects/{project['id']}",
            data={**data, "csrf_token": csrf_of(page.text)},
            headers={"Origin": "https://evil.example"},
        )
        assert cross_site.status_code == 403
    async with httpx.AsyncClient(base_url=world.gateway) as public:
        title = (await public.get(f"/api/projects/projects/{project['id']}")).json()["title"]
    assert title["ca"] != "Canviat sense testimoni"


async def test_the_access_token_is_refreshed_before_it_expires_by_any_replica(world: World, stack: Stack) -> None:
    """A second web process with the same client (as a second replica) takes the same cookie; told to
    refresh early, it rotates the tokens once and hands the browser the new cookie."""
    replica = create_app(
        Settings(
            gateway_url=world.gateway,
            public_url=world.gateway,
            client_secret=WEB_CLIENT_SECRET,
            refresh_before_expiry_seconds=10 * 3600,
            log_level="WARNING",
        )
    )
    async with console_client(world.gateway) as client:
        await sign_in(client, world.reporter)
        old = client.cookies[COOKIE]
        box = CookieBox(WEB_CLIENT_SECRET)
        before = box.open_session(old, 3600)
        assert before is not None
        async with (
            replica.router.lifespan_context(replica),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=replica), base_url=world.gateway) as second,
        ):
            second.cookies.set(COOKIE, old)
            answer = await second.get("/pt/console")
            assert answer.status_code == 200, answer.text[:300]
            new = answer.cookies.get(COOKIE)
            after = box.open_session(new, 3600)
            assert after is not None and after.sid == before.sid
            assert after.refresh_token != before.refresh_token and after.access_token != before.access_token
        # The stack's own web service takes the rotated cookie.
        client.cookies.set(COOKIE, str(new))
        assert (await client.get("/pt/console")).status_code == 200


async def test_sign_out_revokes_at_the_gateway_and_the_old_cookie_stops_working(world: World) -> None:
    async with console_client(world.gateway) as client:
        home = await sign_in(client, world.reporter, "/fr/console")
        old = client.cookies[COOKIE]
        provider_cookie = client.cookies["xarxa_signin"]
        box = CookieBox(WEB_CLIENT_SECRET)
        session = box.open_session(old, 3600)
        assert session is not None
        out = await client.post("/auth/sign-out", data={"csrf_token": csrf_of(home.text), "lang": "fr"})
        assert out.status_code == 303 and out.headers["location"].startswith(f"{world.gateway}/oauth/end-session?")
        assert "id_token_hint=" in out.headers["location"]
        ended = await client.get(out.headers["location"])
        assert ended.status_code == 303 and ended.headers["location"].startswith(f"{world.gateway}/")
        assert COOKIE not in client.cookies
    async with console_client(world.gateway) as thief:
        thief.cookies.set(COOKIE, old)
        thief.cookies.set("xarxa_signin", provider_cookie, path="/oauth")
        again = await thief.get("/fr/console")
        assert again.status_code == 303 and again.headers["location"].startswith("/auth/sign-in?")
        # At the gateway too: the next sign-in asks for the password again (its session ended).
        page = await follow(thief, again)
        assert page.status_code == 200 and 'name="password"' in page.text
    # And the refresh token is revoked for every replica: the gateway refuses it.
    async with httpx.AsyncClient(base_url=world.gateway, auth=(WEB_CLIENT_ID, WEB_CLIENT_SECRET)) as rp:
        grant = {"grant_type": "refresh_token", "refresh_token": session.refresh_token}
        refused = await rp.post("/oauth/token", data=grant)
        assert refused.status_code == 400


async def test_an_idle_session_ends(world: World) -> None:
    async with console_client(world.gateway) as client:
        await sign_in(client, world.reporter)
        box = CookieBox(WEB_CLIENT_SECRET)
        session = box.open_session(client.cookies[COOKIE], 3600)
        assert session is not None
        idle = replace(session, seen=int(time.time()) - 31 * 60)
        client.cookies.set(COOKIE, box.seal_session(idle))
        assert (await client.get("/ca/console")).status_code == 303
        # A cookie sealed with another key is no session either.
        client.cookies.set(COOKIE, CookieBox("another-secret-of-at-least-32-chars!").seal_session(session))
        assert (await client.get("/ca/console")).status_code == 303
