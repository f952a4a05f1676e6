"""Console pages in five languages: the portal's three, and Portuguese and French for partners.

The console has its own layout (templates/console/layout.html): the portal's pages exist in
Catalan, Spanish and English only, so its navigation is not offered in the other two."""

from __future__ import annotations

from typing import Any

from babel.support import Translations
from fastapi import Request
from starlette.responses import HTMLResponse, Response

from services.web.console.grant_labels import grant_labels
from services.web.pages.common import CSP
from services.web.templating import LocalisedTemplates

CONSOLE_LANGUAGES = ("ca", "es", "en", "pt", "fr")
LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English", "pt": "Português", "fr": "Français"}


class ConsoleTemplates(LocalisedTemplates):
    languages = CONSOLE_LANGUAGES

    def globals_for(self, language: str, translations: Translations) -> dict[str, Any]:
        return {"language_names": LANGUAGE_NAMES, "grant_labels": grant_labels(translations.gettext)}


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
