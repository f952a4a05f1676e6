"""Every text of the portal is translated: each string marked in code and templates has a non-empty,
non-fuzzy translation in every catalogue, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.web.i18n import LANGUAGES, LOCALE_DIR, Formats, load_translations, negotiate

WEB = Path(__file__).parents[2] / "services" / "web"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked() -> set[str]:
    found = extract_from_dir(
        str(WEB),
        method_map=[("**/node_modules/**", "ignore"), ("**.py", "python"), ("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_marked_string_has_a_translation_in_every_language() -> None:
    strings = marked()
    assert len(strings) > 100
    for language in LANGUAGES:
        with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source, locale=language)
        missing = sorted(s for s in strings if s not in catalog or not catalog[s].string or catalog[s].fuzzy)
        assert not missing, f"{language}: untranslated {missing}"
        for message in catalog:
            if isinstance(message.id, str) and message.id and isinstance(message.string, str):
                assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_a_string_missing_from_a_catalogue_is_caught(tmp_path: Path) -> None:
    """The check above is not vacuous: a catalogue without one of the strings fails it."""
    strings = marked()
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="es")
    dropped = sorted(strings)[0]
    catalog.delete(dropped)
    assert dropped in {s for s in strings if s not in catalog}


def test_the_catalogues_compile_and_translate() -> None:
    assert load_translations("es").gettext("Projects") == "Proyectos"
    assert load_translations("ca").gettext("Projects") == "Projectes"


def test_money_numbers_and_dates_in_the_readers_locale() -> None:
    assert Formats("ca").money("1234567.89") == "1.234.567,89\u00a0€"
    assert Formats("es").money("1234567.89") == "1.234.567,89\u00a0€"
    assert Formats("en").money("1234567.89") == "€1,234,567.89"
    assert Formats("es").percent("76.92") == "76,92\u00a0%"
    assert Formats("ca").day("2025-12-31") == "31 de desembre del 2025"
    assert Formats("es").country("MZ") == "Mozambique"


def test_a_text_missing_in_the_readers_language_falls_back_visibly() -> None:
    assert Formats("es").text({"ca": "Aigua", "es": "Agua"}) == ("Agua", None)
    assert Formats("en").text({"ca": "Aigua", "pt": "Água"}) == ("Aigua", "ca")
    assert Formats("en").text({"pt": "Água"}) == ("Água", "pt")


def test_the_language_from_accept_language() -> None:
    assert negotiate("es-ES,es;q=0.9,en;q=0.8") == "es"
    assert negotiate("fr;q=1, en;q=0.5, ca;q=0.7") == "ca"
    assert negotiate("de, en;q=0") == "ca"
    assert negotiate("en;q=abc, es;q=0.1") == "es"
    assert negotiate(None) == "ca"
