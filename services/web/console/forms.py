"""The console's forms: what a person typed turned into the API's JSON (no rule of its own: the
services validate), and the API's problems turned back into errors beside each field and in the
summary at the top (the GOV.UK Design System pattern), in the language the API answered in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal

from services.web.console.api import Problem

PROJECT_TITLE_LANGUAGES = ("ca", "es", "en")
DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end")


@dataclass(frozen=True)
class FieldError:
    field: str  # the id of the input, or "" for an error of the whole form
    message: str


def _strings(form: dict[str, Any], names: list[str]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def number(value: str, language: str) -> str:
    """A number as the person writes it in their locale (12,5 in Catalan) as the API's decimal
    string; left as typed when it is not one, so that the API names the field."""
    spaced = "".join(value.split())  # 1 500,50: a space groups digits in French and Portuguese
    try:
        return str(Decimal(parse_decimal(spaced, locale=language, strict=True)))
    except (NumberFormatError, ValueError, ArithmeticError):
        return value


def plain_words(message: str, params: dict[str, Any], labels: dict[str, str]) -> str:
    """The API names other fields by their JSON names (`planned_end is before planned_start`): the
    person reads the labels of the form instead."""
    for value in params.values():
        if isinstance(value, str) and value in labels:
            label = labels[value]
            message = message.replace(value, label if message.startswith(value) else label[:1].lower() + label[1:])
    return message


def errors_of(problem: Problem, field_of: Any, labels: dict[str, str] | None = None) -> list[FieldError]:
    """One entry per API error, attached to the input `field_of(error)` names ("" when none)."""
    found = []
    for error in problem.errors:
        message = str(error.get("message") or problem.title)
        message = plain_words(message, error.get("params") or {}, labels or {})
        found.append(FieldError(field_of(error) or "", message))
    if not found:
        found.append(FieldError("", problem.detail or problem.title))
    return found


def _dates_field(path: list[str], params: dict[str, Any]) -> str | None:
    """`dates.planned_end`, or `dates` with the end named in params (end before start)."""
    if len(path) > 1 and path[1] in DATE_FIELDS:
        return path[1]
    end = params.get("end")
    return str(end) if end in DATE_FIELDS else None


# --- A project's fields that officers edit here ----------------------------------------------


PROJECT_FIELDS = [*(f"title_{lang}" for lang in PROJECT_TITLE_LANGUAGES), "intervention_line", *DATE_FIELDS]


def project_values(project: dict[str, Any]) -> dict[str, str]:
    title = project.get("title") or {}
    dates = project.get("dates") or {}
    values = {f"title_{lang}": str(title.get(lang) or "") for lang in PROJECT_TITLE_LANGUAGES}
    values["intervention_line"] = str(project.get("intervention_line") or "")
    values.update({name: str(dates.get(name) or "") for name in DATE_FIELDS})
    return values


def project_typed(form: dict[str, Any]) -> dict[str, str]:
    return _strings(form, PROJECT_FIELDS)


def project_patch(typed: dict[str, str], project: dict[str, Any]) -> dict[str, Any]:
    """A JSON Merge Patch of what changed; an emptied field is removed (null). Title languages
    other than these three stay as they are."""
    before = project_values(project)
    patch: dict[str, Any] = {}
    title = {
        lang: typed[f"title_{lang}"] or None
        for lang in PROJECT_TITLE_LANGUAGES
        if typed[f"title_{lang}"] != before[f"title_{lang}"]
    }
    if title:
        patch["title"] = title
    if typed["intervention_line"] != before["intervention_line"]:
        patch["intervention_line"] = typed["intervention_line"] or None
    # Dates are checked together (an end before its start): all four go when one changed.
    if any(typed[name] != before[name] for name in DATE_FIELDS):
        patch["dates"] = {name: typed[name] or None for name in DATE_FIELDS}
    return patch


def date_labels(gettext: Any) -> dict[str, str]:
    return {
        "planned_start": gettext("Planned start"),
        "planned_end": gettext("Planned end"),
        "actual_start": gettext("Actual start"),
        "actual_end": gettext("Actual end"),
        "period_start": gettext("From"),
        "period_end": gettext("To"),
    }


def project_field(error: dict[str, Any]) -> str | None:
    path = str(error.get("field", "")).split(".")
    params = error.get("params") or {}
    if path[0] == "title":
        if len(path) > 1 and path[1] in PROJECT_TITLE_LANGUAGES:
            return f"title_{path[1]}"
        return "title_ca"
    if path[0] == "intervention_line":
        return "intervention_line"
    if path[0] == "dates":
        return _dates_field(path, params)
    return None


# --- A partner's update -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActualRow:
    """One indicator period open for actuals: its input is `actual_{index}`."""

    index: int
    indicator_id: str
    indicator: dict[str, str]
    result: dict[str, str]
    start: str
    end: str
    measure: str


def open_periods(project: dict[str, Any]) -> list[ActualRow]:
    rows: list[ActualRow] = []
    for result in project.get("results") or []:
        for indicator in result.get("indicators") or []:
            for period in indicator.get("periods") or []:
                if period.get("locked"):
                    continue
                rows.append(
                    ActualRow(
                        len(rows),
                        str(indicator["id"]),
                        indicator.get("title") or {},
                        result.get("title") or {},
                        str(period["start"]),
                        str(period["end"]),
                        str(indicator.get("measure", "")),
                    )
                )
    return rows


UPDATE_FIELDS = [
    "narrative",
    "spending_amount",
    "spending_currency",
    "spending_start",
    "spending_end",
    "spending_description",
]


def update_typed(form: dict[str, Any], rows: list[ActualRow]) -> dict[str, str]:
    return _strings(form, [*UPDATE_FIELDS, *(f"actual_{row.index}" for row in rows)])


@dataclass(frozen=True)
class UpdateRequest:
    content: dict[str, Any]
    actual_inputs: list[str]  # the input of each item of content["actuals"], in order


def update_content(typed: dict[str, str], rows: list[ActualRow], language: str) -> UpdateRequest:
    content: dict[str, Any] = {}
    if typed["narrative"]:
        content["narrative"] = {language: typed["narrative"]}
    actuals, inputs = [], []
    for row in rows:
        value = typed[f"actual_{row.index}"]
        if not value:
            continue
        actual: dict[str, Any] = {"indicator_id": row.indicator_id, "period_start": row.start, "period_end": row.end}
        if row.measure == "5":  # qualitative: what was achieved, in words
            actual["comment"] = value
        else:
            actual["value"] = number(value, language)
        actuals.append(actual)
        inputs.append(f"actual_{row.index}")
    if actuals:
        content["actuals"] = actuals
    spending_typed = [typed[n] for n in ("spending_amount", "spending_start", "spending_end", "spending_description")]
    if any(spending_typed):
        spend: dict[str, Any] = {
            "amount": number(typed["spending_amount"], language),
            "currency": typed["spending_currency"] or "EUR",
            "period_start": typed["spending_start"],
            "period_end": typed["spending_end"],
        }
        if typed["spending_description"]:
            spend["description"] = typed["spending_description"]
        content["spending"] = [spend]
    return UpdateRequest(content, inputs)


_SPENDING = {
    "amount": "spending_amount",
    "currency": "spending_currency",
    "period_start": "spending_start",
    "period_end": "spending_end",
    "description": "spending_description",
}


def update_field(request: UpdateRequest) -> Any:
    def field_of(error: dict[str, Any]) -> str | None:
        path = str(error.get("field", "")).split(".")
        params = error.get("params") or {}
        if path[0] == "narrative":
            return "narrative"
        if path[0] == "actuals":
            if len(path) > 1 and path[1].isdigit() and int(path[1]) < len(request.actual_inputs):
                return request.actual_inputs[int(path[1])]
            return request.actual_inputs[0] if request.actual_inputs else "narrative"
        if path[0] == "spending":
            name = path[2] if len(path) > 2 else str(params.get("end", "amount"))
            return _SPENDING.get(name, "spending_amount")
        return None

    return field_of
