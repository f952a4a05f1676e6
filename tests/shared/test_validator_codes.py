"""Every rule a Pydantic validator checks answers with a stable code (shared/problem_texts.invalid), never
Pydantic's `value_error` with free English text: the code is what a client and the catalogues read
(pure tests, no servers)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from services.funding.grants.schemas import Admission, CallCreate, LineReview
from services.funding.grants.tax_ids import EntityTaxId, PersonId
from services.funding.ledger.schemas import BudgetLineCreate, PlannedDisbursementCreate, TransactionCreate
from services.funding.rates.schemas import RateSet
from shared.problem_texts import TEMPLATES, catalogue

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "services", ROOT / "shared" / "contracts"]
DECORATORS = {"field_validator", "model_validator", "validator", "root_validator"}
WRAPPERS = {"AfterValidator", "BeforeValidator", "PlainValidator", "WrapValidator"}
# Errors Pydantic turns into `value_error` / `assertion_error` when a validator raises them.
FREE_TEXT_ERRORS = {"ValueError", "AssertionError"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        return _name(node.func)
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _settings_methods(tree: ast.Module) -> set[ast.AST]:
    """Methods of pydantic-settings classes: read from the environment at start, never from a caller."""
    methods: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(str(_name(b)).endswith("Settings") for b in node.bases):
            methods.update(n for n in node.body if isinstance(n, ast.FunctionDef))
    return methods


def _validators(path: Path, tree: ast.Module) -> list[ast.FunctionDef]:
    """The module's validator functions: decorated ones, and those its Annotated types wrap."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found: list[ast.FunctionDef] = []
    settings = _settings_methods(tree)
    for node in ast.walk(tree):
        decorators = node.decorator_list if isinstance(node, ast.FunctionDef) else []
        if node not in settings and any(_name(d) in DECORATORS for d in decorators):
            assert isinstance(node, ast.FunctionDef)
            found.append(node)
        if isinstance(node, ast.Call) and _name(node.func) in WRAPPERS and node.args:
            target = _name(node.args[0]) if not isinstance(node.args[0], ast.Lambda) else None
            if target in functions:
                found.append(functions[target])
            elif target:
                found.extend(_imported(tree, target))
    return found


