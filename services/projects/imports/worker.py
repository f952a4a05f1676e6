"""The file read and mapped ahead of the registry, in batches: in a thread for a small file, in a
process of its own for a large one, so that the mapping (lxml, the lenient mapping, the model's
validation: about a third of an activity's cost) runs on another core than the request's writes.

A process costs its start (a fresh interpreter, ~0.3 s), paid back beyond a few thousand
activities; it reads the spooled file by its path, and its batches come back pickled through a
pipe, read by a thread that holds two batches at most: memory stays bounded whatever the file's
size, and the worker never waits for the import's own work.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any

from services.projects.imports import hierarchy, iati, money, reading
from services.projects.projects.completeness import REQUIRED, missing
from services.projects.projects.documents import Prepared, prepare
from services.projects.projects.schemas import OtherIdentifier
from shared.contracts import iati_money as contract
from shared.contracts.project_input import ProjectCreate

# Activities mapped and written per round of set-based queries: memory stays flat whatever the
# file's size, and each query carries hundreds of rows.
BATCH = 500
# From this size on a file is mapped in a process of its own (the bench's 10,000 activities are 9 MB).
LARGE = 2 << 20
# What `missing` reads of a project (completeness.py: its fields, and regions beside countries):
# only these are dumped to check an activity.
PUBLISHING_FIELDS = {field.split(".")[0] for field, _ in REQUIRED} | {"recipient_regions"}


@dataclass
class Read:
    """An activity as read: its mapping (notes, identifiers), the project the registry would accept
    (None: not even the essentials), its related activities, what it lacks to be published, and its
    money (the default currency and the entries)."""

    mapped: iati.Mapped
    data: ProjectCreate | None
    links: hierarchy.Declared
    gaps: list[str]
    default_currency: str | None
    entries: list[contract.MoneyEntryV1]
    others: tuple[OtherIdentifier, ...] = ()  # the file's identifier when it is another publisher's
    prepared: Prepared | None = None  # its document, should it be new to the registry


def read(element: Any, owner: str, visibility: str, prefix: str) -> Read:
    mapped = iati.activity(element, owner, visibility, prefix)
    data = iati.validated(mapped)
    links = hierarchy.declared(mapped, prefix)
    mapped.data = {}  # the file's mapping is done with: what follows reads the validated project
    others = (OtherIdentifier(ref=mapped.identifier, type="B1"),) if mapped.foreign else ()
    prepared = prepare(data, others) if data is not None else None
    gaps = []
    if data is not None and data.visibility == "published":
        # The document holds the fields publishing asks for as their dump: no second dump of them.
        shown = prepared.doc if prepared is not None else data.model_dump(mode="json", include=PUBLISHING_FIELDS)
        gaps = [g["field"] for g in missing(shown)]
    default_currency, entries = money.entries(element)
    return Read(mapped, data, links, gaps, default_currency, entries, others, prepared)


def batches(source: IO[bytes], owner: str, visibility: str, prefix: str, skip: int = 0) -> Iterator[list[Read]]:
    """The file's activities read, BATCH at a time, but for the first `skip` (parsed, not mapped);
    iati.UnsafeXml before any batch when the file is refused, or where it stops being well-formed."""
    batch: list[Read] = []
    for index, element in enumerate(reading.activities_in(source)):
        if index < skip:
            continue
        batch.append(read(element, owner, visibility, prefix))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _frames(path: str, owner: str, visibility: str, prefix: str, skip: str) -> Iterator[tuple[str, Any]]:
    """What the worker process says: each batch after the first `skip` activities, then the end (or
    why it stopped)."""
    try:
        with open(path, "rb") as source:
            for batch in batches(source, owner, visibility, prefix, int(skip)):
                yield "batch", batch
        yield "end", None
    except iati.UnsafeXml as exc:
        yield "unsafe", str(exc)
    except Exception as exc:  # noqa: BLE001 - said to the parent, which fails the import with it
        yield "failed", f"{type(exc).__name__}: {exc}"


def main(argv: list[str]) -> int:
    """`python -m services.projects.imports.worker PATH OWNER VISIBILITY PREFIX SKIP`: the batches on
    standard output, each a length and a pickle; the pipe's buffer holds the worker back."""
    out = sys.stdout.buffer
    gc.freeze()  # what the interpreter loaded: a batch job's collections need not go over it again
    for frame in _frames(*argv):
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "big") + data)
        out.flush()
    return 0


