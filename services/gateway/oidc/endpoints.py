"""The provider's HTTP side: discovery, the sign-in page, sign-out, token revocation and the pages
of one-time links. The authorization-code and refresh-token grants are answered at POST
/oauth/token (tokens/endpoints.py) from service.py."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from services.gateway.config import Settings
from services.gateway.oidc import federation, service
from services.gateway.oidc.models import IdentityProvider, SignInSession
from services.gateway.oidc.pages import language_switch, page
from services.gateway.oidc.responses import oauth_error
from services.gateway.oidc.service import GrantError, Issuer, NoRedirect, RedirectError, RegisteredClient
from services.gateway.oidc.texts import first_language, language
from services.gateway.users import service as users
from services.gateway.users.events import Context
from services.gateway.users.models import User
from shared.auth import access
from shared.http import SessionDep

router = APIRouter(tags=["sign-in"])
COOKIE = "xarxa_signin"
COOKIE_PATH = "/oauth"
FORM_FIELDS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
)


def _clients(request: Request) -> dict[str, RegisteredClient]:
    clients: dict[str, RegisteredClient] = request.app.state.oidc_clients
    return clients


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _lang(request: Request, ui_locales: str | None) -> str:
    return language(ui_locales, request.headers.get("accept-language"))


def _link_lang(request: Request, ui_locales: str | None, user: User) -> str:
    """A link's page: the language asked for (the switch), else the browser's, else the user's."""
    return first_language(ui_locales, request.headers.get("accept-language")) or user.locale


def _set_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=settings.signin_session_seconds,
        path=COOKIE_PATH,
        secure=settings.signin_cookie_secure,
        httponly=True,
        samesite="lax",  # sent on the top-level navigation from the relying party, not on cross-site posts
    )


