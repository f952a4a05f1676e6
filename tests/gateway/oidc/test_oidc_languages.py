"""The gateway's own pages (sign-in, invitation, password reset, second-factor enrolment) in each
of the five languages, against the real stack: every text a person reads on a page in Portuguese
or French is in the catalogue of that language, and no English is left (errors included)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pyotp
import pytest
from lxml import html

from services.gateway.oidc.texts import ENDONYMS, LANGUAGES, TEXTS, first_language, language, texts
from tests.support.auth import Tokens
from tests.support.people import (
    PASSWORD,
    authorize_params,
    browser,
    form_fields,
    invite,
    person,
    pkce,
    sign_in_page,
    submit,
    totp_secret_of,
)
from tests.support.stack import Stack

PARTNER_LANGUAGES = ("pt", "fr")


def test_every_text_is_in_the_five_languages_and_none_is_an_english_copy() -> None:
    assert LANGUAGES == ("ca", "es", "en", "pt", "fr")
    for key, values in TEXTS.items():
        assert set(values) == set(LANGUAGES), key
        assert all(v.strip() for v in values.values()), key
        for lang in ("ca", "es", "pt", "fr"):
            assert values[lang] != values["en"], (key, lang)
        # A placeholder is kept in every translation.
        assert {tuple(re.findall(r"{\w+}", v)) for v in values.values()} == {tuple(re.findall(r"{\w+}", values["en"]))}


def test_the_language_is_the_first_of_the_five_asked_for() -> None:
    assert language("pt-BR en", None) == "pt"
    assert language(None, "fr-FR,en;q=0.8") == "fr"
    assert language("de", "de-DE,pt;q=0.5") == "pt"
    assert language(None, "de") == "ca"
    assert first_language("", "it") is None


def visible_texts(page: str) -> list[str]:
    """What a person reads: the text of the body, the title, and labels held in attributes."""
    tree = html.fromstring(page)
    found = [t.strip() for t in tree.xpath("//body//text()") if t.strip()]
    found += [str(t).removesuffix(" - Xarxa").strip() for t in tree.xpath("//title/text()")]
    found += [str(a).strip() for a in tree.xpath("//@aria-label | //@placeholder | //@title | //@alt")]
    return found


def shown(page: str, text: str) -> bool:
    return text in visible_texts(page)


def assert_in_language(page: str, lang: str, *dynamic: str) -> None:
    """Every text is of `lang`'s catalogue (or a language's own name, or a value shown as it is,
    such as the email); no English text of the catalogue is on the page."""
    catalogue = texts(lang)
    federated = re.compile("^" + re.escape(catalogue["federated.with"]).replace(r"\{name\}", ".+") + "$")
    allowed = set(catalogue.values()) | set(ENDONYMS.values()) | {d for d in dynamic if d}
    strangers = [t for t in visible_texts(page) if t not in allowed and not federated.match(t)]
    assert not strangers, f"not in the {lang} catalogue: {strangers}"
    english, read = texts("en"), "\n".join(visible_texts(page))
    left = [v for k, v in english.items() if v != catalogue[k] and re.search(rf"(?<![\w']){re.escape(v)}(?!\w)", read)]
    assert not left, f"English left on the {lang} page: {left}"
    assert f'<html lang="{lang}">' in page


@pytest.mark.parametrize("lang", PARTNER_LANGUAGES)
async def test_the_sign_in_page_speaks_portuguese_and_french_by_ui_locales(stack: Stack, lang: str) -> None:
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1], ui_locales=lang)
    assert page.status_code == 200
    assert_in_language(page.text, lang)
    assert shown(page.text, texts(lang)["signin.title"]) and shown(page.text, texts(lang)["password"])


async def test_accept_language_chooses_and_the_language_switch_changes_it(stack: Stack) -> None:
    async with browser(stack) as client:
        _, challenge = pkce()
        params = authorize_params(challenge, gateway=stack.gateway)
        french = await client.get("/oauth/authorize", params=params, headers={"Accept-Language": "fr-CA,fr;q=0.9"})
        assert french.status_code == 200
        assert_in_language(french.text, "fr")
        links = {a.get("hreflang"): a.get("href") for a in html.fromstring(french.text).xpath("//nav//a")}
        assert set(links) == set(LANGUAGES) - {"fr"}
        # The switch keeps the authorization request and asks for the other language.
        portuguese = await client.get(links["pt"], headers={"Accept-Language": "fr"})
        assert portuguese.status_code == 200
        assert_in_language(portuguese.text, "pt")
        kept = form_fields(portuguese.text, "/oauth/authorize")
        assert kept["code_challenge"] == challenge and kept["state"] == params["state"]
        assert kept["ui_locales"] == "pt"
        assert urlsplit(links["pt"]).path == "/oauth/authorize"


@pytest.mark.parametrize("lang", PARTNER_LANGUAGES)
async def test_a_wrong_password_and_a_locked_account_read_in_portuguese_and_french(
    stack: Stack, tokens: Tokens, lang: str
) -> None:
    user = await person(stack, tokens.headers("admin"), tenant="MZ-CMM", kind="partner", roles=["partner-reporter"])
    async with browser(stack) as client:
        page = await sign_in_page(client, stack, pkce()[1], ui_locales=lang)
        wrong = None
        for attempt in range(5):
            wrong = await submit(client, page, user.email, f"wrong password {attempt}", "")
            assert wrong.status_code == 401
        assert wrong is not None
        locked = await submit(client, page, user.email, user.password, "")
    assert shown(wrong.text, texts(lang)["signin.invalid"])
    assert_in_language(wrong.text, lang, user.email)
    assert locked.status_code == 429 and shown(locked.text, texts(lang)["signin.locked"])
    assert_in_language(locked.text, lang, user.email)


@pytest.mark.parametrize("lang", PARTNER_LANGUAGES)
async def test_the_invitation_with_second_factor_enrolment_and_its_errors_in_portuguese_and_french(
    stack: Stack, tokens: Tokens, lang: str
) -> None:
    invited = await invite(stack, tokens.headers("admin"), tenant="amb", kind="institution", roles=["reviewer"])
    email = invited["user"]["email"]
    async with browser(stack) as client:
        opened = await client.get(f"{invited['link']}&ui_locales={lang}")
        assert opened.status_code == 200
        secret = totp_secret_of(opened.text)
        assert secret is not None  # institution staff enrol a second factor here
        uri = html.fromstring(opened.text).xpath("//small/text()")[0]
        assert_in_language(opened.text, lang, email, secret, uri)
        assert shown(opened.text, texts(lang)["password.totp"])
        fields = form_fields(opened.text, "/oauth/password")
        assert fields["ui_locales"] == lang
        weak = await client.post("/oauth/password", data={**fields, "password": "short", "code": "000000"})
        assert weak.status_code == 422 and shown(weak.text, texts(lang)["weak-password"])
        assert_in_language(weak.text, lang, email, secret, uri)
        wrong_code = await client.post("/oauth/password", data={**fields, "password": PASSWORD, "code": "000000"})
        assert wrong_code.status_code == 422 and shown(wrong_code.text, texts(lang)["wrong-code"])
        assert_in_language(wrong_code.text, lang, email, secret, uri)
        done = await client.post(
            "/oauth/password", data={**fields, "password": PASSWORD, "code": pyotp.TOTP(secret).now()}
        )
        assert done.status_code == 200 and shown(done.text, texts(lang)["password.done"])
        assert_in_language(done.text, lang)
        spent = await client.get(f"{invited['link']}&ui_locales={lang}")
        assert spent.status_code == 400 and shown(spent.text, texts(lang)["link.invalid"])
        assert_in_language(spent.text, lang)


async def test_a_password_reset_with_a_new_device_follows_the_browser_language(stack: Stack, tokens: Tokens) -> None:
    user = await person(stack, tokens.headers("admin"), tenant="amb", kind="institution", roles=["reviewer"])
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        issued = await admin.post(f"/api/gateway/users/{user.id}/password-reset", json={"second_factor": True})
    assert issued.status_code == 201, issued.text
    link = issued.json()["link"]
    async with browser(stack) as client:
        # The user's locale is Catalan; a Portuguese browser reads the page in Portuguese.
        opened = await client.get(link, headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"})
        assert opened.status_code == 200
        secret = totp_secret_of(opened.text)
        assert secret is not None
        uri = html.fromstring(opened.text).xpath("//small/text()")[0]
        assert_in_language(opened.text, "pt", user.email, secret, uri)
        # Without a language asked for, the user's own (Catalan).
        catalan = await client.get(link)
        assert 'lang="ca"' in catalan.text and shown(catalan.text, texts("ca")["password.title"])


async def test_the_console_passes_its_language_to_the_sign_in_page(stack: Stack) -> None:
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as client:
        for lang in PARTNER_LANGUAGES:
            started = await client.get(f"{stack.gateway}/auth/sign-in", params={"lang": lang})
            assert started.status_code == 303
            page = await client.get(started.headers["location"])
            assert page.status_code == 200
            assert_in_language(page.text, lang)
