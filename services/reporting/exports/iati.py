"""IATI activity XML 2.03 from the read models. Pure builders plus a streaming writer.

Elements are written in the order the 2.03 schema requires. Nothing is made up (no title standing
in for a description, no registration time standing in for a date): an activity needs a
description and an activity date, so a project lacking either is not exported (`missing`) and the
file says so in a comment. Organisations that are owner institutions get their IATI identifier (`iati_ref` in
shared/data/xarxa/institutions.json). Budget lines of one type and period become one budget (IATI
allows no overlapping budgets of a type). In-kind contributions are not IATI transactions.

Money an IATI import booked carries what the file said beyond the ledger's columns (`imported`:
transaction date, value date, reference, organisations with refs, types and activity ids, flow,
finance, aid and tied types, disbursement channel) and is written back with it. An imported entry
that a later file withdrew is left out with its negation (the publisher's file no longer has it);
a reversal by hand stays, as the negative entry it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from shared.codelists import CodeItem, codelists

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


def missing(state: dict[str, Any]) -> list[str]:
    """What IATI requires of an activity that the project does not say (then it is not exported)."""
    dates = state.get("dates") or {}
    lacks = [] if state.get("description") else ["description"]
    return lacks + ([] if any(dates.get(field) for field, _ in DATE_TYPES) else ["activity-date"])


def left_out(state: dict[str, Any]) -> bytes:
    """An XML comment naming an activity left out and why (a reader of the file sees it)."""
    identifier = escape(_clean(state.get("iati_identifier", ""))).replace("--", "- -")
    return f"<!-- not exported: {identifier} lacks {', '.join(missing(state))} -->\n".encode()


def org_ref(ref: str | None) -> str | None:
    """An owner institution's code becomes its IATI organisation identifier; other refs stay."""
    institution = codelists()["institutions"].get(ref) if ref else None
    return institution.extra.get("iati_ref", ref) if institution else ref


