"""The money forms: what an officer typed (amounts in their locale) turned into the ledger's JSON,
and the funding API's problems put back beside each field. The only checks here are those the
confirmation step needs to show a value in euros at all (an amount and a date it can read); every
rule of money stays in the funding service, which answers on save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal

from services.web.console.forms import FieldError, number

CENT = Decimal("0.01")
# The ledger's own entry kinds: a budget line, or an IATI transaction type.
TRANSACTION_TYPES = {"commitment": "2", "disbursement": "3", "expenditure": "4"}
KINDS = ("budget", *TRANSACTION_TYPES)

COMMON = ["amount", "currency", "source_id"]
BUDGET_FIELDS = [*COMMON, "period_start", "period_end", "budget_type", "budget_status"]
TRANSACTION_FIELDS = [*COMMON, "value_date", "instrument", "receiver_org", "description"]
EXTRA_FIELDS = {"disbursement": ["over_commitment_reason"], "expenditure": ["eu_eligible"]}
REVERSAL_FIELDS = ["reason", "value_date"]
DEFAULTS = {"currency": "EUR", "instrument": "conveni", "budget_type": "1", "budget_status": "2"}


def fields_of(kind: str) -> list[str]:
    if kind == "budget":
        return BUDGET_FIELDS
    return [*TRANSACTION_FIELDS, *EXTRA_FIELDS.get(kind, [])]


def date_field(kind: str) -> str:
    """The date the amount is valued at: a budget line's start, a transaction's value date."""
    return "period_start" if kind == "budget" else "value_date"


def typed_of(form: dict[str, Any], kind: str) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in fields_of(kind)}


def blank(kind: str) -> dict[str, str]:
    return {name: DEFAULTS.get(name, "") for name in fields_of(kind)}


def labels(gettext: Any) -> dict[str, str]:
    """The label of each input, also used for the API's messages that name another field."""
    return {
        "amount": gettext("Amount"),
        "currency": gettext("Currency"),
        "source_id": gettext("Source of funds"),
        "period_start": gettext("From"),
        "period_end": gettext("To"),
        "budget_type": gettext("Budget type"),
        "budget_status": gettext("Budget status"),
        "value_date": gettext("Value date"),
        "instrument": gettext("Instrument"),
        "receiver_org": gettext("Who receives the money"),
        "description": gettext("Description"),
        "over_commitment_reason": gettext("Reason to pay beyond what was committed"),
        "eu_eligible": gettext("Eligible for EU co-financing"),
        "reason": gettext("Reason for the reversal"),
    }


def amount_of(typed: str, language: str) -> Decimal | None:
    """The amount as the person wrote it in their locale, or None when it is not a number."""
    try:
        value = Decimal(number(typed, language))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def readable(typed: dict[str, str], kind: str, language: str, gettext: Any) -> list[FieldError]:
    """What the confirmation step cannot value in euros: an amount or a date it cannot read."""
    errors = []
    if amount_of(typed["amount"], language) is None:
        errors.append(FieldError("amount", gettext("Enter the amount as a number, for example 12,5")))
    when = date_field(kind)
    try:
        date.fromisoformat(typed[when])
    except ValueError:
        errors.append(FieldError(when, gettext("Enter the date as year-month-day, for example 2026-03-31")))
    return errors


def currency_of(typed: dict[str, str]) -> str:
    return typed["currency"].upper()


def body_of(typed: dict[str, str], kind: str, language: str) -> dict[str, Any]:
    """The ledger's JSON; an empty optional input is left out, an unreadable value sent as typed
    (the API then names the field)."""
    body: dict[str, Any] = {"amount": number(typed["amount"], language), "currency": currency_of(typed)}
    if kind == "budget":
        for name in ("period_start", "period_end", "budget_type", "budget_status"):
            body[name] = typed[name]
    else:
        body.update(
            transaction_type=TRANSACTION_TYPES[kind], value_date=typed["value_date"], instrument=typed["instrument"]
        )
        for name in ("receiver_org", "description", "over_commitment_reason"):
            if typed.get(name):
                body[name] = typed[name]
        if typed.get("eu_eligible") in ("yes", "no"):
            body["eu_eligible"] = typed["eu_eligible"] == "yes"
    if typed["source_id"]:
        body["source_id"] = typed["source_id"]
    return body


def reversal_body(typed: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"reason": typed["reason"]}
    if typed["value_date"]:
        body["value_date"] = typed["value_date"]
    return body


def field_of(kind: str) -> Any:
    """The input an API error belongs to: the ledger names its JSON fields; the rate lookup names
    its date `on`."""
    names = set(fields_of(kind)) | set(REVERSAL_FIELDS)

    def find(error: dict[str, Any]) -> str | None:
        path = str(error.get("field", "")).split(".")
        if path[0] in names:
            return path[0]
        if path[0] == "on":
            return date_field(kind)
        return None

    return find


@dataclass(frozen=True)
class Entry:
    """One ledger line as the page lists it."""

    row: dict[str, Any]
    reversed_by: str | None  # the id of the entry reversing this one

    @property
    def is_reversal(self) -> bool:
        return bool(self.row.get("reverses_id"))


def entries(rows: list[dict[str, Any]]) -> list[Entry]:
    reversals = {str(r["reverses_id"]): str(r["id"]) for r in rows if r.get("reverses_id")}
    return [Entry(r, reversals.get(str(r["id"]))) for r in rows]


def by_kind(transactions: list[dict[str, Any]]) -> dict[str, list[Entry]]:
    """Commitments, disbursements and expenditure apart; every other IATI type under `other`."""
    listed = entries(transactions)
    grouped: dict[str, list[Entry]] = {kind: [] for kind in (*TRANSACTION_TYPES, "other")}
    kind_of = {code: kind for kind, code in TRANSACTION_TYPES.items()}
    for entry in listed:
        grouped[kind_of.get(str(entry.row["transaction_type"]), "other")].append(entry)
    return grouped


@dataclass(frozen=True)
class MoneyFormats:
    """Amounts in their own currency and rates with all their decimals, in the reader's locale
    (the template global `f` formats euros)."""

    language: str

    def amount(self, value: object, currency: str) -> str:
        """With the ISO code rather than a symbol: "$" alone could be any of several dollars."""
        return str(format_currency(Decimal(str(value)), currency, format="#,##0.00 ¤¤", locale=self.language))

    def rate(self, value: object) -> str:
        return str(format_decimal(Decimal(str(value)), format="#,##0.########", locale=self.language))
