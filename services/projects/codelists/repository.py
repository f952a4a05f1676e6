"""Every read of the codelists (vendored reference data in shared/data, loaded once, not stored)."""

from __future__ import annotations

from shared.codelists import Codelist, codelists


def all_codelists() -> dict[str, Codelist]:
    """Every codelist by its name, in name order."""
    lists = codelists()
    return {name: lists[name] for name in lists.names()}


def codelist(name: str) -> Codelist | None:
    lists = codelists()
    return lists[name] if name in lists.lists else None
