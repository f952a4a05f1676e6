"""People signing in through the gateway, as a browser and the web service (its confidential
client) would: invitations accepted on the real pages, the authorization code flow with PKCE."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
from lxml import html

from tests.support.stack import WEB_CALLBACK_PATH, WEB_CLIENT_ID, WEB_CLIENT_SECRET, Stack

PASSWORD = "correct horse battery staple"
_people = itertools.count(1)


def form_fields(page: str, action: str | None = None) -> dict[str, str]:
    """The inputs of the page's form (the first one posting to `action`, if given)."""
    tree = html.fromstring(page)
    forms = [f for f in tree.forms if action is None or f.action == action]
    assert forms, f"no form for {action} in the page: {page[:500]}"
    return {i.name: i.value or "" for i in forms[0].inputs if i.name and i.tag == "input"}


def totp_secret_of(page: str) -> str | None:
    codes = html.fromstring(page).xpath("//code/text()")
    return str(codes[0]) if codes else None


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def next_code(secret: str, steps_ahead: int = 1) -> str:
    """A code of a later time step than any used before (each step is accepted once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


@dataclass
class Person:
    id: str
    email: str
    password: str
    tenant: str
    tenant_kind: str
    roles: list[str]
    totp_secret: str | None = None
    # The latest time step whose code was typed: the gateway takes each step once, and only now or
    # one step either side, so a later sign-in takes a later step and waits if it is not near yet.
    last_step: int = -1

    def __post_init__(self) -> None:
        if self.totp_secret is not None and self.last_step < 0:
            # Made right after the enrolment, which typed the code of the step of then (at most now).
            self.last_step = pyotp.TOTP(self.totp_secret).timecode(datetime.now())

    def code(self) -> str:
        if self.totp_secret is None:
            return ""
        totp = pyotp.TOTP(self.totp_secret)
        while (step := max(totp.timecode(datetime.now()), self.last_step + 1)) > totp.timecode(datetime.now()) + 1:
            time.sleep(1)
        self.last_step = step
        return totp.generate_otp(step)


def unique_email(tag: str) -> str:
    return f"{tag}-{next(_people)}-{secrets.token_hex(3)}@example.org"


async def invite(
    stack: Stack,
    headers: dict[str, str],
    *,
    tenant: str,
    kind: str,
    roles: list[str],
    email: str | None = None,
    locale: str = "ca",
) -> dict[str, Any]:
    body = {
        "email": email or unique_email(roles[0]),
        "name": "Test Person",
        "tenant": tenant,
        "tenant_kind": kind,
        "roles": roles,
        "locale": locale,
    }
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as client:
        response = await client.post("/api/gateway/users", json=body)
    assert response.status_code == 201, response.text
    invited: dict[str, Any] = response.json()
    return invited


def browser(stack: Stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, follow_redirects=False, timeout=30)


async def set_password(
    stack: Stack, link: str, password: str, code_of: Any = None
) -> tuple[httpx.Response, str | None]:
    """Open the one-time link and submit the form; `code_of(secret)` gives the TOTP code typed."""
    async with browser(stack) as client:
        opened = await client.get(link)
        assert opened.status_code == 200, opened.text
        fields = form_fields(opened.text, "/oauth/password")
        secret = totp_secret_of(opened.text)
        fields["password"] = password
        if secret is not None:
            fields["code"] = code_of(secret) if code_of else pyotp.TOTP(secret).now()
        return await client.post("/oauth/password", data=fields), secret


async def person(stack: Stack, headers: dict[str, str], *, tenant: str, kind: str, roles: list[str]) -> Person:
    """A user invited by `headers`' principal who has accepted the invitation."""
    invited = await invite(stack, headers, tenant=tenant, kind=kind, roles=roles)
    done, secret = await set_password(stack, invited["link"], PASSWORD)
    assert done.status_code == 200, done.text
    user = invited["user"]
    return Person(user["id"], user["email"], PASSWORD, tenant, kind, roles, secret)


def authorize_params(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": WEB_CLIENT_ID,
        "redirect_uri": callback(extra.pop("gateway")) if "gateway" in extra else "",
        "response_type": "code",
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def callback(gateway: str) -> str:
    return f"{gateway}{WEB_CALLBACK_PATH}"


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class SignedIn:
    browser: httpx.AsyncClient
    tokens: dict[str, Any]
    verifier: str
    nonce: str


async def sign_in_page(client: httpx.AsyncClient, stack: Stack, challenge: str, **extra: str) -> httpx.Response:
    return await client.get("/oauth/authorize", params=authorize_params(challenge, gateway=stack.gateway, **extra))


async def submit(
    client: httpx.AsyncClient, page: httpx.Response, email: str, password: str, code: str
) -> httpx.Response:
    fields = form_fields(page.text, "/oauth/authorize")
    fields.update({"email": email, "password": password, "code": code})
    return await client.post("/oauth/authorize", data=fields)


async def exchange(stack: Stack, code: str, verifier: str, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback(stack.gateway),
        "code_verifier": verifier,
        **extra,
    }
    async with httpx.AsyncClient(base_url=stack.gateway, auth=(WEB_CLIENT_ID, WEB_CLIENT_SECRET)) as client:
        return await client.post("/oauth/token", data=data)


async def refresh(stack: Stack, token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token}
    async with httpx.AsyncClient(base_url=stack.gateway, auth=(WEB_CLIENT_ID, WEB_CLIENT_SECRET)) as client:
        return await client.post("/oauth/token", data=data)


async def sign_in(stack: Stack, who: Person, client: httpx.AsyncClient | None = None) -> SignedIn:
    """The whole flow: the page, the form, the redirect back with a code, the code exchanged."""
    client = client or browser(stack)
    verifier, challenge = pkce()
    page = await sign_in_page(client, stack, challenge)
    assert page.status_code == 200, page.text
    nonce = form_fields(page.text, "/oauth/authorize")["nonce"]
    answer = await submit(client, page, who.email, who.password, who.code())
    assert answer.status_code == 303, answer.text
    query = query_of(answer.headers["location"])
    exchanged = await exchange(stack, query["code"], verifier)
    assert exchanged.status_code == 200, exchanged.text
    return SignedIn(client, exchanged.json(), verifier, nonce)
