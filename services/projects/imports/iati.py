"""IATI activity XML (2.01-2.03) to projects: safe parsing and a lenient, explained mapping.

Parsing never expands entities, never touches the network, refuses DTDs and huge trees. Each
activity becomes a project document that the registry's own model validates; what the model
cannot hold (codes outside the lists Xarxa validates against) is left out and said so in the
activity's notes. Its money (money.py) travels to funding with the project change, as an event;
its SDGs are read in every form (sdgs.py). Percentages that do not add up to 100 are rescaled,
and said so.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lxml import etree
from pydantic import ValidationError

from services.projects.imports import classifications, sdgs
from shared.codelists import codelists
from shared.contracts.project_input import KEEP_OVERLAPPING_PERIODS, ProjectCreate, overlapping_periods

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The import route's bound (the gateway's `max_import_body_bytes` matches it): a publisher's whole file.
MAX_BYTES = 128 * 1024 * 1024
CODE = re.compile(r"[^A-Za-z0-9._/-]")
ORG_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")
SDG_VOCABULARIES = ("7", "8")  # sector vocabularies of SDG goals and targets
PERCENT = Decimal("0.000001")  # the model's precision: a file's small percentages survive
IMPORTED = {KEEP_OVERLAPPING_PERIODS: True}  # a publisher's overlapping periods are kept (and noted)


class UnsafeXml(ValueError):
    """The file is not well-formed, too large, or declares entities or a DTD."""


def parse(content: bytes) -> etree._Element:
    if len(content) > MAX_BYTES:
        raise UnsafeXml(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise UnsafeXml("DTDs and entity declarations are refused")
    if root.tag != "iati-activities":
        raise UnsafeXml(f"the root element is <{root.tag}>, not <iati-activities>")
    return root


def activities(content: bytes) -> Iterator[etree._Element]:
    """The file's activities one at a time (lxml iterparse), each dropped once the caller is done
    with it, so a large file never becomes a tree in memory. The same refusals as `parse`."""
    if len(content) > MAX_BYTES:
        raise UnsafeXml(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    start = content.find(b"<iati-activities")
    prolog = content[: start if start >= 0 else len(content)]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise UnsafeXml("DTDs and entity declarations are refused")
    events = etree.iterparse(
        io.BytesIO(content),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    root: etree._Element | None = None
    try:
        for event, element in events:
            if root is None:
                if element.tag != "iati-activities":
                    raise UnsafeXml(f"the root element is <{element.tag}>, not <iati-activities>")
                root = element
            elif event == "end" and element.tag == "iati-activity" and element.getparent() is root:
                while element.getprevious() is not None:
                    del root[0]  # the activities read before: done with
                yield element
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise UnsafeXml("not well-formed XML: no root element")


@dataclass
class Mapped:
    identifier: str  # the file's
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    own_identifier: str = ""  # the project's: the file's if the owner published it, else derived
    foreign: bool = False  # the file's identifier is another publisher's (kept as an other-identifier)


def own_identifier(identifier: str, prefix: str) -> tuple[str, bool]:
    """The project's IATI identifier for a file's activity, and whether the file's is foreign.

    The owner keeps the file's identifier when it starts with the owner's organisation identifier
    (its own activity, published before); another publisher's activity gets the owner's prefix in
    front of it, as IATI asks of a reporting organisation that reports an activity anew.
    """
    if identifier.startswith(f"{prefix}-"):
        return identifier, False
    return f"{prefix}-{identifier}", True


def _texts(element: etree._Element | None, default_language: str) -> dict[str, str]:
    if element is None:
        return {}
    known = codelists()["Language"]
    texts: dict[str, str] = {}
    for narrative in element.findall("narrative"):
        language = (narrative.get(XML_LANG) or default_language).lower()
        text = (narrative.text or "").strip()
        if text and language in known and language not in texts:
            texts[language] = text[:20000]
    return texts


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None


def _rescaled(items: list[dict[str, Any]], key: str, what: str, notes: list[str]) -> list[dict[str, Any]]:
    """Percentages summing to 100: the file's own, exactly, when they do; else rescaled (missing
    ones share equally) to the model's six decimals, the last one taking the rounding."""
    if not items:
        return items
    values = [item.get(key) for item in items]
    if any(v is None for v in values) or sum(values) <= 0:  # type: ignore[arg-type]
        if len(items) > 1:
            notes.append(f"{what} percentages missing: shared equally")
        values = [Decimal(100) / len(items)] * len(items)
    total = sum(values)  # type: ignore[arg-type]
    exact = total == 100 and all(Decimal(v).quantize(PERCENT) == v for v in values)  # type: ignore[arg-type]
    scaled = (
        [Decimal(v) for v in values]  # type: ignore[arg-type]
        if exact
        else [(Decimal(v) * 100 / total).quantize(PERCENT, rounding=ROUND_HALF_UP) for v in values]  # type: ignore[arg-type]
    )
    scaled[-1] += Decimal(100) - sum(scaled)
    if abs(total - 100) > PERCENT:
        notes.append(f"{what} percentages rescaled to add up to 100")
    dropped = sum(1 for s in scaled if s <= 0)
    if dropped:
        notes.append(f"{dropped} {what} percentage(s) below 0.000001 %: left out")
    return [{**item, key: f"{s.normalize():f}"} for item, s in zip(items, scaled, strict=True) if s > 0]


