"""Related activities of type 1 (parent) and 2 (child) as the programme hierarchy (`parent_id`).

A file names related activities by their IATI identifiers, in any order: a child may come before
its parent, and the parent may be in the registry already. Activities are keyed as the registry
keys them (the owner's identifier, lower-cased: `iati.own_identifier`). A child's own type-1
link wins over a parent's type-2 link to it. What cannot be linked (not in the registry nor the
file, another owner's, archived, a cycle) stays a related activity, with a note: never a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.projects.imports import iati

PARENT, CHILD = "1", "2"  # RelatedActivityType, seen from the activity that declares it


@dataclass
class Declared:
    """One activity's parent (the first type-1 link) and children (type-2 links), as registry keys."""

    parent: str | None = None
    children: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # key -> the file's ref, for the notes


def key(ref: str, prefix: str) -> str:
    return iati.own_identifier(ref, prefix)[0].lower()


def declared(mapped: iati.Mapped, prefix: str) -> Declared:
    found = Declared()
    me = mapped.own_identifier.lower()
    for related in mapped.data.get("iati", {}).get("related_activities", []):
        if related["type"] not in (PARENT, CHILD):
            continue
        target = key(related["ref"], prefix)
        found.refs[target] = related["ref"]
        if target == me:
            mapped.notes.append(f"related-activity {related['ref']!r} is the activity itself: not a hierarchy link")
        elif related["type"] == PARENT and found.parent is None:
            found.parent = target
        elif related["type"] == PARENT:
            mapped.notes.append(
                f"related-activity {related['ref']!r} is a second parent: an activity has one programme; "
                "kept as a related activity"
            )
        elif target not in found.children:
            found.children.append(target)
    return found


@dataclass
class Wanted:
    """The parent each child should have after the import: child key -> (parent key, declarer key)."""

    parents: dict[str, tuple[str, str]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    def add(self, child: str, found: Declared) -> None:
        self.refs.update(found.refs)
        if found.parent is not None:
            self.parents[child] = (found.parent, child)  # the child's own word wins
        for grandchild in found.children:
            self.parents.setdefault(grandchild, (child, child))

    def parent_of(self, child: str) -> str | None:
        wanted = self.parents.get(child)
        return wanted[0] if wanted else None

    def ref(self, target: str) -> str:
        return self.refs.get(target, target)
