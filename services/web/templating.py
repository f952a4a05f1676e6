"""One Jinja environment per language, each with its own gettext catalogue installed: the portal's
pages (three languages) and the console's (five) differ only in their languages and globals."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.web.assets import Assets
from services.web.i18n import Formats, load_translations

TEMPLATE_DIR = Path(__file__).parent / "templates"


class LocalisedTemplates:
    languages: Sequence[str] = ()

    def __init__(self, assets: Assets) -> None:
        self.environments: dict[str, Environment] = {}
        for language in self.languages:
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
                languages=self.languages,
                f=Formats(language),
                asset=assets.url,
                **self.globals_for(language, translations),
            )
            self.environments[language] = env

    def globals_for(self, language: str, translations: Translations) -> dict[str, Any]:
        """What this kind of page adds to every template."""
        return {}

    def render(self, language: str, name: str, context: dict[str, Any]) -> str:
        return self.environments[language].get_template(name).render(context)