def _coded(listname: str, code: str | None) -> bool:
    return code is not None and code in codelists()[listname]


def _org_ref(ref: str | None, name: str) -> str:
    if ref and ORG_REF.match(ref.strip()):
        return ref.strip()
    slug = CODE.sub("-", name.upper())[:80].strip("-") or "ORG"
    return f"XARXA-IMPORT-{slug}"


def activity(element: etree._Element, owner: str, visibility: str, prefix: str) -> Mapped:
    """`prefix`: the owner's IATI organisation identifier."""
    identifier = (element.findtext("iati-identifier") or "").strip()
    mine, foreign = own_identifier(identifier, prefix)
    mapped = Mapped(identifier, own_identifier=mine, foreign=foreign)
    notes = mapped.notes
    if foreign and identifier:
        notes.append(
            f"{identifier} is another publisher's identifier: kept as other-identifier (B1), registered as {mine}"
        )
    language = (element.get(XML_LANG) or "en").lower()
    title = _texts(element.find("title"), language)
    data: dict[str, Any] = {
        "owner": owner,
        "iati_identifier": mine,
        "code": CODE.sub("-", identifier)[-64:].lstrip("-._/") or "IATI",
        "visibility": visibility,
        "title": title,
    }
    for description in element.findall("description"):
        kind = description.get("type", "1")
        target = {"1": "description", "2": "objectives"}.get(kind)
        if target and target not in data:
            data[target] = _texts(description, language)
    status = element.find("activity-status")
    data["status"] = status.get("code") if status is not None and _coded("ActivityStatus", status.get("code")) else "2"
    dates: dict[str, str] = {}
    for node in element.findall("activity-date"):
        name = {"1": "planned_start", "2": "actual_start", "3": "planned_end", "4": "actual_end"}.get(
            node.get("type", "")
        )
        if name and node.get("iso-date"):
            dates[name] = node.get("iso-date", "")[:10]
    if dates.get("actual_end") and not dates.get("actual_start"):
        notes.append("actual end without an actual start: left out")
        dates.pop("actual_end")
    data["dates"] = dates
    orgs = []
    for node in element.findall("participating-org"):
        name = next(iter(_texts(node, language).values()), "") or (node.get("ref") or "").strip()
        if not name or not _coded("OrganisationRole", node.get("role")):
            notes.append("a participating organisation without name or known role: left out")
            continue
        org = {"ref": _org_ref(node.get("ref"), name), "name": name[:300], "role": node.get("role")}
        if _coded("OrganisationType", node.get("type")):
            org["type"] = node.get("type")
        if node.get("ref") and node.get("ref") != org["ref"]:
            org["given_ref"] = (node.get("ref") or "")[:200]
        if (node.get("activity-id") or "").strip():
            org["activity_id"] = (node.get("activity-id") or "").strip()[:200]
        orgs.append(org)
    data["participating_orgs"] = orgs[:100]
    recipients = []
    for node in element.findall("recipient-country"):
        if _coded("Country", node.get("code")):
            recipients.append({"code": node.get("code"), "percentage": _decimal(node.get("percentage")), "_": "c"})
        else:
            notes.append(f"recipient country {node.get('code')!r} is not in the Country codelist: left out")
    for node in element.findall("recipient-region"):
        if node.get("vocabulary", "1") == "1" and _coded("Region", node.get("code")):
            recipients.append({"code": node.get("code"), "percentage": _decimal(node.get("percentage")), "_": "r"})
        else:
            notes.append(
                f"recipient region {node.get('code')!r} (vocabulary {node.get('vocabulary', '1')}) "
                "is not an OECD DAC region: left out"
            )
    both = _rescaled(recipients, "percentage", "recipient country and region", notes)
    data["recipient_countries"] = [{k: v for k, v in r.items() if k != "_"} for r in both if r["_"] == "c"]
    data["recipient_regions"] = [{k: v for k, v in r.items() if k != "_"} for r in both if r["_"] == "r"]
    sectors = []
    for node in element.findall("sector"):
        if node.get("vocabulary", "1") != "1":  # other vocabularies: `iati.other_sectors` (and SDGs)
            continue
        if not _coded("Sector", node.get("code")):
            notes.append(f"sector {node.get('code')} (vocabulary 1) is not a DAC code: left out")
            continue
        sectors.append({"code": node.get("code"), "percentage": _decimal(node.get("percentage"))})
    data["sectors"] = _rescaled(sectors, "percentage", "sector", notes)
    data["sdg_goals"] = sdgs.goals(element, notes)
    markers = {}
    for node in element.findall("policy-marker"):
        code = node.get("code")
        if classifications.dac_marker(node) and code is not None:
            # The same DAC marker twice is one marker (the last word); any other: `iati.policy_markers`.
            markers[code] = {"code": code, "significance": node.get("significance")}
    data["policy_markers"] = list(markers.values())
    data["documents"] = _documents(element, language, notes)[:200]
    data["results"] = _results(element, language, notes)
    data["iati"] = classifications.classification(element, language, notes)
    mapped.data = data
    return mapped


