"""The portfolio read model: versions decide, and public figures count published projects only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio import service
from services.reporting.readmodels import projections
from services.reporting.readmodels.snapshot import Snapshot
from shared.contracts.projects import PROJECT_REGISTERED, PROJECT_UPDATED
from shared.events import CloudEvent
from shared.problems import NotFound
from tests.support.database import rolled_back_session
from tests.support.stack import Stack


@pytest.fixture
async def session(stack: Stack) -> AsyncIterator[AsyncSession]:
    async with rolled_back_session(stack.infra.database_url("reporting")) as session:
        yield session


def state_event(
    project_id: uuid.UUID,
    version: int,
    visibility: str,
    owner: str,
    goals: list[str],
    event_type: str = PROJECT_UPDATED,
) -> CloudEvent:
    now = datetime.now(UTC).isoformat()
    share = str(100 // len(goals)) if goals else "100"
    return CloudEvent(
        source="/tests",
        type=event_type,
        subject=str(project_id),
        data={
            "id": str(project_id),
            "version": version,
            "owner": owner,
            "code": f"C-{version}-{project_id.hex[:6]}",
            "iati_identifier": f"XARXA-{owner}-C-{project_id.hex[:6]}",
            "title": {"en": f"v{version}"},
            "description": {},
            "status": "2",
            "visibility": visibility,
            "partner_cities": [],
            "participating_orgs": [],
            "sdg_goals": [{"goal": g, "share": share} for g in goals],
            "created_at": now,
            "updated_at": now,
        },
    )


async def test_overview_counts_published_projects_only(session: AsyncSession) -> None:
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    before = await service.overview(session, Snapshot())
    for visibility, goals in (("published", ["5"]), ("published", ["5", "11"]), ("draft", ["5", "16"])):
        event = state_event(uuid.uuid4(), 1, visibility, owner, goals, PROJECT_REGISTERED)
        await projections.apply_project_event(session, event)
    after = await service.overview(session, Snapshot())
    assert after.by_owner[owner] == 2
    assert after.projects - before.projects == 2
    assert after.by_sdg_goal["5"] - before.by_sdg_goal.get("5", 0) == 2
    assert after.by_sdg_goal.get("16", 0) == before.by_sdg_goal.get("16", 0)


async def test_versions_decide_not_arrival_order(session: AsyncSession) -> None:
    project_id = uuid.uuid4()
    newer = state_event(project_id, 3, "published", "amb", ["6"])
    older = state_event(project_id, 2, "draft", "amb", ["6"])
    await projections.apply_project_event(session, newer)
    await projections.apply_project_event(session, older)  # late and stale: ignored
    await projections.apply_project_event(session, newer)  # duplicate: harmless
    project = await service.published_project(session, project_id)
    assert project.version == 3
    assert project.title == {"en": "v3"}


async def test_a_draft_is_not_a_published_project(session: AsyncSession) -> None:
    project_id = uuid.uuid4()
    await projections.apply_project_event(session, state_event(project_id, 1, "draft", "amb", ["6"]))
    with pytest.raises(NotFound):
        await service.published_project(session, project_id)
