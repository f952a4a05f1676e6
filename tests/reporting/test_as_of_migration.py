"""A migration from an earlier system records each fact at the time that system recorded it, and
as-of reports then show the figures of a past day; nobody else can backdate knowledge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.unique import unique_code, unique_years
from tests.support.waiting import eventually

OWNER = "viladecans"
# Two past years of Viladecans that are this test's alone: its revenue declarations are the institution's.
Y = unique_years(2)
# The reports are read for this test's own partner city, so other projects of the owner (the demo's,
# other tests') never count.
CITY = f"Migrada {uuid.uuid4().hex[:8]}"
REGISTERED = f"{Y}-03-01T10:00:00+01:00"


async def sdg(gateway: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await gateway.get("/api/reporting/sdg", params={"institution": OWNER, "city": CITY, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["recorded_at"], response.text


async def test_only_an_admin_migration_backdates_and_never_into_the_future(
    gateway: httpx.AsyncClient, stack: Any, tokens: Tokens
) -> None:
    body = project_payload(owner="amb")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("amb")) as officer:
        # An institution's own officer: not with migration, not without (403 either way).
        for params in ({"recorded_at": REGISTERED}, {"recorded_at": REGISTERED, "migration": "true"}):
            response = await officer.post("/api/projects/projects", json=body, params=params)
            assert response.status_code == 403, response.text
        project = await officer.post("/api/projects/projects", json=body)
        assert project.status_code == 201, project.text
        url = f"/api/projects/projects/{project.json()['id']}"
        refused(
            await officer.post(
                f"{url}/status",
                json={"status": "6", "reason": "test"},
                params={"recorded_at": REGISTERED},
                headers={"If-Match": project.headers["etag"]},
            ),
            403,
        )
        refused(
            await officer.put(
                "/api/funding/institutions/amb/years/2019",
                json={"own_revenues_eur": "1000.00"},
                params={"recorded_at": REGISTERED},
            ),
            403,
        )
        refused(
            await officer.post(
                f"/api/funding/projects/{project.json()['id']}/transactions",
                json={
                    "transaction_type": "2",
                    "amount": "1.00",
                    "currency": "EUR",
                    "value_date": f"{Y}-01-01",
                    "instrument": "conveni",
                },
                params={"recorded_at": REGISTERED},
            ),
            403,
        )
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    code = unique_code("REC")
    for params in (
        {"recorded_at": REGISTERED},  # without migration=true
        {"recorded_at": f"{Y}-03-01T10:00:00", "migration": "true"},  # no time zone
        {"recorded_at": future, "migration": "true"},
    ):
        refused(await gateway.post("/api/projects/projects", json=project_payload(code=code), params=params), 422)
    # Nothing was registered: the code is still free.
    free = await gateway.post("/api/projects/projects", json=project_payload(code=code))
    assert free.status_code == 201, free.text
    refused(
        await gateway.put(
            "/api/funding/institutions/amb/years/2019",
            json={"own_revenues_eur": "1.00"},
            params={"recorded_at": future},
        ),
        422,
    )
    assert (await gateway.get("/api/funding/institutions/amb/years/2019")).status_code == 404, "nothing was declared"


async def test_a_migrated_history_answers_as_of_each_past_day(gateway: httpx.AsyncClient) -> None:
    created = await gateway.post(
        "/api/projects/projects",
        json=project_payload(
            owner=OWNER,
            code=f"REC-HIST-{CITY[-8:]}",
            dates={"planned_start": f"{Y}-01-01"},
            partner_cities=[{"name": CITY, "country": "MZ"}],
        ),
        params={"migration": "true", "recorded_at": REGISTERED},
    )
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["created_at"] == project["updated_at"] == f"{Y}-03-01T09:00:00Z"
    url = f"/api/projects/projects/{project['id']}"
    # A change recorded before the last one is refused: as-of reports need versions and times to agree.
    refused(
        await gateway.post(
            f"{url}/status",
            json={"status": "3"},
            params={"recorded_at": f"{Y}-02-01T10:00:00+01:00"},
            headers={"If-Match": created.headers["etag"]},
        ),
        422,
    )

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}/transactions"
    for amount, type_, on, recorded in (
        ("1000.00", "2", f"{Y}-03-02", f"{Y}-03-05T10:00:00+01:00"),
        ("400.00", "3", f"{Y}-06-10", f"{Y}-06-14T10:00:00+02:00"),
        ("250.00", "2", f"{Y + 1}-02-15", f"{Y + 1}-02-18T10:00:00+01:00"),
    ):
        booked = await gateway.post(
            base,
            json={
                "transaction_type": type_,
                "amount": amount,
                "currency": "EUR",
                "value_date": on,
                "instrument": "conveni",
            },
            params={"recorded_at": recorded},
        )
        assert booked.status_code == 201, booked.text
        assert booked.json()["created_at"] == datetime.fromisoformat(recorded).astimezone(UTC).isoformat().replace(
            "+00:00", "Z"
        )
    # Money that moved is not dated after the day it is recorded, as it is not after today.
    late = await gateway.post(
        base,
        json={
            "transaction_type": "3",
            "amount": "1.00",
            "currency": "EUR",
            "value_date": f"{Y + 1}-03-01",
            "instrument": "conveni",
        },
        params={"recorded_at": f"{Y + 1}-02-20T10:00:00+01:00"},
    )
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "value_date", late.text
    # Before the project's last booking: refused.
    refused(
        await gateway.post(
            base,
            json={
                "transaction_type": "2",
                "amount": "1.00",
                "currency": "EUR",
                "value_date": f"{Y}-03-02",
                "instrument": "conveni",
            },
            params={"recorded_at": f"{Y}-12-31T10:00:00+01:00"},
        ),
        422,
    )
    closed = await gateway.post(
        f"{url}/status",
        json={"status": "3", "date": f"{Y + 1}-12-15"},
        params={"recorded_at": f"{Y + 1}-12-19T10:00:00+01:00"},
        headers={"If-Match": created.headers["etag"]},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["dates"]["actual_end"] == f"{Y + 1}-12-15"

    async def settled() -> dict[str, Any] | None:
        live = await sdg(gateway)
        return live if live["totals"]["committed_eur"] == "1250.00" else None

    live = await eventually(settled, what="the migrated bookings in the reports")
    assert (live["projects"], live["totals"]["disbursed_eur"]) == (1, "400.00")
    # Each past day shows what had been recorded by its end (Barcelona), whatever the value dates.
    expected = {
        f"{Y}-02-28": (0, "0.00", "0.00"),  # before the registration
        f"{Y}-03-04": (1, "0.00", "0.00"),  # registered, the commitment not yet recorded
        f"{Y}-03-05": (1, "1000.00", "0.00"),
        f"{Y}-12-31": (1, "1000.00", "400.00"),
        f"{Y + 4}-12-31": (1, "1250.00", "400.00"),
    }
    for day, (projects, committed, disbursed) in expected.items():
        report = await sdg(gateway, as_of=day)
        totals = report["totals"]
        assert (report["projects"], totals["committed_eur"], totals["disbursed_eur"]) == (
            projects,
            committed,
            disbursed,
        ), day
    await declared_revenues_as_of(gateway)
    history = await gateway.get(
        "/api/reporting/projects", params={"institution": OWNER, "city": CITY, "as_of": f"{Y + 1}-06-30"}
    )
    assert [p["status"] for p in history.json()["items"]] == ["2"]
    now = await gateway.get("/api/reporting/projects", params={"institution": OWNER, "city": CITY})
    assert [p["status"] for p in now.json()["items"]] == ["3"]


async def declared_revenues_as_of(gateway: httpx.AsyncClient) -> None:
    """The budgeted revenues declared in January, replaced by the settled accounts' figure the next
    May: the 0.7 % report of each day shows the declaration then in force, with its source and basis."""
    url = f"/api/funding/institutions/{OWNER}/years/{Y}"
    budgeted = {
        "own_revenues_eur": "100000.00",
        "revenues_source": f"Pressupost {Y} aprovat",
        "revenues_basis": "budgeted",
    }
    first = await gateway.put(url, json=budgeted, params={"recorded_at": f"{Y}-01-20T10:00:00+01:00"})
    assert first.status_code == 200, first.text
    assert (first.json()["revenues_source"], first.json()["revenues_basis"]) == (f"Pressupost {Y} aprovat", "budgeted")
    settled = {"own_revenues_eur": "120000.00", "revenues_source": f"Liquidació {Y}", "revenues_basis": "settled"}
    headers = {"If-Match": first.headers["etag"]}
    refused(
        await gateway.put(url, json=settled, params={"recorded_at": f"{Y}-01-19T10:00:00+01:00"}, headers=headers), 422
    )
    bad_basis = await gateway.put(url, json={**settled, "revenues_basis": "estimated"}, headers=headers)
    assert bad_basis.status_code == 422 and bad_basis.json()["errors"][0]["field"].endswith("revenues_basis")
    next_may = {"recorded_at": f"{Y + 1}-05-31T10:00:00+02:00"}
    second = await gateway.put(url, json=settled, params=next_may, headers=headers)
    assert second.status_code == 200, second.text

    async def row(**params: Any) -> dict[str, Any] | None:
        report = await gateway.get(
            "/api/reporting/zero-seven", params={"institution": OWNER, "year_from": Y, "year_to": Y, **params}
        )
        rows: list[dict[str, Any]] = report.json()["rows"]
        return rows[0] if rows else None

    async def live() -> dict[str, Any] | None:
        found = await row()
        return found if found and found["revenues"]["basis"] == "settled" else None

    now = await eventually(live, what="the settled declaration in the 0.7 % report")
    assert now["revenues"] == {
        "own_revenues_eur": "120000.00",
        "source": f"Liquidació {Y}",
        "basis": "settled",
        "missing": [],
    }
    assert (now["target_eur"], now["committed_eur"], now["gap_eur"]) == ("840.00", "1000.00", "-160.00")
    then = await row(as_of=f"{Y}-12-31")
    assert then is not None
    assert then["revenues"] == {
        "own_revenues_eur": "100000.00",
        "source": f"Pressupost {Y} aprovat",
        "basis": "budgeted",
        "missing": [],
    }
    assert (then["target_eur"], then["committed_eur"], then["disbursed_eur"]) == ("700.00", "1000.00", "400.00")
    assert await row(as_of=f"{Y}-01-19") is None
