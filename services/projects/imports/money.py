"""An activity's money as the file states it: every transaction (any type), budget and planned
disbursement, for the funding service to book. Nothing is dropped here: what cannot be read (a
value that is not a number, a date that is not a date) travels as None with a note, and funding
flags the entry instead of booking a wrong figure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from shared.contracts.iati_money import Kind, MoneyEntryV1, OrgV1

# Beyond this an entry's text is not a description any more; IATI sets no limit.
MAX_TEXT = 2000


def _date(text: str | None, what: str, notes: list[str]) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        notes.append(f"{what} {text.strip()[:40]!r} is not a date")
        return None


def _value(node: etree._Element | None, notes: list[str]) -> Decimal | None:
    text = (node.text or "").strip() if node is not None else ""
    if not text:
        notes.append("no value")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        notes.append(f"value {text[:40]!r} is not a number")
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e16"):
        notes.append(f"value {text[:40]!r} is out of range")
        return None
    return value


def _narrative(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = (node.findtext("narrative") or "").strip()
    return text[:MAX_TEXT] or None


def _org(node: etree._Element | None, activity_attribute: str) -> OrgV1 | None:
    if node is None:
        return None
    return OrgV1(
        ref=(node.get("ref") or "").strip()[:200] or None,
        name=_narrative(node),
        type=node.get("type"),
        activity_id=(node.get(activity_attribute) or "").strip()[:200] or None,
    )


def _code(node: etree._Element, child: str) -> str | None:
    found = node.find(child)
    return found.get("code") if found is not None else None


def entries(activity: etree._Element) -> tuple[str | None, list[MoneyEntryV1]]:
    """The activity's default currency and its money entries, in file order per kind."""
    default_currency = activity.get("default-currency")
    found: list[MoneyEntryV1] = []
    ordinals: dict[Kind, int] = {"transaction": 0, "budget": 0, "planned-disbursement": 0}

    def next_ordinal(kind: Kind) -> int:
        ordinals[kind] += 1
        return ordinals[kind] - 1

    # One pass in document order keeps memory flat and ordinals stable across re-imports.
    for node in activity:
        tag = node.tag
        if tag == "transaction":
            notes: list[str] = []
            value_node = node.find("value")
            date_node = node.find("transaction-date")
            day = _date(date_node.get("iso-date") if date_node is not None else None, "transaction-date", notes)
            value_date = _date(value_node.get("value-date") if value_node is not None else None, "value-date", notes)
            found.append(
                MoneyEntryV1(
                    kind="transaction",
                    ordinal=next_ordinal("transaction"),
                    code=_code(node, "transaction-type"),
                    value=_value(value_node, notes),
                    currency=(value_node.get("currency") if value_node is not None else None) or default_currency,
                    value_date=value_date or day,
                    transaction_date=day,
                    description=_narrative(node.find("description")),
                    reference=(node.get("ref") or "").strip()[:200] or None,
                    humanitarian=node.get("humanitarian") in ("1", "true") if node.get("humanitarian") else None,
                    provider=_org(node.find("provider-org"), "provider-activity-id"),
                    receiver=_org(node.find("receiver-org"), "receiver-activity-id"),
                    flow_type=_code(node, "flow-type"),
                    finance_type=_code(node, "finance-type"),
                    aid_types=[
                        f"{a.get('vocabulary', '1')}:{a.get('code')}" for a in node.findall("aid-type") if a.get("code")
                    ],
                    tied_status=_code(node, "tied-status"),
                    disbursement_channel=_code(node, "disbursement-channel"),
                    notes=notes,
                )
            )
        elif tag in ("budget", "planned-disbursement"):
            kind: Kind = "budget" if tag == "budget" else "planned-disbursement"
            notes = []
            value_node = node.find("value")
            start_node, end_node = node.find("period-start"), node.find("period-end")
            start = _date(start_node.get("iso-date") if start_node is not None else None, "period-start", notes)
            end = _date(end_node.get("iso-date") if end_node is not None else None, "period-end", notes)
            value_date = _date(value_node.get("value-date") if value_node is not None else None, "value-date", notes)
            found.append(
                MoneyEntryV1(
                    kind=kind,
                    ordinal=next_ordinal(kind),
                    # IATI's default type of both is 1 (original)
                    code=node.get("type") or "1",
                    status=(node.get("status") or "1") if kind == "budget" else None,
                    value=_value(value_node, notes),
                    currency=(value_node.get("currency") if value_node is not None else None) or default_currency,
                    value_date=value_date or start,
                    period_start=start,
                    period_end=end,
                    provider=_org(node.find("provider-org"), "provider-activity-id"),
                    receiver=_org(node.find("receiver-org"), "receiver-activity-id"),
                    notes=notes,
                )
            )
    return default_currency, found
