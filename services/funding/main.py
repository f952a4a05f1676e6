"""The funding service: budgets, the 0.7 % commitment, the ledger. `create_app` is the uvicorn factory."""

from fastapi import FastAPI

from services.funding.config import Settings
from services.funding.consumers import CONSUMERS
from services.funding.grants.document_endpoints import router as grant_documents_router
from services.funding.grants.endpoints import router as grants_router
from services.funding.iati_money.endpoints import router as iati_money_router
from services.funding.imports.endpoints import router as imports_router
from services.funding.institutions.endpoints import router as institutions_router
from services.funding.ledger.endpoints import router as ledger_router
from services.funding.project_refs.endpoints import router as project_refs_router
from services.funding.rates.endpoints import router as rates_router
from services.funding.sources.endpoints import router as sources_router
from shared.http import create_service_app
from shared.kafka import FUNDING_TOPIC


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Xarxa funding",
        description="Funding sources, budgets, the 0.7 % commitment, the transaction ledger and the annual grant call.",
        routers=[
            grants_router,
            grant_documents_router,
            imports_router,
            iati_money_router,
            ledger_router,
            institutions_router,
            sources_router,
            rates_router,
            project_refs_router,
        ],
        produces=[FUNDING_TOPIC],
        consumers=CONSUMERS,
    )