def _imported(tree: ast.Module, name: str) -> list[ast.FunctionDef]:
    """The function `name` imported from another module of the repository, if it is one."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and any(a.name == name for a in node.names):
            source = ROOT / Path(*node.module.split(".")).with_suffix(".py")
            if source.exists():
                module = ast.parse(source.read_text())
                return [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == name]
    return []


def free_text_raises(paths: list[Path]) -> list[str]:
    """`raise ValueError(...)` (or AssertionError) inside a validator: file:line. A bare `assert` is
    left alone: the code uses it only to narrow types (info.field_name), never on input."""
    out: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in _validators(path, tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Raise) and node.exc is not None and _name(node.exc) in FREE_TEXT_ERRORS:
                    out.add(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}")
    return sorted(out)


def _sources() -> list[Path]:
    return sorted(p for root in SCANNED for p in root.rglob("*.py") if "migrations" not in p.parts)


def test_no_validator_of_the_services_or_contracts_raises_free_text() -> None:
    assert len(_sources()) > 50  # the scan reads the code it is about
    assert free_text_raises(_sources()) == [], "raise shared.problem_texts.invalid(code, **params) instead"


def test_the_scan_finds_each_kind_of_validator(tmp_path: Path) -> None:
    """The scan can fail: a decorated validator, an Annotated one and a model-level one are caught;
    a settings class and a plain function are not validators an API caller reaches."""
    source = tmp_path / "sample.py"
    source.write_text(
        "from pydantic import AfterValidator, BaseModel, field_validator, model_validator\n"
        "from shared.settings import ServiceSettings\n"
        "def checked(value):\n"
        "    if value < 0:\n"
        "        raise ValueError('negative')\n"
        "    return value\n"
        "def helper(value):\n"
        "    raise ValueError('internal invariant')\n"
        "Positive = Annotated[int, AfterValidator(checked)]\n"
        "class Model(BaseModel):\n"
        "    a: int\n"
        "    @field_validator('a')\n"
        "    @classmethod\n"
        "    def _a(cls, value):\n"
        "        if not value:\n"
        "            raise AssertionError('empty')\n"
        "        return value\n"
        "    @model_validator(mode='after')\n"
        "    def _all(self):\n"
        "        if self.a > 9:\n"
        "            raise ValueError('too big')\n"
        "        return self\n"
        "class Settings(ServiceSettings):\n"
        "    @field_validator('x')\n"
        "    @classmethod\n"
        "    def _x(cls, value):\n"
        "        raise ValueError('set at start')\n"
    )
    assert [line.rsplit(":", 1)[1] for line in free_text_raises([source])] == ["16", "21", "5"]


NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _call(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "institution": "ajuntament-barcelona",
        "year": 2026,
        "code": "CALL-2026",
        "title": {"ca": "Convocatòria"},
        "opens_at": NOW.isoformat(),
        "closes_at": NOW.replace(month=4).isoformat(),
        "programmes": [{"code": "coop", "title": {"ca": "Cooperació"}}],
        "modalities": [{"code": "a", "programme": "coop", "title": {"ca": "A"}, "budget": {"2026": "1000.00"}}],
        "criteria": [{"code": "quality", "title": {"ca": "Qualitat"}, "max_points": "60"}],
        "min_score": "30",
        "eligibility": {"max_grant_eur": "1000.00", "max_months": 12, "entity_types": ["22"]},
    }
    return {**body, **changes}


MODALITY = {"code": "a", "programme": "coop", "title": {"ca": "A"}, "budget": {"2026": "1000.00"}}
CATEGORY = {"code": "staff", "title": {"ca": "Personal"}}

# (model, hostile body, the field named, the code answered): one case per rule of each validator.
HOSTILE: list[tuple[type[BaseModel], dict[str, Any], str, str]] = [
    (CallCreate, _call(local_holidays=["2026-06-24", "2026-06-24"]), "local_holidays", "local_holiday_repeated"),
    (
        CallCreate,
        _call(
            payment_plan=[{"stage": "justification", "share_percent": 50}, {"stage": "acceptance", "share_percent": 50}]
        ),
        "payment_plan",
        "payment_plan_stages",
    ),
    (
        CallCreate,
        _call(payment_plan=[{"stage": "acceptance", "share_percent": 90}]),
        "payment_plan",
        "payment_plan_shares",
    ),
    (CallCreate, _call(budget_categories=[CATEGORY, CATEGORY]), "budget_categories", "budget_category_repeated"),
    (CallCreate, _call(closes_at=NOW.isoformat()), "closes_at", "closes_before_opens"),
    (
        CallCreate,
        _call(programmes=[{"code": "coop", "title": {"ca": "C"}}] * 2),
        "programmes",
        "programme_code_repeated",
    ),
    (CallCreate, _call(modalities=[MODALITY, MODALITY]), "modalities", "modality_code_repeated"),
    (
        CallCreate,
        _call(criteria=[{"code": "q", "title": {"ca": "Q"}, "max_points": "10"}] * 2),
        "criteria",
        "criterion_code_repeated",
    ),
    (CallCreate, _call(modalities=[{**MODALITY, "programme": "other"}]), "modalities", "modality_unknown_programme"),
    (CallCreate, _call(modalities=[{**MODALITY, "remainder_to": ["a"]}]), "modalities", "modality_remainder_to"),
    (CallCreate, _call(modalities=[{**MODALITY, "remainder_to": ["b"]}]), "modalities", "modality_remainder_to"),
    (
        CallCreate,
        _call(modalities=[{**MODALITY, "budget": {"2025": "10.00"}}]),
        "modalities",
        "modality_budget_before_year",
    ),
    (CallCreate, _call(min_score="60.01"), "min_score", "min_score_unreachable"),
    (Admission, {"admitted": False}, "reason", "not_admitted_needs_reason"),
    (LineReview, {"line": 0, "accepted": False}, "reason", "refused_line_needs_reason"),
    (
        TransactionCreate,
        {
            "transaction_type": "4",
            "amount": "10.00",
            "currency": "USD",
            "value_date": "2026-01-10",
            "instrument": "conveni",
            "in_kind": True,
        },
        "in_kind",
        "in_kind_not_eur",
    ),
    (
        BudgetLineCreate,
        {"period_start": "2026-02-01", "period_end": "2026-01-31", "amount": "10.00", "currency": "EUR"},
        "period_end",
        "end_before_start",
    ),
    (
        PlannedDisbursementCreate,
        {"period_start": "2026-02-01", "period_end": "2026-01-31", "amount": "10.00", "currency": "EUR"},
        "period_end",
        "end_before_start",
    ),
    (RateSet, {"units_per_eur": "0.000001"}, "units_per_eur", "rate_out_of_range"),
    (RateSet, {"units_per_eur": "1000000"}, "units_per_eur", "rate_out_of_range"),
    (RateSet, {"units_per_eur": "1.123456789"}, "units_per_eur", "rate_too_many_places"),
]


def _errors(model: type[BaseModel], body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    return [dict(e) for e in refused.value.errors()]


def test_the_valid_bodies_pass() -> None:
    CallCreate.model_validate(_call())
    Admission.model_validate({"admitted": True})
    Admission.model_validate({"admitted": False, "reason": "Fora de termini"})
    LineReview.model_validate({"line": 0, "accepted": True})


@pytest.mark.parametrize(("model", "body", "field", "code"), HOSTILE)
def test_each_rule_answers_its_code_naming_its_field(
    model: type[BaseModel], body: dict[str, Any], field: str, code: str
) -> None:
    errors = _errors(model, body)
    assert [(e["loc"], e["type"]) for e in errors] == [((field,), code)], errors
    assert code in TEMPLATES
    for language in ("ca", "es", "pt", "fr"):
        assert TEMPLATES[code] in catalogue(language), (language, code)


def test_the_english_wording_is_kept() -> None:
    assert _errors(CallCreate, _call(closes_at=NOW.isoformat()))[0]["msg"] == "closes_at must be after opens_at"
    unknown = _errors(CallCreate, _call(modalities=[{**MODALITY, "programme": "other"}]))[0]
    assert unknown["msg"] == "modality a: unknown programme other"
    assert unknown["ctx"] == {"modality": "a", "programme": "other"}
    late = _errors(CallCreate, _call(modalities=[{**MODALITY, "budget": {"2025": "10.00"}}]))[0]
    assert late["msg"] == "modality a: budget years start at the call's year 2026"
    rate = _errors(RateSet, {"units_per_eur": "0"})[0]
    assert rate["msg"] == "the rate must be above 0.000001 and below 1000000 units per EUR"


def test_a_rule_on_an_earlier_field_waits_for_that_field() -> None:
    """When opens_at itself is invalid only its own error is reported, not a comparison with nothing."""
    errors = _errors(CallCreate, _call(opens_at="not a date"))
    assert [e["loc"] for e in errors] == [("opens_at",)]


@pytest.mark.parametrize(
    ("adapter", "written", "kind"),
    [
        (TypeAdapter(EntityTaxId), "G0000101X", "CIF"),
        (TypeAdapter(EntityTaxId), "12345678A", "NIF"),
        (TypeAdapter(PersonId), "12345678A", "NIF"),
        (TypeAdapter(EntityTaxId), "X1234567A", "NIE"),
        (TypeAdapter(PersonId), "X1234567A", "NIE"),
    ],
)
def test_a_wrong_tax_id_answers_its_code_and_kind(adapter: TypeAdapter[str], written: str, kind: str) -> None:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(written)
    [error] = refused.value.errors()
    assert (error["type"], error.get("ctx")) == ("invalid_tax_id", {"kind": kind})
    assert error["msg"] == f"not a valid Spanish {kind}: its check digit or its form is wrong"


def test_a_person_is_not_a_company() -> None:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(PersonId).validate_python("G00001016")
    assert [e["type"] for e in refused.value.errors()] == ["person_id_not_cif"]
