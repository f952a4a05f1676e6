"""Tenant rules of the applicant entities, with the tokens of several principals: an entity sees
itself, an institution the applicants of its own calls, an admin all; an entity registers only its
own tenant; no answer tells whether a tax id or a tenant is taken, or by whom."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.auth import Tokens
from tests.support.grants import (
    application_body,
    entity_body,
    entity_client,
    open_call,
    registered_entity,
    tax_id,
)
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


async def test_a_tax_id_is_checked_with_its_check_digit_and_the_representative_is_asked_for(stack: Stack) -> None:
    tenant = f"ENT-V{uuid.uuid4().hex[:8]}"
    async with await entity_client(stack, tenant) as own:
        good = entity_body(tenant)
        representative = good["legal_representative"]
        wrong_digit = good["tax_id"][:-1] + ("1" if good["tax_id"][-1] != "1" else "2")
        refusals = {
            "tax_id": [entity_body(tenant, tax_id=v) for v in (wrong_digit, "12345678A", "X1234567A", "ABCDEFGHI")],
            "legal_representative.tax_id": [
                entity_body(tenant, legal_representative={**representative, "tax_id": v})
                for v in ("12345678A", good["tax_id"])  # a wrong letter; a company is not a person
            ],
            "legal_representative.post": [entity_body(tenant, legal_representative={**representative, "post": ""})],
            "legal_representative": [{k: v for k, v in good.items() if k != "legal_representative"}],
        }
        for field, bodies in refusals.items():
            for body in bodies:
                refused = await own.post("/api/funding/grants/entities", json=body)
                assert refused.status_code == 422, refused.text
                assert [e["field"] for e in refused.json()["errors"]] == [field], refused.text
        # Nothing was registered by the refusals; the tax id is kept as the check reads it.
        written = f"{good['tax_id'][0].lower()}-{good['tax_id'][1:]}"
        created = await own.post("/api/funding/grants/entities", json={**good, "tax_id": written})
        assert created.status_code == 201, created.text
        assert created.json()["tax_id"] == good["tax_id"]
        assert created.json()["legal_representative"] == representative
        fetched = await own.get(f"/api/funding/grants/entities/{created.json()['id']}")
        assert fetched.json()["legal_representative"] == representative


async def test_an_entity_lists_its_own_applications_of_a_call(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    first, _ = await registered_entity(stack)
    second, _ = await registered_entity(stack)
    unregistered = await entity_client(stack)
    try:
        call_id = await open_call(gateway)
        url = f"/api/funding/grants/calls/{call_id}/applications"
        own = [(await first.post(url, json=application_body())).json()["id"] for _ in range(2)]
        theirs = (await second.post(url, json=application_body())).json()["id"]
        listed = await first.get(url)
        assert listed.status_code == 200, listed.text
        assert sorted(a["id"] for a in listed.json()["items"]) == sorted(own)
        assert [a["id"] for a in (await second.get(url)).json()["items"]] == [theirs]
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as officer:
            assert {a["id"] for a in (await officer.get(url)).json()["items"]} == {*own, theirs}
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as other:
            assert (await other.get(url)).status_code == 404
        # A client with no entity, and any caller on a draft call, learn nothing.
        assert (await unregistered.get(url)).status_code == 404
        draft = await open_call(gateway, draft=True)
        assert (await first.get(f"/api/funding/grants/calls/{draft}/applications")).status_code == 404
    finally:
        for client in (first, second, unregistered):
            await client.aclose()
