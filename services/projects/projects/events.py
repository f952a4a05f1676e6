"""From a stored project to the event contract it is published as."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects.models import Project
from shared.contracts.projects import SCHEMA_BASE, ProjectStateV1
from shared.emit import Origin, emit
from shared.kafka import PROJECTS_TOPIC


def project_state(project: Project) -> ProjectStateV1:
    return ProjectStateV1.model_validate(
        {
            **project.doc,
            "id": project.id,
            "version": project.version,
            "owner": project.owner,
            "code": project.code,
            "iati_identifier": project.iati_identifier,
            "status": project.status,
            "visibility": project.visibility,
            "archived": project.archived,
            "parent_id": project.parent_id,
            "created_at": project.created_at,
            "updated_at": project.updated_at,
        }
    )


async def emit_project(session: AsyncSession, origin: Origin, event_type: str, state: ProjectStateV1) -> None:
    """The project's state as `event_type`, into the outbox of the change's transaction."""
    # The event happened when the state was recorded (a migration's recorded_at, else now).
    key = str(state.id)
    await emit(session, origin, PROJECTS_TOPIC, key, event_type, state, schema_base=SCHEMA_BASE, time=state.updated_at)
