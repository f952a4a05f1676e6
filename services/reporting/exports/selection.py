"""The project list's narrowing beyond the reports' filters: words, SDG goal and target, DAC sector.

The project exports take them so that a download holds exactly the projects a list of the projects
API shows (the portal's explore page): the same codes are refused, and words match the same texts,
folded the same way, as that API's search (services/projects/projects/projections.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from services.reporting.sdg.repository import UnknownFilterValue
from shared.codelists import codelists
from shared.text import fold

# query parameter -> the codelist its value must belong to
CODED = {"sdg_goal": "sdg-goals", "sdg_target": "sdg-targets", "sector": "Sector"}


def search_text(state: dict[str, Any]) -> str:
    """Code, titles, descriptions, objectives, partner cities and organisations, tags, intervention line."""
    texts: list[str] = [state.get("code", "")]
    for name in ("title", "description", "objectives"):
        texts.extend((state.get(name) or {}).values())
    texts.extend(city["name"] for city in state.get("partner_cities", []))
    texts.extend(org["name"] for org in state.get("participating_orgs", []))
    texts.extend(state.get("tags", []))
    if state.get("intervention_line"):
        texts.append(state["intervention_line"])
    return fold(" ".join(texts))


@dataclass(frozen=True)
class Selection:
    q: str | None = None
    sdg_goal: str | None = None
    sdg_target: str | None = None
    sector: str | None = None

    @property
    def restricts(self) -> bool:
        return any((self.q, self.sdg_goal, self.sdg_target, self.sector))

    def matches(self, state: dict[str, Any]) -> bool:
        goals = state.get("sdg_goals", [])
        if self.sdg_goal and all(g["goal"] != self.sdg_goal for g in goals):
            return False
        if self.sdg_target and all(self.sdg_target not in g.get("targets", []) for g in goals):
            return False
        if self.sector and all(s["code"] != self.sector for s in state.get("sectors", [])):
            return False
        if self.q:
            text = search_text(state)
            return all(word in text for word in fold(self.q).split())
        return True


def selection(
    q: Annotated[str | None, Query(max_length=200, description="Words in any language of the texts")] = None,
    sdg_goal: Annotated[str | None, Query(max_length=2, description="Projects tagged with this SDG goal")] = None,
    sdg_target: Annotated[str | None, Query(max_length=6, description="Projects naming this SDG target")] = None,
    sector: Annotated[str | None, Query(pattern=r"^\d{5}$", description="Projects in this DAC sector")] = None,
) -> Selection:
    """Unknown codes are a 422 naming the parameter, as for the reports' filters."""
    values = {"sdg_goal": sdg_goal, "sdg_target": sdg_target, "sector": sector}
    errors = [
        {"field": name, "in": "query", "message": f"not in the {CODED[name]} list", "value": value}
        for name, value in values.items()
        if value is not None and value not in codelists()[CODED[name]]
    ]
    if errors:
        raise UnknownFilterValue(
            ", ".join(f"{e['field']}={e['value']!r}" for e in errors) + " is not a known code", errors=errors
        )
    return Selection(q=(q.strip() or None) if q else None, sdg_goal=sdg_goal, sdg_target=sdg_target, sector=sector)


SelectionDep = Annotated[Selection, Depends(selection)]
