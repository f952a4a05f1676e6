"""Sign-in through a tenant's own OpenID Connect provider, against the real stack and a real
provider on loopback (tests/support/oidc_provider.py), configured with `xarxa federation` as an
operator would: the trip there and back, the ID token's checks, who may come in, and the password
way for everybody else."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from lxml import html

from services.gateway.oidc.texts import texts
from services.web.console.session import COOKIE as CONSOLE_COOKIE
from shared.auth import ALGORITHM
from shared.infra.ports import free_port
from tests.support.auth import Tokens
from tests.support.oidc_provider import MISBEHAVIOURS, Client, Provider, serve_provider
from tests.support.people import (
    browser,
    callback,
    exchange,
    form_fields,
    invite,
    person,
    pkce,
    query_of,
    set_password,
    sign_in_page,
    submit,
)
from tests.support.stack import WEB_CLIENT_ID, RunningServer, Stack

TENANT = "amb"
CLIENT_ID = "xarxa-gateway"
SECRET_VARIABLE = "XARXA_TEST_TENANT_IDP_SECRET"


async def xarxa(stack: Stack, *args: str, ok: bool = True) -> str:
    env = {
        **os.environ,
        "XARXA_GATEWAY_DATABASE_URL": stack.infra.database_url("gateway"),
        "XARXA_GATEWAY_PUBLIC_URL": stack.gateway,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "xarxa.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert (process.returncode == 0) == ok, output.decode()
    return output.decode()


@dataclass
class Federation:
    idp: Provider
    server: RunningServer
    id: str
    domain: str
    name: str
    redirect: str
    strict_domain: str = ""


@pytest.fixture(scope="module")
async def federation(stack: Stack) -> AsyncIterator[Federation]:
    secret = secrets.token_urlsafe(32)
    # Read by the gateway (in this process) at each token request, and by the CLI when it checks.
    os.environ[SECRET_VARIABLE] = secret
    redirect = f"{stack.gateway}/oauth/federated/callback"
    idp, server = await serve_provider({CLIENT_ID: Client(secret, (redirect,))})
    tag = secrets.token_hex(4)
    fed = Federation(idp, server, f"amb-{tag}", f"fed{tag}.example.org", f"AMB {tag}", redirect)
    printed = await xarxa(
        stack,
        "federation",
        "add",
        "--id",
        fed.id,
        "--name",
        fed.name,
        "--tenant",
        TENANT,
        "--issuer",
        idp.issuer,
        "--client-id",
        CLIENT_ID,
        "--client-secret-ref",
        f"env:{SECRET_VARIABLE}",
        "--domains",
        f"{fed.domain.upper()}, ",
    )
    assert redirect in printed and secret not in printed
    # A second configuration of the same provider for a stricter tenant domain: a pending
    # invitation is enough, and the ID token must say the person used a second factor.
    strict = f"strict{tag}.example.org"
    await xarxa(
        stack,
        "federation",
        "add",
        "--id",
        f"{fed.id}-strict",
        "--name",
        f"{fed.name} strict",
        "--tenant",
        TENANT,
        "--issuer",
        idp.issuer,
        "--client-id",
        CLIENT_ID,
        "--client-secret-ref",
        f"env:{SECRET_VARIABLE}",
        "--domains",
        strict,
        "--unknown-users",
        "invitation",
        "--require-amr",
        "mfa",
    )
    fed.strict_domain = strict
    yield fed
    # Other modules' sign-in pages go back to having no provider's button.
    await xarxa(stack, "federation", "disable", fed.id)
    await xarxa(stack, "federation", "disable", f"{fed.id}-strict")
    await server.stop()
    del os.environ[SECRET_VARIABLE]


@pytest.fixture(autouse=True)
def well_behaved(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "federation" in request.fixturenames:
        fed: Federation = request.getfixturevalue("federation")
        fed.idp.misbehave, fed.idp.email_verified, fed.idp.amr = None, True, ["pwd", "mfa"]


async def member(
    stack: Stack, tokens: Tokens, fed: Federation, *, accept: bool = True, tenant: str = TENANT, strict: bool = False
) -> str:
    """A user of the tenant whose email is of the federated domain (invited, and accepted)."""
    email = f"person-{secrets.token_hex(4)}@{fed.strict_domain if strict else fed.domain}"
    kind = "institution" if tenant in ("amb", "ajuntament-barcelona") else "partner"
    roles = ["officer"] if kind == "institution" else ["partner-reporter"]
    invited = await invite(stack, tokens.headers("admin"), tenant=tenant, kind=kind, roles=roles, email=email)
    if accept:
        done, _ = await set_password(stack, invited["link"], "an unused password of the gateway")
        assert done.status_code == 200, done.text
    return str(invited["user"]["id"])


@dataclass
class Trip:
    verifier: str
    answer: httpx.Response  # the gateway's answer at its callback


async def federated(client: httpx.AsyncClient, stack: Stack, fed: Federation, email: str, **extra: str) -> Trip:
    """The gateway's page, the email typed (no password), the provider's page, back."""
    verifier, challenge = pkce()
    page = await sign_in_page(client, stack, challenge, **extra)
    to_idp = await submit(client, page, email, "", "")
    assert to_idp.status_code == 303, to_idp.text
    return Trip(verifier, await through_provider(client, fed, to_idp, email))


async def through_provider(
    client: httpx.AsyncClient, fed: Federation, to_idp: httpx.Response, email: str
) -> httpx.Response:
    location = to_idp.headers["location"]
    assert location.startswith(f"{fed.idp.issuer}/authorize?")
    asked = query_of(location)
    assert asked["code_challenge_method"] == "S256" and asked["state"] and asked["nonce"]
    assert asked["redirect_uri"] == fed.redirect and asked["client_id"] == CLIENT_ID
    idp_page = await client.get(location)
    assert idp_page.status_code == 200, idp_page.text
    fields = {**form_fields(idp_page.text), "email": email}
    back = await client.post(f"{fed.idp.issuer}/authorize", data=fields)
    assert back.status_code == 303
    return await client.get(back.headers["location"])


async def audit(stack: Stack, tokens: Tokens) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        items: list[dict[str, Any]] = (await admin.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
    return items


async def last_federation_event(stack: Stack, tokens: Tokens) -> dict[str, Any]:
    return next(i for i in await audit(stack, tokens) if (i["event"] or "").startswith("signin.federated"))


def refused_page(answer: httpx.Response, lang: str = "ca") -> None:
    assert answer.status_code == 401, answer.text
    assert "location" not in answer.headers and "set-cookie" not in answer.headers
    assert texts(lang)["federated.refused"] in html.fromstring(answer.text).text_content()


async def test_a_federated_sign_in_through_the_console_lands_signed_in(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    user_id = await member(stack, tokens, federation)
    email = await email_of(stack, tokens, user_id)
    async with httpx.AsyncClient(base_url=stack.gateway, follow_redirects=False, timeout=30) as client:
        started = await client.get("/auth/sign-in", params={"lang": "pt"})
        assert started.status_code == 303
        page = await client.get(started.headers["location"])
        assert page.status_code == 200 and 'lang="pt"' in page.text
        # The tenant's button is offered, in the page's language.
        assert texts("pt")["federated.with"].format(name=federation.name) in html.fromstring(page.text).text_content()
        fields = {**form_fields(page.text, "/oauth/authorize"), "email": email, "password": "", "code": ""}
        to_idp = await client.post("/oauth/authorize", data=fields)
        assert to_idp.status_code == 303, to_idp.text
        assert query_of(to_idp.headers["location"])["ui_locales"] == "pt"
        assert query_of(to_idp.headers["location"])["login_hint"] == email
        back = await through_provider(client, federation, to_idp, email)
        assert back.status_code == 303
        to_console = back.headers["location"]
        assert to_console.startswith(callback(stack.gateway) + "?")
        assert query_of(to_console)["iss"] == stack.gateway
        landed = await client.get(to_console)
        assert landed.status_code == 303 and landed.headers["location"] == "/pt/console"
        assert client.cookies.get(CONSOLE_COOKIE) is not None
        console = await client.get("/pt/console")
        assert console.status_code == 200
    event = await last_federation_event(stack, tokens)
    assert event["event"] == f"signin.federated:{federation.id}" and event["subject"] == user_id


async def email_of(stack: Stack, tokens: Tokens, user_id: str) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        return str((await admin.get(f"/api/gateway/users/{user_id}")).json()["email"])


async def test_the_platform_issues_its_own_tokens_saying_who_vouched(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    user_id = await member(stack, tokens, federation)
    email = await email_of(stack, tokens, user_id)
    async with browser(stack) as client:
        # The button instead of the email: the same trip.
        verifier, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        button_form = next(f for f in html.fromstring(page.text).forms if f.xpath(".//button[@name='provider']"))
        fields = {i.name: i.value or "" for i in button_form.inputs if i.name and i.tag == "input"}
        to_idp = await client.post("/oauth/authorize", data={**fields, "provider": federation.id})
        assert to_idp.status_code == 303
        back = await through_provider(client, federation, to_idp, email)
        assert back.status_code == 303
        code = query_of(back.headers["location"])["code"]
        exchanged = await exchange(stack, code, verifier)
        assert exchanged.status_code == 200, exchanged.text
        body = exchanged.json()
        keys = stack.servers["gateway"].app.state.keys
        kid = jwt.get_unverified_header(body["id_token"])["kid"]
        claims = jwt.decode(
            body["id_token"],
            keys.public_keys[kid],
            algorithms=[ALGORITHM],
            audience=WEB_CLIENT_ID,
            issuer=stack.gateway,
        )
        assert claims["sub"] == user_id and claims["amr"] == ["fed"] and claims["idp"] == federation.id
        assert claims["tenant"] == TENANT
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as api:
            assert (await api.get("/api/projects/projects")).status_code == 200
        # Signed in at the gateway now: the next authorization needs no trip at all.
        again = await sign_in_page(client, stack, pkce()[1])
        assert again.status_code == 303 and "code" in query_of(again.headers["location"])


@pytest.mark.parametrize("misbehaviour", MISBEHAVIOURS)
async def test_an_id_token_that_fails_any_check_is_refused(
    stack: Stack, tokens: Tokens, federation: Federation, misbehaviour: str
) -> None:
    user_id = await member(stack, tokens, federation)
    email = await email_of(stack, tokens, user_id)
    federation.idp.misbehave = misbehaviour
    async with browser(stack) as client:
        trip = await federated(client, stack, federation, email, ui_locales="fr")
        refused_page(trip.answer, "fr")
        # Not signed in: the next authorization shows the page again.
        assert (await sign_in_page(client, stack, pkce()[1])).status_code == 200
    event = await last_federation_event(stack, tokens)
    assert event["event"] == "signin.federated-refused:id-token" and event["status"] == 401


async def test_an_unverified_email_or_a_provider_error_is_refused(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    user_id = await member(stack, tokens, federation)
    email = await email_of(stack, tokens, user_id)
    federation.idp.email_verified = False
    async with browser(stack) as client:
        refused_page((await federated(client, stack, federation, email)).answer)
    assert (await last_federation_event(stack, tokens))["event"] == "signin.federated-refused:claim"
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1])
        to_idp = await submit(client, page, email, "", "")
        state = query_of(to_idp.headers["location"])["state"]
        denied = await client.get("/oauth/federated/callback", params={"error": "access_denied", "state": state})
        refused_page(denied)
    assert (await last_federation_event(stack, tokens))["event"] == "signin.federated-refused:provider-error"


async def test_unknown_disabled_pending_and_other_tenants_users_are_refused(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    disabled = await member(stack, tokens, federation)
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        assert (await admin.post(f"/api/gateway/users/{disabled}/disable")).status_code == 200
    pending = await member(stack, tokens, federation, accept=False)  # refuse: an invitation is not enough
    other_tenant = await member(stack, tokens, federation, tenant="ajuntament-barcelona")
    cases = [
        (f"nobody-{secrets.token_hex(3)}@{federation.domain}", "unknown-user", None),
        (await email_of(stack, tokens, disabled), "disabled", disabled),
        (await email_of(stack, tokens, pending), "not-accepted", pending),
        (await email_of(stack, tokens, other_tenant), "unknown-user", None),
    ]
    for email, reason, subject in cases:
        async with browser(stack) as client:
            trip = await federated(client, stack, federation, email)
            refused_page(trip.answer)
        event = await last_federation_event(stack, tokens)
        assert event["event"] == f"signin.federated-refused:{reason}", email
        assert event["subject"] == subject


async def test_the_provider_vouches_only_for_its_own_domains(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    """An account of the provider whose email is another domain's (another tenant's people) is
    never matched, even though a user with that email exists."""
    elsewhere = await person(stack, tokens.headers("admin"), tenant=TENANT, kind="institution", roles=["reviewer"])
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1])
        to_idp = await client.post(
            "/oauth/authorize", data={**form_fields(page.text, "/oauth/authorize"), "provider": federation.id}
        )
        answer = await through_provider(client, federation, to_idp, elsewhere.email)
        refused_page(answer)
    assert (await last_federation_event(stack, tokens))["event"] == "signin.federated-refused:domain"


async def test_the_state_is_single_use_and_bound_to_the_browser(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    user_id = await member(stack, tokens, federation)
    email = await email_of(stack, tokens, user_id)
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1])
        to_idp = await submit(client, page, email, "", "")
        idp_page = await client.get(to_idp.headers["location"])
        back = await client.post(
            f"{federation.idp.issuer}/authorize", data={**form_fields(idp_page.text), "email": email}
        )
        callback_url = back.headers["location"]
        # Another browser (an attacker who got the victim's callback URL, or a login CSRF) first.
        async with browser(stack) as other:
            await sign_in_page(other, stack, pkce()[1])
            stolen = await other.get(callback_url)
            refused_page(stolen)
        # The state was spent by that attempt: the right browser cannot use it either.
        replay = await client.get(callback_url)
        refused_page(replay)
        assert (await last_federation_event(stack, tokens))["event"] == "signin.federated-refused:state"
        # A fresh trip goes through, once.
        trip = await federated(client, stack, federation, email)
        assert trip.answer.status_code == 303 and "code" in query_of(trip.answer.headers["location"])
        first = str(trip.answer.request.url)
        again = await client.get(first)
        refused_page(again)
    forged = await httpx.AsyncClient(base_url=stack.gateway).get(
        "/oauth/federated/callback", params={"state": secrets.token_urlsafe(32), "code": "x"}
    )
    refused_page(forged)
    assert federation.idp.tokens_issued >= 1


async def test_an_email_of_another_domain_signs_in_with_the_password_as_before(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    partner = await person(stack, tokens.headers("admin"), tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])
    assert not partner.email.endswith(federation.domain)
    issued = federation.idp.tokens_issued
    async with browser(stack) as client:
        verifier, challenge = pkce()
        page = await sign_in_page(client, stack, challenge)
        wrong = await submit(client, page, partner.email, "not the password at all", "")
        assert wrong.status_code == 401
        answer = await submit(client, page, partner.email, partner.password, "")
        assert answer.status_code == 303 and answer.headers["location"].startswith(callback(stack.gateway))
        exchanged = await exchange(stack, query_of(answer.headers["location"])["code"], verifier)
    assert exchanged.status_code == 200
    assert jwt.decode(exchanged.json()["id_token"], options={"verify_signature": False})["amr"] == ["pwd"]
    assert federation.idp.tokens_issued == issued  # the provider was not involved


async def test_the_cli_refuses_a_bad_configuration_and_never_takes_the_secret(
    stack: Stack, federation: Federation
) -> None:
    base = [
        "federation",
        "add",
        "--id",
        f"bad-{secrets.token_hex(3)}",
        "--name",
        "Bad",
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT_ID,
    ]
    good = {
        "--issuer": federation.idp.issuer,
        "--client-secret-ref": f"env:{SECRET_VARIABLE}",
        "--domains": f"other{secrets.token_hex(3)}.example.org",
    }
    cases = [
        ({"--issuer": "http://idp.example.org"}, "issuer"),  # plain http off loopback
        ({"--issuer": "https://idp.example.org?x=1"}, "issuer"),
        ({"--client-secret-ref": "the-secret-itself"}, "client_secret_ref"),
        ({"--client-secret-ref": "env:XARXA_TEST_NOT_SET_ANYWHERE"}, "client_secret_ref"),
        ({"--domains": "not a domain"}, "email_domains"),
        ({"--domains": federation.domain}, "email_domains"),  # routes to another provider already
    ]
    for change, field in cases:
        args = {**good, **change}
        printed = await xarxa(stack, *base, *[x for pair in args.items() for x in pair], ok=False)
        assert f"refused: {field}:" in printed, printed
    listed = await xarxa(stack, "federation", "list")
    assert "bad-" not in listed and federation.id in listed and os.environ[SECRET_VARIABLE] not in listed


async def test_a_pending_invitation_is_accepted_by_a_federated_sign_in_where_configured(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    email = f"invited-{secrets.token_hex(4)}@{federation.strict_domain}"
    invited = await invite(
        stack, tokens.headers("admin"), tenant=TENANT, kind="institution", roles=["officer"], email=email
    )
    user_id = invited["user"]["id"]
    async with browser(stack) as client:
        trip = await federated(client, stack, federation, email)
        assert trip.answer.status_code == 303, trip.answer.text
        exchanged = await exchange(stack, query_of(trip.answer.headers["location"])["code"], trip.verifier)
        assert exchanged.status_code == 200, exchanged.text
        # The invitation is spent: nobody can set a password with its link now.
        assert (await client.get(invited["link"])).status_code == 400
    events = [i["event"] for i in await audit(stack, tokens) if i["subject"] == user_id]
    # Newest first: accepted, then signed in, in the same request.
    signed, accepted = (
        events.index(f"signin.federated:{federation.id}-strict"),
        events.index("user.invitation-accepted"),
    )
    assert signed < accepted


async def test_a_required_second_factor_is_checked_in_the_id_token(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    user_id = await member(stack, tokens, federation, strict=True)
    email = await email_of(stack, tokens, user_id)
    federation.idp.amr = ["pwd"]
    async with browser(stack) as client:
        refused_page((await federated(client, stack, federation, email)).answer)
    event = await last_federation_event(stack, tokens)
    assert event["event"] == "signin.federated-refused:authentication-too-weak"
    federation.idp.amr = ["pwd", "mfa"]
    async with browser(stack) as client:
        assert (await federated(client, stack, federation, email)).answer.status_code == 303
    # The lax configuration asks for nothing: its users come in on the provider's word.
    federation.idp.amr = ["pwd"]
    lax = await email_of(stack, tokens, await member(stack, tokens, federation))
    async with browser(stack) as client:
        assert (await federated(client, stack, federation, lax)).answer.status_code == 303


async def test_a_disabled_provider_routes_nobody_and_refuses_its_answers(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    user_id = await member(stack, tokens, federation, strict=True)
    email = await email_of(stack, tokens, user_id)
    provider_id = f"{federation.id}-strict"
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1])
        to_idp = await submit(client, page, email, "", "")
        assert to_idp.status_code == 303
        await xarxa(stack, "federation", "disable", provider_id)
        try:
            # A trip started before comes back to nothing.
            refused_page(await through_provider(client, federation, to_idp, email))
            assert (await last_federation_event(stack, tokens))["event"] == "signin.federated-refused:provider-disabled"
            # Its domain is the password's again, and its button is gone.
            page = await sign_in_page(client, stack, pkce()[1])
            assert provider_id not in page.text
            assert (await submit(client, page, email, "a guess at a password", "")).status_code == 401
        finally:
            await xarxa(stack, "federation", "enable", provider_id)


async def test_a_provider_that_cannot_be_reached_answers_a_page_and_starts_nothing(
    stack: Stack, tokens: Tokens, federation: Federation
) -> None:
    tag = secrets.token_hex(4)
    domain = f"down{tag}.example.org"
    provider_id = f"down-{tag}"
    await xarxa(
        stack,
        "federation",
        "add",
        "--id",
        provider_id,
        "--name",
        "Down",
        "--tenant",
        TENANT,
        "--issuer",
        f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "--client-id",
        CLIENT_ID,
        "--client-secret-ref",
        f"env:{SECRET_VARIABLE}",
        "--domains",
        domain,
    )
    try:
        async with browser(stack) as client:
            page = await sign_in_page(client, stack, pkce()[1], ui_locales="pt")
            answer = await submit(client, page, f"someone@{domain}", "", "")
        assert answer.status_code == 502 and "location" not in answer.headers
        assert texts("pt")["federated.unavailable"] in html.fromstring(answer.text).text_content()
        # The form is there again, to try later or otherwise.
        assert form_fields(answer.text, "/oauth/authorize")["email"] == f"someone@{domain}"
    finally:
        await xarxa(stack, "federation", "disable", provider_id)
