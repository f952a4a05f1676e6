"""Large IATI files: a 100 MB file imports through the real gateway in flat memory (the body streams
from the caller through the gateway to the service's spool file, and is parsed one activity at a
time); a body over the route's bound is a 413 wherever it is cut, and changes nothing."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.projects.imports import iati, reading
from shared.guards import MAX_IMPORT_BYTES
from tests.support.iati import BILLION_LAUGHS, EXTERNAL
from tests.support.stack import Stack

OWNER = "santa-coloma"  # its iati_ref is XARXA-SANTACOLOMA
URL = "/api/projects/imports/iati"
XML = {"Content-Type": "application/xml"}
LOREM = (
    "The metropolitan water utility and the partner city's operator share practice on leak detection, "
    "tariffs for low-income households and the maintenance of standpipes in informal settlements. "
)


def activity(run: str, index: int) -> bytes:
    """An activity of a publisher's usual shape: texts in three languages, an organisation, dates,
    a country, sectors and an SDG tag (about 3 KB)."""
    texts = "".join(f'<narrative xml:lang="{lang}">{LOREM * 6}{index}</narrative>' for lang in ("en", "es", "ca"))
    return (
        f"<iati-activity><iati-identifier>XM-LARGE-{run}-{index:06d}</iati-identifier>"
        f'<reporting-org ref="XM-LARGE" type="10"><narrative>Large file</narrative></reporting-org>'
        f'<title><narrative xml:lang="en">Water {index}</narrative><narrative xml:lang="ca">Aigua {index}</narrative>'
        f'</title><description type="1">{texts}</description>'
        f'<participating-org ref="XARXA-SANTACOLOMA" role="1" type="10"><narrative>Santa Coloma</narrative>'
        f'</participating-org><activity-status code="2"/><activity-date type="1" iso-date="2025-01-15"/>'
        f'<recipient-country code="MZ" percentage="100"/><sector vocabulary="1" code="14030" percentage="60"/>'
        f'<sector vocabulary="1" code="14020" percentage="40"/><tag vocabulary="2" code="6"/></iati-activity>\n'
    ).encode()


def write_file(path: Path, run: str, activities: int, size: int) -> int:
    """A file of `activities` activities, each followed by a comment that brings the file to `size`
    bytes (comments are parsed and dropped, as a publisher's whitespace and comments are); written
    as it is generated, never whole in memory."""
    head, tail = b'<?xml version="1.0" encoding="utf-8"?>\n<iati-activities version="2.03">\n', b"</iati-activities>\n"
    one = len(activity(run, 0))
    padding = max(0, (size - len(head) - len(tail)) // activities - one - len(b"<!--  -->\n"))
    comment = b"<!-- " + b"p" * padding + b" -->\n"
    with path.open("wb") as out:
        out.write(head)
        for index in range(activities):
            out.write(activity(run, index))
            out.write(comment)
        out.write(tail)
    return path.stat().st_size


async def chunks(path: Path, limit: int | None = None) -> AsyncIterator[bytes]:
    """The file (or its first `limit` bytes) in 1 MiB chunks: sent chunked, with no length."""
    sent = 0
    with path.open("rb") as source:
        while limit is None or sent < limit:
            chunk = source.read(1 << 20 if limit is None else min(1 << 20, limit - sent))
            if not chunk:
                return
            sent += len(chunk)
            yield chunk


def rss() -> int:
    """The process's resident memory (Linux: /proc/self/statm, in pages)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """The process's resident memory, sampled every few milliseconds: its peak above the start."""

    def __init__(self) -> None:
        self.start = self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())

    @property
    def growth(self) -> int:
        return int(self.peak - self.start)


async def total(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/projects/projects", params={"owner": OWNER, "limit": 1})
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def over_limit_file(tmp_path: Path) -> Path:
    """Valid activities first (a service that acted on a partial body would register them), then
    padding past the route's bound."""
    path = tmp_path / "over.xml"
    write_file(path, "OVER", 50, 1 << 20)
    with path.open("r+b") as out:
        out.seek(-len(b"</iati-activities>\n"), io.SEEK_END)
        block = b"<!-- " + b"o" * ((1 << 20) - 10) + b" -->\n"
        for _ in range(MAX_IMPORT_BYTES // len(block) + 2):
            out.write(block)
        out.write(b"</iati-activities>\n")
    assert path.stat().st_size > MAX_IMPORT_BYTES
    return path


async def test_a_100_mb_file_imports_through_the_gateway_in_flat_memory(
    gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    params = {"owner": OWNER, "visibility": "published"}
    # A 10 MB file of as many activities first: codelists, schemas and pools are loaded, and the
    # memory a batch of activities takes (and the consumers of their events) is taken once. The
    # 100 MB file may then cost only what grows with its size: nothing, if nothing holds the body
    # or its tree.
    activities = 4000
    warm = tmp_path / "warm.xml"
    write_file(warm, "WARM", activities, 10_000_000)
    async with httpx.AsyncClient(base_url=str(gateway.base_url), headers=gateway.headers, timeout=600) as client:
        first = await client.post(URL, params=params, content=chunks(warm), headers=XML)
    assert first.status_code == 200 and first.json()["imported"] == activities, first.text[:2000]

    path = tmp_path / "large.xml"
    size = write_file(path, "BIG", activities, 100_000_000)
    assert size >= 99_000_000
    gc.collect()
    async with httpx.AsyncClient(base_url=str(gateway.base_url), headers=gateway.headers, timeout=600) as client:
        with PeakRss() as rss:
            response = await client.post(URL, params=params, content=chunks(path), headers=XML)
    print(f"IATI import of {size / 1e6:.0f} MB: peak memory growth {rss.growth / 1e6:.1f} MB")  # for the docs
    assert response.status_code == 200, response.text[:2000]
    report = response.json()
    assert (report["activities"], report["imported"], report["skipped"]) == (activities, activities, 0)
    assert [i["iati_identifier"] for i in report["items"][:2]] == ["XM-LARGE-BIG-000000", "XM-LARGE-BIG-000001"]
    assert all(i["outcome"] == "imported" and i["project_id"] for i in report["items"])
    # The gateway, the services (their consumers too) and this client share the process: all of it
    # together grows far less than the file (holding the body once anywhere, or its tree, would
    # take 100 MB and more).
    assert rss.growth < 64_000_000, f"peak memory grew by {rss.growth / 1e6:.0f} MB for a {size / 1e6:.0f} MB file"
    stored = await gateway.get(f"/api/projects/imports/iati/{report['import_id']}")
    assert stored.status_code == 200 and stored.json()["imported"] == activities
    project = (await gateway.get(f"/api/projects/projects/{report['items'][-1]['project_id']}")).json()
    assert project["visibility"] == "published" and project["sdg_goals"][0]["goal"] == "6"


async def test_a_body_over_the_bound_is_a_413_at_the_gateway_and_changes_nothing(
    gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = over_limit_file(tmp_path)
    before = await total(gateway)
    async with httpx.AsyncClient(base_url=str(gateway.base_url), headers=gateway.headers, timeout=300) as client:
        response = await client.post(URL, params={"owner": OWNER}, content=chunks(path), headers=XML)
    assert response.status_code == 413, response.text
    assert response.json()["type"].endswith("/payload-too-large")
    assert await total(gateway) == before
    # A declared length over the bound is refused before a byte of the body is sent.
    status = await declared_only(gateway, MAX_IMPORT_BYTES + 1)
    assert status == 413
    assert await total(gateway) == before


async def declared_only(client: httpx.AsyncClient, length: int) -> int:
    """The answer to a request that declares `length` bytes and sends none of them."""
    url = client.base_url
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        head = (
            f"POST {URL}?owner={OWNER} HTTP/1.1\r\nHost: {url.host}\r\n"
            f"Authorization: {client.headers['Authorization']}\r\nContent-Type: application/xml\r\n"
            f"Content-Length: {length}\r\n\r\n"
        )
        writer.write(head.encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=30)
        return int(status_line.split()[1])
    finally:
        writer.close()


async def test_a_body_over_the_bound_sent_to_the_service_itself_is_a_413(
    stack: Stack, gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Behind the gateway the service bounds the stream too (its own input guard), before parsing."""
    path = over_limit_file(tmp_path)
    before = await total(gateway)
    async with httpx.AsyncClient(base_url=stack.url("projects"), headers=gateway.headers, timeout=300) as direct:
        response = await direct.post(URL, params={"owner": OWNER}, content=chunks(path), headers=XML)
    assert response.status_code == 413, response.text
    assert response.json()["type"].endswith("/payload-too-large")
    assert await total(gateway) == before


@pytest.mark.parametrize(
    "content", [BILLION_LAUGHS, EXTERNAL, b"<iati-activities><unclosed></iati-activities>", b"<x/>"]
)
def test_the_file_reader_refuses_what_the_parser_refuses(content: bytes) -> None:
    with pytest.raises(iati.UnsafeXml):
        list(reading.activities_in(io.BytesIO(content)))


def test_the_file_reader_keeps_one_activity_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "few.xml"
    write_file(path, "R", 300, 600_000)
    seen = []
    with path.open("rb") as source:
        for element in reading.activities_in(source):
            assert element.getprevious() is None  # the activities read before are gone
            seen.append(element.findtext("iati-identifier"))
    assert seen == [f"XM-LARGE-R-{i:06d}" for i in range(300)]


def test_the_file_reader_refuses_a_file_over_the_bound() -> None:
    class Huge(io.BytesIO):
        def seek(self, offset: int, whence: int = 0) -> int:
            return iati.MAX_BYTES + 1 if whence == io.SEEK_END else super().seek(offset, whence)

    with pytest.raises(iati.UnsafeXml, match="larger than"):
        list(reading.activities_in(Huge(b"<iati-activities/>")))
