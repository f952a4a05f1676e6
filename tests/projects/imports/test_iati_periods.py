"""Indicator periods: periods that touch (one ends the day the next starts, as publishers write
consecutive years) are accepted everywhere; periods that truly overlap are refused where a person
enters them (the API) and kept, with a note in the activity's result, when a publisher's file has
them; the same dates twice are one period (an actual names its period by its dates)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from services.projects.imports import iati
from shared.contracts.project_input import KEEP_OVERLAPPING_PERIODS, ProjectCreate, overlapping_periods
from tests.support.projects import project_payload
from tests.support.unique import unique_code

OWNER = "sant-boi"  # its iati_ref is XARXA-SANTBOI: no other test imports for it
URL = "/api/projects/imports/iati"
XML = {"Content-Type": "application/xml"}


def with_periods(*dates: tuple[str, str]) -> dict[str, Any]:
    periods = [{"start": start, "end": end, "target": "10"} for start, end in dates]
    indicator = {"title": {"en": "People served"}, "measure": "1", "periods": periods}
    return project_payload(results=[{"type": "1", "title": {"en": "Water"}, "indicators": [indicator]}])


TOUCHING = (("2024-01-01", "2025-01-01"), ("2025-01-01", "2026-01-01"), ("2026-01-01", "2026-12-31"))
OVERLAPPING = (("2024-01-01", "2024-12-31"), ("2024-06-01", "2025-05-31"))
NESTED = (("2024-01-01", "2024-12-31"), ("2024-03-01", "2024-03-31"), ("2025-01-01", "2025-12-31"))
SAME = (("2024-01-01", "2024-12-31"), ("2024-01-01", "2024-12-31"))


@pytest.mark.parametrize(
    ("dates", "pairs"),
    [
        (TOUCHING, 0),
        ((("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")), 0),  # a day apart
        ((("2024-05-05", "2024-05-05"), ("2024-05-05", "2024-06-01")), 0),  # a one-day period, touching
        (OVERLAPPING, 1),
        (NESTED, 1),  # inside another, though not beside it in the file
        (SAME, 1),
        (tuple(reversed(OVERLAPPING)), 1),  # in any order
    ],
)
def test_what_overlaps(dates: tuple[tuple[str, str], ...], pairs: int) -> None:
    assert len(overlapping_periods(list(dates))) == pairs


def test_touching_periods_are_accepted_by_the_contract() -> None:
    project = ProjectCreate.model_validate(with_periods(*TOUCHING))
    periods = project.results[0].indicators[0].periods
    assert [(str(p.start), str(p.end)) for p in periods] == list(TOUCHING)


@pytest.mark.parametrize("dates", [OVERLAPPING, NESTED, SAME])
def test_overlapping_periods_are_refused_where_a_person_enters_them(dates: tuple[tuple[str, str], ...]) -> None:
    with pytest.raises(ValidationError) as raised:
        ProjectCreate.model_validate(with_periods(*dates))
    (error,) = raised.value.errors()
    assert error["loc"] == ("results", 0, "indicators", 0)
    assert "overlap" in error["msg"]


def test_an_import_keeps_overlapping_periods_but_never_the_same_dates_twice() -> None:
    kept = ProjectCreate.model_validate(with_periods(*NESTED), context={KEEP_OVERLAPPING_PERIODS: True})
    assert len(kept.results[0].indicators[0].periods) == 3
    with pytest.raises(ValidationError, match="overlap"):
        ProjectCreate.model_validate(with_periods(*SAME), context={KEEP_OVERLAPPING_PERIODS: True})


def period_xml(start: str, end: str, target: str, actual: str) -> str:
    return (
        f'<period><period-start iso-date="{start}"/><period-end iso-date="{end}"/>'
        f'<target value="{target}"/><actual value="{actual}"/></period>'
    )


def activity_xml(identifier: str, indicators: dict[str, tuple[tuple[str, str], ...]]) -> str:
    blocks = "".join(
        f'<indicator measure="1" ascending="1"><title><narrative>{title}</narrative></title>'
        f'<baseline year="2023" value="5"/>'
        + "".join(period_xml(s, e, str(10 * (n + 1)), str(8 * (n + 1))) for n, (s, e) in enumerate(dates))
        + "</indicator>"
        for title, dates in indicators.items()
    )
    return (
        f"<iati-activity><iati-identifier>{identifier}</iati-identifier>"
        f'<title><narrative xml:lang="en">Standpipes {identifier}</narrative></title>'
        f'<description type="1"><narrative xml:lang="en">Water for the districts.</narrative></description>'
        f'<participating-org ref="XARXA-SANTBOI" role="1" type="10"><narrative>Sant Boi</narrative>'
        f'</participating-org><activity-status code="2"/><activity-date type="1" iso-date="2024-01-01"/>'
        f'<recipient-country code="MZ" percentage="100"/><sector vocabulary="1" code="14030" percentage="100"/>'
        f'<result type="1"><title><narrative xml:lang="en">Water points</narrative></title>{blocks}</result>'
        "</iati-activity>"
    )


def file_xml(*activities: str) -> bytes:
    return ('<iati-activities version="2.03">' + "".join(activities) + "</iati-activities>").encode()


def test_the_mapping_keeps_overlaps_said_and_the_same_dates_once() -> None:
    content = file_xml(activity_xml("XARXA-SANTBOI-P-1", {"Overlapping": NESTED, "Twice": SAME}))
    element = iati.parse(content).find("iati-activity")
    assert element is not None
    mapped = iati.activity(element, OWNER, "published", "XARXA-SANTBOI")
    project = iati.validated(mapped)
    assert project is not None
    overlapping, twice = project.results[0].indicators
    assert len(overlapping.periods) == 3 and len(twice.periods) == 1
    assert any(
        "'Overlapping': periods 2024-01-01..2024-12-31 and 2024-03-01..2024-03-31 overlap" in n for n in mapped.notes
    )
    assert any("'Twice': period 2024-01-01..2024-12-31 given twice: the first kept" in n for n in mapped.notes)
    assert not any("left out" in n for n in mapped.notes), mapped.notes


async def test_an_imported_file_with_touching_and_overlapping_periods_loses_no_activity(
    gateway: httpx.AsyncClient,
) -> None:
    run = unique_code("P")
    content = file_xml(
        activity_xml(f"XARXA-SANTBOI-{run}-T", {"Touching": TOUCHING}),
        activity_xml(f"XARXA-SANTBOI-{run}-O", {"Overlapping": OVERLAPPING}),
        activity_xml(f"XARXA-SANTBOI-{run}-B", {"Touching": TOUCHING, "Overlapping": NESTED}),
    )
    response = await gateway.post(URL, params={"owner": OWNER, "visibility": "published"}, content=content, headers=XML)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["activities"], report["imported"], report["skipped"]) == (3, 3, 0), report
    touching, overlapping, both = report["items"]
    assert not any("period" in n for n in touching["notes"]), touching["notes"]
    assert [n for n in overlapping["notes"] if "overlap" in n] == [
        "indicator 'Overlapping': periods 2024-01-01..2024-12-31 and 2024-06-01..2025-05-31 overlap: "
        "kept as the file has them (each period's actual is its own)"
    ]
    assert len([n for n in both["notes"] if "overlap" in n]) == 1
    # The import's report resource says the same.
    stored = (await gateway.get(f"{URL}/{report['import_id']}")).json()
    assert [i["notes"] for i in stored["items"]] == [i["notes"] for i in report["items"]]
    # Every period is in the registry with its target and actual, and the indicator's baseline.
    for item, expected in ((touching, [TOUCHING]), (overlapping, [OVERLAPPING]), (both, [TOUCHING, NESTED])):
        project = (await gateway.get(f"/api/projects/projects/{item['project_id']}")).json()
        assert project["visibility"] == "published"
        indicators = project["results"][0]["indicators"]
        assert [[(p["start"], p["end"]) for p in i["periods"]] for i in indicators] == [list(d) for d in expected]
        first = indicators[0]
        assert first["baseline"]["value"] == "5" and first["baseline"]["year"] == 2023
        assert (first["periods"][0]["target"], first["periods"][0]["actual"]) == ("10", "8")


async def test_the_api_takes_touching_periods_and_refuses_overlapping_ones(gateway: httpx.AsyncClient) -> None:
    created = await gateway.post("/api/projects/projects", json=with_periods(*TOUCHING))
    assert created.status_code == 201, created.text
    url = f"/api/projects/projects/{created.json()['id']}/results"
    results = created.json()["results"]
    results[0]["indicators"][0]["periods"].append({"start": "2026-06-01", "end": "2027-05-31"})
    refused = await gateway.put(url, json={"results": results}, headers={"If-Match": created.headers["etag"]})
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["errors"]
    assert error["field"].endswith("indicators.0") and "overlap" in error["message"].lower()
    unchanged = (await gateway.get(f"/api/projects/projects/{created.json()['id']}")).json()
    assert len(unchanged["results"][0]["indicators"][0]["periods"]) == 3 and unchanged["version"] == 1
