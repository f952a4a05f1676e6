"""Codelists for forms and dashboards, labelled in the requested language where available."""

from services.projects.codelists.schemas import CodelistIndex, CodelistItemRead, CodelistRead, CodelistSummary
from shared.codelists import Codelist, codelists
from shared.problems import NotFound


class CodelistNotFound(NotFound):
    kind, title = "codelist-not-found", "No such codelist"


def index() -> CodelistIndex:
    lists = codelists()
    return CodelistIndex(
        items=[CodelistSummary(name=n, source=lists[n].source, size=len(lists[n].items)) for n in lists.names()]
    )


def codelist(name: str, language: str) -> CodelistRead:
    if name not in codelists().lists:
        raise CodelistNotFound(f"No codelist {name}; see /api/projects/codelists")
    found: Codelist = codelists()[name]
    return CodelistRead(
        name=found.name,
        source=found.source,
        language=language,
        items=[
            CodelistItemRead(code=item.code, name=item.label(language), names=item.names, parent=item.parent)
            for item in found.items.values()
            if item.active
        ],
    )
