"""The console's texts exist in its five languages: the portal's catalogues (ca, es, en) are checked
by tests/web/test_catalogues.py; Portuguese and French translate every string of the console."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.web.console.forms import date_labels, plain_words
from services.web.console.rendering import CONSOLE_LANGUAGES
from services.web.i18n import LOCALE_DIR, Formats

WEB = Path(__file__).parents[3] / "services" / "web"


def console_strings() -> set[str]:
    found = extract_from_dir(
        str(WEB),
        method_map=[
            ("**/node_modules/**", "ignore"),
            ("templates/console/**.html", "jinja2"),
            ("console/**.py", "python"),
        ],
        options_map={"templates/console/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_console_string_is_translated_in_each_of_its_languages() -> None:
    strings = console_strings()
    assert len(strings) > 50 and "There is a problem" in strings and "Planned end" in strings
    for language in CONSOLE_LANGUAGES:
        with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source, locale=language)
        missing = sorted(s for s in strings if catalog.get(s) is None or not catalog[s].string or catalog[s].fuzzy)
        assert not missing, f"{language}: untranslated {missing}"


def test_field_names_in_an_api_message_become_the_forms_labels() -> None:
    labels = date_labels(Formats("pt").gettext)
    params = {"end": "planned_end", "start": "planned_start"}
    assert plain_words("planned_end é anterior a planned_start", params, labels) == (
        "Fim previsto é anterior a início previsto"
    )
