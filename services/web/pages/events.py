"""A readable page of the gateway's AsyncAPI document: every topic, who publishes and who reads it,
and its messages (no packaged AsyncAPI viewer works offline without a build step)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.pages.common import GatewayDep, Language, page

router = APIRouter()


def _ref(document: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def channels(document: dict[str, Any]) -> list[dict[str, Any]]:
    parties: dict[str, dict[str, list[str]]] = {}
    for name, operation in document.get("operations", {}).items():
        channel = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        service = name.split("_", 1)[0]
        parties.setdefault(channel, {"send": [], "receive": []})[operation["action"]].append(service)
    result = []
    for key, channel in document["channels"].items():
        messages = []
        for ref in channel.get("messages", {}).values():
            message = _ref(document, ref["$ref"])
            data = message.get("payload", {}).get("properties", {}).get("data", {})
            if "$ref" in data:
                data = _ref(document, data["$ref"])
            messages.append(
                {
                    "name": message.get("name", ""),
                    "summary": message.get("summary", ""),
                    "content_type": message.get("contentType", ""),
                    "fields": sorted(data.get("properties", {})),
                }
            )
        result.append(
            {
                "address": channel["address"],
                "description": channel.get("description", ""),
                "messages": messages,
                **parties.get(key, {"send": [], "receive": []}),
            }
        )
    return result


@router.get("/{lang}/events")
async def events(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    document = await gateway.asyncapi()
    context = {
        "title": "events",
        "info": document["info"],
        "version": document["asyncapi"],
        "channels": channels(document),
    }
    return page(request, lang, "events.html", context, document["info"].get("version", ""))
