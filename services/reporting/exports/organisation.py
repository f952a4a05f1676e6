"""IATI organisation XML 2.03 of one owner institution, from the read models. Pure builders.

Figures are the institution's published projects' ledger, in EUR, per calendar year:
- total-budget: its budget lines, each in the year its period starts; committed (status 2) only
  if every line of the year is;
- recipient-country-budget: the same lines split by each project's recipient-country percentages
  (projects without recipient countries are in no country's budget), to the cent, the last
  country of a project taking the rounding;
- total-expenditure: its expenditure (transaction type 4, in-kind left out), by value date.
Elements come in the order the 2.03 schema requires.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lxml import etree

from shared.codelists import CodeItem

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CENT = Decimal("0.01")
EXPENDITURE = "4"


@dataclass
class Year:
    budget: Decimal = Decimal(0)
    committed: bool = True
    expenditure: Decimal = Decimal(0)
    countries: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def _country_parts(amount: Decimal, countries: list[dict[str, Any]]) -> list[tuple[str, Decimal]]:
    parts = [
        (c["code"], (amount * Decimal(str(c["percentage"])) / 100).quantize(CENT, ROUND_HALF_UP)) for c in countries
    ]
    if parts:
        code, last = parts[-1]
        parts[-1] = (code, last + amount - sum(p for _, p in parts))
    return parts


def years(projects: Iterable[tuple[dict[str, Any], list[dict[str, Any]]]]) -> dict[int, Year]:
    """Per calendar year, from (project state, its ledger entries) pairs."""
    found: dict[int, Year] = defaultdict(Year)
    for state, entries in projects:
        countries = state.get("recipient_countries") or []
        for entry in entries:
            data = entry["data"]
            if entry["kind"] == "budget":
                year = found[int(str(data["period_start"])[:4])]
                amount = Decimal(str(data["amount_eur"]))
                year.budget += amount
                year.committed = year.committed and data.get("budget_status") == "2"
                for code, part in _country_parts(amount, countries):
                    year.countries[code] += part
            elif (
                entry["kind"] == "transaction"
                and data.get("transaction_type") == EXPENDITURE
                and not data.get("in_kind")
            ):
                found[int(str(data["value_date"])[:4])].expenditure += Decimal(str(data["amount_eur"]))
    return dict(found)


def _sub(parent: etree._Element, tag: str, attributes: dict[str, str] | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, attributes or {})


def _period(parent: etree._Element, year: int) -> None:
    _sub(parent, "period-start", {"iso-date": f"{year}-01-01"})
    _sub(parent, "period-end", {"iso-date": f"{year}-12-31"})


def _value(parent: etree._Element, amount: Decimal, year: int) -> None:
    _sub(parent, "value", {"currency": "EUR", "value-date": f"{year}-01-01"}).text = f"{amount:f}"


def document(institution: CodeItem, by_year: dict[int, Year], generated: datetime | None = None) -> bytes:
    now = (generated or datetime.now(UTC)).isoformat(timespec="seconds")
    root = etree.Element("iati-organisations", {"version": "2.03", "generated-datetime": now})
    ref, kind = institution.extra["iati_ref"], institution.extra.get("org_type", "10")
    org = _sub(root, "iati-organisation", {"last-updated-datetime": now, XML_LANG: "ca", "default-currency": "EUR"})
    _sub(org, "organisation-identifier").text = ref
    names = {lang: institution.names[lang] for lang in ("ca", "es", "en") if lang in institution.names}
    name = _sub(org, "name")
    reporting = _sub(org, "reporting-org", {"ref": ref, "type": kind})
    for parent in (name, reporting):
        for lang, text in names.items():
            _sub(parent, "narrative", {XML_LANG: lang}).text = text
    ordered = sorted(by_year.items())
    for year, figures in ordered:
        if figures.budget:
            node = _sub(org, "total-budget", {"status": "2" if figures.committed else "1"})
            _period(node, year)
            _value(node, figures.budget, year)
    for year, figures in ordered:
        for code, amount in sorted(figures.countries.items()):
            node = _sub(org, "recipient-country-budget", {"status": "2" if figures.committed else "1"})
            _sub(node, "recipient-country", {"code": code})
            _period(node, year)
            _value(node, amount, year)
    for year, figures in ordered:
        if figures.expenditure:
            node = _sub(org, "total-expenditure")
            _period(node, year)
            _value(node, figures.expenditure, year)
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