def _documents(parent: etree._Element, language: str, notes: list[str]) -> list[dict[str, Any]]:
    """The document-links of an activity or of a result."""
    documents = []
    for node in parent.findall("document-link"):
        category = node.find("category")
        texts = _texts(node.find("title"), language)
        code = category.get("code") if category is not None else None
        if node.get("url") and texts and _coded("DocumentCategory", code):
            document = {"url": node.get("url"), "title": texts, "category": code, "format": node.get("format")}
            spoken = node.find("language")
            if spoken is not None and _coded("Language", spoken.get("code")):
                document["language"] = spoken.get("code")
            dated = node.find("document-date")
            if dated is not None and dated.get("iso-date"):
                document["date"] = dated.get("iso-date", "")[:10]
            documents.append({k: v for k, v in document.items() if v is not None})
        else:
            notes.append(f"document-link {node.get('url')!r} without a title or a known category: left out")
    return documents


def _results(element: etree._Element, language: str, notes: list[str]) -> list[dict[str, Any]]:
    results = []
    for node in element.findall("result"):
        title = _texts(node.find("title"), language)
        if not title or not _coded("ResultType", node.get("type")):
            notes.append("a result without title or known type: left out")
            continue
        indicators = []
        for ind in node.findall("indicator"):
            ind_title = _texts(ind.find("title"), language)
            measure = ind.get("measure")
            if not ind_title or not _coded("IndicatorMeasure", measure):
                continue
            periods = []
            for period in ind.findall("period"):
                start = period.find("period-start")
                end = period.find("period-end")
                if start is None or end is None:
                    continue
                target = period.find("target")
                actual = period.find("actual")
                numeric = measure != "5"
                periods.append(
                    {
                        "start": start.get("iso-date", "")[:10],
                        "end": end.get("iso-date", "")[:10],
                        "target": _decimal(target.get("value")) if numeric and target is not None else None,
                        "actual": _decimal(actual.get("value")) if numeric and actual is not None else None,
                    }
                )
            periods = _distinct_periods(periods, next(iter(ind_title.values())), notes)
            baseline = ind.find("baseline")
            indicators.append(
                {
                    "title": ind_title,
                    "measure": measure,
                    "ascending": ind.get("ascending", "1") in ("1", "true"),
                    "sdg_indicator": sdgs.indicator_code(ind),
                    "baseline": None
                    if baseline is None
                    else {
                        "year": int(baseline.get("year")) if (baseline.get("year") or "").isdigit() else None,
                        "value": _decimal(baseline.get("value")) if measure != "5" else None,
                    },
                    "periods": periods,
                }
            )
        results.append(
            {
                "type": node.get("type"),
                "title": title,
                "documents": _documents(node, language, notes)[:50],
                "indicators": indicators,
            }
        )
    return results


