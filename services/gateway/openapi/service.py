"""One OpenAPI 3.1 document for the whole platform, merged from the services' own documents."""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import time
from typing import Any

import httpx

from shared.contracts.asyncapi import document

log = logging.getLogger("xarxa.gateway.openapi")


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                name = value.rsplit("/", 1)[1]
                out[key] = "#/components/schemas/" + renames.get(name, name)
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def merge_documents(base: dict[str, Any], parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge service documents into `base` (the gateway's own).

    Only `/api/...` paths are taken from services. A schema name used by two services for
    different shapes is renamed `<Service><Name>` in the later one, with its references.
    """
    merged = copy.deepcopy(base)
    merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    tags = {t["name"]: t for t in merged.get("tags", [])}
    for service, doc in parts.items():
        renames: dict[str, str] = {}
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service.capitalize()}{name}"
        doc = _rewrite_refs(doc, renames)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = schema
        for path, item in doc.get("paths", {}).items():
            if path.startswith(f"/api/{service}/") or path == f"/api/{service}":
                merged["paths"][path] = item
        for tag in doc.get("tags", []):
            tags.setdefault(tag["name"], tag)
        for name, scheme in doc.get("components", {}).get("securitySchemes", {}).items():
            merged["components"].setdefault("securitySchemes", {})[name] = scheme
    if tags:
        merged["tags"] = list(tags.values())
    return merged


class OpenApiMerger:
    def __init__(self, clients: dict[str, httpx.AsyncClient], cache_seconds: float) -> None:
        self.clients = clients
        self.cache_seconds = cache_seconds
        self._cached: dict[str, Any] | None = None
        self._cached_at = 0.0

    async def document(self, base: dict[str, Any]) -> dict[str, Any]:
        if self._cached is not None and time.monotonic() - self._cached_at < self.cache_seconds:
            return self._cached
        names = list(self.clients)
        fetched = await asyncio.gather(*(self._fetch(n) for n in names))
        parts = {name: doc for name, doc in zip(names, fetched, strict=True) if doc is not None}
        merged = merge_documents(base, parts)
        missing = [name for name in names if name not in parts]
        if missing:
            merged.setdefault("info", {})["x-unavailable-services"] = missing
        else:  # only a complete document is cached
            self._cached, self._cached_at = merged, time.monotonic()
        return merged

    async def _fetch(self, service: str) -> dict[str, Any] | None:
        try:
            response = await self.clients[service].get("/openapi.json", timeout=5.0)
            response.raise_for_status()
            doc: dict[str, Any] = response.json()
            return doc
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("no OpenAPI document from %s: %s", service, exc)
            return None


@functools.cache
def asyncapi() -> dict[str, Any]:
    """Every topic and event of the platform, from the contracts in shared/ (built once)."""
    return document()
