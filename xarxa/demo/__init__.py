"""Demo data and demo API clients for `xarxa up`, loaded through the public API like any client."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx

from shared.codelists import codelists
from shared.db import create_engine, create_sessionmaker, transaction
from shared.infra.paths import DEPLOY_LOCAL
from xarxa.demo.funding import load_funding_demo
from xarxa.demo.grants import load_grants_demo
from xarxa.demo.history import params, recorded, registration_and_closure, registration_day

DEMO_DIR = DEPLOY_LOCAL / "demo"

# One client per kind of user; secrets are generated on first start and kept in the state folder.
DEMO_CLIENTS: dict[str, dict[str, Any]] = {
    "admin": {"tenant": "xarxa", "tenant_kind": "institution", "scopes": ["admin"]},
    "ajuntament": {
        "tenant": "ajuntament-barcelona",
        "tenant_kind": "institution",
        "scopes": ["projects:read", "projects:write", "funding:write", "updates:review", "reports:read"],
    },
    "amb": {
        "tenant": "amb",
        "tenant_kind": "institution",
        "scopes": ["projects:read", "projects:write", "funding:write", "updates:review", "reports:read"],
    },
    "maputo": {"tenant": "MZ-CMM", "tenant_kind": "partner", "scopes": ["projects:read", "updates:push"]},
    "dashboard": {"tenant": "xarxa-public", "tenant_kind": "institution", "scopes": ["reports:read"]},
    "ngo": {"tenant": "ENT-AIGUA", "tenant_kind": "partner", "scopes": ["grants:apply"]},
}


def ensure_demo_clients(database_url: str, path: Path) -> dict[str, dict[str, Any]]:
    """Create the demo clients that the gateway database lacks; return their credentials."""
    saved: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}
    asyncio.run(_ensure(database_url, saved))
    path.write_text(json.dumps(saved, indent=2))
    os.chmod(path, 0o600)
    return saved


async def _ensure(database_url: str, saved: dict[str, dict[str, Any]]) -> None:
    from services.gateway.clients.models import Client
    from services.gateway.clients.service import create_client

    engine = create_engine(database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            for name, spec in DEMO_CLIENTS.items():
                client_id = f"demo-{name}"
                existing = await session.get(Client, client_id)
                if existing is not None and name in saved:
                    continue  # the database and the file both know it
                if existing is not None:  # its secret was lost with the file: replace the client
                    await session.delete(existing)
                    await session.flush()
                created = await create_client(
                    session,
                    name=f"Demo {name}",
                    client_id=client_id,
                    secret=saved.get(name, {}).get("client_secret"),
                    **spec,
                )
                saved[name] = {"client_id": client_id, "client_secret": created.secret, **spec}
    finally:
        await engine.dispose()


def fetch_token(gateway: str, credentials: dict[str, Any]) -> str:
    response = httpx.post(
        f"{gateway}/oauth/token",
        timeout=30,
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _generated_projects() -> list[dict[str, Any]]:
    """Deterministic: every other (theme, city) pair, spread over 2021-2026."""
    spec = json.loads((DEMO_DIR / "portfolio.json").read_text())
    projects: list[dict[str, Any]] = []
    pairs = [(theme, city) for theme in spec["themes"] for city in spec["cities"]]
    for index, (theme, city) in enumerate(pairs):
        if index % 2:
            continue
        year = 2021 + (index // 2) % 6
        owner = theme["owner"]
        prefix = "AMB" if owner == "amb" else "BCN"
        languages = {"ca", "es", "en", city["lang"]}
        title = {lang: text.format(city=city["name"]) for lang, text in theme["title"].items() if lang in languages}
        status = "4" if year <= 2022 else "1" if year == 2026 else "2"
        eu_funded = owner == "amb" and index % 4 == 0
        kind = "amb entitats" if theme["modality"] == "ngo-grant" else "tècnica"
        institution = codelists()["institutions"].get(owner)
        assert institution is not None
        funder = {"ref": owner, "name": institution.label("ca"), "role": "1", "type": "10", "side": "barcelona"}
        orgs = [funder, {**city["org"], "role": "4", "type": "10", "side": "partner"}]
        if eu_funded:
            orgs.append(dict(spec["eu_funder"]))
        project: dict[str, Any] = {
            "owner": owner,
            "code": f"{prefix}-{theme['key'].upper()}-{year}-{index:02d}",
            "status": status,
            "visibility": "draft" if status == "1" else "published",
            "title": title,
            "description": {"ca": f"{title['ca']}: cooperació {kind} amb {city['org']['name']}."},
            "modality": theme["modality"],
            "intervention_line": theme["key"],
            # By name and country: the registry gives each its GeoNames id and coordinates.
            "partner_cities": [{"name": city["name"], "country": city["country"]}],
            "recipient_countries": [{"code": city["country"], "percentage": "100"}],
            "participating_orgs": orgs,
            "networks": spec["networks"][theme["key"]],
            "sectors": [{"code": code, "percentage": pct} for code, pct in theme["sectors"]],
            "sdg_goals": [{"goal": goal, "share": share, "targets": targets} for goal, share, targets in theme["sdg"]],
            "dates": {
                "planned_start": f"{year}-01-01",
                "planned_end": f"{year + 1}-12-31",
                **({"actual_start": f"{year}-02-01"} if status != "1" else {}),
                **({"actual_end": f"{year + 1}-12-15"} if status == "4" else {}),
            },
            "tags": ["eu-funded"] if eu_funded else [],
        }
        if "marker" in theme:
            project["policy_markers"] = [{"code": theme["marker"], "significance": "2"}]
        if theme["modality"] == "technical-cooperation":
            project["exchanges"] = [
                {
                    "date": f"{year}-05-15",
                    "direction": "to-partner",
                    "institution": funder["name"],
                    "experts": 2 + index % 3,
                    "staff_days": str(8 + index % 5),
                    "value_eur": f"{(8 + index % 5) * 480}.00",
                }
            ]
        if "indicator" in theme:
            ind = theme["indicator"]
            periods = []
            for offset in (0, 1):
                period_year = year + offset
                target = str(int(ind["baseline"]) + (int(ind["target"]) - int(ind["baseline"])) * (offset + 1) // 2)
                reported = period_year < 2026 and status != "1"
                periods.append(
                    {
                        "start": f"{period_year}-01-01",
                        "end": f"{period_year}-12-31",
                        "target": target,
                        **({"actual": str(int(target) * (90 + index % 15) // 100)} if reported else {}),
                    }
                )
            project["results"] = [
                {
                    "type": "2",
                    "title": {"ca": ind["title"]["ca"], "en": ind["title"]["en"]},
                    "indicators": [
                        {
                            "title": ind["title"],
                            "measure": ind.get("measure", "1"),
                            "sdg_indicator": ind["sdg_indicator"],
                            "baseline": {"year": year - 1, "value": ind["baseline"]},
                            "disaggregations": ind.get("disaggregations", []),
                            "periods": periods,
                        }
                    ],
                }
            ]
        projects.append(project)
    return projects


def _institution_name(code: str) -> str:
    institution = codelists()["institutions"].get(code)
    assert institution is not None
    return institution.label("ca")


def _programme() -> list[dict[str, Any]]:
    """An AMB programme with projects implemented by metropolitan municipalities under it ("parent_code");
    a programme holds projects of its own owner only, so AMB owns them and each municipality implements."""
    spec = json.loads((DEMO_DIR / "portfolio.json").read_text())
    programme = spec["programme"]
    themes = {t["key"]: t for t in spec["themes"]}
    cities = {c["name"]: c for c in spec["cities"]}
    projects: list[dict[str, Any]] = [
        {
            "owner": programme["owner"],
            "code": programme["code"],
            "status": "2",
            "visibility": "published",
            "title": programme["title"],
            "description": {
                "ca": "Programa metropolità que coordina la cooperació dels municipis de l'AMB amb les seves "
                "ciutats sòcies."
            },
            "recipient_regions": UNSPECIFIED_REGION,
            "sectors": [{"code": "43030", "percentage": "100"}],
            "modality": "city-exchange",
            "networks": ["metropolis"],
            "sdg_goals": [{"goal": "11", "share": "50"}, {"goal": "17", "share": "50", "targets": ["17.17"]}],
            "participating_orgs": [
                {"ref": "amb", "name": "Àrea Metropolitana de Barcelona", "role": "2", "type": "10"}
            ],
            "dates": {"planned_start": "2023-01-01", "planned_end": "2026-12-31", "actual_start": "2023-03-01"},
        }
    ]
    for number, (municipality, theme_key, city_name) in enumerate(programme["members"], start=1):
        theme, city = themes[theme_key], cities[city_name]
        projects.append(
            {
                "owner": programme["owner"],
                "code": f"COORD-{number:02d}",
                "status": "2",
                "visibility": "published",
                "parent_code": programme["code"],
                "title": {
                    lang: text.format(city=city["name"])
                    for lang, text in theme["title"].items()
                    if lang in ("ca", "es", "en")
                },
                "description": {
                    "ca": f"{_institution_name(municipality)} i {city['org']['name']}, dins del programa "
                    f"{programme['code']}."
                },
                "partner_cities": [{"name": city["name"], "country": city["country"]}],
                "recipient_countries": [{"code": city["country"], "percentage": "100"}],
                "participating_orgs": [
                    {"ref": municipality, "name": _institution_name(municipality), "role": "4", "type": "10"},
                    {**city["org"], "role": "4", "type": "10", "side": "partner"},
                ],
                "sdg_goals": [
                    {"goal": goal, "share": share, "targets": targets} for goal, share, targets in theme["sdg"]
                ],
                "sectors": [{"code": code, "percentage": pct} for code, pct in theme["sectors"]],
                "modality": theme["modality"],
                "dates": {"planned_start": "2024-01-01", "planned_end": "2025-12-31", "actual_start": "2024-02-01"},
            }
        )
    return projects


# What the hand-written projects (deploy/local/demo/projects.json) lack to be published as IATI
# activities: a sector (OECD DAC purpose code) each; their planned start is 1 January of the year
# in their code and their recipient countries those of their partner cities.
HAND_WRITTEN_SECTORS = {
    "BCN-HAV-2023-01": "16040",  # low-cost housing
    "BCN-MPM-2022-03": "14050",  # waste management
    "BCN-MDE-2024-02": "15220",  # civilian peace-building
    "BCN-BOG-2025-01": "15170",  # women's rights and government institutions
    "AMB-MED-2023-04": "14010",  # water sector policy and management
    "AMB-LAT-2022-02": "21010",  # transport policy and management
    "AMB-AFR-2024-01": "43030",  # urban development and management
    "BCN-EDU-2024-05": "99820",  # development awareness
    "BCN-MPM-2026-01": "32130",  # small and medium-sized enterprises
}
# Development education and programmes over several countries: developing countries, unspecified.
UNSPECIFIED_REGION = [{"code": "998", "percentage": "100"}]


def _recipients(partner_cities: list[dict[str, Any]]) -> dict[str, Any]:
    countries = sorted({city["country"] for city in partner_cities})
    if len(countries) != 1:
        return {"recipient_regions": UNSPECIFIED_REGION}
    return {"recipient_countries": [{"code": countries[0], "percentage": "100"}]}


def _completed(project: dict[str, Any]) -> dict[str, Any]:
    year = project["code"].split("-")[2]
    return {
        "dates": {"planned_start": f"{year}-01-01"},
        **_recipients(project.get("partner_cities", [])),
        "sectors": [{"code": HAND_WRITTEN_SECTORS[project["code"]], "percentage": "100"}],
        **project,
    }


def demo_projects() -> list[dict[str, Any]]:
    """The whole demo portfolio: the hand-written projects, a coordinated programme, the generated rest."""
    hand_written: list[dict[str, Any]] = json.loads((DEMO_DIR / "projects.json").read_text())
    return [*(_completed(p) for p in hand_written), *_programme(), *_generated_projects()]


def load_demo_data(gateway: str, admin: dict[str, Any], *, only_if_empty: bool = True) -> list[str]:
    """Create the demo projects and their money through the API. Returns the project ids (none if
    the registry had projects already)."""
    headers = {"Authorization": f"Bearer {fetch_token(gateway, admin)}"}
    created: dict[str, str] = {}
    with httpx.Client(base_url=gateway, timeout=30, headers=headers) as client:
        existing = client.get("/api/projects/projects", params={"limit": 1})
        existing.raise_for_status()
        if only_if_empty and existing.json()["items"]:
            load_grants_demo(client)  # state written before grant calls existed gets them now
            return []
        for project in demo_projects():
            body, closure = registration_and_closure({k: v for k, v in project.items() if k != "parent_code"})
            if "parent_code" in project:
                body["parent_id"] = created[project["parent_code"]]
            # A migration from an earlier system: each project as it was recorded there, on the day it
            # started, and its later status changes on their own days (xarxa/demo/history.py).
            response = client.post(
                "/api/projects/projects",
                json=body,
                params=params(recorded(registration_day(body)), migration="true"),
                headers={"Idempotency-Key": f"demo-{body['owner']}-{body['code']}"},
            )
            if response.status_code != 201:
                raise RuntimeError(f"demo project {body['code']} refused: {response.text}")
            created[body["code"]] = response.json()["id"]
            etag = response.headers["etag"]
            for change, day in closure:
                changed = client.post(
                    f"/api/projects/projects/{created[body['code']]}/status",
                    json=change,
                    params=params(recorded(day)),
                    headers={"If-Match": etag},
                )
                if changed.status_code != 200:
                    raise RuntimeError(f"demo project {body['code']} status {change['status']}: {changed.text}")
                etag = changed.headers["etag"]
        projects = [client.get(f"/api/projects/projects/{i}").json() for i in created.values()]
        load_funding_demo(client, projects)
        load_grants_demo(client)
    return list(created.values())