def _distinct_periods(periods: list[dict[str, Any]], indicator: str, notes: list[str]) -> list[dict[str, Any]]:
    """An indicator's periods as the file has them, the same dates only once (an actual names its
    period by its dates); periods that overlap are kept (the registry takes them from an import
    only) and said so. Periods that touch, one ending the day the next starts, are no overlap."""
    kept: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for period in periods:
        dates = (period["start"], period["end"])
        if dates in seen:
            notes.append(f"indicator {indicator!r}: period {dates[0]}..{dates[1]} given twice: the first kept")
            continue
        seen.add(dates)
        kept.append(period)
    dated = []
    for start, end in seen:
        try:
            dated.append((date.fromisoformat(start), date.fromisoformat(end)))
        except ValueError:
            continue  # the model refuses it and leaves the period out, with its own note
    for first, second in overlapping_periods(dated):
        notes.append(
            f"indicator {indicator!r}: periods {first[0]}..{first[1]} and {second[0]}..{second[1]} overlap: "
            "kept as the file has them (each period's actual is its own)"
        )
    return kept


def _drop(data: dict[str, Any], loc: tuple[int | str, ...]) -> None:
    """Leave out the smallest part an error is in: the innermost list item on its path, else the
    field (at most two levels down, e.g. one key of `iati`)."""
    parts = list(loc)
    items = [i for i, part in enumerate(parts) if isinstance(part, int)]
    parts = parts[: items[-1] + 1] if items else parts[:2]
    parent: Any = data
    for depth, part in enumerate(parts):
        holds = (isinstance(parent, dict) and part in parent) or (
            isinstance(parent, list) and isinstance(part, int) and part < len(parent)
        )
        if not holds:
            data.pop(str(parts[0]), None)
            return
        if depth < len(parts) - 1:
            parent = parent[part]
    parent.pop(parts[-1])


def validated(mapped: Mapped) -> ProjectCreate | None:
    """The project the registry would accept: invalid optional parts are dropped, with a note; None
    when even the essentials (identifier, title) do not hold."""
    if not mapped.identifier or not mapped.data.get("title"):
        mapped.notes.append("no iati-identifier or no title in a known language")
        return None
    data = mapped.data  # most activities hold as mapped: validated once, nothing copied
    for _ in range(20):
        try:
            return ProjectCreate.model_validate(data, context=IMPORTED)
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = error["loc"]
            head = str(loc[0]) if loc else ""
            if head in ("", "title", "owner", "code", "iati_identifier"):
                mapped.notes.append(f"{'.'.join(map(str, loc))}: {error['msg']}")
                return None
            if data is mapped.data:  # parts are dropped from a copy: the mapping stays as the file said
                data = copy.deepcopy(data)
            _drop(data, loc)
            mapped.notes.append(f"{'.'.join(map(str, loc))}: {error['msg']}; left out")
    return None
