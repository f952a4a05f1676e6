"""A project's stored document and its projections, from its data alone: no database, no service
(so that an IATI import's mapping process computes them without loading the registry)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.projects.projects.projections import projections
from services.projects.projects.schemas import OtherIdentifier, ProjectCreate, ProjectEditable

EDITABLE_FIELDS = set(ProjectEditable.model_fields)


def document(data: ProjectEditable, results: list[dict[str, Any]], kept: dict[str, Any]) -> dict[str, Any]:
    """The stored document; `kept` is what an edit does not touch (the current document)."""
    doc = data.model_dump(mode="json", exclude={"parent_id"})
    doc["results"] = results
    doc["status_reason"] = kept.get("status_reason")
    if kept.get("other_identifiers"):
        doc["other_identifiers"] = kept["other_identifiers"]
    return doc


def editable_of(data: ProjectCreate) -> ProjectEditable:
    # A ProjectCreate is a validated ProjectEditable (its subclass): its editable fields need no
    # second validation, as register_project's dump and validate give them.
    return ProjectEditable.model_construct(
        data.model_fields_set & EDITABLE_FIELDS, **{name: getattr(data, name) for name in EDITABLE_FIELDS}
    )


@dataclass(frozen=True)
class Prepared:
    """A new project's document and projections: what registering it derives from its data alone,
    computed beforehand where that is cheaper (an IATI import's mapping process, on another core)."""

    doc: dict[str, Any]
    projections: dict[str, Any]


def prepare(data: ProjectCreate, other_identifiers: tuple[OtherIdentifier, ...] = ()) -> Prepared | None:
    """`register_projects`'s document and projections of `data` (its parent and visibility are in
    neither); None when its partner cities are to be resolved in the gazetteer first."""
    if data.partner_cities:
        return None
    kept = {"other_identifiers": [o.model_dump() for o in other_identifiers]}
    doc = document(editable_of(data), [r.model_dump(mode="json") for r in data.results], kept)
    return Prepared(doc, projections(doc, data.owner, data.code))
