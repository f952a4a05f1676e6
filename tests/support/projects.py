"""Builders of project payloads for tests."""

from __future__ import annotations

from typing import Any

from tests.support.unique import unique_code


def _shares(count: int) -> list[str]:
    """`count` percentages that add up to exactly 100."""
    if count == 1:
        return ["100"]
    cents = [10000 // count + (1 if i < 10000 % count else 0) for i in range(count)]
    return [f"{c // 100}.{c % 100:02d}" for c in cents]


def project_payload(**overrides: Any) -> dict[str, Any]:
    """A valid project of the Ajuntament; each call gets a new code (unique per owner).

    It has what publishing requires (a planned start, a recipient country, a sector, a participating
    organisation, a description): recipient countries follow the partner cities and the participating
    organisation is the owner itself (so that it names no partner), unless overridden."""
    body: dict[str, Any] = {
        "owner": "ajuntament-barcelona",
        "code": unique_code("T"),
        "title": {"ca": "Aigua i sanejament a Maputo", "pt": "Água e saneamento em Maputo"},
        "description": {"ca": "Projecte de prova."},
        "status": "2",
        "visibility": "published",
        "partner_cities": [{"name": "Maputo", "country": "MZ"}],
        "sdg_goals": [{"goal": "6", "share": "60"}, {"goal": "11", "share": "40"}],
        "sectors": [{"code": "14030", "percentage": "100"}],
        "dates": {"planned_start": "2024-01-01"},
    }
    body.update(overrides)
    dates = body.get("dates")
    if body.get("visibility") == "published" and isinstance(dates, dict) and not dates.get("planned_start"):
        # Dates overridden without a planned start: the earliest date given stands for it.
        given = sorted(str(v) for v in dates.values() if isinstance(v, str) and v)
        body["dates"] = {**dates, "planned_start": given[0] if given else "2024-01-01"}
    if "recipient_countries" not in overrides and "recipient_regions" not in overrides:
        countries = sorted({city["country"] for city in body.get("partner_cities") or []} or {"MZ"})
        body["recipient_countries"] = [
            {"code": code, "percentage": share} for code, share in zip(countries, _shares(len(countries)), strict=True)
        ]
    if "participating_orgs" not in overrides:
        body["participating_orgs"] = [{"ref": body["owner"], "name": str(body["owner"]), "role": "1", "type": "10"}]
    return body


def rich_project_payload(**overrides: Any) -> dict[str, Any]:
    """A project that uses every part of the model."""
    indicator = {
        "title": {"ca": "Llars amb aigua potable", "en": "Households with drinking water"},
        "measure": "1",
        "baseline": {"year": 2023, "value": "1200"},
        "sdg_indicator": "6.1.1",
        "disaggregations": ["sex"],
        "periods": [
            {
                "start": "2024-01-01",
                "end": "2024-12-31",
                "target": "2000",
                "actual": "1850",
                "disaggregated": [{"dimensions": {"sex": "female"}, "target": "1000", "actual": "950"}],
            }
        ],
    }
    return project_payload(
        title={"ca": "Aigua a Maputo", "es": "Agua en Maputo", "en": "Water in Maputo", "pt": "Água em Maputo"},
        objectives={"ca": "Ampliar l'accés a l'aigua potable."},
        intervention_line="Serveis urbans bàsics",
        modality="technical-cooperation",
        partner_cities=[
            {"name": "Maputo", "country": "MZ", "region": "Maputo Cidade", "latitude": -25.9692, "longitude": 32.5732}
        ],
        recipient_countries=[{"code": "MZ", "percentage": "100"}],
        participating_orgs=[
            {
                "ref": "ajuntament-barcelona",
                "name": "Ajuntament de Barcelona",
                "role": "1",
                "type": "10",
                "side": "barcelona",
            },
            {"ref": "MZ-CMM", "name": "Conselho Municipal de Maputo", "role": "4", "type": "10", "side": "partner"},
        ],
        networks=["uclg"],
        sectors=[{"code": "14030", "percentage": "70"}, {"code": "15112", "percentage": "30"}],
        sdg_goals=[{"goal": "6", "share": "80", "targets": ["6.1", "6.b"]}, {"goal": "5", "share": "20"}],
        policy_markers=[{"code": "1", "significance": "1"}],
        dates={"planned_start": "2024-01-01", "planned_end": "2025-12-31", "actual_start": "2024-02-01"},
        exchanges=[
            {
                "date": "2024-05-10",
                "direction": "to-partner",
                "institution": "Barcelona Cicle de l'Aigua",
                "experts": 2,
                "staff_days": "10",
                "value_eur": "4800.00",
            }
        ],
        documents=[
            {
                "url": "https://ajuntament.barcelona.cat/relacionsinternacionals/",
                "title": {"ca": "Fitxa"},
                "category": "A02",
                "language": "ca",
            }
        ],
        tags=["aigua"],
        results=[{"type": "2", "title": {"ca": "Més accés a l'aigua"}, "indicators": [indicator]}],
        **overrides,
    )
