"""Sign-in, callback and sign-out of the console (the backend-for-frontend side of the code flow),
and the signed-in session of every console request: idle and absolute timeouts, the access token
refreshed before it expires, CSRF tokens for forms."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from services.web.config import Settings
from services.web.console.provider import Provider, SignInFailed, pkce_pair
from services.web.console.rendering import CONSOLE_LANGUAGES, render
from services.web.console.session import (
    COOKIE,
    FLOW_COOKIE,
    FLOW_SECONDS,
    MAX_COOKIE_BYTES,
    SEEN_GRANULARITY,
    CookieBox,
    Session,
    SessionRegistry,
    new_session,
    rotated,
)

log = logging.getLogger(__name__)
router = APIRouter()

# Where a sign-in may lead back to: a console page of this site, nothing else (no open redirect).
_NEXT = re.compile(r"^/(ca|es|en|pt|fr)/console(/[A-Za-z0-9._~/-]*)?(\?[A-Za-z0-9._~=&%+-]*)?$")
STATE_KEY = "console_cookie"


class SignInRequired(Exception):
    """No live session: the person is sent to sign in, then back to `next`."""

    def __init__(self, language: str, next_path: str) -> None:
        super().__init__(next_path)
        self.language, self.next_path = language, next_path


class ConsoleOff(Exception):
    """No client secret configured: the console is not available on this deployment."""


class Console:
    """Built in the lifespan: the provider client, the cookie sealer and this process's registry."""

    def __init__(self, settings: Settings, provider: Provider) -> None:
        assert settings.client_secret is not None
        self.settings = settings
        self.provider = provider
        self.box = CookieBox(settings.client_secret)
        self.registry = SessionRegistry(settings.session_absolute_seconds)
        self.secure = urlsplit(settings.public_url).scheme == "https"


def console_of(request: Request) -> Console:
    console: Console | None = getattr(request.app.state, "console", None)
    if console is None:
        raise ConsoleOff()
    return console


def safe_next(value: str | None, language: str) -> str:
    return value if value and _NEXT.match(value) and ".." not in value else f"/{language}/console"


def _set(response: Response, console: Console, name: str, value: str, max_age: int, path: str) -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=console.secure, httponly=True, samesite="lax")


def _clear(response: Response, console: Console, name: str, path: str) -> None:
    response.delete_cookie(name, path=path, secure=console.secure, httponly=True, samesite="lax")


def finish(request: Request, response: Response) -> Response:
    """Sends the session cookie again when this request changed it (refreshed tokens, seen time)."""
    value = getattr(request.state, STATE_KEY, None)
    if value is not None:
        console = console_of(request)
        _set(response, console, COOKIE, value, console.settings.session_absolute_seconds, "/")
    response.headers["Cache-Control"] = "no-store"
    return response


def _language(value: str | None) -> str:
    return value if value in CONSOLE_LANGUAGES else "ca"


@router.get("/auth/sign-in")
async def sign_in(request: Request, lang: str | None = None, next: str | None = None) -> Response:
    console = console_of(request)
    language = _language(lang)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier, challenge = pkce_pair()
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "next": safe_next(next, language), "lang": language}
    response = RedirectResponse(console.provider.authorize_url(state, nonce, challenge, language), status_code=303)
    _set(response, console, FLOW_COOKIE, console.box.seal("flow", flow), FLOW_SECONDS, "/auth")
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(request: Request, language: str, status: int = 400) -> Response:
    response = render(request, language, "console/signin_failed.html", {}, status=status)
    _clear(response, console_of(request), FLOW_COOKIE, "/auth")
    return response


