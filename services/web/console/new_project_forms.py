"""The new-project wizard's forms: what an officer typed on each step turned into the API's JSON,
and the API's problems back onto the inputs of that step. No rule of its own beyond what a step is
for (a goal to attribute, a result to measure): the registry validates everything else."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal

from services.web.console.forms import PROJECT_TITLE_LANGUAGES, FieldError, number

STEPS = ("what", "where", "sdgs", "results")
# Which step shows each field of the project (an API error of publishing links there).
STEP_OF_FIELD = {
    "code": "what",
    "title": "what",
    "description": "what",
    "intervention_line": "what",
    "modality": "what",
    "sectors": "what",
    "dates": "what",
    "status": "what",
    "recipient_countries": "where",
    "recipient_regions": "where",
    "partner_cities": "where",
    "participating_orgs": "where",
    "networks": "where",
    "sdg_goals": "sdgs",
    "results": "results",
}
MAX_ROWS = 17  # as many SDG rows as there are goals; results rows are bounded by the API's lists


def shown(value: object, language: str) -> str:
    """A number of the API as the person writes it (60,5 in Catalan), without grouping, so that
    sending the form back reads the same number."""
    if value is None or value == "":
        return ""
    try:
        return str(format_decimal(Decimal(str(value)), format="0.##########", locale=language))
    except (InvalidOperation, ValueError):
        return str(value)


def _strip(form: dict[str, str], name: str) -> str:
    return str(form.get(name, "")).strip()


def _path(error: dict[str, Any]) -> list[str]:
    path = str(error.get("field", "")).split(".")
    return path[1:] if path[:1] == ["body"] else path


def step_of(error: dict[str, Any]) -> str:
    return STEP_OF_FIELD.get(_path(error)[0], "what")


# --- (a) What it is -------------------------------------------------------------------------------

WHAT_TEXTS = [
    "code",
    *(f"title_{lang}" for lang in PROJECT_TITLE_LANGUAGES),
    *(f"description_{lang}" for lang in PROJECT_TITLE_LANGUAGES),
    "intervention_line",
    "modality",
    "sector",
    "planned_start",
    "planned_end",
    "status",
]


def what_values(project: dict[str, Any] | None) -> dict[str, str]:
    if project is None:
        return {name: "" for name in WHAT_TEXTS} | {"status": "1"}
    title, description = project.get("title") or {}, project.get("description") or {}
    dates, sectors = project.get("dates") or {}, project.get("sectors") or []
    values = {f"title_{lang}": str(title.get(lang) or "") for lang in PROJECT_TITLE_LANGUAGES}
    values |= {f"description_{lang}": str(description.get(lang) or "") for lang in PROJECT_TITLE_LANGUAGES}
    values |= {
        "code": str(project.get("code") or ""),
        "intervention_line": str(project.get("intervention_line") or ""),
        "modality": str(project.get("modality") or ""),
        "sector": str(sectors[0]["code"]) if sectors else "",
        "planned_start": str(dates.get("planned_start") or ""),
        "planned_end": str(dates.get("planned_end") or ""),
        "status": str(project.get("status") or ""),
    }
    return values


def what_typed(form: dict[str, str]) -> dict[str, str]:
    return {name: _strip(form, name) for name in WHAT_TEXTS}


def _texts(typed: dict[str, str], prefix: str) -> dict[str, str]:
    return {lang: typed[f"{prefix}_{lang}"] for lang in PROJECT_TITLE_LANGUAGES if typed[f"{prefix}_{lang}"]}


def what_editable(typed: dict[str, str], project: dict[str, Any] | None) -> dict[str, Any]:
    """The editable fields of step (a) as a merge patch; a sector chosen here is the project's whole
    sector (100 %), one of several set elsewhere stays as it is unless another is chosen."""
    sectors = (project or {}).get("sectors") or []
    body: dict[str, Any] = {
        "title": _texts(typed, "title"),
        "description": _texts(typed, "description"),
        "intervention_line": typed["intervention_line"] or None,
        "modality": typed["modality"] or None,
        "dates": {
            **((project or {}).get("dates") or {}),
            "planned_start": typed["planned_start"] or None,
            "planned_end": typed["planned_end"] or None,
        },
    }
    if not (sectors and sectors[0]["code"] == typed["sector"]):
        body["sectors"] = [{"code": typed["sector"], "percentage": "100"}] if typed["sector"] else []
    if project is not None:
        # Merge patch: a language emptied here is removed (null), the others stay.
        for name in ("title", "description"):
            for lang in PROJECT_TITLE_LANGUAGES:
                if lang in (project.get(name) or {}) and lang not in body[name]:
                    body[name][lang] = None
    return body


def what_create(typed: dict[str, str], owner: str) -> dict[str, Any]:
    body = what_editable(typed, None)
    body["dates"] = {k: v for k, v in body["dates"].items() if v}
    for name in ("intervention_line", "modality"):
        if body[name] is None:
            del body[name]
    return {**body, "owner": owner, "code": typed["code"], "status": typed["status"], "visibility": "draft"}


def what_field(error: dict[str, Any]) -> str | None:
    path, params = _path(error), error.get("params") or {}
    head = path[0]
    if head in ("title", "description"):
        lang = path[1] if len(path) > 1 and path[1] in PROJECT_TITLE_LANGUAGES else "ca"
        return f"{head}_{lang}"
    if head in ("code", "intervention_line", "modality", "status"):
        return head
    if head == "sectors":
        return "sector"
    if head == "dates":
        name = path[1] if len(path) > 1 else str(params.get("end", ""))
        return name if name in ("planned_start", "planned_end") else "planned_start"
    return None


# --- (b) Where and with whom ------------------------------------------------------------------


def where_values(project: dict[str, Any], networks: list[dict[str, Any]]) -> dict[str, Any]:
    countries, cities = project.get("recipient_countries") or [], project.get("partner_cities") or []
    partners = [o for o in project.get("participating_orgs") or [] if o.get("side") == "partner"]
    chosen = set(project.get("networks") or [])
    values: dict[str, Any] = {
        "country": str(countries[0]["code"]) if countries else (str(cities[0]["country"]) if cities else ""),
        "city": str(cities[0]["name"]) if cities else "",
        "partner": str(partners[0]["ref"]) if partners else "",
        "partner_role": str(partners[0]["role"]) if partners else "4",
        "other_partner_ref": "",
        "other_partner_name": "",
    }
    values |= {f"network_{n['code']}": n["code"] in chosen for n in networks}
    return values


def where_typed(form: dict[str, str], networks: list[dict[str, Any]]) -> dict[str, Any]:
    names = ["country", "city", "partner", "partner_role", "other_partner_ref", "other_partner_name"]
    typed: dict[str, Any] = {name: _strip(form, name) for name in names}
    typed |= {f"network_{n['code']}": f"network_{n['code']}" in form for n in networks}
    return typed


def where_patch(
    typed: dict[str, Any],
    project: dict[str, Any],
    partners: list[dict[str, str]],
    networks: list[dict[str, Any]],
    owner_name: str,
) -> dict[str, Any]:
    owner = project["owner"]
    orgs = project.get("participating_orgs") or []
    # The institution takes part as funder (kept as it is when already named); partners are this step's.
    kept = [o for o in orgs if o.get("side") != "partner"]
    if not any(o["ref"] == owner for o in kept):
        kept.insert(0, {"ref": owner, "name": owner_name, "role": "1", "side": "barcelona"})
    role = typed["partner_role"] or "4"
    known = {p["ref"]: p for p in partners}
    chosen = []
    if typed["partner"]:
        org = known.get(typed["partner"], {"ref": typed["partner"], "name": typed["partner"], "type": ""})
        chosen.append({"ref": org["ref"], "name": org["name"], "role": role, "side": "partner"})
        if org.get("type"):
            chosen[-1]["type"] = org["type"]
    if typed["other_partner_ref"] or typed["other_partner_name"]:
        chosen.append(
            {"ref": typed["other_partner_ref"], "name": typed["other_partner_name"], "role": role, "side": "partner"}
        )
    return {
        "recipient_countries": [{"code": typed["country"], "percentage": "100"}] if typed["country"] else [],
        "partner_cities": [{"name": typed["city"], "country": typed["country"]}] if typed["city"] else [],
        "participating_orgs": [*kept, *chosen],
        "networks": [n["code"] for n in networks if typed[f"network_{n['code']}"]],
    }


def where_field(kept_orgs: int, typed: dict[str, Any]) -> Any:
    def field_of(error: dict[str, Any]) -> str | None:
        path = _path(error)
        head = path[0]
        if head in ("recipient_countries", "recipient_regions"):
            return "country"
        if head == "partner_cities":
            return "country" if len(path) > 2 and path[2] == "country" else "city"
        if head == "participating_orgs":
            index = int(path[1]) - kept_orgs if len(path) > 1 and path[1].isdigit() else 0
            if index >= 1 or (index == 0 and not typed["partner"]):
                return "other_partner_name" if len(path) > 2 and path[2] == "name" else "other_partner_ref"
            return "partner_role" if len(path) > 2 and path[2] == "role" else "partner"
        if head == "networks":
            return None
        return None

    return field_of


# --- (c) SDGs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdgRows:
    values: dict[str, str]
    count: int


def _count(form: dict[str, str], name: str, default: int, most: int) -> int:
    try:
        return max(1, min(most, int(form.get(name, default))))
    except ValueError:
        return default


def sdg_values(project: dict[str, Any], language: str) -> SdgRows:
    goals = project.get("sdg_goals") or []
    count = max(3, len(goals))
    values: dict[str, str] = {}
    for index in range(count):
        goal = goals[index] if index < len(goals) else {}
        values[f"goal_{index}"] = str(goal.get("goal") or "")
        values[f"share_{index}"] = shown(goal.get("share"), language)
        values[f"targets_{index}"] = ", ".join(goal.get("targets") or [])
    return SdgRows(values, count)


def sdg_typed(form: dict[str, str], add: bool) -> SdgRows:
    count = _count(form, "rows", 3, MAX_ROWS)
    names = [f"{part}_{i}" for i in range(count) for part in ("goal", "share", "targets")]
    values = {name: _strip(form, name) for name in names}
    if add and count < MAX_ROWS:
        values |= {f"goal_{count}": "", f"share_{count}": "", f"targets_{count}": ""}
        count += 1
    return SdgRows(values, count)


@dataclass(frozen=True)
class SdgRequest:
    goals: list[dict[str, Any]]
    rows: list[int] = field(default_factory=list)  # the form row of each goal sent


def sdg_request(rows: SdgRows, language: str) -> SdgRequest:
    goals, sent = [], []
    for index in range(rows.count):
        goal, share, targets = (rows.values[f"{part}_{index}"] for part in ("goal", "share", "targets"))
        if not (goal or share or targets):
            continue
        item: dict[str, Any] = {"goal": goal, "share": number(share, language)}
        listed = [t for t in re.split(r"[\s,;]+", targets) if t]
        if listed:
            item["targets"] = listed
        goals.append(item)
        sent.append(index)
    return SdgRequest(goals, sent)


def sdg_total(request: SdgRequest) -> Decimal:
    """The running total shown beside the rows (a share that is not a number counts nothing)."""
    total = Decimal(0)
    for goal in request.goals:
        try:
            total += Decimal(goal["share"])
        except (InvalidOperation, ValueError):
            continue
    return total


def sdg_field(request: SdgRequest) -> Any:
    def field_of(error: dict[str, Any]) -> str | None:
        path = _path(error)
        if path[0] != "sdg_goals" or len(path) < 2 or not path[1].isdigit() or int(path[1]) >= len(request.rows):
            return "sdg_total"  # the shares together (their sum, a goal twice)
        row = request.rows[int(path[1])]
        # A target under another goal is the goal's own check: it names the target in params.
        part = path[2] if len(path) > 2 else "targets" if "target" in (error.get("params") or {}) else "goal"
        return f"{'targets' if part == 'targets' else 'share' if part == 'share' else 'goal'}_{row}"

    return field_of


# --- (d) Results framework -------------------------------------------------------------------

RESULT_PARTS = ("id", "type", "title")
INDICATOR_PARTS = ("id", "title", "measure", "baseline_year", "baseline_value")
PERIOD_PARTS = ("start", "end", "target")
MOST_RESULTS, MOST_INDICATORS, MOST_PERIODS = 10, 10, 20


@dataclass
class PeriodRow:
    start: str = ""
    end: str = ""
    target: str = ""


@dataclass
class IndicatorRow:
    id: str = ""
    title: str = ""
    measure: str = "1"
    baseline_year: str = ""
    baseline_value: str = ""
    periods: list[PeriodRow] = field(default_factory=lambda: [PeriodRow()])


@dataclass
class ResultRow:
    id: str = ""
    type: str = "1"
    title: str = ""
    indicators: list[IndicatorRow] = field(default_factory=lambda: [IndicatorRow()])


def _text(texts: dict[str, str] | None, language: str) -> str:
    texts = texts or {}
    return str(texts.get(language) or next(iter(texts.values()), ""))


def results_rows(project: dict[str, Any], language: str) -> list[ResultRow]:
    rows = []
    for result in project.get("results") or []:
        indicators = []
        for ind in result.get("indicators") or []:
            baseline = ind.get("baseline") or {}
            periods = [
                PeriodRow(str(p["start"]), str(p["end"]), shown(p.get("target"), language))
                for p in ind.get("periods") or []
            ]
            indicators.append(
                IndicatorRow(
                    str(ind["id"]),
                    _text(ind.get("title"), language),
                    str(ind.get("measure") or "1"),
                    str(baseline.get("year") or ""),
                    shown(baseline.get("value"), language),
                    periods or [PeriodRow()],
                )
            )
        rows.append(
            ResultRow(
                str(result["id"]),
                str(result["type"]),
                _text(result.get("title"), language),
                indicators or [IndicatorRow()],
            )
        )
    return rows or [ResultRow()]


def results_typed(form: dict[str, str]) -> list[ResultRow]:
    rows = []
    for i in range(_count(form, "results", 1, MOST_RESULTS)):
        indicators = []
        for j in range(_count(form, f"r{i}_indicators", 1, MOST_INDICATORS)):
            periods = [
                PeriodRow(*(_strip(form, f"r{i}_i{j}_p{k}_{part}") for part in PERIOD_PARTS))
                for k in range(_count(form, f"r{i}_i{j}_periods", 1, MOST_PERIODS))
            ]
            ind = {part: _strip(form, f"r{i}_i{j}_{part}") for part in INDICATOR_PARTS}
            indicators.append(IndicatorRow(**ind, periods=periods))
        result = {part: _strip(form, f"r{i}_{part}") for part in RESULT_PARTS}
        rows.append(ResultRow(**result, indicators=indicators))
    return rows


def results_edit(rows: list[ResultRow], action: str) -> bool:
    """Applies an "add another" or "remove" button (`add-period-0-1`, `remove-result-2`); True if
    the action was one (the form is shown again, nothing saved)."""
    match = re.fullmatch(r"(add|remove)-(result|indicator|period)((?:-\d{1,2}){0,3})", action)
    if not match:
        return False
    verb, kind = match.group(1), match.group(2)
    at = [int(n) for n in match.group(3).split("-")[1:]]
    try:
        if kind == "result":
            if verb == "add" and len(rows) < MOST_RESULTS:
                rows.append(ResultRow())
            elif verb == "remove" and len(rows) > 1:
                del rows[at[0]]
        elif kind == "indicator":
            indicators = rows[at[0]].indicators
            if verb == "add" and len(indicators) < MOST_INDICATORS:
                indicators.append(IndicatorRow())
            elif verb == "remove" and len(indicators) > 1:
                del indicators[at[1]]
        else:
            periods = rows[at[0]].indicators[at[1]].periods
            if verb == "add" and len(periods) < MOST_PERIODS:
                periods.append(PeriodRow())
            elif verb == "remove" and len(periods) > 1:
                del periods[at[2]]
    except IndexError:
        pass  # a button of rows no longer there: the form as it is
    return True


def _blank(*texts: str) -> bool:
    return not any(texts)


@dataclass(frozen=True)
class ResultsRequest:
    results: list[dict[str, Any]]
    # The input prefix of each result, indicator and period sent (API index -> form row).
    results_at: list[str]
    indicators_at: list[list[str]]
    periods_at: list[list[list[str]]]


def results_request(rows: list[ResultRow], language: str) -> ResultsRequest:
    results: list[dict[str, Any]] = []
    results_at: list[str] = []
    indicators_at: list[list[str]] = []
    periods_at: list[list[list[str]]] = []
    for i, row in enumerate(rows):
        indicators: list[dict[str, Any]] = []
        ind_at: list[str] = []
        per_at: list[list[str]] = []
        for j, ind in enumerate(row.indicators):
            periods, at = [], []
            for k, period in enumerate(ind.periods):
                if _blank(period.start, period.end, period.target):
                    continue
                sent: dict[str, Any] = {"start": period.start, "end": period.end}
                if period.target:
                    sent["target"] = number(period.target, language)
                periods.append(sent)
                at.append(f"r{i}_i{j}_p{k}")
            if _blank(ind.title, ind.baseline_year, ind.baseline_value) and not periods:
                continue
            indicator: dict[str, Any] = {"title": {language: ind.title} if ind.title else {}, "measure": ind.measure}
            if _uuid(ind.id):
                indicator["id"] = ind.id
            if ind.baseline_year or ind.baseline_value:
                baseline: dict[str, Any] = {}
                if ind.baseline_year:
                    baseline["year"] = ind.baseline_year
                if ind.baseline_value:
                    baseline["value"] = number(ind.baseline_value, language)
                indicator["baseline"] = baseline
            indicator["periods"] = periods
            indicators.append(indicator)
            ind_at.append(f"r{i}_i{j}")
            per_at.append(at)
        if _blank(row.title) and not indicators:
            continue
        result: dict[str, Any] = {"type": row.type, "title": {language: row.title} if row.title else {}}
        if _uuid(row.id):
            result["id"] = row.id
        result["indicators"] = indicators
        results.append(result)
        results_at.append(f"r{i}")
        indicators_at.append(ind_at)
        periods_at.append(per_at)
    return ResultsRequest(results, results_at, indicators_at, periods_at)


def _uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


_INDICATOR_INPUTS = {"title": "title", "measure": "measure", "baseline": "baseline_value"}


def results_field(request: ResultsRequest) -> Any:
    def field_of(error: dict[str, Any]) -> str | None:
        path = _path(error)
        if path[:1] == ["results"]:
            path = path[1:]
        nums = [int(p) if p.isdigit() else -1 for p in path]
        if not path or nums[0] < 0 or nums[0] >= len(request.results_at):
            return "r0_title"
        r = nums[0]
        if len(path) < 3 or path[1] != "indicators" or nums[2] < 0 or nums[2] >= len(request.indicators_at[r]):
            return f"{request.results_at[r]}_{'type' if path[1:2] == ['type'] else 'title'}"
        ind, periods = request.indicators_at[r][nums[2]], request.periods_at[r][nums[2]]
        rest = path[3:]
        if rest[:1] == ["baseline"]:
            return f"{ind}_baseline_year" if rest[1:2] == ["year"] else f"{ind}_baseline_value"
        if rest[:1] == ["periods"] and len(rest) > 1 and rest[1].isdigit() and int(rest[1]) < len(periods):
            end = (error.get("params") or {}).get("end")  # an end before its start: the end
            part = rest[2] if len(rest) > 2 and rest[2] in PERIOD_PARTS else "end" if end == "end" else "start"
            return f"{periods[int(rest[1])]}_{part}"
        if rest[:1] in (["title"], ["measure"]):
            return f"{ind}_{_INDICATOR_INPUTS[rest[0]]}"
        # The indicator as a whole (periods that overlap, targets of a qualitative one): its periods.
        return f"{periods[0]}_start" if periods else f"{ind}_title"

    return field_of


def sdg_missing(gettext: Any) -> FieldError:
    return FieldError("sdg_total", gettext("Choose at least one goal and give shares that add up to 100 %."))


def results_missing(gettext: Any) -> FieldError:
    return FieldError("r0_title", gettext("Describe at least one result with an indicator."))
