"""What changed between two versions of a project, as paths with their before and after values."""

from __future__ import annotations

from typing import Any

IGNORED = {"version", "updated_at"}


def diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Dicts are compared key by key, lists of equal length item by item, anything else whole."""
    if isinstance(before, dict) and isinstance(after, dict):
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
