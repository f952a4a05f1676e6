"""The money elements of IATI activities as comparable shapes: what a round trip must give back.

Each transaction, budget and planned disbursement becomes a tuple of what the ledger holds of it
(values as numbers, the schema's defaults filled in), so that a source file and an export compare
element by element, as multisets per activity."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from lxml import etree

Shape = tuple[Any, ...]


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text.strip()).normalize()


def _code(node: etree._Element, child: str) -> str | None:
    found = node.find(child)
    return found.get("code") if found is not None else None


def _org(node: etree._Element | None, attribute: str) -> Shape | None:
    if node is None:
        return None
    name = (node.findtext("narrative") or "").strip() or None
    # Identifiers are compared trimmed: the import trims them ("GB-GOV-1 " is GB-GOV-1).
    return (
        (node.get("ref") or "").strip() or None,
        (node.get(attribute) or "").strip() or None,
        node.get("type"),
        name,
    )


def _value(node: etree._Element, default_currency: str | None) -> tuple[Decimal | None, str | None, str | None]:
    value = node.find("value")
    assert value is not None
    return _number(value.text), value.get("currency") or default_currency, value.get("value-date")


def transaction(node: etree._Element, default_currency: str | None) -> Shape:
    humanitarian = node.get("humanitarian")
    date = node.find("transaction-date")
    aid_types = sorted(f"{a.get('vocabulary', '1')}:{a.get('code')}" for a in node.findall("aid-type"))
    return (
        _code(node, "transaction-type"),
        date.get("iso-date") if date is not None else None,
        *_value(node, default_currency),
        (node.get("ref") or "").strip() or None,
        None if humanitarian is None else humanitarian in ("1", "true"),
        (node.findtext("description/narrative") or "").strip() or None,
        _org(node.find("provider-org"), "provider-activity-id"),
        _org(node.find("receiver-org"), "receiver-activity-id"),
        _code(node, "disbursement-channel"),
        _code(node, "flow-type"),
        _code(node, "finance-type"),
        tuple(aid_types),
        _code(node, "tied-status"),
    )


def _period(node: etree._Element, tag: str) -> str | None:
    found = node.find(tag)
    return found.get("iso-date") if found is not None else None


def budget(node: etree._Element, default_currency: str | None) -> Shape:
    return (
        node.get("type", "1"),
        node.get("status", "1"),
        _period(node, "period-start"),
        _period(node, "period-end"),
        *_value(node, default_currency),
    )


def planned(node: etree._Element, default_currency: str | None) -> Shape:
    return (
        node.get("type", "1"),
        _period(node, "period-start"),
        _period(node, "period-end"),
        *_value(node, default_currency),
        _org(node.find("provider-org"), "provider-activity-id"),
        _org(node.find("receiver-org"), "receiver-activity-id"),
    )


SHAPES = {"transaction": transaction, "budget": budget, "planned-disbursement": planned}


def money(activity: etree._Element, skip: set[tuple[str, int]] | None = None) -> dict[str, Counter[Shape]]:
    """Per kind, the multiset of the activity's money elements; `skip`: (kind, ordinal) left out."""
    currency = activity.get("default-currency")
    found: dict[str, Counter[Shape]] = {kind: Counter() for kind in SHAPES}
    for kind, shape in SHAPES.items():
        for ordinal, node in enumerate(activity.findall(kind)):
            if (kind, ordinal) not in (skip or set()):
                found[kind][shape(node, currency)] += 1
    return found
