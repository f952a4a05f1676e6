"""From a stored project to the event contract it is published as."""

from __future__ import annotations

from services.projects.projects.models import Project
from shared.contracts.projects import SCHEMA_BASE, ProjectStateV1
from shared.events import CloudEvent, child_traceparent
from shared.kafka import PROJECTS_TOPIC
from shared.logs import request_id_var

TOPIC = PROJECTS_TOPIC


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


def project_event(event_type: str, state: ProjectStateV1, source: str, traceparent: str | None = None) -> CloudEvent:
    return CloudEvent(
        source=source,
        type=event_type,
        subject=str(state.id),
        # The event happened when the state was recorded (a migration's recorded_at, else now).
        time=state.updated_at,
        dataschema=SCHEMA_BASE + event_type,
        traceparent=child_traceparent(traceparent),
        data=state.model_dump(mode="json"),
        xarxarequestid=request_id_var.get(),
    )
