"""Projects from CSV: one project per row, each row on its own, errors named by row and column.

Columns (the template has them all; only code and one title are required):
code, title_ca, title_es, title_en, description_ca, description_es, description_en, status,
visibility, modality, partner_city, partner_country, sdg_goals ("5:60;11:40"), sdg_targets
("5.2;11.1"), sectors ("14030:70;15112:30"), planned_start, planned_end. Shares may use a decimal
comma ("14030:62,5;15112:37,5"). The partner country is the recipient country and the importing
institution the funding participating organisation, so that a complete row can be published.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared import csv_tables
from shared.codelists import codelists
from shared.contracts.project_input import ProjectCreate

COLUMNS = [
    "code",
    "title_ca",
    "title_es",
    "title_en",
    "description_ca",
    "description_es",
    "description_en",
    "status",
    "visibility",
    "modality",
    "partner_city",
    "partner_country",
    "sdg_goals",
    "sdg_targets",
    "sectors",
    "planned_start",
    "planned_end",
]
EXAMPLE = {
    "code": "AJB-2026-001",
    "title_ca": "Aigua a Maputo",
    "title_es": "Agua en Maputo",
    "title_en": "Water in Maputo",
    "status": "2",
    "visibility": "draft",
    "modality": "technical-cooperation",
    "partner_city": "Maputo",
    "partner_country": "MZ",
    "description_ca": "Millora de l'abastament d'aigua als barris de Maputo.",
    "sdg_goals": "6:80;5:20",
    "sdg_targets": "6.1",
    "sectors": "14030:70;15112:30",
    "planned_start": "2026-01-01",
    "planned_end": "2027-12-31",
}


def template() -> str:
    return csv_tables.template(COLUMNS, EXAMPLE)


def rows(content: bytes) -> list[dict[str, str]]:
    return csv_tables.read_rows(content, COLUMNS, "code")


def _share(text: str) -> str:
    try:
        return csv_tables.decimal_text(text) if text else "100"
    except ValueError:
        return text  # the model's own validation names the field and the value


def _pairs(text: str, key: str, value: str) -> list[dict[str, str]]:
    items = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        code, _, amount = part.partition(":")
        items.append({key: code.strip(), value: _share(amount.strip())})
    return items


def project(row: dict[str, str], owner: str) -> ProjectCreate:
    """The row as the registry's input model; ValidationError names the fields."""

    def texts(prefix: str) -> dict[str, str]:
        return {lang: row[f"{prefix}_{lang}"] for lang in ("ca", "es", "en") if row.get(f"{prefix}_{lang}")}

    goals = _pairs(row.get("sdg_goals", ""), "goal", "share")
    targets = [t.strip() for t in row.get("sdg_targets", "").split(";") if t.strip()]
    for goal in goals:
        goal_targets = [t for t in targets if t.split(".")[0] == goal["goal"]]
        goal["targets"] = goal_targets  # type: ignore[assignment]
    data: dict[str, Any] = {
        "owner": owner,
        "code": row.get("code", ""),
        "title": texts("title"),
        "description": texts("description"),
        "status": row.get("status") or "1",
        "visibility": row.get("visibility") or "draft",
        "modality": row.get("modality") or None,
        "sdg_goals": goals,
        "sectors": _pairs(row.get("sectors", ""), "code", "percentage"),
        "dates": {k: row[k] for k in ("planned_start", "planned_end") if row.get(k)},
    }
    if row.get("partner_city"):
        data["partner_cities"] = [{"name": row["partner_city"], "country": row.get("partner_country", "")}]
    if row.get("partner_country"):
        data["recipient_countries"] = [{"code": row["partner_country"], "percentage": "100"}]
    institution = codelists()["institutions"].get(owner)
    name = institution.label("ca") if institution else owner
    data["participating_orgs"] = [{"ref": owner, "name": name, "role": "1", "type": "10"}]
    return ProjectCreate.model_validate(data)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
