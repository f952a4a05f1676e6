"""IATI activity XML 2.03 from the read models. Pure builders plus a streaming writer.

Elements are written in the order the 2.03 schema requires. Choices where a project says nothing
the standard requires: no description -> the title's texts; no date -> the registration date as
planned start. In-kind contributions are not IATI transactions and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree

from shared.codelists import CodeItem

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DATE_TYPES = (("planned_start", "1"), ("actual_start", "2"), ("planned_end", "3"), ("actual_end", "4"))


# Characters XML 1.0 cannot carry; the input guard refuses them, this protects against older data.
NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return NOT_XML.sub("", text)


def _narratives(parent: etree._Element, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        etree.SubElement(parent, "narrative", {XML_LANG: language}).text = _clean(text)


def _sub(parent: etree._Element, tag: str, attributes: dict[str, str | None] | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, {k: _clean(v) for k, v in (attributes or {}).items() if v is not None})


def _value(parent: etree._Element, amount: str, currency: str, value_date: str) -> None:
    _sub(parent, "value", {"currency": currency, "value-date": value_date}).text = amount


def activity(state: dict[str, Any], entries: Iterable[dict[str, Any]], reporting: CodeItem) -> etree._Element:
    """One <iati-activity> for a project state and its ledger entries (transactions and budgets)."""
    default_language = next(iter(state["title"]), "ca")
    element = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": state["updated_at"].replace("Z", "+00:00")
            if state["updated_at"].endswith("Z")
            else state["updated_at"],
            XML_LANG: default_language,
            "default-currency": "EUR",
        },
    )
    _sub(element, "iati-identifier").text = _clean(state["iati_identifier"])
    reporting_org = _sub(
        element, "reporting-org", {"ref": reporting.extra["iati_ref"], "type": reporting.extra.get("org_type", "10")}
    )
    _narratives(reporting_org, {lang: reporting.names[lang] for lang in ("ca", "es", "en") if lang in reporting.names})
    _narratives(_sub(element, "title"), state["title"])
    _narratives(_sub(element, "description", {"type": "1"}), state["description"] or state["title"])
    if state.get("objectives"):
        _narratives(_sub(element, "description", {"type": "2"}), state["objectives"])
    orgs = state["participating_orgs"] or [
        {
            "ref": reporting.extra["iati_ref"],
            "role": "2",
            "type": reporting.extra.get("org_type", "10"),
            "name": reporting.label("ca"),
        }
    ]
    for org in orgs:
        node = _sub(element, "participating-org", {"ref": org["ref"], "role": org["role"], "type": org.get("type")})
        _narratives(node, {default_language: org["name"]})
    _sub(element, "activity-status", {"code": state["status"]})
    dates = state.get("dates") or {}
    written = False
    for field, code in DATE_TYPES:
        if dates.get(field):
            _sub(element, "activity-date", {"type": code, "iso-date": dates[field]})
            written = True
    if not written:
        _sub(element, "activity-date", {"type": "1", "iso-date": state["created_at"][:10]})
    for country in state.get("recipient_countries", []):
        _sub(element, "recipient-country", {"code": country["code"], "percentage": str(country["percentage"])})
    for region in state.get("recipient_regions", []):
        _sub(
            element,
            "recipient-region",
            {"code": region["code"], "vocabulary": "1", "percentage": str(region["percentage"])},
        )
    for sector in state.get("sectors", []):
        _sub(element, "sector", {"vocabulary": "1", "code": sector["code"], "percentage": str(sector["percentage"])})
    for goal in state.get("sdg_goals", []):
        _sub(element, "tag", {"vocabulary": "2", "code": goal["goal"]})
        for target in goal.get("targets", []):
            _sub(element, "tag", {"vocabulary": "3", "code": target})
    for marker in state.get("policy_markers", []):
        _sub(
            element,
            "policy-marker",
            {"vocabulary": "1", "code": marker["code"], "significance": marker["significance"]},
        )
    entries = list(entries)
    for budget in (e["data"] for e in entries if e["kind"] == "budget"):
        node = _sub(element, "budget", {"type": budget["budget_type"], "status": budget["budget_status"]})
        _sub(node, "period-start", {"iso-date": budget["period_start"]})
        _sub(node, "period-end", {"iso-date": budget["period_end"]})
        _value(node, budget["amount"], budget["currency"], budget["period_start"])
    for txn in (e["data"] for e in entries if e["kind"] == "transaction" and not e["data"]["in_kind"]):
        node = _sub(element, "transaction")
        _sub(node, "transaction-type", {"code": txn["transaction_type"]})
        _sub(node, "transaction-date", {"iso-date": txn["value_date"]})
        _value(node, txn["amount"], txn["currency"], txn["value_date"])
        if txn.get("description"):
            _narratives(_sub(node, "description"), {default_language: txn["description"]})
        if txn.get("provider_org"):
            _narratives(_sub(node, "provider-org"), {default_language: txn["provider_org"]})
        if txn.get("receiver_org"):
            _narratives(_sub(node, "receiver-org"), {default_language: txn["receiver_org"]})
    for document in state.get("documents", []):
        node = _sub(element, "document-link", {"url": document["url"], "format": "text/html"})
        _narratives(_sub(node, "title"), document["title"])
        _sub(node, "category", {"code": document["category"]})
        if document.get("language"):
            _sub(node, "language", {"code": document["language"]})
        if document.get("date"):
            _sub(node, "document-date", {"iso-date": document["date"]})
    for result in state.get("results", []):
        _result(element, result)
    return element


def _result(parent: etree._Element, result: dict[str, Any]) -> None:
    if not result.get("indicators"):
        return  # the schema requires at least one indicator per result
    node = _sub(parent, "result", {"type": result["type"]})
    _narratives(_sub(node, "title"), result["title"])
    if result.get("description"):
        _narratives(_sub(node, "description"), result["description"])
    for indicator in result["indicators"]:
        ind = _sub(
            node,
            "indicator",
            {"measure": indicator["measure"], "ascending": "1" if indicator.get("ascending", True) else "0"},
        )
        _narratives(_sub(ind, "title"), indicator["title"])
        if indicator.get("sdg_indicator"):
            _sub(ind, "reference", {"vocabulary": "9", "code": indicator["sdg_indicator"]})
        baseline = indicator.get("baseline") or {}
        if baseline.get("year"):
            _sub(ind, "baseline", {"year": str(baseline["year"]), "value": _number(baseline.get("value"))})
        for period in indicator.get("periods", []):
            per = _sub(ind, "period")
            _sub(per, "period-start", {"iso-date": period["start"]})
            _sub(per, "period-end", {"iso-date": period["end"]})
            _measures(per, "target", period, "target")
            _measures(per, "actual", period, "actual")


def _measures(period_node: etree._Element, tag: str, period: dict[str, Any], field: str) -> None:
    if period.get(field) is not None or period.get(f"{field}_comment"):
        node = _sub(period_node, tag, {"value": _number(period.get(field))})
        if period.get(f"{field}_comment"):
            _narratives(_sub(node, "comment"), {"en": period[f"{field}_comment"]})
    for cell in period.get("disaggregated", []):
        if cell.get(field) is not None:
            node = _sub(period_node, tag, {"value": _number(cell[field])})
            for name, value in cell["dimensions"].items():
                _sub(node, "dimension", {"name": name, "value": value})


def _number(value: Any) -> str | None:
    return None if value is None else str(value)


FOOTER = b"</iati-activities>\n"


def header(generated: datetime | None = None) -> bytes:
    stamp = (generated or datetime.now(UTC)).isoformat(timespec="seconds")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" '
        f"generated-datetime={quoteattr(stamp)}>\n"
    ).encode()


def serialise(element: etree._Element) -> bytes:
    return bytes(etree.tostring(element, encoding="utf-8")) + b"\n"


def document(activities: Iterable[etree._Element], generated: datetime | None = None) -> Iterator[bytes]:
    """The file, as chunks: header, one serialised activity at a time, footer (constant memory)."""
    yield header(generated)
    for element in activities:
        yield serialise(element)
    yield FOOTER
