"""Columns derived from a project's document, so that list filters are indexed queries."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.place_names import city_keys
from shared.text import fold


def _texts(doc: dict[str, Any]) -> list[str]:
    texts: list[str] = []
    for field in ("title", "description", "objectives"):
        texts.extend(doc.get(field, {}).values())
    texts.extend(city["name"] for city in doc.get("partner_cities", []))
    texts.extend(org["name"] for org in doc.get("participating_orgs", []))
    texts.extend(doc.get("tags", []))
    if doc.get("intervention_line"):
        texts.append(doc["intervention_line"])
    return texts


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def projections(doc: dict[str, Any], owner: str, code: str) -> dict[str, Any]:
    dates = doc.get("dates", {})
    start = _date(dates.get("actual_start")) or _date(dates.get("planned_start"))
    end = _date(dates.get("actual_end")) or _date(dates.get("planned_end"))
    countries = {c["country"] for c in doc.get("partner_cities", [])}
    countries |= {c["code"] for c in doc.get("recipient_countries", [])}
    title = doc.get("title", {})
    return {
        "countries": sorted(countries),
        "cities": sorted({key for c in doc.get("partner_cities", []) for key in city_keys(c)}),
        "sdg_goals": [g["goal"] for g in doc.get("sdg_goals", [])],
        "sdg_targets": [t for g in doc.get("sdg_goals", []) for t in g.get("targets", [])],
        "sectors": [s["code"] for s in doc.get("sectors", [])],
        "networks": list(doc.get("networks", [])),
        "partners": sorted({o["ref"] for o in doc.get("participating_orgs", []) if o["ref"] != owner}),
        "start_date": start,
        "end_date": end,
        "search_text": fold(" ".join([code, *_texts(doc)])),
        "title_sort": fold(title.get("ca") or title.get("es") or title.get("en") or next(iter(title.values()), "")),
    }
