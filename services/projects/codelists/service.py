"""Codelists for forms and dashboards, labelled in the requested language where available."""

from services.projects.codelists import repository
from services.projects.codelists.schemas import CodelistIndex, CodelistItemRead, CodelistRead, CodelistSummary
from shared.problems import NotFound


class CodelistNotFound(NotFound):
    kind, title = "codelist-not-found", "No such codelist"


def index() -> CodelistIndex:
    return CodelistIndex(
        items=[
            CodelistSummary(name=name, source=found.source, size=len(found.items))
            for name, found in repository.all_codelists().items()
        ]
    )


def codelist(name: str, language: str) -> CodelistRead:
    found = repository.codelist(name)
    if found is None:
        raise CodelistNotFound(f"No codelist {name}; see /api/projects/codelists")
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