def standing(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries without those an import withdrew (each with the negation that withdrew it)."""
    entries = list(entries)
    withdrawn = {e["data"]["reverses_id"] for e in entries if ((e["data"].get("imported") or {}).get("withdrawn_by"))}
    return [
        e
        for e in entries
        if e["data"].get("id") not in withdrawn and not (e["data"].get("imported") or {}).get("withdrawn_by")
    ]


def merged_budgets(budgets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One budget per (type, period): amounts added (in EUR when currencies differ), committed
    only if every line is; a lone line keeps the value date its import stated."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for budget in budgets:
        groups.setdefault((budget["budget_type"], budget["period_start"], budget["period_end"]), []).append(budget)
    merged = []
    for (budget_type, start, end), lines in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        currencies = {line["currency"] for line in lines}
        native = len(currencies) == 1
        field = "amount" if native else "amount_eur"
        merged.append(
            {
                "budget_type": budget_type,
                "budget_status": "2" if all(line["budget_status"] == "2" for line in lines) else "1",
                "period_start": start,
                "period_end": end,
                "currency": next(iter(currencies)) if native else "EUR",
                "amount": str(sum((Decimal(str(line[field])) for line in lines), Decimal(0))),
                "value_date": ((lines[0].get("imported") or {}).get("value_date") or start)
                if len(lines) == 1
                else start,
            }
        )
    return merged


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
    kept = state.get("iati") or {}  # an imported activity's classifications, given back as they came
    if kept.get("humanitarian") is not None:
        element.set("humanitarian", "1" if kept["humanitarian"] else "0")
    _sub(element, "iati-identifier").text = _clean(state["iati_identifier"])
    reporting_org = _sub(
        element, "reporting-org", {"ref": reporting.extra["iati_ref"], "type": reporting.extra.get("org_type", "10")}
    )
    _narratives(reporting_org, {lang: reporting.names[lang] for lang in ("ca", "es", "en") if lang in reporting.names})
    _narratives(_sub(element, "title"), state["title"])
    if state.get("description"):
        _narratives(_sub(element, "description", {"type": "1"}), state["description"])
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
        node = _sub(
            element,
            "participating-org",
            {
                "ref": org.get("given_ref") or org_ref(org.get("ref")),
                "role": org["role"],
                "type": org.get("type"),
                "activity-id": org.get("activity_id"),
            },
        )
        _narratives(node, {default_language: org["name"]})
    _sub(element, "activity-status", {"code": state["status"]})
    dates = state.get("dates") or {}
    for field, code in DATE_TYPES:
        if dates.get(field):
            _sub(element, "activity-date", {"type": code, "iso-date": dates[field]})
    for contact in kept.get("contact_info", []):
        _contact(element, contact)
    if kept.get("activity_scope"):
        _sub(element, "activity-scope", {"code": kept["activity_scope"]})
    for country in state.get("recipient_countries", []):
        _sub(element, "recipient-country", {"code": country["code"], "percentage": str(country["percentage"])})
    for region in state.get("recipient_regions", []):
        _sub(
            element,
            "recipient-region",
            {"code": region["code"], "vocabulary": "1", "percentage": str(region["percentage"])},
        )
    for place in kept.get("locations", []):
        _location(element, place)
    for sector in state.get("sectors", []):
        _sub(element, "sector", {"vocabulary": "1", "code": sector["code"], "percentage": str(sector["percentage"])})
    for sector in kept.get("other_sectors", []):
        node = _sub(
            element,
            "sector",
            {
                "vocabulary": sector["vocabulary"],
                "vocabulary-uri": sector.get("vocabulary_uri"),
                "code": sector["code"],
                "percentage": _number(sector.get("percentage")),
            },
        )
        _narratives(node, sector.get("narrative") or {})
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
    for marker in kept.get("policy_markers", []):  # other vocabularies, as the file gave them
        node = _sub(
            element,
            "policy-marker",
            {
                "vocabulary": marker.get("vocabulary", "1"),
                "vocabulary-uri": marker.get("vocabulary_uri"),
                "code": marker["code"],
                "significance": marker.get("significance"),
            },
        )
        _narratives(node, marker.get("narrative") or {})
    for tag, key in (
        ("collaboration-type", "collaboration_type"),
        ("default-flow-type", "default_flow_type"),
        ("default-finance-type", "default_finance_type"),
    ):
        if kept.get(key):
            _sub(element, tag, {"code": kept[key]})
    for aid_type in kept.get("default_aid_types", []):
        _sub(element, "default-aid-type", {"code": aid_type["code"], "vocabulary": aid_type.get("vocabulary", "1")})
    if kept.get("default_tied_status"):
        _sub(element, "default-tied-status", {"code": kept["default_tied_status"]})
    entries = standing(entries)
    for budget in merged_budgets(e["data"] for e in entries if e["kind"] == "budget"):
        node = _sub(element, "budget", {"type": budget["budget_type"], "status": budget["budget_status"]})
        _sub(node, "period-start", {"iso-date": budget["period_start"]})
        _sub(node, "period-end", {"iso-date": budget["period_end"]})
        _value(node, budget["amount"], budget["currency"], budget["value_date"])
    for planned in (e["data"] for e in entries if e["kind"] == "planned-disbursement"):
        _planned(element, planned, default_language)
    for txn in (e["data"] for e in entries if e["kind"] == "transaction" and not e["data"]["in_kind"]):
        _transaction(element, txn, default_language)
    for document in state.get("documents", []):
        _document(element, document)
    for related in kept.get("related_activities", []):
        _sub(element, "related-activity", {"ref": related["ref"], "type": related["type"]})
    if kept.get("conditions") is not None:
        conditions = _sub(element, "conditions", {"attached": "1" if kept["conditions"]["attached"] else "0"})
        for condition in kept["conditions"].get("items", []):
            _narratives(_sub(conditions, "condition", {"type": condition["type"]}), condition.get("text") or {})
    for result in state.get("results", []):
        _result(element, result)
    return element


def _org(parent: etree._Element, tag: str, name: str | None, given: dict[str, Any] | None, language: str) -> None:
    """provider-org or receiver-org: the imported one as the file had it, else the ledger's name."""
    if not given and not name:
        return
    given = given or {}
    activity_attribute = f"{tag.split('-')[0]}-activity-id"
    node = _sub(
        parent, tag, {"ref": given.get("ref"), activity_attribute: given.get("activity_id"), "type": given.get("type")}
    )
    text = given.get("name") if given else name
    if text:
        _narratives(node, {language: text})


def _planned(parent: etree._Element, planned: dict[str, Any], language: str) -> None:
    imported = planned.get("imported") or {}
    node = _sub(parent, "planned-disbursement", {"type": planned["planned_type"]})
    _sub(node, "period-start", {"iso-date": planned["period_start"]})
    if planned.get("period_end"):
        _sub(node, "period-end", {"iso-date": planned["period_end"]})
    _value(node, planned["amount"], planned["currency"], imported.get("value_date") or planned["period_start"])
    _org(node, "provider-org", planned.get("provider_org"), imported.get("provider"), language)
    _org(node, "receiver-org", planned.get("receiver_org"), imported.get("receiver"), language)


def _transaction(parent: etree._Element, txn: dict[str, Any], language: str) -> None:
    """In the 2.03 order; an imported one with every part of the file's transaction the ledger keeps."""
    imported = txn.get("imported") or {}
    humanitarian = imported.get("humanitarian")
    node = _sub(
        parent,
        "transaction",
        {"ref": imported.get("reference"), "humanitarian": None if humanitarian is None else str(int(humanitarian))},
    )
    _sub(node, "transaction-type", {"code": txn["transaction_type"]})
    _sub(node, "transaction-date", {"iso-date": imported.get("transaction_date") or txn["value_date"]})
    _value(node, txn["amount"], txn["currency"], txn["value_date"])
    if txn.get("description"):
        _narratives(_sub(node, "description"), {language: txn["description"]})
    _org(node, "provider-org", txn.get("provider_org"), imported.get("provider"), language)
    _org(node, "receiver-org", txn.get("receiver_org"), imported.get("receiver"), language)
    if imported.get("disbursement_channel"):
        _sub(node, "disbursement-channel", {"code": imported["disbursement_channel"]})
    for tag, key in (("flow-type", "flow_type"), ("finance-type", "finance_type")):
        if imported.get(key):
            _sub(node, tag, {"code": imported[key]})
    for aid_type in imported.get("aid_types", []):
        vocabulary, _, code = aid_type.partition(":")
        _sub(node, "aid-type", {"code": code, "vocabulary": vocabulary})
    if imported.get("tied_status"):
        _sub(node, "tied-status", {"code": imported["tied_status"]})


CONTACT_PARTS = ("organisation", "department", "person_name", "job_title")


def _contact(parent: etree._Element, contact: dict[str, Any]) -> None:
    node = _sub(parent, "contact-info", {"type": contact.get("type")})
    for key in CONTACT_PARTS:
        if contact.get(key):
            _narratives(_sub(node, key.replace("_", "-")), contact[key])
    for key in ("telephone", "email", "website"):
        if contact.get(key):
            _sub(node, key).text = _clean(contact[key])
    if contact.get("mailing_address"):
        _narratives(_sub(node, "mailing-address"), contact["mailing_address"])


def _location(parent: etree._Element, place: dict[str, Any]) -> None:
    """In the 2.03 order: reach, name, descriptions, point, exactness, class, feature designation."""
    node = _sub(parent, "location", {"ref": place.get("ref")})
    if place.get("location_reach"):
        _sub(node, "location-reach", {"code": place["location_reach"]})
    for key in ("name", "description", "activity_description"):
        if place.get(key):
            _narratives(_sub(node, key.replace("_", "-")), place[key])
    if place.get("latitude") is not None and place.get("longitude") is not None:
        point = _sub(node, "point", {"srsName": "http://www.opengis.net/def/crs/EPSG/0/4326"})
        _sub(point, "pos").text = f"{place['latitude']} {place['longitude']}"
    for key in ("exactness", "location_class", "feature_designation"):
        if place.get(key):
            _sub(node, key.replace("_", "-"), {"code": place[key]})


def _document(parent: etree._Element, document: dict[str, Any]) -> None:
    """A document-link of the activity or of a result (the same parts in 2.03)."""
    node = _sub(parent, "document-link", {"url": document["url"], "format": document.get("format") or "text/html"})
    _narratives(_sub(node, "title"), document["title"])
    _sub(node, "category", {"code": document["category"]})
    if document.get("language"):
        _sub(node, "language", {"code": document["language"]})
    if document.get("date"):
        _sub(node, "document-date", {"iso-date": document["date"]})


def _result(parent: etree._Element, result: dict[str, Any]) -> None:
    if not result.get("indicators"):
        return  # the schema requires at least one indicator per result
    node = _sub(parent, "result", {"type": result["type"]})
    _narratives(_sub(node, "title"), result["title"])
    if result.get("description"):
        _narratives(_sub(node, "description"), result["description"])
    for document in result.get("documents", []):
        _document(node, document)
    for indicator in result["indicators"]:
        attributes = {"measure": indicator["measure"], "ascending": "1" if indicator.get("ascending", True) else "0"}
        if indicator.get("aggregation_status") is not None:  # stated by the project, else left out
            attributes["aggregation-status"] = "1" if indicator["aggregation_status"] else "0"
        ind = _sub(node, "indicator", attributes)
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