def _loads(frame: bytes) -> tuple[str, Any]:
    """A frame of our own child (nothing else writes to its pipe), unpickled with the collector off:
    a batch is tens of thousands of objects without a cycle among them, and building them would
    otherwise set off full collections of the whole process (most of the unpickling's cost)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        found: tuple[str, Any] = pickle.loads(frame)  # noqa: S301
    finally:
        if enabled:
            gc.enable()
    return found


class MappingFailed(RuntimeError):
    """The worker process stopped without finishing the file (not the file's fault)."""


class Reader:
    """`async with Reader(source, ...) as reader: while (batch := await reader.next()) is not None`.

    iati.UnsafeXml from `next` when the file is refused."""

    AHEAD = 2  # batches read and not yet taken: the worker waits beyond them

    def __init__(self, source: IO[bytes], owner: str, visibility: str, prefix: str) -> None:
        self.source, self.args = source, (owner, visibility, prefix)
        size = source.seek(0, os.SEEK_END)
        source.seek(0)
        path = getattr(source, "name", None)
        self.path = path if size >= LARGE and isinstance(path, str) and os.path.isfile(path) else None
        self.process: subprocess.Popen[bytes] | None = None
        self.thread: ThreadPoolExecutor | None = None
        self.ahead: asyncio.Future[list[Read] | None] | None = None
        self.frames: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=self.AHEAD)
        self.stopped = threading.Event()

    async def __aenter__(self) -> Reader:
        if self.path is not None:
            # A fresh interpreter running this module (not a fork of a process with an event loop
            # and its threads), on the parent's import path.
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            # The first batch is read here, in a thread, while the process starts (a fresh
            # interpreter takes a second or two on a busy machine): the process skips it.
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iati-read")
            self.iterator = batches(self.source, *self.args)
            self.ahead = asyncio.get_running_loop().run_in_executor(self.thread, next, self.iterator, None)
            command = [sys.executable, "-m", __name__, self.path, *self.args, str(BATCH)]
            self.process = await asyncio.to_thread(subprocess.Popen, command, stdout=subprocess.PIPE, env=env)
            assert self.process.stdout is not None
            with contextlib.suppress(OSError, AttributeError):  # a larger pipe: fewer wake-ups (Linux)
                fcntl.fcntl(self.process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
            # The pipe is read by a thread of its own, whatever the event loop is busy with: the
            # worker is held back only by AHEAD batches waiting, never by the import's own work.
            self.pump = threading.Thread(target=self._pump, name="iati-map-pipe", daemon=True)
            self.pump.start()
        else:
            # One thread, a batch ahead: lxml's parser stays in it.
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iati-read")
            self.iterator = batches(self.source, *self.args)
            self.ahead = asyncio.get_running_loop().run_in_executor(self.thread, next, self.iterator, None)
        return self

    def _put(self, frame: tuple[str, Any]) -> None:
        while not self.stopped.is_set():
            try:
                self.frames.put(frame, timeout=0.2)
                return
            except queue.Full:
                continue

    def _pump(self) -> None:
        """The pipe's frames, unpickled, onto the queue; then why the pipe ended, if the worker did
        not say the file's end."""
        assert self.process is not None and self.process.stdout is not None
        stream, frame = self.process.stdout, ("failed", "the mapping process ended before the end of the file")
        try:
            while not self.stopped.is_set():
                head = stream.read(8)
                body = stream.read(int.from_bytes(head, "big")) if len(head) == 8 else b""
                if not body:
                    break
                said = _loads(body)
                self._put(said)
                if said[0] != "batch":
                    return
        except Exception as exc:  # noqa: BLE001 - said to the import, which fails with it
            frame = ("failed", f"{type(exc).__name__}: {exc}")
        self._put(frame)

    async def next(self) -> list[Read] | None:
        if self.process is None:
            assert self.ahead is not None and self.thread is not None
            batch = await self.ahead
            if batch is not None:
                self.ahead = asyncio.get_running_loop().run_in_executor(self.thread, next, self.iterator, None)
            return batch
        if self.ahead is not None:  # the first batch, read while the process started
            first, self.ahead = await self.ahead, None
            if first is not None:
                return first
        kind, value = await asyncio.to_thread(self.frames.get)
        if kind == "batch":
            return list(value)
        if kind == "end":
            return None
        if kind == "unsafe":
            raise iati.UnsafeXml(value)
        raise MappingFailed(value)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.process is not None:
            self.stopped.set()
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()  # an import that stopped early: the rest of the file is not wanted
            await asyncio.to_thread(self.process.wait)
            await asyncio.to_thread(self.pump.join)
            assert self.process.stdout is not None
            self.process.stdout.close()
        if self.thread is not None:
            if self.ahead is not None and not self.ahead.done():
                await asyncio.wait([self.ahead])
            self.thread.shutdown(wait=True)


if __name__ == "__main__":
    # Through the module's own name, so that what it pickles is what the parent unpickles.
    from services.projects.imports import worker

    raise SystemExit(worker.main(sys.argv[1:]))
