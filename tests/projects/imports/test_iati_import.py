"""IATI import: the real sample files import, re-import as updates, and export again valid; a
hostile file is refused and stores nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree

from services.projects.imports import iati
from shared.codelists import DATA_DIR
from shared.guards import MAX_IMPORT_BYTES, InputGuardMiddleware
from tests.support.iati import BILLION_LAUGHS, EXTERNAL, iati_schema
from tests.support.waiting import eventually

SAMPLES = sorted((DATA_DIR / "iati" / "samples").glob("*.xml"))
# The owner the samples are registered for in this test: no other test writes its projects.
OWNER = "viladecans"
PREFIX = "XARXA-VILADECANS"  # its iati_ref: the samples are other publishers', so they get it in front


def identifiers(path: Path) -> list[str]:
    return [
        a.findtext("iati-identifier", "").strip() for a in etree.parse(str(path)).getroot().findall("iati-activity")
    ]


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL, b"<iati-activities><unclosed></iati-activities>"])
def test_hostile_or_broken_files_are_refused_by_the_parser(content: bytes) -> None:
    with pytest.raises(iati.UnsafeXml):
        iati.parse(content)


async def test_samples_import_update_and_export_valid(gateway: httpx.AsyncClient) -> None:
    url = "/api/projects/imports/iati"
    params = {"owner": OWNER, "visibility": "published"}
    expected = {f"{PREFIX}-{i}" for path in SAMPLES for i in identifiers(path)}
    drafts = set()
    for path in SAMPLES:
        report = await gateway.post(
            url, params=params, content=path.read_bytes(), headers={"Content-Type": "application/xml"}
        )
        assert report.status_code == 200, report.text
        body = report.json()
        assert body["skipped"] == 0 and body["imported"] == body["activities"] == len(identifiers(path)), body
        assert all(item["project_id"] for item in body["items"])
        if path.name == "gdihub-activity.xml":  # what could not be taken is said, per activity
            # Without a DAC sector an activity cannot be published: it is imported as a draft, and said so.
            kept = [
                item for item in body["items"] if any("kept as a draft" in n and "sectors" in n for n in item["notes"])
            ]
            assert len(kept) == len(identifiers(path))
            for item in kept:
                draft = (await gateway.get(f"/api/projects/projects/{item['project_id']}")).json()
                assert draft["visibility"] == "draft"
                # Its SDG target (sector vocabulary 8) is the project's SDG, and kept as the sector it was.
                assert draft["sdg_goals"] == [{"goal": "10", "share": "100", "targets": ["10.2"]}]
                (sector,) = draft["iati"]["other_sectors"]
                assert (sector["vocabulary"], sector["code"], sector["percentage"]) == ("8", "10.2", "100")
                drafts.add(item["registered_as"])
    assert drafts
    expected -= drafts  # the export holds published activities only
    again = (
        await gateway.post(
            url, params=params, content=SAMPLES[0].read_bytes(), headers={"Content-Type": "application/xml"}
        )
    ).json()
    assert again["updated"] == again["activities"] and again["imported"] == 0

    one = (
        await gateway.post(
            url, params=params, content=SAMPLES[1].read_bytes(), headers={"Content-Type": "application/xml"}
        )
    ).json()
    project = (await gateway.get(f"/api/projects/projects/{one['items'][0]['project_id']}")).json()
    assert project["iati_identifier"] == f"{PREFIX}-{identifiers(SAMPLES[1])[0]}"
    assert project["other_identifiers"] == [{"ref": identifiers(SAMPLES[1])[0], "type": "B1"}]
    assert project["recipient_countries"] == [{"code": "LR", "percentage": "100"}]
    assert [s["code"] for s in project["sectors"]] == ["31210"]

    async def exported() -> bytes | None:
        response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": OWNER})
        if response.status_code != 200:
            return None
        found = {a.findtext("iati-identifier") for a in etree.fromstring(response.content).findall("iati-activity")}
        return response.content if expected <= found else None

    xml = await eventually(exported, what="the imported activities in the export", timeout=60)
    schema = iati_schema()
    assert schema.validate(etree.fromstring(xml)), schema.error_log
    # What the model keeps of an IATI activity comes back through the events to the export.
    ec = next(
        a
        for a in etree.fromstring(xml).findall("iati-activity")
        if a.findtext("iati-identifier") == f"{PREFIX}-{identifiers(SAMPLES[1])[0]}"
    )
    assert ec.findtext("location/point/pos") == "6.3106 -10.8048"
    assert [t.get("code") for t in ec.findall("tag")] == ["12", "15"]
    assert [a.get("code") for a in ec.findall("default-aid-type")] == ["D02"]
    assert [r.get("ref") for r in ec.findall("related-activity")] == ["XI-IATI-EC_INTPA-2018/40656/0"]


async def test_a_hostile_file_is_a_422_and_stores_nothing(gateway: httpx.AsyncClient) -> None:
    before = (await gateway.get("/api/projects/projects", params={"owner": OWNER, "limit": 1})).json()["total"]
    for content in (BILLION_LAUGHS, EXTERNAL):
        response = await gateway.post(
            "/api/projects/imports/iati",
            params={"owner": OWNER},
            content=content,
            headers={"Content-Type": "application/xml"},
        )
        assert response.status_code == 422 and response.json()["type"].endswith("/invalid-iati-file")
    after = (await gateway.get("/api/projects/projects", params={"owner": OWNER, "limit": 1})).json()["total"]
    assert after == before


@pytest.mark.parametrize(
    "content", [BILLION_LAUGHS, EXTERNAL, b"<iati-activities><unclosed></iati-activities>", b"<x/>"]
)
def test_the_streaming_reader_refuses_the_same_files(content: bytes) -> None:
    with pytest.raises(iati.UnsafeXml):
        list(iati.activities(content))


def test_the_streaming_reader_keeps_one_activity_in_memory() -> None:
    content = (
        b"<iati-activities>"
        + b"".join(
            b"<iati-activity><iati-identifier>XM-S-%d</iati-identifier></iati-activity>" % i for i in range(2000)
        )
        + b"</iati-activities>"
    )
    seen = []
    for element in iati.activities(content):
        assert element.getprevious() is None  # the activities read before are gone (later ones may be read ahead)
        seen.append(element.findtext("iati-identifier"))
    assert seen == [f"XM-S-{i}" for i in range(2000)]


def test_only_the_import_route_takes_large_xml_bodies() -> None:
    guard = InputGuardMiddleware(lambda *_: None, max_body_bytes=1_048_576)  # type: ignore[arg-type]
    route = {"path": "/api/projects/imports/iati"}
    assert guard._limit(route, "application/xml") == MAX_IMPORT_BYTES == iati.MAX_BYTES
    assert guard._limit(route, "application/json") == 1_048_576
    assert guard._limit({"path": "/api/projects/projects"}, "application/xml") == 1_048_576
    assert guard._limit({"path": "/api/projects/imports/iati/x"}, "application/xml") == 1_048_576


async def test_a_file_beyond_the_general_body_limit_imports_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    padding = b"<!-- " + b"x" * 3_000_000 + b" -->"  # 3 MB: three times the gateway's general limit
    content = (
        b'<iati-activities version="2.03">' + padding + b"<iati-activity><iati-identifier>XM-LARGE-1</iati-identifier>"
        b"<title><narrative>Gran</narrative></title></iati-activity></iati-activities>"
    )
    response = await gateway.post(
        "/api/projects/imports/iati",
        params={"owner": OWNER},
        content=content,
        headers={"Content-Type": "application/xml"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1
    as_json = await gateway.post(
        "/api/projects/imports/iati",
        params={"owner": OWNER},
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert as_json.status_code == 413
