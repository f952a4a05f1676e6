"""An activity's IATI classifications beyond Xarxa's own fields (`iati` of the project): every
sector vocabulary but DAC 5-digit, default aid/finance/flow/tied types, collaboration type, scope,
humanitarian flag, locations, contact info, conditions and related activities.

Lenient like the rest of the import: what does not fit is left out with a note, and a location
without coordinates is a place all the same (its point is a note, not a failure).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from shared.codelists import codelists

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
POS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*$")


def texts(element: etree._Element | None, language: str) -> dict[str, str]:
    if element is None:
        return {}
    known = codelists()["Language"]
    found: dict[str, str] = {}
    for narrative in element.findall("narrative"):
        lang = (narrative.get(XML_LANG) or language).lower()
        text = (narrative.text or "").strip()
        if text and lang in known and lang not in found:
            found[lang] = text[:20000]
    return found


def _code(element: etree._Element, tag: str, listname: str, notes: list[str]) -> str | None:
    node = element.find(tag)
    if node is None:
        return None
    code = node.get("code")
    if code is not None and code in codelists()[listname]:
        return str(code)
    notes.append(f"{tag} {code!r} is not in the {listname} codelist: left out")
    return None


def _short(value: str | None, size: int = 500) -> str | None:
    text = (value or "").strip()
    return text[:size] or None


def _percentage(text: str | None) -> str | None:
    try:
        value = Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None
    if value is None or not value.is_finite() or not Decimal(0) < value <= 100:
        return None
    return f"{value.quantize(Decimal('0.000001')).normalize():f}"


def _location(node: etree._Element, language: str, notes: list[str]) -> dict[str, Any]:
    place: dict[str, Any] = {
        "ref": _short(node.get("ref")),
        "name": texts(node.find("name"), language),
        "description": texts(node.find("description"), language),
        "activity_description": texts(node.find("activity-description"), language),
    }
    pos = node.findtext("point/pos")
    if pos is not None:
        match = POS.match(pos)
        latitude, longitude = (float(match.group(1)), float(match.group(2))) if match else (None, None)
        if latitude is not None and longitude is not None and -90 <= latitude <= 90 and -180 <= longitude <= 180:
            place["latitude"], place["longitude"] = latitude, longitude
        else:
            notes.append(f"location point {pos.strip()[:60]!r} has no valid coordinates: kept without a point")
    for tag, key in (
        ("exactness", "exactness"),
        ("location-reach", "location_reach"),
        ("location-class", "location_class"),
        ("feature-designation", "feature_designation"),
    ):
        found = node.find(tag)
        if found is not None and found.get("code"):
            place[key] = found.get("code", "")[:20]
    return {k: v for k, v in place.items() if v not in (None, {})}


def _contact(node: etree._Element, language: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"type": _short(node.get("type"), 10)}
    for tag, key in (
        ("organisation", "organisation"),
        ("department", "department"),
        ("person-name", "person_name"),
        ("job-title", "job_title"),
        ("mailing-address", "mailing_address"),
    ):
        contact[key] = texts(node.find(tag), language)
    for tag in ("telephone", "email", "website"):
        contact[tag] = _short(node.findtext(tag))
    return {k: v for k, v in contact.items() if v not in (None, {})}


def dac_marker(node: etree._Element) -> bool:
    """An OECD DAC CRS marker with a known significance: the project's own `policy_markers`."""
    lists = codelists()
    return (
        node.get("vocabulary", "1") == "1"
        and node.get("code") in lists["PolicyMarker"]
        and node.get("significance") in lists["PolicySignificance"]
    )


def other_policy_markers(element: etree._Element, language: str, notes: list[str]) -> list[dict[str, Any]]:
    """Every other policy marker (any vocabulary, with its URI, significance and narrative as given)."""
    kept = []
    for node in element.findall("policy-marker"):
        if dac_marker(node):
            continue
        vocabulary, code = node.get("vocabulary", "1"), (node.get("code") or "").strip()
        significance = node.get("significance")
        if vocabulary not in codelists()["PolicyMarkerVocabulary"] or not code or len(significance or "") > 10:
            notes.append(f"policy-marker {code!r} of vocabulary {vocabulary!r}: left out")
            continue
        marker: dict[str, Any] = {"vocabulary": vocabulary, "code": code[:500], "significance": significance}
        if _short(node.get("vocabulary-uri")):
            marker["vocabulary_uri"] = _short(node.get("vocabulary-uri"))
        if texts(node, language):
            marker["narrative"] = texts(node, language)
        kept.append(marker)
    return kept[:100]


def classification(element: etree._Element, language: str, notes: list[str]) -> dict[str, Any]:
    lists = codelists()
    found: dict[str, Any] = {}
    sectors = []
    for node in element.findall("sector"):
        vocabulary = node.get("vocabulary", "1")
        if vocabulary == "1":
            continue  # DAC 5-digit: the project's sectors
        if vocabulary not in lists["SectorVocabulary"] or not (node.get("code") or "").strip():
            notes.append(f"sector {node.get('code')!r} of unknown vocabulary {vocabulary!r}: left out")
            continue
        sector: dict[str, Any] = {"vocabulary": vocabulary, "code": (node.get("code") or "").strip()[:500]}
        percentage = _percentage(node.get("percentage"))
        if percentage is not None:
            sector["percentage"] = percentage
        if _short(node.get("vocabulary-uri")):
            sector["vocabulary_uri"] = _short(node.get("vocabulary-uri"))
        if texts(node, language):
            sector["narrative"] = texts(node, language)
        sectors.append(sector)
    found["other_sectors"] = sectors[:100]
    found["policy_markers"] = other_policy_markers(element, language, notes)
    aid_types = []
    for node in element.findall("default-aid-type"):
        vocabulary, code = node.get("vocabulary", "1"), (node.get("code") or "").strip()
        if vocabulary in lists["AidTypeVocabulary"] and code:
            aid_types.append({"vocabulary": vocabulary, "code": code[:20]})
        else:
            notes.append(f"default-aid-type {code!r} (vocabulary {vocabulary!r}): left out")
    found["default_aid_types"] = aid_types[:20]
    for tag, key, listname in (
        ("default-finance-type", "default_finance_type", "FinanceType"),
        ("default-flow-type", "default_flow_type", "FlowType"),
        ("default-tied-status", "default_tied_status", "TiedStatus"),
        ("collaboration-type", "collaboration_type", "CollaborationType"),
        ("activity-scope", "activity_scope", "ActivityScope"),
    ):
        found[key] = _code(element, tag, listname, notes)
    humanitarian = element.get("humanitarian")
    found["humanitarian"] = None if humanitarian is None else humanitarian in ("1", "true")
    found["locations"] = [_location(node, language, notes) for node in element.findall("location")][:500]
    found["contact_info"] = [_contact(node, language) for node in element.findall("contact-info")][:20]
    conditions = element.find("conditions")
    if conditions is not None:
        found["conditions"] = {
            "attached": conditions.get("attached") in ("1", "true"),
            "items": [
                {"type": (c.get("type") or "1")[:10], "text": texts(c, language)}
                for c in conditions.findall("condition")
            ][:100],
        }
    related = []
    for node in element.findall("related-activity"):
        ref, kind = (node.get("ref") or "").strip(), node.get("type")
        if ref and kind in lists["RelatedActivityType"]:
            related.append({"ref": ref[:200], "type": kind})
        else:
            notes.append(f"related-activity {ref!r} of type {kind!r}: left out")
    found["related_activities"] = related[:1000]
    return {k: v for k, v in found.items() if v not in (None, [])}