def _same_origin(request: Request) -> bool:
    """A browser's Origin, when it sends one, must be the provider's own (a second CSRF defence)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    public = urlsplit(_settings(request).public_url)
    return origin == f"{public.scheme}://{public.netloc}"


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _directory(request: Request) -> federation.Directory:
    """The providers' documents, cached for the app's life (made at the first federated sign-in)."""
    state = request.app.state
    if not hasattr(state, "federation_directory"):
        state.federation_directory = federation.Directory()
    directory: federation.Directory = state.federation_directory
    return directory


def _federated_callback(request: Request) -> str:
    return f"{_settings(request).public_url}{federation.CALLBACK_PATH}"


def _redirect_error(params: dict[str, str], settings: Settings, error: RedirectError) -> Response:
    state = params.get("state")
    target = service.redirect_to(
        params["redirect_uri"],
        {
            "error": error.error,
            "error_description": error.description,
            "state": state if state and len(state) <= 500 else None,
            "iss": settings.public_url,
        },
    )
    return RedirectResponse(target, status_code=303)


async def _complete(
    session: SessionDep,
    request: service.AuthorizationRequest,
    user: User,
    browser: SignInSession,
    settings: Settings,
) -> Response:
    code = await service.issue_code(session, request, user, browser)
    target = service.redirect_to(
        request.redirect_uri, {"code": code, "state": request.state, "iss": settings.public_url}
    )
    return RedirectResponse(target, status_code=303)


def _signin_form(
    lang: str,
    browser: SignInSession,
    request: service.AuthorizationRequest,
    providers: list[IdentityProvider],
    status: int = 200,
    error_key: str | None = None,
    email: str = "",
) -> Response:
    fields = request.hidden_fields()
    return page(
        "signin.html",
        lang,
        status,
        error_key,
        csrf_token=browser.csrf_token,
        fields=fields,
        email=email,
        providers=providers,
        switch=language_switch("/oauth/authorize", fields),
    )


@router.get(
    "/.well-known/openid-configuration",
    openapi_extra=access("none"),
    summary="OpenID Connect discovery: the provider's endpoints and what it supports",
)
async def openid_configuration(request: Request) -> dict[str, Any]:
    return service.discovery(_settings(request))


@router.get(
    "/oauth/authorize",
    openapi_extra=access("none"),
    summary="Authorization code request (PKCE S256 required): the sign-in page, or straight back when signed in",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}, 303: {"description": "back to the client"}, 400: {}},
)
async def authorize(request: Request, session: SessionDep) -> Response:
    params = {k: v for k, v in request.query_params.items() if k in (*FORM_FIELDS, "ui_locales")}
    lang = _lang(request, params.get("ui_locales"))
    settings = _settings(request)
    try:
        parsed = service.parse_authorization_request(_clients(request), params)
    except NoRedirect as exc:
        return page("error.html", lang, 400, f"error.{exc.reason}")
    except RedirectError as exc:
        return _redirect_error(params, settings, exc)
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    user = await service.signed_in_user(session, browser)
    if user is not None and browser is not None and parsed.prompt != "login":
        return await _complete(session, parsed, user, browser, settings)
    if parsed.prompt == "none":
        return _redirect_error(params, settings, RedirectError("login_required", "The user is not signed in"))
    providers = await federation.providers(session)
    if browser is None:
        fresh = await service.new_session(session, settings.signin_session_seconds)
        response = _signin_form(lang, fresh.row, parsed, providers)
        _set_cookie(response, settings, fresh.cookie)
        return response
    return _signin_form(lang, browser, parsed, providers)


@router.post(
    "/oauth/authorize",
    openapi_extra=access("none"),
    summary="The sign-in form: email, password and, for institution users, a TOTP code (CSRF-protected); "
    "an email of a federated tenant's domain, or its button, goes to that tenant's own provider",
    response_class=Response,
    responses={
        303: {"description": "back to the client with a code, or to the tenant's identity provider"},
        401: {},
        403: {},
        429: {},
        502: {},
    },
)
async def sign_in(request: Request, session: SessionDep) -> Response:
    form = await _form(request)
    lang = _lang(request, form.get("ui_locales"))
    settings = _settings(request)
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    if not _same_origin(request) or not service.csrf_matches(browser, form.get("csrf_token", "")):
        return page("error.html", lang, 403, "csrf")
    assert browser is not None
    params = {k: v for k, v in form.items() if k in FORM_FIELDS}
    try:
        parsed = service.parse_authorization_request(_clients(request), params)
    except NoRedirect as exc:
        return page("error.html", lang, 400, f"error.{exc.reason}")
    except RedirectError as exc:
        return _redirect_error(params, settings, exc)
    email = form.get("email", "")[:300]
    try:
        provider = await federation.chosen(session, form.get("provider"), email)
        if provider is not None:
            target = await federation.start(
                session,
                _directory(request),
                provider,
                browser,
                parsed.hidden_fields(),
                lang,
                _federated_callback(request),
                login_hint=email or None,
            )
            return RedirectResponse(target, status_code=303)
    except federation.Unavailable:
        providers = await federation.providers(session)
        return _signin_form(lang, browser, parsed, providers, 502, "federated.unavailable", email=email)
    outcome = await users.sign_in(
        session,
        Context.of(request),
        request.app.state.signin_policy,
        form.get("email", ""),
        form.get("password", ""),
        form.get("code", ""),
    )
    if outcome.user is None:
        status, key = (401, "signin.invalid") if outcome.failure == "invalid" else (429, "signin.locked")
        return _signin_form(lang, browser, parsed, await federation.providers(session), status, key, email=email)
    fresh = await service.replace_session(session, browser, outcome.user, settings.signin_session_seconds)
    response = await _complete(session, parsed, outcome.user, fresh.row, settings)
    _set_cookie(response, settings, fresh.cookie)
    return response


@router.get(
    federation.CALLBACK_PATH,
    openapi_extra=access("none"),
    summary="Back from a tenant's identity provider: its ID token verified, then on to the client with a code",
    response_class=Response,
    responses={303: {"description": "back to the client with a code"}, 401: {}, 502: {}},
)
async def federated_callback(request: Request, session: SessionDep) -> Response:
    settings = _settings(request)
    query = {k: v[:2000] for k, v in request.query_params.items() if k in ("code", "state", "iss", "error")}
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    try:
        outcome = await federation.finish(
            session, Context.of(request), _directory(request), browser, query, _federated_callback(request)
        )
    except federation.Refused as exc:
        return page("error.html", exc.lang or _lang(request, None), 401, "federated.refused")
    except federation.Unavailable as exc:
        return page("error.html", exc.lang or _lang(request, None), 502, "federated.unavailable")
    try:
        parsed = service.parse_authorization_request(_clients(request), outcome.request)
    except NoRedirect as exc:
        return page("error.html", outcome.lang, 400, f"error.{exc.reason}")
    except RedirectError as exc:
        return _redirect_error(outcome.request, settings, exc)
    # As after a password: a new session id, then the platform's own code for the client.
    fresh = await service.replace_session(
        session, browser, outcome.user, settings.signin_session_seconds, outcome.provider.id
    )
    response = await _complete(session, parsed, outcome.user, fresh.row, settings)
    _set_cookie(response, settings, fresh.cookie)
    return response


def _signed_out(request: Request, lang: str, target: str | None, state: str | None) -> Response:
    response: Response
    if target:
        response = RedirectResponse(service.redirect_to(target, {"state": state}), status_code=303)
    else:
        response = page("signout.html", lang, done=True)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=_settings(request).signin_cookie_secure, httponly=True)
    return response


@router.get(
    "/oauth/end-session",
    openapi_extra=access("none"),
    summary="RP-initiated sign-out: at once with a valid id_token_hint, else after the user confirms",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}, 303: {"description": "to the registered post-logout URI"}},
)
async def end_session(
    request: Request,
    session: SessionDep,
    id_token_hint: Annotated[str | None, Query(max_length=8000)] = None,
    post_logout_redirect_uri: Annotated[str | None, Query(max_length=2000)] = None,
    client_id: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[str | None, Query(max_length=500)] = None,
    ui_locales: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    lang = _lang(request, ui_locales)
    issuer: Issuer = request.app.state.oidc_issuer
    hint = issuer.verify_id_token_hint(id_token_hint) if id_token_hint else None
    if hint is not None:
        client_id = client_id or str(hint.get("aud"))
    target = service.logout_target(_clients(request), post_logout_redirect_uri, client_id)
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    if browser is None or browser.user_id is None:
        return _signed_out(request, lang, target, state)
    if hint is not None and hint.get("sub") == browser.user_id:
        await service.sign_out(session, Context.of(request), browser)
        return _signed_out(request, lang, target, state)
    fields = {k: v for k, v in (("post_logout_redirect_uri", target), ("client_id", client_id), ("state", state)) if v}
    return page("signout.html", lang, csrf_token=browser.csrf_token, fields=fields)


@router.post(
    "/oauth/end-session",
    openapi_extra=access("none"),
    summary="The sign-out confirmation (CSRF-protected)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}, 303: {}, 403: {}},
)
async def end_session_confirmed(request: Request, session: SessionDep) -> Response:
    form = await _form(request)
    lang = _lang(request, form.get("ui_locales"))
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    if not _same_origin(request) or not service.csrf_matches(browser, form.get("csrf_token", "")):
        return page("error.html", lang, 403, "csrf")
    await service.sign_out(session, Context.of(request), browser)
    target = service.logout_target(_clients(request), form.get("post_logout_redirect_uri"), form.get("client_id"))
    return _signed_out(request, lang, target, form.get("state"))


@router.post(
    "/oauth/revoke",
    openapi_extra=access("none"),
    summary="Token revocation (RFC 7009): a refresh token and every token rotated from the same sign-in",
    responses={200: {"description": "revoked, or not a token of this client"}, 401: {}, 429: {}},
)
async def revoke(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=500)],
    client_id: Annotated[str, Form(max_length=200)],
    client_secret: Annotated[str, Form(max_length=500)],
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        client = service.limited_client(
            request.app.state.failure_limits, _clients(request), address, client_id, client_secret
        )
    except GrantError as exc:
        return oauth_error(request, exc)
    await service.revoke_token(session, client, token)
    return JSONResponse({}, headers={"Cache-Control": "no-store"})


@router.get(
    "/oauth/password",
    openapi_extra=access("none"),
    summary="The page of a one-time link: accept an invitation or reset a password",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}, 400: {}},
)
async def password_page(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Query(max_length=100)] = "",
    ui_locales: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    settings = _settings(request)
    try:
        link, user = await users.open_link(session, token)
    except users.LinkNotValid:
        return page("password.html", _lang(request, ui_locales), 400, "link.invalid")
    lang = _link_lang(request, ui_locales, user)
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    fresh = None if browser is not None else await service.new_session(session, settings.signin_session_seconds)
    row = browser or fresh.row  # type: ignore[union-attr]
    response = page(
        "password.html",
        lang,
        form=True,
        csrf_token=row.csrf_token,
        token=token,
        email=user.email,
        totp_secret=link.totp_secret,
        totp_uri=users.provisioning_uri(link, user),
        switch=language_switch("/oauth/password", {"token": token}),
    )
    if fresh is not None:
        _set_cookie(response, settings, fresh.cookie)
    return response


@router.post(
    "/oauth/password",
    openapi_extra=access("none"),
    summary="Set the password (and confirm the second factor) with a one-time link (CSRF-protected)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}, 400: {}, 403: {}, 422: {}},
)
async def password_set(request: Request, session: SessionDep) -> Response:
    form = await _form(request)
    token = form.get("token", "")[:100]
    lang = _lang(request, form.get("ui_locales"))
    browser = await service.current_session(session, request.cookies.get(COOKIE))
    if not _same_origin(request) or not service.csrf_matches(browser, form.get("csrf_token", "")):
        return page("error.html", lang, 403, "csrf")
    assert browser is not None
    try:
        link, user = await users.open_link(session, token)
    except users.LinkNotValid:
        return page("password.html", lang, 400, "link.invalid")
    lang = _link_lang(request, form.get("ui_locales"), user)
    try:
        await users.redeem(session, Context.of(request), token, form.get("password", ""), form.get("code", ""))
    except (users.WeakPassword, users.WrongCode) as exc:
        return page(
            "password.html",
            lang,
            422,
            exc.kind,
            form=True,
            csrf_token=browser.csrf_token,
            token=token,
            email=user.email,
            totp_secret=link.totp_secret,
            totp_uri=users.provisioning_uri(link, user),
            switch=language_switch("/oauth/password", {"token": token}),
        )
    return page("password.html", lang, done=True)
