"""Builders of project payloads for tests."""

from __future__ import annotations

import itertools
from typing import Any

_codes = itertools.count(1)


def project_payload(**overrides: Any) -> dict[str, Any]:
    """A valid project; each call gets a new code (unique per owner)."""
    body: dict[str, Any] = {
        "owner": "ajuntament-barcelona",
        "code": f"T-{next(_codes):05d}",
        "title": {"ca": "Aigua i sanejament a Maputo", "pt": "Água e saneamento em Maputo"},
        "description": {"ca": "Projecte de prova."},
        "status": "2",
        "visibility": "published",
        "partner_cities": [{"name": "Maputo", "country": "MZ"}],
        "sdg_goals": [{"goal": "6", "share": "60"}, {"goal": "11", "share": "40"}],
    }
    body.update(overrides)
    return body
