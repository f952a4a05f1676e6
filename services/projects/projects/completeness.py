"""What a project needs before anyone outside sees it: what an IATI activity must carry.

A published project is exported to IATI as it is, so publishing (and creating published, and
editing while published) requires at least a planned start (or an actual one), a recipient country or region, a
sector, a participating organisation and a description. Every gap is named at once."""

from __future__ import annotations

from typing import Any

from shared.problems import Unprocessable

REQUIRED: tuple[tuple[str, str], ...] = (
    ("description", "a description in at least one language"),
    ("dates.planned_start", "a planned start date (or, for an activity under way, its actual start)"),
    ("recipient_countries", "a recipient country, or a recipient region in recipient_regions"),
    ("sectors", "at least one sector (OECD DAC purpose code)"),
    ("participating_orgs", "at least one participating organisation"),
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
    gaps = [(field, what) for field, what in REQUIRED if not _present(doc, field)]
    return [{"field": field, "message": f"required to publish: {what}"} for field, what in gaps]


def ensure_publishable(doc: dict[str, Any]) -> None:
    gaps = missing(doc)
    if gaps:
        names = ", ".join(gap["field"] for gap in gaps)
        raise IncompleteForPublication(f"To publish, the project needs: {names}", errors=gaps)
