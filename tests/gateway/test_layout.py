"""The gateway's modules have the shape of every module: endpoints HTTP only, rules in service.py,
every query (and every pg_notify) in repository.py; no endpoint module imports another."""

from __future__ import annotations

from pathlib import Path

import pytest

import services.gateway
from tests.support.layout import endpoint_offences, query_offences

GATEWAY = Path(services.gateway.__file__).parent
MODULES = ("audit", "clients", "tokens", "oidc", "openapi")


@pytest.mark.parametrize("module", [*MODULES, "users"])
def test_endpoints_are_http_only_and_import_no_other_endpoints(module: str) -> None:
    assert endpoint_offences(GATEWAY / module, f"services.gateway.{module}") == []


@pytest.mark.parametrize("module", [*MODULES, "users"])
def test_every_query_is_in_the_repository(module: str) -> None:
    assert query_offences(GATEWAY / module) == []
