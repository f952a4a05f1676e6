"""Demo data for `xarxa up`: loaded through the public API on first start, like any client would."""

from __future__ import annotations

import json

import httpx

from shared.infra.paths import DEPLOY_LOCAL

DEMO_DIR = DEPLOY_LOCAL / "demo"


def load_demo_data(gateway: str) -> bool:
    """Create the demo projects unless the registry already holds projects. Returns whether it loaded."""
    with httpx.Client(base_url=gateway, timeout=30) as client:
        existing = client.get("/api/projects/projects", params={"limit": 1})
        existing.raise_for_status()
        if existing.json()["items"]:
            return False
        for project in json.loads((DEMO_DIR / "projects.json").read_text()):
            response = client.post("/api/projects/projects", json=project)
            if response.status_code != 201:
                raise RuntimeError(f"demo project {project['code']} refused: {response.text}")
    return True