@router.get("/auth/callback")
async def callback(request: Request) -> Response:
    console = console_of(request)
    flow = console.box.open("flow", request.cookies.get(FLOW_COOKIE), FLOW_SECONDS)
    language = _language(flow["lang"] if flow else None)
    query = request.query_params
    state, code = query.get("state", ""), query.get("code", "")
    if flow is None or not state or not hmac.compare_digest(state.encode(), str(flow["state"]).encode()):
        return _failed(request, language)  # not the sign-in this browser started (login CSRF)
    if query.get("iss") not in (None, console.settings.public_url) or not code:
        return _failed(request, language)  # an error from the provider (e.g. access_denied), or a mix-up
    try:
        tokens = await console.provider.exchange(code, str(flow["verifier"]))
        claims = await console.provider.verify_id_token(tokens["id_token"], str(flow["nonce"]), tokens["access_token"])
    except SignInFailed as exc:
        log.warning("console sign-in refused: %s", exc)
        return _failed(request, language)
    session = new_session(claims, tokens)
    sealed = console.box.seal_session(session)
    if len(sealed) > MAX_COOKIE_BYTES:
        log.error("console session cookie of %d bytes is over %d", len(sealed), MAX_COOKIE_BYTES)
        await console.provider.revoke(session.refresh_token)
        return _failed(request, language, 500)
    response = RedirectResponse(safe_next(str(flow["next"]), language), status_code=303)
    _set(response, console, COOKIE, sealed, console.settings.session_absolute_seconds, "/")
    _clear(response, console, FLOW_COOKIE, "/auth")
    response.headers["Cache-Control"] = "no-store"
    return response


async def _fresh(console: Console, session: Session, now: int) -> Session | None:
    """The session with an access token that outlives the margin, refreshed once per rotation."""
    if session.access_expires - now > console.settings.refresh_before_expiry_seconds:
        return session
    async with console.registry.lock(session.refresh_token):
        done = console.registry.rotation_of(session.refresh_token)
        if done is not None:
            return done
        tokens = await console.provider.refresh(session.refresh_token)
        if tokens is None:
            return None  # revoked, expired or the user disabled: the sign-in has ended
        fresh = rotated(session, tokens, now)
        console.registry.rotated(session.refresh_token, fresh)
        return fresh


async def current_session(request: Request) -> Session | None:
    console = console_of(request)
    settings = console.settings
    session = console.box.open_session(request.cookies.get(COOKIE), settings.session_absolute_seconds)
    now = int(time.time())
    if session is None or console.registry.ended(session.sid):
        return None
    if now - session.seen > settings.session_idle_seconds or now - session.created > settings.session_absolute_seconds:
        return None
    fresh = await _fresh(console, session, now)
    if fresh is None:
        console.registry.end(session.sid)
        return None
    if fresh is not session or now - session.seen >= SEEN_GRANULARITY:
        fresh = replace(fresh, seen=now)
        setattr(request.state, STATE_KEY, console.box.seal_session(fresh))
    return fresh


async def require_session(request: Request, language: str) -> Session:
    session = await current_session(request)
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(language, path)
    return session


def sign_in_redirect(exc: SignInRequired, request: Request) -> Response:
    target = "/auth/sign-in?" + urlencode({"lang": exc.language, "next": safe_next(exc.next_path, exc.language)})
    response = RedirectResponse(target, status_code=303)
    if request.cookies.get(COOKIE):
        _clear(response, console_of(request), COOKIE, "/")
    response.headers["Cache-Control"] = "no-store"
    return response


def same_origin(request: Request, console: Console) -> bool:
    """A browser's Origin, when sent, must be the site's own (a second defence after the token)."""
    origin = request.headers.get("origin")
    return origin is None or origin == console.settings.public_url


def csrf_ok(request: Request, session: Session, form: dict[str, Any]) -> bool:
    token = str(form.get("csrf_token", ""))
    return (
        same_origin(request, console_of(request))
        and bool(token)
        and hmac.compare_digest(token.encode(), session.csrf.encode())
    )


@router.post("/auth/sign-out")
async def sign_out(request: Request) -> Response:
    console = console_of(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    language = _language(form.get("lang"))
    session = await current_session(request)
    if session is None:
        response: Response = RedirectResponse(f"/{language}/", status_code=303)
    elif not csrf_ok(request, session, form):
        return render(request, language, "console/forbidden.html", {}, status=403)
    else:
        console.registry.end(session.sid)
        await console.provider.revoke(session.refresh_token)
        # The gateway's own sign-in session ends too (else the next sign-in would need no password).
        response = RedirectResponse(console.provider.end_session_url(session.id_token, language), status_code=303)
    _clear(response, console, COOKIE, "/")
    response.headers["Cache-Control"] = "no-store"
    return response
