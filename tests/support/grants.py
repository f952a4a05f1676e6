"""Open calls and entities with their own API clients, for the grant call's security tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from stdnum.es import cif

from tests.support.auth import fetch_token, register_client
from tests.support.projects import project_payload
from tests.support.stack import Stack


def call_body(code: str, institution: str = "ajuntament-barcelona") -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "institution": institution,
        "year": now.year,
        "code": code,
        "title": {"ca": "Convocatòria"},
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(hours=6)).isoformat(),
        "programmes": [{"code": "p", "title": {"ca": "Programa"}}],
        "modalities": [{"code": "m", "programme": "p", "title": {"ca": "M"}, "budget": {str(now.year): "9000.00"}}],
        "criteria": [{"code": "c", "title": {"ca": "Criteri"}, "max_points": "100"}],
        "min_score": "50",
        "eligibility": {"max_grant_eur": "1000.00", "max_months": 12, "entity_types": ["22"]},
    }


async def open_call(admin: httpx.AsyncClient, institution: str = "ajuntament-barcelona", draft: bool = False) -> str:
    created = await admin.post("/api/funding/grants/calls", json=call_body(f"SEC-{uuid.uuid4().hex[:8]}", institution))
    assert created.status_code == 201, created.text
    call_id = str(created.json()["id"])
    if not draft:
        opened = await admin.post(f"/api/funding/grants/calls/{call_id}/status", json={"status": "open"})
        assert opened.status_code == 200, opened.text
    return call_id


def tax_id() -> str:
    """A new association's CIF (G), with its check digit."""
    base = f"G{uuid.uuid4().int % 10**7:07d}"
    return base + cif.calc_check_digits(base)[0]


REPRESENTATIVE = {"name": "Maria Puig i Soler", "tax_id": "12345678Z", "post": "Presidenta"}


def entity_body(tenant: str, **overrides: Any) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "name": f"Entitat {tenant}",
        "tax_id": tax_id(),
        "org_type": "22",
        "contact": {"email": "entitat@example.org"},
        "legal_representative": REPRESENTATIVE,
        **overrides,
    }


async def entity_client(stack: Stack, tenant: str | None = None) -> httpx.AsyncClient:
    """A new NGO's own API client (partner tenant, grants:apply); not registered as an entity yet."""
    tenant = tenant or f"ENT-S{uuid.uuid4().hex[:8]}"
    creds = await register_client(stack, tenant, "partner", ["grants:apply"])
    token = await fetch_token(stack.gateway, creds)
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers={"Authorization": f"Bearer {token}"})


async def registered_entity(stack: Stack) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    """An NGO that registered itself: its client and its entity."""
    tenant = f"ENT-S{uuid.uuid4().hex[:8]}"
    client = await entity_client(stack, tenant)
    registered = await client.post("/api/funding/grants/entities", json=entity_body(tenant))
    assert registered.status_code == 201, registered.text
    return client, registered.json()


def application_body(**proposal: Any) -> dict[str, Any]:
    payload = project_payload(**proposal)
    for key in ("owner", "code", "status", "visibility", "participating_orgs"):
        payload.pop(key, None)
    return {
        "modality": "m",
        "proposal": payload,
        "requested": {str(datetime.now(UTC).year): "500.00"},
        "duration_months": 6,
    }
