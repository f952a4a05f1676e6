"""Embeddable widgets: a partner city's and an SDG goal's chart with its table, in ca/es/en, framed in
a real browser by a configured site and refused by any other; every other page refuses framing
(axe and the console of the widgets as top-level pages: tests/web/pages/test_pages.py).

A second portal with `embed_origins` and a gateway in front of it (the stack's portal has none),
so the headers are the ones a browser gets through the gateway in a deployment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Frame
from starlette.responses import Response

from services.gateway.main import create_app as gateway_app
from services.web.config import Settings as WebSettings
from services.web.i18n import LANGUAGES
from services.web.main import create_app as web_app
from tests.support.stack import Stack, gateway_settings, serve


@dataclass
class Sites:
    gateway: str
    embedder: str  # stands for the Ajuntament's site: configured
    stranger: str  # any other site


def host_site() -> FastAPI:
    """A site whose page frames the address given in `src`, as the Ajuntament's would."""
    app = FastAPI()

    @app.get("/")
    async def framing(src: str) -> Response:
        body = (
            '<!doctype html><html lang="en"><head><title>Host</title><link rel="icon" href="data:,"></head>'
            f'<body><iframe title="Xarxa" src="{escape(src)}" width="600" height="600"></iframe></body></html>'
        )
        return Response(body, media_type="text/html")

    return app


@pytest.fixture
async def sites(stack: Stack, portal: str) -> AsyncIterator[Sites]:
    # Sites on the loopback like the portal: Chromium keeps public sites from framing local addresses.
    embedder, stranger = await serve("embedder", host_site()), await serve("stranger", host_site())
    web = await serve(
        "web-embed", web_app(WebSettings(gateway_url=stack.gateway, embed_origins=[embedder.url], log_level="WARNING"))
    )
    settings = gateway_settings(
        stack.infra,
        projects_url=stack.url("projects"),
        funding_url=stack.url("funding"),
        reporting_url=stack.url("reporting"),
        web_url=web.url,
    )
    gateway = await serve("gateway-embed", gateway_app(settings))
    try:
        yield Sites(gateway.url, embedder.url, stranger.url)
    finally:
        for server in (gateway, web, stranger, embedder):
            await server.stop()


def frame_ancestors(response: httpx.Response) -> str:
    directives = [d.strip() for d in response.headers["content-security-policy"].split(";")]
    return next(d for d in directives if d.startswith("frame-ancestors"))


def widget_paths(data: dict[str, Any]) -> dict[str, str]:
    city = data["city"]
    return {
        "city": f"/embed/cities/{city['country']}/{quote(city['name'])}",
        "goal": f"/embed/sdg/{data['goal']}",
        "full city page": f"/cities/{city['country']}/{quote(city['name'])}",
    }


async def test_widgets_allow_framing_by_the_configured_sites_only(
    portal: str, sites: Sites, sample: dict[str, Any]
) -> None:
    paths = widget_paths(sample)
    async with httpx.AsyncClient(timeout=30) as client:
        for language in LANGUAGES:
            for kind in ("city", "goal"):
                embedded = await client.get(f"{sites.gateway}/{language}{paths[kind]}")
                assert embedded.status_code == 200 and embedded.headers["content-language"] == language
                assert frame_ancestors(embedded) == f"frame-ancestors {sites.embedder}"
                # The stack's portal lists no site: its widgets refuse framing like every page.
                unlisted = await client.get(f"{portal}/{language}{paths[kind]}")
                assert frame_ancestors(unlisted) == "frame-ancestors 'none'"
            full = await client.get(f"{sites.gateway}/{language}{paths['full city page']}")
            assert frame_ancestors(full) == "frame-ancestors 'none'"
        missing = await client.get(f"{sites.gateway}/en/embed/sdg/99")
        assert missing.status_code == 404


async def frame_in(browser: Browser, site: str, src: str) -> tuple[Frame, list[str]]:
    """Opens `site`'s page that frames `src`; the frame once it has loaded (or been refused)."""
    context = await browser.new_context()
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    await page.goto(f"{site}/?{urlencode({'src': src})}")
    await page.wait_for_load_state("load")
    frame = page.frames[1]
    await frame.wait_for_load_state("load")
    return frame, errors


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_configured_site_frames_the_widgets_and_others_are_refused(
    portal: str, sites: Sites, browser: Browser, language: str, sample: dict[str, Any]
) -> None:
    paths = widget_paths(sample)
    full_page = {"ca": "Vegeu la pàgina completa a Xarxa", "es": "Ver la página completa en Xarxa"}
    for kind, drawn in (("city", "svg.bars rect.bar"), ("goal", "dl.figures dd")):
        src = f"{sites.gateway}/{language}{paths[kind]}"
        frame, errors = await frame_in(browser, sites.embedder, src)
        assert frame.url == src
        assert await frame.locator(drawn).count() > 0
        assert await frame.locator("table.data").count() >= (1 if kind == "city" else 0)
        assert await frame.locator("header.site, nav").count() == 0  # minimal chrome
        back = frame.get_by_role("link", name=full_page.get(language, "See the full page on Xarxa"))
        assert await back.get_attribute("target") == "_top"
        assert await back.get_attribute("href") == f"/{language}{paths[kind].replace('/embed', '')}"
        assert not errors, errors
        await frame.page.context.close()

        refused, _ = await frame_in(browser, sites.stranger, src)
        assert refused.url != src and await refused.locator(drawn).count() == 0
        await refused.page.context.close()
    # A full page is not a widget: even the configured site cannot frame it.
    page_src = f"{sites.gateway}/{language}{paths['full city page']}"
    refused, _ = await frame_in(browser, sites.embedder, page_src)
    assert refused.url != page_src and await refused.locator("main#main").count() == 0
    await refused.page.context.close()
