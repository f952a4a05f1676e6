"""A proposal stays a proposal: no partner access, no locked periods or approved actuals, no
in-kind exchanges, no registry links. Refused by the funding service (422 naming each field), and
left out of the registry's draft whatever a grant event carries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from services.funding.grants.schemas import Proposal
from shared.contracts.grants import APPLICATION_SUBMITTED, ApplicationSubmittedV1, EntityV1
from shared.contracts.project_input import ProjectProposal, proposal_draft
from shared.events import CloudEvent
from shared.kafka import FUNDING_TOPIC
from tests.support.auth import Tokens
from tests.support.grants import application_body, open_call, registered_entity
from tests.support.kafka import produce
from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually

MAPUTO = {"ref": "MZ-CMM", "name": "Conselho Municipal de Maputo", "role": "4"}
EXCHANGE = {
    "date": "2025-05-01",
    "direction": "to-partner",
    "institution": "Departament d'aigua",
    "experts": 1000,
    "staff_days": "999999.99",
    "value_eur": "9999999999999.99",
}


def indicator(**period: Any) -> dict[str, Any]:
    return {
        "title": {"ca": "Llars amb aigua"},
        "measure": "1",
        "disaggregations": ["sex"],
        "periods": [{"start": "2025-01-01", "end": "2025-12-31", "target": "100", **period}],
    }


def results(**period: Any) -> list[dict[str, Any]]:
    return [{"type": "1", "title": {"ca": "Aigua"}, "indicators": [indicator(**period)]}]


# (what the applicant tries, the proposal's extra fields, the fields the refusal must name)
HOSTILE: list[tuple[str, dict[str, Any], set[str]]] = [
    ("a partner with tenant access", {"participating_orgs": [MAPUTO]}, {"participating_orgs"}),
    (
        "another institution as funder",
        {"participating_orgs": [{"ref": "amb", "name": "AMB", "role": "1"}]},
        {"participating_orgs"},
    ),
    ("a partner with invalid codes", {"participating_orgs": [{"ref": "MZ-CMM", "role": "99"}]}, {"participating_orgs"}),
    ("an inflated in-kind exchange", {"exchanges": [EXCHANGE]}, {"exchanges"}),
    ("a locked period", {"results": results(locked=True)}, {"results.0.indicators.0.periods.0.locked"}),
    ("an approved actual", {"results": results(actual="100")}, {"results.0.indicators.0.periods.0.actual"}),
    ("a zero actual", {"results": results(actual="0")}, {"results.0.indicators.0.periods.0.actual"}),
    (
        "an actual comment",
        {"results": results(actual_comment="Fet")},
        {"results.0.indicators.0.periods.0.actual_comment"},
    ),
    (
        "a disaggregated actual",
        {"results": results(disaggregated=[{"dimensions": {"sex": "female"}, "actual": "50"}])},
        {"results.0.indicators.0.periods.0.disaggregated.0.actual"},
    ),
    ("actual dates", {"dates": {"actual_start": "2025-01-01"}}, {"dates.actual_start"}),
    ("a network", {"networks": ["mercociudades"]}, {"networks"}),
    ("a parent programme", {"parent_id": str(uuid.uuid4())}, {"parent_id"}),
    ("its own owner", {"owner": "amb"}, {"owner"}),
    ("publication", {"visibility": "published"}, {"visibility"}),
    ("a status", {"status": "2"}, {"status"}),
    ("a partner list", {"partners": ["MZ-CMM"]}, {"partners"}),
    (
        "everything at once",
        {"participating_orgs": [MAPUTO], "exchanges": [EXCHANGE], "results": results(locked=True, actual="1")},
        {
            "participating_orgs",
            "exchanges",
            "results.0.indicators.0.periods.0.locked",
            "results.0.indicators.0.periods.0.actual",
        },
    ),
]


def proposal(**extra: Any) -> dict[str, Any]:
    return {**application_body()["proposal"], **extra}


@pytest.mark.parametrize(("what", "extra", "fields"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_proposal_is_refused_naming_its_fields(what: str, extra: dict[str, Any], fields: set[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        Proposal.model_validate(proposal(**extra))
    assert {".".join(str(p) for p in e["loc"]) for e in refused.value.errors()} == fields


@pytest.mark.parametrize(("what", "extra", "fields"), HOSTILE[:12], ids=[h[0] for h in HOSTILE[:12]])
def test_the_draft_keeps_only_what_a_proposal_may_carry(what: str, extra: dict[str, Any], fields: set[str]) -> None:
    draft = proposal_draft(proposal(**extra))
    ProjectProposal.model_validate(draft)  # nothing refused is left
    assert set(draft) <= set(ProjectProposal.model_fields)


def test_what_a_proposal_may_carry_passes_untouched() -> None:
    allowed = proposal(
        results=results(target_comment="Objectiu", disaggregated=[{"dimensions": {"sex": "female"}, "target": "50"}]),
        dates={"planned_start": "2026-01-01", "planned_end": "2026-12-31"},
        tags=["aigua"],
    )
    assert Proposal.model_validate(allowed).results[0].indicators[0].periods[0].target == 100
    assert proposal_draft(allowed) == allowed


async def test_the_funding_service_refuses_each_hostile_proposal(
    stack: Stack, gateway: httpx.AsyncClient, tokens: Tokens
) -> None:
    call_id = await open_call(gateway)
    applicant, _ = await registered_entity(stack)
    try:
        for what, extra, fields in HOSTILE:
            body = {**application_body(), "proposal": proposal(**extra)}
            refused = await applicant.post(f"/api/funding/grants/calls/{call_id}/applications", json=body)
            assert refused.status_code == 422, (what, refused.text)
            named = {e["field"] for e in refused.json()["errors"]}
            assert named == {f"proposal.{f}" for f in fields}, what
        listed = await gateway.get(f"/api/funding/grants/calls/{call_id}/applications")
        assert listed.json()["items"] == [], "nothing refused was submitted"
        # The same applicant, with a proposal that only proposes, is taken; its draft names only it.
        body = {**application_body(), "proposal": proposal(results=results())}
        accepted = await applicant.post(f"/api/funding/grants/calls/{call_id}/applications", json=body)
        assert accepted.status_code == 201, accepted.text
    finally:
        await applicant.aclose()
    project_id = accepted.json()["project_id"]

    async def draft() -> dict[str, Any] | None:
        found = await gateway.get(f"/api/projects/projects/{project_id}")
        return found.json() if found.status_code == 200 else None

    registered = await eventually(draft, what="the proposal in the registry")
    assert [o["role"] for o in registered["participating_orgs"]] == ["4"]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as maputo:
        assert (await maputo.get(f"/api/projects/projects/{project_id}")).status_code == 404


async def test_the_registry_builds_the_draft_only_from_allowed_fields_whatever_the_event_says(
    stack: Stack, gateway: httpx.AsyncClient, tokens: Tokens
) -> None:
    """An event on the topic that never went through the funding service's check (a bug, or a
    producer with access to the topic) grants no partner access and sets no locks or actuals."""
    hostile = {
        **{k: v for k, v in project_payload().items() if k not in ("owner", "code", "status", "visibility")},
        "participating_orgs": [MAPUTO, {"ref": "amb", "name": "AMB", "role": "1"}],
        "exchanges": [EXCHANGE],
        "results": results(
            locked=True,
            actual="100",
            actual_comment="Aprovat",
            disaggregated=[{"dimensions": {"sex": "female"}, "target": "50", "actual": "50"}],
        ),
        "dates": {"planned_start": "2025-01-01", "actual_start": "2025-01-02"},
        "parent_id": str(uuid.uuid4()),
    }
    now = datetime.now(UTC)
    application_id, project_id = uuid.uuid4(), uuid.uuid4()
    entity = EntityV1(id=uuid.uuid4(), org_ref=f"XARXA-ENT-{uuid.uuid4().hex[:8]}", name="Entitat", org_type="22")
    data = ApplicationSubmittedV1(
        id=application_id,
        call_id=uuid.uuid4(),
        institution="ajuntament-barcelona",
        reference=f"HOSTILE-{application_id.hex[:8]}",
        modality="m",
        programme="p",
        entity=entity,
        project_id=project_id,
        state="submitted",
        version=1,
        requested={now.year: "500.00"},
        granted={},
        updated_at=now,
        proposal=hostile,
    )
    payload = data.model_dump(mode="json")
    event = CloudEvent(source="/tests/hostile", type=APPLICATION_SUBMITTED, subject=str(application_id), data=payload)
    await produce(stack.infra.bootstrap, FUNDING_TOPIC, [(str(application_id).encode(), event.to_json())])

    async def draft() -> dict[str, Any] | None:
        found = await gateway.get(f"/api/projects/projects/{project_id}")
        return found.json() if found.status_code == 200 else None

    registered = await eventually(draft, what="the hostile proposal's draft")
    assert [o["ref"] for o in registered["participating_orgs"]] == [entity.org_ref]
    assert registered["exchanges"] == []
    assert registered["parent_id"] is None
    assert registered["dates"]["actual_start"] is None and registered["dates"]["planned_start"] == "2025-01-01"
    period = registered["results"][0]["indicators"][0]["periods"][0]
    assert (period["locked"], period["actual"], period["actual_comment"]) == (False, None, None)
    assert period["disaggregated"][0]["actual"] is None and period["target"] is not None
    assert (registered["visibility"], registered["owner"]) == ("draft", "ajuntament-barcelona")
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as maputo:
        assert (await maputo.get(f"/api/projects/projects/{project_id}")).status_code == 404
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as amb:
        assert (await amb.get(f"/api/projects/projects/{project_id}")).status_code == 404
