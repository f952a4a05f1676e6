"""The grant call's forms: what a grant manager or evaluator typed turned into the API's JSON (the
service validates), and its problems put back beside the inputs they concern."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.web.console.api import Problem
from services.web.console.forms import FieldError, errors_of, number

# The call's dates are Barcelona's: datetime-local inputs carry no zone.
MADRID = ZoneInfo("Europe/Madrid")
TITLE_LANGUAGES = ("ca", "es", "en")
CRITERION_ROWS = 5
CATEGORY_ROWS = 5
# IATI OrganisationType codes of the entities a call usually admits (NGOs).
ENTITY_TYPES = ("21", "22", "23", "24")
SINGLE = "general"  # the one programme and modality of a call made here


def _strip(form: dict[str, Any], name: str) -> str:
    return str(form.get(name, "")).strip()


def call_names() -> list[str]:
    return [
        "code",
        "year",
        *(f"title_{lang}" for lang in TITLE_LANGUAGES),
        "opens_at",
        "closes_at",
        "budget",
        "budget_next",
        "max_grant",
        "max_months",
        "min_score",
        *(f"criterion_{i}_title" for i in range(CRITERION_ROWS)),
        *(f"criterion_{i}_points" for i in range(CRITERION_ROWS)),
        *(f"category_{i}_title" for i in range(CATEGORY_ROWS)),
    ]


def call_defaults(now: datetime | None = None) -> dict[str, str]:
    """A new call: this year, open from now for thirty days, NGOs admitted, two-year projects."""
    local = (now or datetime.now(UTC)).astimezone(MADRID).replace(second=0, microsecond=0, tzinfo=None)
    values = dict.fromkeys(call_names(), "")
    values.update(
        {
            "year": str(local.year),
            "opens_at": local.isoformat(timespec="minutes"),
            "closes_at": (local + timedelta(days=30)).isoformat(timespec="minutes"),
            "max_months": "24",
            "min_score": "50",
            "entity_type_22": "on",
        }
    )
    return values


def call_typed(form: dict[str, Any]) -> dict[str, str]:
    typed = {name: _strip(form, name) for name in call_names()}
    typed.update({f"entity_type_{code}": "on" for code in ENTITY_TYPES if form.get(f"entity_type_{code}")})
    return typed


def _when(value: str) -> str:
    """A datetime-local value read in Barcelona's time, as the API's ISO 8601; as typed when it is
    not one, so that the API names the field."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=MADRID)).isoformat()


def _integer(value: str) -> int | str:
    return int(value) if value.isdigit() else value


@dataclass(frozen=True)
class CallRequest:
    body: dict[str, Any]
    criterion_rows: list[int]  # the form row of each criterion sent, in order
    category_rows: list[int]
    budget_years: dict[str, str]  # budget year -> its input


def call_body(typed: dict[str, str], institution: str, language: str) -> CallRequest:
    title = {lang: typed[f"title_{lang}"] for lang in TITLE_LANGUAGES if typed[f"title_{lang}"]}
    year = _integer(typed["year"])
    budget: dict[str, str] = {}
    inputs: dict[str, str] = {}
    if isinstance(year, int):
        for offset, name in ((0, "budget"), (1, "budget_next")):
            if typed[name] or offset == 0:
                budget[str(year + offset)] = number(typed[name], language)
                inputs[str(year + offset)] = name
    criterion_rows = [
        i for i in range(CRITERION_ROWS) if typed[f"criterion_{i}_title"] or typed[f"criterion_{i}_points"]
    ]
    category_rows = [i for i in range(CATEGORY_ROWS) if typed[f"category_{i}_title"]]

    def words(text: str) -> dict[str, str]:
        return {language: text} if text else {}

    body: dict[str, Any] = {
        "institution": institution,
        "year": year,
        "code": typed["code"],
        "title": title,
        "programmes": [{"code": SINGLE, "title": title}],
        "modalities": [{"code": SINGLE, "programme": SINGLE, "title": title, "budget": budget}],
        "criteria": [
            {
                "code": f"c{i + 1}",
                "title": words(typed[f"criterion_{i}_title"]),
                "max_points": number(typed[f"criterion_{i}_points"], language),
            }
            for i in criterion_rows
        ],
        "min_score": number(typed["min_score"], language),
        "eligibility": {
            "max_grant_eur": number(typed["max_grant"], language),
            "max_months": _integer(typed["max_months"]),
            "entity_types": [code for code in ENTITY_TYPES if typed.get(f"entity_type_{code}")],
        },
        "budget_categories": [
            {"code": f"cat-{i + 1}", "title": words(typed[f"category_{i}_title"])} for i in category_rows
        ],
    }
    for name in ("opens_at", "closes_at"):
        if typed[name]:
            body[name] = _when(typed[name])
    return CallRequest(body, criterion_rows, category_rows, inputs)


_ELIGIBILITY = {"max_grant_eur": "max_grant", "max_months": "max_months", "entity_types": "entity_type_22"}


def call_field(request: CallRequest) -> Callable[[dict[str, Any]], str | None]:
    def row(rows: list[int], path: list[str]) -> int:
        index = int(path[1]) if len(path) > 1 and path[1].isdigit() else 0
        return rows[index] if index < len(rows) else 0

    def field_of(error: dict[str, Any]) -> str | None:
        path = str(error.get("field", "")).split(".")
        head = path[0]
        if head in ("title", "programmes", "modalities") and not (head == "modalities" and "budget" in path):
            lang = path[1] if head == "title" and len(path) > 1 else "ca"
            return f"title_{lang}" if lang in TITLE_LANGUAGES else "title_ca"
        if head == "modalities":
            year = path[path.index("budget") + 1] if path[-1] != "budget" else ""
            return request.budget_years.get(year, "budget")
        if head == "criteria":
            which = "points" if "max_points" in path else "title"
            return f"criterion_{row(request.criterion_rows, path)}_{which}"
        if head == "budget_categories":
            return f"category_{row(request.category_rows, path)}_title"
        if head == "eligibility":
            return _ELIGIBILITY.get(path[1] if len(path) > 1 else "", "max_grant")
        if head in ("code", "year", "opens_at", "closes_at", "min_score"):
            return head
        return None

    return field_of


