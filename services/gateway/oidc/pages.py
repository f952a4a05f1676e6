"""The provider's few pages: server-rendered, no script, no style from elsewhere, never cached,
never framed."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from services.gateway.oidc.texts import ENDONYMS, LANGUAGES, texts

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    auto_reload=False,
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    # Not the gateway's no-referrer: under it browsers post the forms with `Origin: null`, which the
    # same-origin check refuses. same-origin still sends nothing (the request's query) elsewhere.
    "Referrer-Policy": "same-origin",
}


def language_switch(path: str, query: dict[str, str]) -> dict[str, str]:
    """The same page in each language: its own query with `ui_locales` set (no script needed)."""
    return {code: f"{path}?{urlencode({**query, 'ui_locales': code})}" for code in LANGUAGES}


def page(template: str, lang: str, status: int = 200, error_key: str | None = None, **values: Any) -> HTMLResponse:
    t = texts(lang)
    html = _env.get_template(template).render(
        lang=lang, t=t, endonyms=ENDONYMS, error=t[error_key] if error_key else None, **values
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
