"""The catalogue of the API's problem texts: every msgid the services can answer with, and the
gettext files of shared/locale brought up to date with it (`make i18n-problems`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

import services
from shared.problem_texts import DETAILS, FIXED_TEXTS, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, TEMPLATES
from shared.problems import ProblemError

DOMAIN = "problems"


def _subclasses(cls: type[ProblemError]) -> Iterator[type[ProblemError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def problem_classes() -> list[type[ProblemError]]:
    """Every ProblemError of the services, after importing all their modules."""
    for module in pkgutil.walk_packages(services.__path__, "services."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    return [ProblemError, *_subclasses(ProblemError)]


def msgids() -> list[str]:
    texts = {*TEMPLATES.values(), *DETAILS.values(), *FIXED_TEXTS, *(c.title for c in problem_classes())}
    return sorted(texts)


def missing(language: str) -> list[str]:
    """The msgids `language`'s catalogue does not translate."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    translated: set[str] = set()
    if path.exists():
        with path.open("rb") as handle:
            translated = {str(m.id) for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    return [text for text in msgids() if text not in translated]


def update() -> dict[str, list[str]]:
    """Write problems.pot and merge it into each language's .po; the untranslated msgids per language."""
    template = Catalog(project="xarxa", domain=DOMAIN)
    for text in msgids():
        template.add(text)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, omit_header=True, sort_output=True)
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=True, sort_output=True)
    return {language: missing(language) for language in LANGUAGES if language != SOURCE_LANGUAGE}


def main() -> int:
    gaps = update()
    for language, texts in gaps.items():
        for text in texts:
            print(f"{language}: untranslated: {text}")
    return 1 if any(gaps.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
