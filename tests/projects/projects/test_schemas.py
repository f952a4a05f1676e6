"""Validation rules of a project that need no database: every code against its codelist."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from services.projects.projects.schemas import ProjectCreate
from tests.support.projects import project_payload, rich_project_payload


def test_rich_project_is_valid() -> None:
    project = ProjectCreate.model_validate(rich_project_payload())
    assert sum(g.share for g in project.sdg_goals) == Decimal(100)
    assert project.results[0].indicators[0].periods[0].actual == Decimal(1850)


def errors_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        ProjectCreate.model_validate(payload)
    return [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in info.value.errors()]


def period(**values: Any) -> dict[str, Any]:
    return {"start": "2024-01-01", "end": "2024-12-31", **values}


def indicator(**values: Any) -> dict[str, Any]:
    return {"title": {"en": "i"}, "measure": "1", **values}


def with_indicator(**values: Any) -> dict[str, Any]:
    return project_payload(results=[{"type": "1", "title": {"en": "r"}, "indicators": [indicator(**values)]}])


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        (project_payload(owner="generalitat"), "owner", "institutions"),
        (project_payload(title={}), "title", "at least 1"),
        (project_payload(title={"xx": "x"}), "title.xx.[key]", "Language"),
        (project_payload(partner_cities=[{"name": "Maputo", "country": "ZZ"}]), "partner_cities.0.country", "Country"),
        (project_payload(recipient_countries=[{"code": "MZ", "percentage": "60"}]), "", "sum to 100"),
        (
            project_payload(recipient_regions=[{"code": "9999", "percentage": "100"}]),
            "recipient_regions.0.code",
            "Region",
        ),
        (
            project_payload(participating_orgs=[{"ref": "X1", "name": "x", "role": "7"}]),
            "participating_orgs.0.role",
            "OrganisationRole",
        ),
        (
            project_payload(participating_orgs=[{"ref": "X1", "name": "x", "role": "1", "type": "99"}]),
            "participating_orgs.0.type",
            "OrganisationType",
        ),
        (project_payload(sectors=[{"code": "99999", "percentage": "100"}]), "sectors.0.code", "Sector"),
        (project_payload(sectors=[{"code": "14030", "percentage": "50"}]), "sectors", "sum to 100"),
        (
            project_payload(sdg_goals=[{"goal": "6", "share": "60"}, {"goal": "11", "share": "30"}]),
            "sdg_goals",
            "sum to 100",
        ),
        (project_payload(sdg_goals=[{"goal": "18", "share": "100"}]), "sdg_goals.0.goal", "sdg-goals"),
        (
            project_payload(sdg_goals=[{"goal": "6", "share": "100", "targets": ["11.1"]}]),
            "sdg_goals.0",
            "not under goal 6",
        ),
        (project_payload(sdg_goals=[{"goal": "6", "share": "50"}, {"goal": "6", "share": "50"}]), "sdg_goals", "once"),
        (
            project_payload(policy_markers=[{"code": "1", "significance": "9"}]),
            "policy_markers.0.significance",
            "PolicySignificance",
        ),
        (project_payload(status="9"), "status", "ActivityStatus"),
        (project_payload(modality="tourism"), "modality", "modalities"),
        (
            project_payload(dates={"planned_start": "2025-01-01", "planned_end": "2024-01-01"}),
            "dates",
            "before planned_start",
        ),
        (project_payload(dates={"actual_end": "2024-01-01"}), "dates", "needs actual_start"),
        (
            project_payload(documents=[{"url": "https://x.org", "title": {"en": "d"}, "category": "Z99"}]),
            "documents.0.category",
            "DocumentCategory",
        ),
        (
            project_payload(documents=[{"url": "not a url", "title": {"en": "d"}, "category": "A01"}]),
            "documents.0.url",
            "URL",
        ),
        (with_indicator(measure="8"), "results.0.indicators.0.measure", "IndicatorMeasure"),
        (with_indicator(sdg_indicator="6.1.9"), "results.0.indicators.0.sdg_indicator", "sdg-indicators"),
        (with_indicator(periods=[period(target="N/A")]), "results.0.indicators.0.periods.0.target", "decimal"),
        (with_indicator(measure="5", periods=[period(target="10")]), "results.0.indicators.0", "qualitative"),
        (with_indicator(measure="2", periods=[period(actual="120")]), "results.0.indicators.0", "0 to 100"),
        (
            with_indicator(periods=[period(), {"start": "2024-06-01", "end": "2025-05-31"}]),
            "results.0.indicators.0",
            "overlap",
        ),
        (
            with_indicator(periods=[period(disaggregated=[{"dimensions": {"age": "15-24"}, "actual": "3"}])]),
            "results.0.indicators.0",
            "not declared",
        ),
        (project_payload(results=[{"type": "7", "title": {"en": "r"}}]), "results.0.type", "ResultType"),
        (
            project_payload(
                exchanges=[
                    {
                        "date": "2024-01-01",
                        "direction": "to-partner",
                        "institution": "AMB",
                        "experts": 1,
                        "staff_days": "2",
                        "value_eur": "-5",
                    }
                ]
            ),
            "exchanges.0.value_eur",
            "greater than or equal",
        ),
    ],
)
def test_invalid_project_names_the_field(payload: dict[str, Any], field: str, words: str) -> None:
    errors = errors_of(payload)
    matching = [e for e in errors if e["loc"] == field]
    assert matching, f"expected an error at {field}, got {errors}"
    assert any(words.lower() in e["msg"].lower() for e in matching), matching


def test_shares_are_exact_decimals() -> None:
    thirds = [{"goal": "1", "share": "33.33"}, {"goal": "2", "share": "33.33"}, {"goal": "3", "share": "33.34"}]
    assert len(ProjectCreate.model_validate(project_payload(sdg_goals=thirds)).sdg_goals) == 3
    # Six decimals hold an IATI file's exact percentages; a seventh is refused.
    exact = [{"goal": "1", "share": "33.333333"}, {"goal": "2", "share": "66.666667"}]
    assert len(ProjectCreate.model_validate(project_payload(sdg_goals=exact)).sdg_goals) == 2
    with pytest.raises(ValidationError):
        ProjectCreate.model_validate(
            project_payload(sdg_goals=[{"goal": "1", "share": "33.3333333"}, {"goal": "2", "share": "66.6666667"}])
        )
