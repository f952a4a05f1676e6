"""The per-activity results of an import, without servers: filled out of order, spooled in the
file's order, amended after they were spooled, streamed as the ImportReport's JSON; and held in
bounded memory however many activities the file has."""

from __future__ import annotations

import tracemalloc
import uuid
from typing import Any

import orjson

from services.projects.imports import iati
from services.projects.imports.outcomes import Outcomes
from services.projects.imports.schemas import ActivityOutcome, ImportReport, MoneyOutcome
from services.projects.imports.service import _outcome
from services.projects.projects.models import Project


def item(n: int, outcome: str = "imported") -> dict[str, Any]:
    return ActivityOutcome(
        iati_identifier=f"XM-OUT-{n}",
        outcome=outcome,
        project_id=None if outcome == "skipped" else uuid.UUID(int=n),
        notes=[f"note {n}"],
    ).model_dump(mode="json")


def test_items_come_out_in_the_files_order_with_their_amendments() -> None:
    outcomes = Outcomes(uuid.uuid4())
    first, second = outcomes.reserve(), outcomes.reserve()  # planned, written later
    outcomes.add("skipped", item(2, "skipped"))  # skipped at once, after them in the file
    assert outcomes.spool_ready() == []  # nothing before the first slot is filled
    outcomes.fill(second, "updated", item(1, "updated"))
    outcomes.fill(first, "imported", item(0))
    rows = outcomes.spool_ready()
    assert [r["slot"] for r in rows] == [0, 1, 2]
    assert orjson.loads(rows[1]["item_json"]) == item(1, "updated")
    outcomes.amend(0, parent_id=uuid.UUID(int=99))
    outcomes.amend(0, note="linked later")
    outcomes.amend(2, note="also")
    assert [r["b_slot"] for r in outcomes.amended_rows()] == [0, 2]
    assert outcomes.amended_rows() == []  # each rewritten once
    report = outcomes.report()
    parsed = ImportReport.model_validate_json(report.json())
    assert (parsed.activities, parsed.imported, parsed.updated, parsed.skipped) == (3, 1, 1, 1)
    assert [i.iati_identifier for i in parsed.items] == ["XM-OUT-0", "XM-OUT-1", "XM-OUT-2"]
    assert parsed.items[0].parent_id == uuid.UUID(int=99) and parsed.items[0].notes == ["note 0", "linked later"]
    assert parsed.items[2].notes == ["note 2", "also"]
    # The stream is the same JSON, whatever the size of its pieces.
    report.CHUNK = 10
    assert b"".join(report.chunks()) == report.json()
    report.close()


def test_an_empty_import_reports_no_items() -> None:
    report = Outcomes(uuid.uuid4()).report()
    assert orjson.loads(report.json())["items"] == []
    report.close()


def test_the_items_memory_does_not_grow_with_the_activities() -> None:
    """100,000 activities' results (over 30 MB of JSON) in a few MB of memory: the items are in the
    spool file; in memory one batch, and an offset (eight bytes) per activity."""
    outcomes = Outcomes(uuid.uuid4())
    one = item(0)
    one["notes"] = ["a note of the usual length, about what was left out of the file and why"] * 3
    tracemalloc.start()
    try:
        for n in range(100_000):
            slot = outcomes.reserve()
            outcomes.fill(slot, "imported", one)
            if n % 500 == 499:  # a batch written
                outcomes.spool_ready()
        outcomes.spool_ready()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcomes.spool.tell() > 30_000_000
    assert peak < 4_000_000, f"{peak / 1e6:.1f} MB for the results of 100,000 activities"
    report = outcomes.report()
    assert orjson.loads(report.json())["activities"] == 100_000
    report.close()


def test_an_outcome_is_the_models_dump() -> None:
    mapped = iati.Mapped("XM-1", notes=["a note"])
    project = Project(id=uuid.uuid4(), iati_identifier="XARXA-SANTBOI-XM-1", parent_id=uuid.uuid4())
    money = MoneyOutcome(status="pending", transactions=2, budgets=1, planned_disbursements=0).model_dump(mode="json")
    for parent in (project.parent_id, None):
        project.parent_id = parent
        built = _outcome(mapped, project, "updated", money)
        model = ActivityOutcome(
            iati_identifier="XM-1",
            registered_as=project.iati_identifier,
            outcome="updated",
            project_id=project.id,
            parent_id=parent,
            notes=["a note"],
            money=MoneyOutcome.model_validate(money),
        )
        assert orjson.dumps(built) == orjson.dumps(model.model_dump(mode="json"))
