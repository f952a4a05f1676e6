"""The projects service: the registry of cooperation projects. `create_app` is the uvicorn factory."""

from fastapi import FastAPI

from services.projects.codelists.endpoints import router as codelists_router
from services.projects.config import Settings
from services.projects.consumers import CONSUMERS
from services.projects.imports.endpoints import router as imports_router
from services.projects.networks.endpoints import router as networks_router
from services.projects.places.endpoints import router as places_router
from services.projects.projects.endpoints import router as projects_router
from services.projects.updates.endpoints import router as updates_router
from shared.http import create_service_app
from shared.kafka import PROJECTS_TOPIC


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Xarxa projects",
        description="Registry of the international cooperation projects of Barcelona and AMB.",
        routers=[projects_router, updates_router, imports_router, networks_router, codelists_router, places_router],
        produces=[PROJECTS_TOPIC],
        consumers=CONSUMERS,
    )
