"""Languages of the portal: gettext catalogues (Babel) per language, and numbers, money and dates in
the reader's locale. Language comes from the URL (/ca/, /es/, /en/), else from Accept-Language."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations

LANGUAGES = ("ca", "es", "en")
DEFAULT_LANGUAGE = "ca"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
BARCELONA = ZoneInfo("Europe/Madrid")


def load_translations(language: str) -> Translations:
    """Compiled in memory from the .po file, so the catalogue served is always the one in the tree."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def translations(language: str) -> Translations:
    return load_translations(language)


def negotiate(accept_language: str | None) -> str:
    """The first language of the header (by q) that the portal has; Catalan otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


@dataclass(frozen=True)
class Formats:
    """Filters bound to one language, handed to its templates."""

    language: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str) -> str:
        """A text of the catalogue, for the few labels built in code rather than in a template."""
        return str(translations(self.language).gettext(message))

    def money(self, value: object) -> str:
        return str(format_currency(_decimal(value), "EUR", locale=self.language))

    def number(self, value: object) -> str:
        return str(format_decimal(_decimal(value), locale=self.language))

    def percent(self, value: object) -> str:
        """`value` in percentage points, as the API gives shares (e.g. "76.92")."""
        return str(format_percent(_decimal(value) / 100, locale=self.language, decimal_quantization=False))

    def day(self, value: str | date | None) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            if "T" in value:
                return str(
                    format_datetime(
                        datetime.fromisoformat(value.replace("Z", "+00:00")), "medium", locale=self.language
                    )
                )
            value = date.fromisoformat(value[:10])
        return str(format_date(value, "long", locale=self.language))

    def moment(self, value: str) -> str:
        """A moment (ISO 8601 with its offset) as Barcelona's clock showed it, day and time."""
        at = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(BARCELONA)
        return str(format_datetime(at, "medium", tzinfo=BARCELONA, locale=self.language))

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code.upper(), code))

    def text(self, texts: dict[str, str] | None) -> tuple[str, str | None]:
        """A project text in the reader's language, else another one: (text, language it is in if not ours)."""
        texts = texts or {}
        if texts.get(self.language):
            return texts[self.language], None
        for language in (*LANGUAGES, *sorted(texts)):
            if texts.get(language):
                return texts[language], language
        return "", None

    def label(self, names: dict[str, str] | None, fallback: str = "") -> str:
        """A codelist label from the data files in the reader's language (English where it has none)."""
        names = names or {}
        return names.get(self.language) or names.get("en") or fallback

    def language_name(self, code: str) -> str:
        return str(self.locale.languages.get(code, code))
