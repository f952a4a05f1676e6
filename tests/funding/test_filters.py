"""A funding list filtered on an institution that does not exist is a 422 naming the value, not
an empty list that reads as "no calls" or "no sources"."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize("path", ["/api/funding/grants/calls", "/api/funding/sources"])
@pytest.mark.parametrize("value", ["nobody", "AMB", "amb ", "ajuntament"])
async def test_an_unknown_institution_is_named(anonymous: httpx.AsyncClient, path: str, value: str) -> None:
    response = await anonymous.get(path, params={"institution": value})
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/unknown-filter-value")
    assert [(e["field"], e["value"]) for e in response.json()["errors"]] == [("institution", value)]


@pytest.mark.parametrize("path", ["/api/funding/grants/calls", "/api/funding/sources"])
async def test_a_known_institution_answers(anonymous: httpx.AsyncClient, path: str) -> None:
    assert (await anonymous.get(path, params={"institution": "amb"})).status_code == 200
    assert (await anonymous.get(path)).status_code == 200
