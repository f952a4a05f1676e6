"""Validation rules of a new project that need no database."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.projects.projects.schemas import ProjectCreate
from tests.support.projects import project_payload


def test_valid_project() -> None:
    project = ProjectCreate.model_validate(project_payload())
    assert sum(g.share for g in project.sdg_goals) == Decimal(100)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"sdg_goals": [{"goal": "5", "share": "60"}, {"goal": "11", "share": "30"}]}, "sdg_goals"),
        ({"sdg_goals": [{"goal": "5", "share": "50"}, {"goal": "5", "share": "50"}]}, "sdg_goals"),
        ({"sdg_goals": [{"goal": "18", "share": "100"}]}, "sdg_goals"),
        ({"title": {}}, "title"),
        ({"title": {"catalan": "x"}}, "title"),
        ({"partner_cities": [{"name": "Maputo", "country": "Mozambique"}]}, "partner_cities"),
        ({"status": "9"}, "status"),
        ({"owner": "Not A Slug"}, "owner"),
        ({"extra": True}, "extra"),
    ],
)
def test_invalid_project_names_the_field(override: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        ProjectCreate.model_validate(project_payload(**override))
    assert {str(e["loc"][0]) for e in info.value.errors()} == {field}


def test_shares_are_exact_decimals() -> None:
    thirds = [{"goal": "1", "share": "33.33"}, {"goal": "2", "share": "33.33"}, {"goal": "3", "share": "33.34"}]
    assert len(ProjectCreate.model_validate(project_payload(sdg_goals=thirds)).sdg_goals) == 3
