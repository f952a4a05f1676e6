"""The grant call has the shape of every module: endpoints HTTP only, calling service.py; every
query in repository.py."""

from __future__ import annotations

from pathlib import Path

import services.funding.grants
from tests.support.layout import endpoint_offences, query_offences

GRANTS = Path(services.funding.grants.__file__).parent


def test_endpoints_are_http_only_and_import_no_other_endpoints() -> None:
    assert endpoint_offences(GRANTS, "services.funding.grants") == []


def test_every_query_is_in_the_repository() -> None:
    assert query_offences(GRANTS) == []


def test_the_checks_see_an_offence(tmp_path: Path) -> None:
    (tmp_path / "endpoints.py").write_text(
        "from services.funding.ledger.endpoints import Booking\n"
        "from services.funding.grants import repository\n"
        "async def f(session):\n    return await session.get(1, 2)\n"
    )
    (tmp_path / "rules.py").write_text("from sqlalchemy import select\n")
    assert endpoint_offences(tmp_path, "pkg") == [
        "endpoints.py imports services.funding.grants.repository",
        "endpoints.py imports services.funding.ledger.endpoints",
        "endpoints.py 4: session.get",
    ]
    assert query_offences(tmp_path) == ["endpoints.py 4: session.get", "rules.py 1: imports select"]
