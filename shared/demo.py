"""Demo data and demo API clients for `xarxa up`, loaded through the public API like any client."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx

from shared.db import create_engine, create_sessionmaker, transaction
from shared.infra.paths import DEPLOY_LOCAL

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


def load_demo_data(gateway: str, admin: dict[str, Any]) -> bool:
    """Create the demo projects unless the registry already holds projects. Returns whether it loaded."""
    headers = {"Authorization": f"Bearer {fetch_token(gateway, admin)}"}
    with httpx.Client(base_url=gateway, timeout=30, headers=headers) as client:
        existing = client.get("/api/projects/projects", params={"limit": 1})
        existing.raise_for_status()
        if existing.json()["items"]:
            return False
        for project in json.loads((DEMO_DIR / "projects.json").read_text()):
            response = client.post("/api/projects/projects", json=project)
            if response.status_code != 201:
                raise RuntimeError(f"demo project {project['code']} refused: {response.text}")
    return True
