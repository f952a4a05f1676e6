"""What changed between two versions of a project, as paths with their before and after values;
and the public history: the same, between the published states only, in the public projection."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

from shared.contracts.projects import ProjectStateV1

IGNORED = {"version", "updated_at"}
# Exactly the fields the public read of a project shows (its ProjectStateV1), nothing internal.
PUBLIC_FIELDS = frozenset(ProjectStateV1.model_fields)


def diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Dicts are compared key by key, lists of equal length item by item, anything else whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        if not before:  # a first version: every key is new, nothing to descend into
            keys = sorted(k for k in after if not (not path and k in IGNORED) and after[k] is not None)
            return [{"path": f"{path}.{k}" if path else str(k), "before": None, "after": after[k]} for k in keys]
        changes: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after)):
            if not path and key in IGNORED:
                continue
            changes.extend(diff(before.get(key), after.get(key), f"{path}.{key}" if path else str(key)))
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        changes = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            changes.extend(diff(old, new, f"{path}.{index}"))
        return changes
    return [] if before == after else [{"path": path, "before": before, "after": after}]


def replay(state: dict[str, Any], changes: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The state after `changes` (as `diff` wrote them) are applied to `state`, which is not touched.

    `diff` descends only into dicts and lists of unchanged length, so every list index on a path
    exists in the state it was computed from; keys are never dotted (languages, codes, dimensions).
    """
    result = copy.deepcopy(state)
    for change in changes:
        parts = change["path"].split(".")
        node: Any = result
        for part in parts[:-1]:
            if isinstance(node, list):
                node = node[int(part)]
                continue
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        value = copy.deepcopy(change["after"])
        if isinstance(node, list):
            node[int(parts[-1])] = value
        elif value is None:  # `diff` does not tell a removed key from a null: drop it
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return result


class Version(Protocol):
    version: int
    event_type: str
    changes: list[dict[str, Any]]


V = TypeVar("V", bound=Version)


def public_versions(rows: Sequence[V]) -> list[tuple[V, list[dict[str, Any]]]]:
    """Each version whose state was published, with what changed since the previous published one,
    in the public fields only. Drafts (before publishing, or while unpublished) leave no trace: the
    first published version shows the whole public state it was published with."""
    state: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    out: list[tuple[V, list[dict[str, Any]]]] = []
    for row in rows:
        state = replay(state, row.changes)
        if state.get("visibility") != "published":
            continue
        public = {key: value for key, value in state.items() if key in PUBLIC_FIELDS}
        out.append((row, diff(shown, public)))
        shown = public
    return out
