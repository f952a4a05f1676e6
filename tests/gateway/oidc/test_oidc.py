"""The gateway as OpenID Connect provider, against the real stack: discovery, the code flow with
PKCE, ID tokens, rotating refresh tokens, sign-out, and the attacks on each."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from authlib.oidc.core.util import create_half_hash  # type: ignore[import-untyped]
from authlib.oidc.discovery import OpenIDProviderMetadata  # type: ignore[import-untyped]
from sqlalchemy import text

from services.gateway.main import create_app
from services.gateway.oidc.texts import LANGUAGES, TEXTS, language
from services.gateway.users.roles import ROLE_SCOPES
from services.gateway.users.service import digest
from shared.auth import ALGORITHM, AUDIENCE
from shared.db import create_engine, create_sessionmaker, transaction
from shared.infra.ports import free_port
from tests.support.auth import Tokens
from tests.support.people import (
    Person,
    authorize_params,
    browser,
    callback,
    exchange,
    form_fields,
    person,
    pkce,
    query_of,
    refresh,
    sign_in,
    sign_in_page,
    submit,
)
from tests.support.stack import (
    WEB_CLIENT_ID,
    WEB_CLIENT_SECRET,
    WEB_SIGNED_OUT_PATH,
    RunningServer,
    Stack,
    gateway_settings,
    serve,
)


@pytest.fixture(scope="module")
async def officer(stack: Stack, tokens: Tokens) -> Person:
    return await person(
        stack, tokens.headers("admin"), tenant="ajuntament-barcelona", kind="institution", roles=["officer"]
    )


async def partner(stack: Stack, tokens: Tokens) -> Person:
    """Partner users need no second factor: any number of sign-ins a minute."""
    return await person(stack, tokens.headers("admin"), tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])


async def audit_events(stack: Stack, tokens: Tokens, subject: str) -> list[str]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        # Failed sign-ins are written with their page; the admin reads them back by the user's id.
        items = (await admin.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
    return [i["event"] for i in items if i["subject"] == subject and i["event"]]


def test_every_page_text_exists_in_each_language() -> None:
    for key, values in TEXTS.items():
        assert set(values) == set(LANGUAGES), key
        assert all(v.strip() for v in values.values()), key
    assert language("es-ES en", None) == "es"
    assert language(None, "de-DE,en;q=0.8") == "en"
    assert language(None, "de") == "ca"


async def test_discovery_document_is_valid_and_names_this_provider(stack: Stack, anonymous: httpx.AsyncClient) -> None:
    document = (await anonymous.get("/.well-known/openid-configuration")).json()
    OpenIDProviderMetadata(document).validate()
    assert document["issuer"] == stack.gateway
    assert document["code_challenge_methods_supported"] == ["S256"]
    jwks = (await anonymous.get(document["jwks_uri"])).json()
    keys = stack.servers["gateway"].app.state.keys
    assert keys.signing_kid in {k["kid"] for k in jwks["keys"]}


async def test_an_officer_signs_in_with_a_second_factor_and_gets_tokens_every_service_accepts(
    stack: Stack, tokens: Tokens
) -> None:
    officer = await person(
        stack, tokens.headers("admin"), tenant="ajuntament-barcelona", kind="institution", roles=["officer"]
    )
    assert officer.totp_secret is not None
    signed = await sign_in(stack, officer)
    body = signed.tokens
    async with httpx.AsyncClient(base_url=stack.gateway) as anonymous:
        jwks = (await anonymous.get("/.well-known/jwks.json")).json()
    kid = jwt.get_unverified_header(body["id_token"])["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    id_claims = jwt.decode(body["id_token"], key, algorithms=[ALGORITHM], audience=WEB_CLIENT_ID, issuer=stack.gateway)
    assert id_claims["sub"] == officer.id and id_claims["nonce"] == signed.nonce
    assert id_claims["at_hash"] == create_half_hash(body["access_token"], ALGORITHM).decode()
    assert id_claims["email"] == officer.email and id_claims["amr"] == ["pwd", "otp"]
    access = jwt.decode(body["access_token"], key, algorithms=[ALGORITHM], audience=AUDIENCE)
    assert set(access["scope"].split()) == ROLE_SCOPES["officer"]
    assert (access["tenant"], access["tenant_kind"]) == ("ajuntament-barcelona", "institution")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as client:
        assert (await client.get("/api/projects/projects")).status_code == 200
        # Rates are the finance administration's: the officer's scopes do not reach them.
        rate = await client.put("/api/funding/rates/USD/2025-01-02", json={"eur_per_unit": "0.9"})
        assert rate.status_code == 403
    await signed.browser.aclose()
    assert "signin.succeeded" in await audit_events(stack, tokens, officer.id)


async def test_an_institution_user_without_the_code_is_refused_like_a_wrong_password(
    stack: Stack, officer: Person
) -> None:
    async with browser(stack) as client:
        _, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        no_code = await submit(client, page, officer.email, officer.password, "")
        wrong_password = await submit(client, page, officer.email, "not the password at all", officer.code())
        unknown = await submit(client, page, "nobody@example.org", officer.password, "123456")
    assert no_code.status_code == wrong_password.status_code == unknown.status_code == 401
    for refused in (no_code, wrong_password, unknown):
        assert "location" not in refused.headers
        assert "no són correctes" in refused.text
    assert no_code.text.replace(officer.email, "") == wrong_password.text.replace(officer.email, "")


async def test_pkce_with_s256_is_required_and_a_code_is_spent_by_one_wrong_verifier(
    stack: Stack, tokens: Tokens
) -> None:
    user = await partner(stack, tokens)
    async with browser(stack) as client:
        _, challenge = pkce()
        for bad in ({"code_challenge": ""}, {"code_challenge_method": "plain"}, {"code_challenge_method": ""}):
            params = authorize_params(challenge, gateway=stack.gateway)
            params.update(bad)
            refused = await client.get("/oauth/authorize", params=params)
            assert refused.status_code == 303
            query = query_of(refused.headers["location"])
            assert query["error"] == "invalid_request" and "PKCE" in query["error_description"]
            assert query["state"] == params["state"] and "code" not in query
        verifier, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        answer = await submit(client, page, user.email, user.password, "")
        code = query_of(answer.headers["location"])["code"]
        missing = await exchange(stack, code, "")
        assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
        wrong = await exchange(stack, code, pkce()[0])
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        # A guessed verifier costs the code: the right one no longer helps.
        late = await exchange(stack, code, verifier)
        assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/auth/callback",
        "{gw}/auth/callback/",
        "{gw}/auth/callback?next=https://evil.example",
        "{gw}/auth/callback/../../evil",
        "{gw}/auth/CALLBACK",
        "{gw}.evil.example/auth/callback",
        "//evil.example/auth/callback",
        "",
    ],
)
async def test_no_redirect_to_any_uri_but_the_registered_one(stack: Stack, redirect_uri: str) -> None:
    async with browser(stack) as client:
        _, challenge = pkce()
        params = authorize_params(challenge, redirect_uri=redirect_uri.format(gw=stack.gateway))
        # Even an error is shown on the page, not sent to the unregistered address.
        params["response_type"] = "token"
        refused = await client.get("/oauth/authorize", params=params)
        unknown_client = await client.get(
            "/oauth/authorize", params={**authorize_params(challenge, gateway=stack.gateway), "client_id": "other"}
        )
    assert refused.status_code == 400 and "location" not in refused.headers
    assert "adreça de retorn" in refused.text
    assert unknown_client.status_code == 400 and "location" not in unknown_client.headers


async def test_sign_out_redirects_only_to_a_registered_address(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    signed = await sign_in(stack, user)
    evil = await signed.browser.get(
        "/oauth/end-session",
        params={"id_token_hint": signed.tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
    )
    await signed.browser.aclose()
    assert evil.status_code == 200 and "location" not in evil.headers
    again = await sign_in(stack, user)
    registered = f"{stack.gateway}{WEB_SIGNED_OUT_PATH}"
    back = await again.browser.get(
        "/oauth/end-session",
        params={"id_token_hint": again.tokens["id_token"], "post_logout_redirect_uri": registered, "state": "s1"},
    )
    assert back.status_code == 303 and back.headers["location"] == f"{registered}?state=s1"
    # Signed out: the refresh token of that sign-in is dead, and the browser must sign in again.
    assert (await refresh(stack, again.tokens["refresh_token"])).json()["error"] == "invalid_grant"
    page = await sign_in_page(again.browser, stack, pkce()[1])
    assert page.status_code == 200 and "password" in page.text
    await again.browser.aclose()


async def test_forms_without_the_sessions_csrf_token_are_refused(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    async with browser(stack) as client, browser(stack) as other:
        _, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        fields = {**form_fields(page.text, "/oauth/authorize"), "email": user.email, "password": user.password}
        foreign_page = await sign_in_page(other, stack, challenge)
        foreign = form_fields(foreign_page.text, "/oauth/authorize")["csrf_token"]
        attempts: list[dict[str, Any]] = [
            {"data": {**fields, "csrf_token": ""}},
            {"data": {k: v for k, v in fields.items() if k != "csrf_token"}},
            {"data": {**fields, "csrf_token": foreign}},  # another browser's token
            {"data": {**fields, "csrf_token": fields["csrf_token"] + "x"}},
            {"data": fields, "headers": {"Origin": "https://evil.example"}},
        ]
        for attempt in attempts:
            refused = await client.post("/oauth/authorize", **attempt)
            assert refused.status_code == 403, refused.text
            assert "location" not in refused.headers and "set-cookie" not in refused.headers
        # A cross-site post carries no cookie at all (SameSite=Lax), nor does a forged form.
        cookieless = await httpx.AsyncClient(base_url=stack.gateway).post("/oauth/authorize", data=fields)
        assert cookieless.status_code == 403
        # The same form with its own token goes through.
        accepted = await client.post("/oauth/authorize", data=fields)
        assert accepted.status_code == 303
        # Sign-out confirmation: the same rule.
        confirm = await client.get("/oauth/end-session")
        assert confirm.status_code == 200
        token = form_fields(confirm.text, "/oauth/end-session")["csrf_token"]
        forged = await client.post("/oauth/end-session", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        still = await sign_in_page(client, stack, challenge)
        assert still.status_code == 303  # still signed in
        done = await client.post("/oauth/end-session", data={"csrf_token": token})
        assert done.status_code == 200
        assert (await sign_in_page(client, stack, challenge)).status_code == 200
    assert "signin.succeeded" in await audit_events(stack, tokens, user.id)


async def test_the_session_id_changes_at_sign_in_so_a_planted_one_is_worthless(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    async with browser(stack) as victim:
        _, challenge = pkce()
        page = await sign_in_page(victim, stack, challenge)
        planted = victim.cookies["xarxa_signin"]  # what an attacker could have set beforehand
        answer = await submit(victim, page, user.email, user.password, "")
        assert answer.status_code == 303
        fresh = victim.cookies["xarxa_signin"]
        assert fresh != planted
        assert "HttpOnly" in answer.headers["set-cookie"] and "samesite=lax" in answer.headers["set-cookie"].lower()
        # The victim's browser is signed in; the attacker holding the planted id is not.
        assert (await sign_in_page(victim, stack, challenge)).status_code == 303
    async with browser(stack) as attacker:
        attacker.cookies.set("xarxa_signin", planted, path="/oauth")
        again = await sign_in_page(attacker, stack, challenge)
        assert again.status_code == 200 and "location" not in again.headers


async def test_brute_force_locks_the_account_even_for_the_right_password(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1])
        for attempt in range(5):
            wrong = await submit(client, page, user.email, f"wrong password {attempt}", "")
            assert wrong.status_code == 401
        right = await submit(client, page, user.email, user.password, "")
    assert right.status_code == 429 and "location" not in right.headers
    assert "Massa intents" in right.text
    events = await audit_events(stack, tokens, user.id)
    # Newest first: the refusal (by the per-email limit in memory or the lock in the database).
    assert events[0] in ("signin.limited", "signin.locked")
    assert events.count("signin.failed") == 5 and "signin.lockout" in events
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        assert (await admin.get(f"/api/gateway/users/{user.id}")).json()["locked_until"] is not None
    # The lock is in the database: another gateway (a restart, a replica) refuses it just as well.
    server = await limited_gateway(stack, failures_per_minute=10_000)
    try:
        async with httpx.AsyncClient(base_url=server.url, follow_redirects=False) as client:
            page = await client.get("/oauth/authorize", params=authorize_params(pkce()[1], gateway=server.url))
            elsewhere = await submit(client, page, user.email, user.password, "")
        assert elsewhere.status_code == 429
    finally:
        await server.stop()
    assert (await audit_events(stack, tokens, user.id))[0] == "signin.locked"


async def limited_gateway(stack: Stack, failures_per_minute: float) -> RunningServer:
    port = free_port()
    app = create_app(
        gateway_settings(
            stack.infra,
            signin_failures_per_address_per_minute=failures_per_minute,
            public_url=f"http://127.0.0.1:{port}",
            web_redirect_uris=[f"http://127.0.0.1:{port}/auth/callback"],
        )
    )
    return await serve("gateway-limited", app, port)


async def test_failed_sign_ins_from_one_address_are_limited(stack: Stack, tokens: Tokens) -> None:
    server = await limited_gateway(stack, failures_per_minute=3)
    try:
        async with httpx.AsyncClient(base_url=server.url, follow_redirects=False) as client:
            params = authorize_params(pkce()[1], gateway=server.url)
            page = await client.get("/oauth/authorize", params=params)
            statuses = []
            for n in range(5):  # a different account each time: the address is what is limited
                statuses.append((await submit(client, page, f"guess{n}@example.org", "guess-password", "")).status_code)
        assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
    finally:
        await server.stop()


async def test_refresh_tokens_rotate_and_a_replayed_one_revokes_its_whole_sign_in(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    signed = await sign_in(stack, user)
    await signed.browser.aclose()
    first = signed.tokens["refresh_token"]
    rotated = await refresh(stack, first)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first and rotated.json()["access_token"]
    replay = await refresh(stack, first)  # a stolen copy of the spent token
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert (await refresh(stack, second)).json()["error"] == "invalid_grant"
    assert "token.refresh-replayed" in await audit_events(stack, tokens, user.id)


async def test_a_code_used_twice_revokes_what_the_first_use_gave(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    async with browser(stack) as client:
        verifier, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        code = query_of((await submit(client, page, user.email, user.password, "")).headers["location"])["code"]
    first = await exchange(stack, code, verifier)
    assert first.status_code == 200
    second = await exchange(stack, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert (await refresh(stack, first.json()["refresh_token"])).json()["error"] == "invalid_grant"


async def test_wrong_client_credentials_and_revocation(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    signed = await sign_in(stack, user)
    await signed.browser.aclose()
    token = signed.tokens["refresh_token"]
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        wrong = await client.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": token},
            auth=(WEB_CLIENT_ID, "not-the-secret"),
        )
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        revoked = await client.post(
            "/oauth/revoke", data={"token": token, "client_id": WEB_CLIENT_ID, "client_secret": WEB_CLIENT_SECRET}
        )
        assert revoked.status_code == 200
    assert (await refresh(stack, token)).json()["error"] == "invalid_grant"


async def test_the_sign_in_page_speaks_the_language_asked_for(stack: Stack) -> None:
    async with browser(stack) as client:
        _, challenge = pkce()
        spanish = await sign_in_page(client, stack, challenge, ui_locales="es")
        english = await client.get(
            "/oauth/authorize",
            params=authorize_params(challenge, gateway=stack.gateway),
            headers={"Accept-Language": "en-GB,en;q=0.9"},
        )
    assert "Inicia sesión en Xarxa" in spanish.text and 'lang="es"' in spanish.text
    assert "Sign in to Xarxa" in english.text
    assert spanish.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in spanish.headers["content-security-policy"]


async def test_prompt_none_without_a_session_answers_login_required(stack: Stack) -> None:
    async with browser(stack) as client:
        answer = await sign_in_page(client, stack, pkce()[1], prompt="none")
    query = query_of(answer.headers["location"])
    assert answer.status_code == 303 and query["error"] == "login_required"
    assert answer.headers["location"].startswith(callback(stack.gateway) + "?")


async def test_an_expired_code_is_refused(stack: Stack, tokens: Tokens) -> None:
    user = await partner(stack, tokens)
    async with browser(stack) as client:
        verifier, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        code = query_of((await submit(client, page, user.email, user.password, "")).headers["location"])["code"]

    engine = create_engine(stack.infra.database_url("gateway"), pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            await session.execute(
                text("UPDATE authorization_codes SET expires_at = now() - interval '1 second' WHERE code_hash = :h"),
                {"h": digest(code)},
            )
    finally:
        await engine.dispose()
    expired = await exchange(stack, code, verifier)
    assert expired.status_code == 400 and "expired" in expired.json()["error_description"]