def call_errors(problem: Problem, request: CallRequest) -> list[FieldError]:
    """The API's errors (coded, in the person's language) beside the inputs they name."""
    if problem.status == 409 and not problem.errors:
        return [FieldError("code", problem.title)]
    return errors_of(problem, call_field(request))


def call_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    """The labels of the call's inputs, for the API's messages that name another field."""
    return {"opens_at": gettext("Opens"), "closes_at": gettext("Closes")}


# --- An application's steps ---------------------------------------------------------------------


def admission_body(form: dict[str, Any]) -> dict[str, Any]:
    choice = _strip(form, "admitted")
    body: dict[str, Any] = {"admitted": {"yes": True, "no": False}.get(choice, choice)}
    if _strip(form, "reason"):
        body["reason"] = _strip(form, "reason")
    return body


def admission_errors(problem: Problem) -> list[FieldError]:
    def field_of(error: dict[str, Any]) -> str | None:
        head = str(error.get("field", "")).split(".")[0]
        return {"admitted": "admitted-yes", "reason": "reason"}.get(head)

    # The API names `reason` with a coded message in the person's language.
    return errors_of(problem, field_of)


def sheet_body(form: dict[str, Any], criteria: list[dict[str, Any]], language: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "points": {c["code"]: number(_strip(form, f"points_{c['code']}"), language) for c in criteria},
        "no_conflict_of_interest": bool(form.get("no_conflict")),
    }
    if _strip(form, "note"):
        body["note"] = _strip(form, "note")
    return body


def sheet_errors(problem: Problem) -> list[FieldError]:
    def field_of(error: dict[str, Any]) -> str | None:
        path = str(error.get("field", "")).split(".")
        if path[0] == "points":
            return f"points_{path[1]}" if len(path) > 1 else None
        return {"no_conflict_of_interest": "no_conflict", "note": "note"}.get(path[0])

    return errors_of(problem, field_of)


def decision_body(form: dict[str, Any]) -> dict[str, Any]:
    choice = _strip(form, "upheld")
    body: dict[str, Any] = {"upheld": {"yes": True, "no": False}.get(choice, choice)}
    if _strip(form, "answer"):
        body["answer"] = _strip(form, "answer")
    return body


def decision_errors(problem: Problem) -> list[FieldError]:
    def field_of(error: dict[str, Any]) -> str | None:
        head = str(error.get("field", "")).split(".")[0]
        return {"upheld": "upheld-yes", "answer": "answer"}.get(head)

    return errors_of(problem, field_of)


# --- A grant's money: its payments and the review of its justification -------------------------


def payment_body(form: dict[str, Any]) -> dict[str, Any]:
    year = _strip(form, "budget_year")
    return {"budget_year": _integer(year)}


def payment_errors(problem: Problem, form: dict[str, Any]) -> list[FieldError]:
    """Beside the button of the budget year's payment: why it could not be recorded."""
    year = _strip(form, "budget_year")
    beside = f"pay_{year}" if year.isdigit() else ""
    if problem.errors:
        return [FieldError(beside, e.message) for e in errors_of(problem, lambda _: None)]
    return [FieldError(beside, problem.title or problem.detail)]


def review_body(form: dict[str, Any], line_count: int) -> dict[str, Any]:
    """Each line's choice as the API's review; a line left unchosen is left out, so that the API
    names it."""
    lines: list[dict[str, Any]] = []
    for i in range(line_count):
        choice = _strip(form, f"line_{i}")
        if not choice:
            continue
        line: dict[str, Any] = {"line": i, "accepted": {"accept": True, "refuse": False}.get(choice, choice)}
        if _strip(form, f"reason_{i}"):
            line["reason"] = _strip(form, f"reason_{i}")
        lines.append(line)
    body: dict[str, Any] = {"lines": lines}
    if _strip(form, "review_note"):
        body["note"] = _strip(form, "review_note")
    return body


def review_errors(problem: Problem, line_count: int, gettext: Callable[[str], str]) -> list[FieldError]:
    """The API's errors beside the line they concern: its coded texts, and a line neither accepted
    nor refused in the person's words."""

    def line_of(error: dict[str, Any]) -> int | None:
        path = str(error.get("field", "")).split(".")
        if path[0] != "lines":
            return None
        if len(path) > 1 and path[1].isdigit():
            return int(path[1]) if int(path[1]) < line_count else None
        return 0 if line_count else None

    def one(raw: dict[str, Any], beside: str) -> list[FieldError]:
        return errors_of(Problem(problem.status, problem.title, problem.detail, [raw]), lambda _: beside)

    found: list[FieldError] = []
    for raw in problem.errors:
        where, field = line_of(raw), str(raw.get("field", ""))
        if where is None:
            found += one(raw, "review_note" if field == "note" else "")
        elif field.endswith(".reason"):  # missing for a refused line, or too long: the API's coded text
            found += one(raw, f"reason_{where}")
        else:
            found.append(FieldError(f"line_{where}-accept", gettext("Accept or refuse this line.")))
    return found or [FieldError("", problem.title or problem.detail)]
