"""An entity's forms for the grant call: what it typed as the API's JSON (no rule of its own: the
funding service validates), and each API error back beside the input it is about."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from services.web.console.forms import number

ENTITY_FIELDS = [
    "entity_name",
    "entity_tax_id",
    "entity_org_type",
    "entity_email",
    "entity_phone",
    "rep_name",
    "rep_tax_id",
    "rep_post",
]
PROJECT_FIELDS = ["modality", "title", "summary", "duration_months"]


def strings(form: dict[str, Any], names: list[str]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def budget_years(call: dict[str, Any]) -> list[str]:
    """The call's budget years, over all its modalities: a request names the ones it needs."""
    return sorted({str(y) for m in call.get("modalities") or [] for y in m.get("budget") or {}})


def apply_typed(form: dict[str, Any], call: dict[str, Any]) -> dict[str, str]:
    return strings(form, [*ENTITY_FIELDS, *PROJECT_FIELDS, *(f"requested_{y}" for y in budget_years(call))])


def entity_typed(typed: dict[str, str]) -> bool:
    return any(typed[name] for name in ENTITY_FIELDS if name != "entity_org_type")


def entity_body(typed: dict[str, str], tenant: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"email": typed["entity_email"]}
    if typed["entity_phone"]:
        contact["phone"] = typed["entity_phone"]
    return {
        "tenant": tenant,
        "name": typed["entity_name"],
        "tax_id": typed["entity_tax_id"],
        "org_type": typed["entity_org_type"],
        "contact": contact,
        "legal_representative": {"name": typed["rep_name"], "tax_id": typed["rep_tax_id"], "post": typed["rep_post"]},
    }


_ENTITY_INPUTS = {
    "name": "entity_name",
    "tax_id": "entity_tax_id",
    "org_type": "entity_org_type",
    "contact.email": "entity_email",
    "contact.phone": "entity_phone",
    "contact": "entity_email",
    "legal_representative.name": "rep_name",
    "legal_representative.tax_id": "rep_tax_id",
    "legal_representative.post": "rep_post",
    "legal_representative": "rep_name",
}


def entity_field(error: dict[str, Any]) -> str | None:
    return _ENTITY_INPUTS.get(str(error.get("field", "")))


def _whole_number(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value  # the API names the field


def application_body(typed: dict[str, str], call: dict[str, Any], language: str) -> dict[str, Any]:
    """Only the amounts typed are requested; the proposal's texts are in the person's language."""
    proposal: dict[str, Any] = {"title": {language: typed["title"]} if typed["title"] else {}}
    if typed["summary"]:
        proposal["description"] = {language: typed["summary"]}
    requested = {y: number(typed[f"requested_{y}"], language) for y in budget_years(call) if typed[f"requested_{y}"]}
    return {
        "modality": typed["modality"],
        "proposal": proposal,
        "requested": requested,
        "duration_months": _whole_number(typed["duration_months"]),
    }


def application_field(call: dict[str, Any]) -> Any:
    years = budget_years(call)

    def field_of(error: dict[str, Any]) -> str | None:
        path = str(error.get("field", "")).split(".")
        if path[0] == "proposal":
            return "summary" if len(path) > 1 and path[1] == "description" else "title"
        if path[0] == "requested":
            year = path[1] if len(path) > 1 else ""
            return f"requested_{year}" if year in years else (f"requested_{years[0]}" if years else None)
        if path[0] in ("modality", "duration_months"):
            return path[0]
        return None  # the entity's eligibility, the call's dates: the whole form's

    return field_of


def total(amounts: dict[str, Any] | None) -> Decimal:
    found = Decimal(0)
    for value in (amounts or {}).values():
        try:
            found += Decimal(str(value))
        except InvalidOperation:
            continue
    return found


# --- The steps after the resolution ---------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """One expense line of the justification form: a budget category's amount and description."""

    category: str
    title: dict[str, str]

    @property
    def amount(self) -> str:
        return f"line_{self.category}_amount"

    @property
    def description(self) -> str:
        return f"line_{self.category}_description"


def line_rows(call: dict[str, Any]) -> list[LineRow]:
    categories = call.get("budget_categories") or []
    if not categories:  # the API's one category when the call names none
        return [LineRow("general", {})]
    return [LineRow(str(c["code"]), dict(c.get("title") or {})) for c in categories]


def justification_typed(form: dict[str, Any], rows: list[LineRow]) -> dict[str, str]:
    names = ["summary", "report_url", *(n for row in rows for n in (row.amount, row.description))]
    return strings(form, names)


@dataclass(frozen=True)
class JustificationRequest:
    body: dict[str, Any]
    line_inputs: list[str]  # the amount input of each line sent, in order


def justification_body(
    typed: dict[str, str], rows: list[LineRow], documents: list[str], language: str
) -> JustificationRequest:
    lines, inputs = [], []
    for row in rows:
        amount, description = typed[row.amount], typed[row.description]
        if not amount and not description:
            continue
        lines.append({"category": row.category, "amount_eur": number(amount, language), "description": description})
        inputs.append(row.amount)
    body: dict[str, Any] = {
        "lines": lines,
        "summary": {language: typed["summary"]} if typed["summary"] else {},
        "documents": documents,
    }
    if typed["report_url"]:
        body["report_url"] = typed["report_url"]
    return JustificationRequest(body, inputs)


def justification_field(request: JustificationRequest, rows: list[LineRow]) -> Any:
    first = rows[0].amount if rows else None

    def field_of(error: dict[str, Any]) -> str | None:
        path = str(error.get("field", "")).split(".")
        if path[0] == "lines":
            if len(path) > 1 and path[1].isdigit() and int(path[1]) < len(request.line_inputs):
                index = int(path[1])
                if len(path) > 2 and path[2] == "description":
                    return request.line_inputs[index].replace("_amount", "_description")
                return request.line_inputs[index]
            return first
        if path[0] in ("summary", "report_url"):
            return path[0]
        if path[0] == "documents":
            return "justification_documents"
        return None

    return field_of


def step_field(inputs: dict[str, str]) -> Any:
    """An API field of a simple step (objection, acceptance, renunciation, upload) to its input."""

    def field_of(error: dict[str, Any]) -> str | None:
        return inputs.get(str(error.get("field", "")).split(".")[0])

    return field_of
