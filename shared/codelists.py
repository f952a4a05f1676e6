"""Codelists are data, not code: the official IATI codelists and SDG list vendored in shared/data,
plus Xarxa's own lists. Loaded once per process; validation and labels come from here.
"""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import AfterValidator

from shared.problem_texts import invalid

DATA_DIR = Path(__file__).resolve().parent / "data"
IATI_DIR = DATA_DIR / "iati" / "codelists"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUAGES = ("ca", "es", "en")


@dataclass(frozen=True)
class CodeItem:
    code: str
    names: dict[str, str]
    active: bool = True
    parent: str | None = None  # an SDG target's goal, an indicator's target
    extra: dict[str, str] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or next(iter(self.names.values()), self.code)


@dataclass(frozen=True)
class Codelist:
    name: str
    source: str
    items: dict[str, CodeItem]

    def __contains__(self, code: object) -> bool:
        item = self.items.get(str(code))
        return item is not None and item.active

    def get(self, code: str) -> CodeItem | None:
        return self.items.get(code)


def _iati(path: Path) -> Codelist:
    root = ET.parse(path).getroot()  # noqa: S314 - vendored file
    items: dict[str, CodeItem] = {}
    for element in root.iter("codelist-item"):
        code = (element.findtext("code") or "").strip()
        names: dict[str, str] = {}
        for narrative in element.findall("name/narrative"):
            names[narrative.get(XML_LANG, "en")] = (narrative.text or "").strip()
        items[code] = CodeItem(code, names, active=element.get("status", "active") != "withdrawn")
    return Codelist(root.get("name", path.stem), f"IATI codelist {path.name} (shared/data/README.md)", items)


def _sdg() -> dict[str, Codelist]:
    data = json.loads((DATA_DIR / "sdg" / "sdg.json").read_text())
    source = "UN SDG goals, targets and indicators with es/ca titles (shared/data/sdg/sdg.json)"

    def names(entry: dict[str, str], key: str = "title") -> dict[str, str]:
        found = {"en": entry.get(key), "es": entry.get(f"{key}_es"), "ca": entry.get(f"{key}_ca")}
        return {lang: text for lang, text in found.items() if text}

    goals = {
        g["code"]: CodeItem(g["code"], names(g, "short_title"), extra={"title": g["title"]}) for g in data["goals"]
    }
    targets = {t["code"]: CodeItem(t["code"], names(t), parent=t["goal"]) for t in data["targets"]}
    indicators = {i["code"]: CodeItem(i["code"], names(i), parent=i["target"]) for i in data["indicators"]}
    return {
        "sdg-goals": Codelist("sdg-goals", source, goals),
        "sdg-targets": Codelist("sdg-targets", source, targets),
        "sdg-indicators": Codelist("sdg-indicators", source, indicators),
    }


def _xarxa(path: Path) -> Codelist:
    data = json.loads(path.read_text())
    items = {}
    for entry in data["items"]:
        extra = {k: str(v) for k, v in entry.items() if k not in ("code", *LANGUAGES)}
        items[entry["code"]] = CodeItem(
            entry["code"], {lang: entry[lang] for lang in LANGUAGES if lang in entry}, extra=extra
        )
    return Codelist(path.stem, data["_source"], items)


@dataclass(frozen=True)
class Codelists:
    lists: dict[str, Codelist]

    def __getitem__(self, name: str) -> Codelist:
        return self.lists[name]

    def names(self) -> list[str]:
        return sorted(self.lists)


@functools.cache
def codelists() -> Codelists:
    lists = {path.stem: _iati(path) for path in sorted(IATI_DIR.glob("*.xml"))}
    lists.update(_sdg())
    lists.update({path.stem: _xarxa(path) for path in sorted((DATA_DIR / "xarxa").glob("*.json"))})
    return Codelists(lists)


def coded(listname: str) -> AfterValidator:
    """A Pydantic validator: the value must be an active code of `listname` (a 422 naming it otherwise)."""

    def check(value: str) -> str:
        if value not in codelists()[listname]:
            raise invalid("not_in_codelist", codelist=listname)
        return value

    return AfterValidator(check)
