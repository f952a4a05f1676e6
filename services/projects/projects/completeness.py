"""What a project needs before anyone outside sees it: what an IATI activity must carry.

A published project is exported to IATI as it is, so publishing (and creating published, and
editing while published) requires at least a planned start (or an actual one), a recipient country or region, a
sector, a participating organisation and a description. Every gap is named at once."""

from __future__ import annotations

from typing import Any

from shared.problem_texts import field_error
from shared.problems import Unprocessable

# (field, the code of its error: its text in each language is in shared/problem_texts.py)
REQUIRED: tuple[tuple[str, str], ...] = (
    ("description", "publish_needs_description"),
    ("dates.planned_start", "publish_needs_start"),
    ("recipient_countries", "publish_needs_recipient"),
    ("sectors", "publish_needs_sector"),
    ("participating_orgs", "publish_needs_organisation"),
)


class IncompleteForPublication(Unprocessable):
    kind, title = "incomplete-for-publication", "The project lacks what a published activity needs"


def _present(doc: dict[str, Any], field: str) -> bool:
    if field == "description":
        return any(str(text).strip() for text in (doc.get("description") or {}).values())
    if field == "dates.planned_start":
        # IATI asks for a planned or an actual start: an activity registered under way may know only when it began.
        dates = doc.get("dates") or {}
        return bool(dates.get("planned_start") or dates.get("actual_start"))
    if field == "recipient_countries":
        return bool(doc.get("recipient_countries") or doc.get("recipient_regions"))
    return bool(doc.get(field))


def missing(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [field_error(field, code) for field, code in REQUIRED if not _present(doc, field)]


def ensure_publishable(doc: dict[str, Any]) -> None:
    gaps = missing(doc)
    if gaps:
        names = ", ".join(gap["field"] for gap in gaps)
        raise IncompleteForPublication(f"To publish, the project needs: {names}", errors=gaps)
