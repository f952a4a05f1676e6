"""Console pages in five languages: the portal's three, and Portuguese and French for partners.

The console has its own layout (templates/console/layout.html): the portal's pages exist in
Catalan, Spanish and English only, so its navigation is not offered in the other two."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from services.web.assets import Assets
from services.web.console.grant_labels import grant_labels
from services.web.i18n import Formats, load_translations
from services.web.pages.common import CSP, TEMPLATE_DIR

CONSOLE_LANGUAGES = ("ca", "es", "en", "pt", "fr")
LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English", "pt": "Português", "fr": "Français"}


class ConsoleTemplates:
    def __init__(self, assets: Assets) -> None:
        self.environments: dict[str, Environment] = {}
        for language in CONSOLE_LANGUAGES:
            env = Environment(
                loader=FileSystemLoader(TEMPLATE_DIR),
                autoescape=select_autoescape(["html"]),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            translations = load_translations(language)
            env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(
                lang=language,
                languages=CONSOLE_LANGUAGES,
                language_names=LANGUAGE_NAMES,
                f=Formats(language),
                asset=assets.url,
                grant_labels=grant_labels(translations.gettext),
            )
            self.environments[language] = env

    def render(self, language: str, name: str, context: dict[str, Any]) -> str:
        return self.environments[language].get_template(name).render(context)


def render(request: Request, language: str, template: str, context: dict[str, Any], status: int = 200) -> Response:
    templates: ConsoleTemplates = request.app.state.console_templates
    # The path after the language, for the language switch.
    rest = request.url.path.split("/", 2)[2] if request.url.path.count("/") >= 2 else ""
    body = templates.render(language, template, {"session": None, "rest": rest, "query": request.url.query, **context})
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store",
            "Content-Language": language,
            "Referrer-Policy": "same-origin",
        },
    )
