"""Tenant rules of the applicant entities, with the tokens of several principals: an entity sees
itself, an institution the applicants of its own calls, an admin all; an entity registers only its
own tenant; no answer tells whether a tax id or a tenant is taken, or by whom."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.funding.grants.helpers import (
    application_body,
    entity_body,
    entity_client,
    open_call,
    registered_entity,
    tax_id,
)
from tests.support.auth import Tokens
from tests.support.stack import Stack


def same_answer(a: httpx.Response, b: httpx.Response, *, ids: tuple[str, str] | None = None) -> None:
    """Two problem answers that differ in nothing but the id asked for (and request ids)."""
    assert a.status_code == b.status_code
    first: dict[str, Any] = a.json()
    second: dict[str, Any] = b.json()
    for body in (first, second):
        body.pop("request_id", None)
        body.pop("instance", None)
    if ids:
        second = {k: (v.replace(ids[1], ids[0]) if isinstance(v, str) else v) for k, v in second.items()}
    assert first == second


async def test_an_entity_registers_only_itself(stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient) -> None:
    tenant = f"ENT-R{uuid.uuid4().hex[:8]}"
    async with await entity_client(stack, tenant) as own:
        other = await own.post("/api/funding/grants/entities", json=entity_body(f"ENT-X{uuid.uuid4().hex[:8]}"))
        assert other.status_code == 403 and other.json()["type"].endswith("/other-tenant")
        chosen_ref = await own.post("/api/funding/grants/entities", json=entity_body(tenant, org_ref="MZ-CMM"))
        assert chosen_ref.status_code == 422 and chosen_ref.json()["errors"][0]["field"] == "org_ref"
        created = await own.post("/api/funding/grants/entities", json=entity_body(tenant))
        assert created.status_code == 201, created.text
        assert created.json()["org_ref"].startswith("XARXA-ENT-")
    # An institution's officers do not register entities for tenants that are not theirs.
    for name in ("ajuntament", "maputo", "finance"):
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers(name)) as client:
            refused = await client.post(
                "/api/funding/grants/entities", json=entity_body(f"ENT-Y{uuid.uuid4().hex[:8]}")
            )
            assert refused.status_code == 403, (name, refused.text)
    by_admin = await gateway.post(
        "/api/funding/grants/entities", json=entity_body(f"ENT-A{uuid.uuid4().hex[:8]}", org_ref="ES-CIF-G1")
    )
    assert by_admin.status_code == 201 and by_admin.json()["org_ref"] == "ES-CIF-G1"


async def test_a_taken_tax_id_or_tenant_gets_one_neutral_answer(stack: Stack, gateway: httpx.AsyncClient) -> None:
    first_client, first = await registered_entity(stack)
    await first_client.aclose()
    tenant = f"ENT-T{uuid.uuid4().hex[:8]}"
    async with await entity_client(stack, tenant) as second:
        duplicate = entity_body(tenant, tax_id=first["tax_id"])
        taken_tax_id = await second.post("/api/funding/grants/entities", json=duplicate)
        assert taken_tax_id.status_code == 409
        created = await second.post("/api/funding/grants/entities", json=entity_body(tenant))
        assert created.status_code == 201
        taken_tenant = await second.post("/api/funding/grants/entities", json=entity_body(tenant, tax_id=tax_id()))
        assert taken_tenant.status_code == 409
    for answer in (taken_tax_id, taken_tenant):
        text = answer.text
        assert first["tenant"] not in text and first["name"] not in text and first["id"] not in text
        assert first["tax_id"] not in text and tenant not in text
    same_answer(taken_tax_id, taken_tenant)
    # An admin gets the same wording.
    by_admin = await gateway.post("/api/funding/grants/entities", json=entity_body(first["tenant"]))
    same_answer(taken_tax_id, by_admin)


async def test_who_sees_an_entity(stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient) -> None:
    applicant, entity = await registered_entity(stack)
    stranger, other = await registered_entity(stack)
    missing = str(uuid.uuid4())
    url = "/api/funding/grants/entities/{}"

    async def as_(name: str, entity_id: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers(name)) as client:
            return await client.get(url.format(entity_id))

    try:
        assert (await applicant.get(url.format(entity["id"]))).json()["tax_id"] == entity["tax_id"]
        # Another NGO, and the institution it has not applied to yet: exactly what an unknown id gets.
        same_answer(
            await stranger.get(url.format(entity["id"])),
            await stranger.get(url.format(missing)),
            ids=(entity["id"], missing),
        )
        unknown = await as_("ajuntament", missing)
        assert unknown.status_code == 404
        same_answer(await as_("ajuntament", entity["id"]), unknown, ids=(entity["id"], missing))
        # Once it applies to a call of the Ajuntament, the Ajuntament sees it; AMB still does not.
        call_id = await open_call(gateway)
        applied = await applicant.post(f"/api/funding/grants/calls/{call_id}/applications", json=application_body())
        assert applied.status_code == 201, applied.text
        assert (await as_("ajuntament", entity["id"])).status_code == 200
        same_answer(await as_("amb", entity["id"]), await as_("amb", missing), ids=(entity["id"], missing))
        same_answer(await as_("ajuntament", other["id"]), unknown, ids=(other["id"], missing))
        # The applicant does not see the other NGO either; admins see all; no scope, no answer.
        assert (await applicant.get(url.format(other["id"]))).status_code == 404
        assert (await gateway.get(url.format(other["id"]))).status_code == 200
        assert (await as_("maputo", entity["id"])).status_code == 403
        assert (await as_("finance", entity["id"])).status_code == 403
    finally:
        await applicant.aclose()
        await stranger.aclose()
