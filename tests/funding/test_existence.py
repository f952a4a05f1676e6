"""One answer for "not visible to you" and "not there" on the funding routes, reversal included;
partners read what they take part in; archived projects are read-only except for reversals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.auth import Tokens, fetch_token, register_client
from tests.support.funding import FundedProject
from tests.support.grants import open_call
from tests.support.stack import Stack
from tests.support.waiting import eventually


def booking(**extra: Any) -> dict[str, Any]:
    return {
        "transaction_type": "2",
        "amount": "100.00",
        "currency": "EUR",
        "value_date": "2025-03-10",
        "instrument": "conveni",
        **extra,
    }


BUDGET_LINE = {"period_start": "2025-01-01", "period_end": "2025-12-31", "amount": "100.00", "currency": "EUR"}


def same_answer(hidden: httpx.Response, missing: httpx.Response, hidden_id: str, missing_id: str) -> None:
    """The answer about something hidden equals the one about a random id, once the ids are swapped."""
    assert hidden.status_code == missing.status_code == 404, (hidden.text, missing.text)
    first: dict[str, Any] = hidden.json()
    second: dict[str, Any] = missing.json()
    for body in (first, second):
        body.pop("request_id", None)
        body.pop("instance", None)
    assert first == {k: v.replace(missing_id, hidden_id) if isinstance(v, str) else v for k, v in second.items()}


async def client_of(stack: Stack, tokens: Tokens, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers(name))


async def test_another_tenants_entry_and_project_are_answered_like_random_ids(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    pid, missing = project["id"], str(uuid.uuid4())
    entry = (await gateway.post(f"/api/funding/projects/{pid}/transactions", json=booking())).json()
    async with await client_of(stack, tokens, "amb") as amb:
        hidden = await amb.post(f"/api/funding/transactions/{entry['id']}/reverse", json={"reason": "not mine"})
        absent = await amb.post(f"/api/funding/transactions/{missing}/reverse", json={"reason": "not mine"})
        same_answer(hidden, absent, entry["id"], missing)
        assert pid not in hidden.text, "the entry's project is not revealed"
        for method, path, body in (
            ("GET", "/api/funding/projects/{}/transactions", None),
            ("GET", "/api/funding/projects/{}/budget-lines", None),
            ("GET", "/api/funding/projects/{}/summary", None),
            ("GET", "/api/funding/project-refs/{}", None),
            ("POST", "/api/funding/projects/{}/transactions", booking()),
            ("POST", "/api/funding/projects/{}/budget-lines", BUDGET_LINE),
        ):
            same_answer(
                await amb.request(method, path.format(pid), json=body),
                await amb.request(method, path.format(missing), json=body),
                pid,
                missing,
            )
    ledger = (await gateway.get(f"/api/funding/projects/{pid}/transactions")).json()["items"]
    assert [t["id"] for t in ledger] == [entry["id"]], "nothing was reversed or booked"


async def test_a_partner_reads_the_money_of_projects_it_takes_part_in_but_books_nothing(
    stack: Stack, funded_project: FundedProject, gateway: httpx.AsyncClient
) -> None:
    tenant = f"P-{uuid.uuid4().hex[:8]}"
    project = await funded_project(participating_orgs=[{"ref": tenant, "name": "Partner", "role": "4"}])
    other = await funded_project()
    entry = (await gateway.post(f"/api/funding/projects/{project['id']}/transactions", json=booking())).json()
    creds = await register_client(stack, tenant, "partner", ["reports:read", "funding:write"])
    headers = {"Authorization": f"Bearer {await fetch_token(stack.gateway, creds)}"}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers) as partner:

        async def reads() -> bool:
            ref = await partner.get(f"/api/funding/project-refs/{project['id']}")
            return ref.status_code == 200 and tenant in ref.json()["partners"]

        await eventually(reads, what="the partner in the funding service's reference")
        summary = await partner.get(f"/api/funding/projects/{project['id']}/summary")
        assert summary.status_code == 200 and summary.json()["totals"]["committed_eur"] == "100.00"
        # It sees the entry, so it is told it may not reverse or book: a refusal, not a 404.
        reversal = await partner.post(f"/api/funding/transactions/{entry['id']}/reverse", json={"reason": "x"})
        assert reversal.status_code == 403 and reversal.json()["type"].endswith("/other-tenant")
        booked = await partner.post(f"/api/funding/projects/{project['id']}/transactions", json=booking())
        assert booked.status_code == 403
        assert (await partner.get(f"/api/funding/projects/{other['id']}/summary")).status_code == 404


async def test_archived_projects_are_read_only_except_for_reversals(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    pid = project["id"]
    entry = (await gateway.post(f"/api/funding/projects/{pid}/transactions", json=booking())).json()
    archived = await gateway.post(f"/api/projects/projects/{pid}/archive", headers={"If-Match": '"1"'})
    assert archived.status_code == 200, archived.text

    async def archived_here() -> bool:
        return bool((await gateway.get(f"/api/funding/project-refs/{pid}")).json()["archived"])

    await eventually(archived_here, what="the archive in the funding service")
    booked = await gateway.post(f"/api/funding/projects/{pid}/transactions", json=booking())
    assert booked.status_code == 409 and booked.json()["type"].endswith("/project-not-fundable")
    line = await gateway.post(f"/api/funding/projects/{pid}/budget-lines", json=BUDGET_LINE)
    assert line.status_code == 409 and line.json()["type"].endswith("/project-not-fundable")
    imported = await gateway.post(
        "/api/funding/imports/transactions",
        params={"owner": project["owner"]},
        content=(
            "project_code,transaction_type,amount,currency,value_date,instrument\n"
            f"{project['code']},2,10.00,EUR,2025-03-10,conveni\n"
        ).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert imported.status_code == 200 and imported.json()["refused"] == 1, imported.text
    reversal = await gateway.post(f"/api/funding/transactions/{entry['id']}/reverse", json={"reason": "Wrong project"})
    assert reversal.status_code == 201, reversal.text
    summary = (await gateway.get(f"/api/funding/projects/{pid}/summary")).json()
    assert summary["totals"]["committed_eur"] == "0.00"


async def test_another_institutions_draft_call_is_not_there(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    draft = await open_call(gateway, draft=True)
    published = await open_call(gateway)
    missing = str(uuid.uuid4())
    async with await client_of(stack, tokens, "amb") as amb:
        for method, path, body in (
            ("POST", "/api/funding/grants/calls/{}/status", {"status": "open"}),
            ("POST", "/api/funding/grants/calls/{}/resolutions/provisional", None),
            ("GET", "/api/funding/grants/calls/{}", None),
            ("GET", "/api/funding/grants/calls/{}/applications", None),
        ):
            same_answer(
                await amb.request(method, path.format(draft), json=body),
                await amb.request(method, path.format(missing), json=body),
                draft,
                missing,
            )
        # A published call is public: changing it is refused, not hidden.
        refused = await amb.post(f"/api/funding/grants/calls/{published}/status", json={"status": "closed"})
        assert refused.status_code == 403
    assert (await gateway.get(f"/api/funding/grants/calls/{draft}")).json()["status"] == "draft"
