"""The file's mapping ahead of the registry, without servers: a large file in a process of its own
gives exactly what the thread gives a small one, the same refusals, and a worker that dies is an
error, never a short import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from services.projects.imports import iati, worker
from tests.support.iati import BILLION_LAUGHS

OWNER, PREFIX = "viladecans", "XARXA-VILADECANS"


def activity(index: int) -> bytes:
    texts = "".join(f'<narrative xml:lang="{lang}">Aigua i sanejament {index}</narrative>' for lang in ("ca", "en"))
    return (
        f"<iati-activity><iati-identifier>XM-WORKER-{index:06d}</iati-identifier>"
        f'<title><narrative xml:lang="en">Water {index}</narrative></title><description type="1">{texts}</description>'
        f'<participating-org ref="XARXA-VILADECANS" role="1" type="10"><narrative>Viladecans</narrative>'
        f'</participating-org><activity-status code="2"/><activity-date type="1" iso-date="2025-01-15"/>'
        f'<recipient-country code="MZ" percentage="100"/><sector vocabulary="1" code="14030" percentage="100"/>'
        f'<tag vocabulary="2" code="6"/>'
        f'<transaction><transaction-type code="3"/><transaction-date iso-date="2025-02-01"/>'
        f'<value currency="EUR" value-date="2025-02-01">1000</value></transaction></iati-activity>'
    ).encode()


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("worker") / "large.xml"
    with path.open("wb") as out:
        out.write(b'<iati-activities version="2.03">')
        index = 0
        while out.tell() < worker.LARGE + 100_000:
            out.write(activity(index))
            index += 1
        out.write(b"</iati-activities>")
    return path


async def read_all(source: io.BufferedIOBase | io.BytesIO) -> list[worker.Read]:
    found: list[worker.Read] = []
    async with worker.Reader(source, OWNER, "published", PREFIX) as reader:  # type: ignore[arg-type]
        assert (reader.process is not None) == isinstance(source, io.BufferedReader)
        while (batch := await reader.next()) is not None:
            assert len(batch) <= worker.BATCH
            found.extend(batch)
    return found


@pytest.fixture
def hostile(tmp_path: Path, large: Path) -> tuple[Path, Path]:
    """A file that declares entities, and a large file cut short (well-formed no more, past some batches)."""
    entities, cut = tmp_path / "hostile.xml", tmp_path / "cut.xml"
    entities.write_bytes(BILLION_LAUGHS + b" " * worker.LARGE)
    cut.write_bytes(large.read_bytes()[: worker.LARGE + 50_000])
    return entities, cut


async def test_a_large_file_is_mapped_in_a_process_as_the_thread_maps_it(large: Path) -> None:
    content = large.read_bytes()  # noqa: ASYNC240 - the test's own file
    with large.open("rb") as source:
        by_process = await read_all(source)
    by_thread = await read_all(io.BytesIO(content))  # no name: the thread
    assert len(by_process) == len(by_thread) > worker.BATCH * 2
    for one, other in zip(by_process, by_thread, strict=True):
        assert one.mapped.identifier == other.mapped.identifier and one.mapped.notes == other.mapped.notes
        assert one.data is not None and other.data is not None
        assert one.data.model_dump() == other.data.model_dump()
        assert one.prepared is not None and other.prepared is not None
        assert one.prepared.projections == other.prepared.projections
        assert (one.entries, one.gaps, one.others) == (other.entries, other.gaps, other.others)


async def test_a_refused_large_file_is_refused_by_the_process(hostile: tuple[Path, Path]) -> None:
    entities, cut = hostile
    with entities.open("rb") as source, pytest.raises(iati.UnsafeXml, match="DTD"):
        await read_all(source)
    with cut.open("rb") as source, pytest.raises(iati.UnsafeXml, match="not well-formed"):
        await read_all(source)


async def drain(reader: worker.Reader) -> None:
    while await reader.next() is not None:
        pass


async def test_a_worker_that_dies_fails_the_import(large: Path) -> None:
    with large.open("rb") as source:
        async with worker.Reader(source, OWNER, "published", PREFIX) as reader:
            assert reader.process is not None
            assert await reader.next() is not None
            reader.process.kill()
            with pytest.raises(worker.MappingFailed):
                await drain(reader)
