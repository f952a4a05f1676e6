"""The per-activity results of one IATI import, in bounded memory.

An item is the activity's ActivityOutcome as compact JSON. Items are filled out of order (an
activity's slot is reserved when it is planned and filled once its batch is written), and go, as
soon as every slot before them is filled, to a temporary file (the POST's answer, streamed from
it) and to rows of `iati_import_items` (the import's report resource). What stays in memory is
the batch being written and, per activity, the item's offset in the file (eight bytes): never a
result object per activity.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from array import array
from typing import Any

import orjson

from services.projects.imports.schemas import SpooledReport


class Outcomes:
    def __init__(self, import_id: uuid.UUID) -> None:
        self.import_id = import_id
        self.slots = 0  # slots reserved: one per activity of the file so far
        self.counts = {"imported": 0, "updated": 0, "skipped": 0}
        self.filled: dict[int, bytes] = {}  # not spooled yet: a slot before them is still open
        self.offsets = array("q")  # where each spooled item starts in the file
        self.spool = tempfile.TemporaryFile(prefix="xarxa-iati-report-")  # noqa: SIM115 - the report's to close
        self.amended: dict[int, bytes] = {}  # items changed once spooled (links resolved last)
        self.unsaved: set[int] = set()  # amended slots whose rows still hold the item as first written

    def reserve(self) -> int:
        self.slots += 1
        return self.slots - 1

    def fill(self, slot: int, outcome: str, item: dict[str, Any]) -> None:
        self.counts[outcome] += 1
        self.filled[slot] = orjson.dumps(item)

    def add(self, outcome: str, item: dict[str, Any]) -> None:
        self.fill(self.reserve(), outcome, item)

    def spool_ready(self) -> list[dict[str, Any]]:
        """The items whose slots before them are all filled: into the file, and as the rows to
        insert (import_id, slot, item_json)."""
        rows = []
        self.spool.seek(0, os.SEEK_END)
        while (slot := len(self.offsets)) in self.filled:
            item = self.filled.pop(slot)
            self.offsets.append(self.spool.tell())
            self.spool.write(item + b"\n")
            rows.append({"import_id": self.import_id, "slot": slot, "item_json": item.decode()})
        return rows

    def item(self, slot: int) -> dict[str, Any]:
        if slot in self.amended:
            return dict(orjson.loads(self.amended[slot]))
        if slot in self.filled:
            return dict(orjson.loads(self.filled[slot]))
        self.spool.flush()
        self.spool.seek(self.offsets[slot])
        found = dict(orjson.loads(self.spool.readline()))
        self.spool.seek(0, os.SEEK_END)
        return found

    def amend(self, slot: int, note: str | None = None, parent_id: uuid.UUID | None = None) -> None:
        """A note or the programme, added to an item written already (the links resolved last)."""
        item = self.item(slot)
        if note is not None:
            item["notes"].append(note)
        if parent_id is not None:
            item["parent_id"] = str(parent_id)
        encoded = orjson.dumps(item)
        if slot in self.filled:
            self.filled[slot] = encoded
        else:
            self.amended[slot] = encoded
            self.unsaved.add(slot)

    def amended_rows(self) -> list[dict[str, Any]]:
        """The rows to rewrite with their amended items (b_import, b_slot, item_json)."""
        rows = [
            {"b_import": self.import_id, "b_slot": slot, "item_json": self.amended[slot].decode()}
            for slot in sorted(self.unsaved)
        ]
        self.unsaved.clear()
        return rows

    def report(self) -> SpooledReport:
        assert not self.filled, "every slot is filled before the report"
        self.spool.flush()
        counts = {"activities": self.slots, **self.counts}
        return SpooledReport(self.import_id, counts, self.spool, self.amended)
