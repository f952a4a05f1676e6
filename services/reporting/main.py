"""The reporting service: read models from events, SDG and 0.7 % reports. `create_app` is the uvicorn factory."""

from fastapi import FastAPI

from services.reporting.breakdown.endpoints import router as breakdown_router
from services.reporting.config import Settings
from services.reporting.consumers import CONSUMERS
from services.reporting.exports.endpoints import router as exports_router
from services.reporting.exports.organisation_endpoints import router as organisation_export_router
from services.reporting.portfolio.endpoints import router as portfolio_router
from services.reporting.results.endpoints import router as results_router
from services.reporting.sdg.endpoints import router as sdg_router
from services.reporting.webhooks.endpoints import router as webhooks_router
from services.reporting.webhooks.service import deliver_webhooks
from services.reporting.zero_seven.endpoints import router as zero_seven_router
from shared.http import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Xarxa reporting",
        description="Reports on the cooperation portfolio against the SDGs, built from events; webhooks.",
        routers=[
            portfolio_router,
            sdg_router,
            breakdown_router,
            zero_seven_router,
            results_router,
            exports_router,
            organisation_export_router,
            webhooks_router,
        ],
        produces=[],
        consumers=CONSUMERS,
        workers=[deliver_webhooks],
    )
