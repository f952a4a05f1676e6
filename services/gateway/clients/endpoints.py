"""/api/gateway/clients: administrators list, create and revoke their tenant's API clients (the
OAuth2 client-credentials grant); platform administrators any tenant's. The CLI does the same."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from services.gateway.clients import service
from services.gateway.clients.models import Client
from services.gateway.clients.schemas import ClientList, ClientRead, CreatedClient, NewClientRequest
from services.gateway.users.administrators import ERRORS, RULE, AdministratorDep
from services.gateway.users.events import Context
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/gateway/clients", tags=["clients"])


def _read(client: Client) -> ClientRead:
    return ClientRead(
        client_id=client.client_id,
        name=client.name,
        tenant=client.tenant,
        tenant_kind=client.tenant_kind,
        scopes=list(client.scopes),
        created_at=client.created_at,
        revoked_at=client.revoked_at,
        state="revoked" if client.revoked_at is not None else "active",
    )


@router.get("", response_model=ClientList, openapi_extra=RULE, responses=ERRORS, summary="API clients of a tenant")
async def list_clients(
    session: SessionDep, by: AdministratorDep, tenant: Annotated[str | None, Query(max_length=100)] = None
) -> ClientList:
    rows = await service.list_tenant_clients(session, by, tenant)
    return ClientList(
        items=[_read(c) for c in rows], grantable_scopes=service.grantable_scopes(by.tenant_kind, by.platform)
    )


@router.post(
    "",
    response_model=CreatedClient,
    status_code=201,
    openapi_extra=RULE,
    responses={**ERRORS, 422: {"description": "invalid, or a scope the tenant's clients may not have"}},
    summary="Create an API client: its id and its secret, shown only in this answer",
)
async def create(request: Request, session: SessionDep, by: AdministratorDep, body: NewClientRequest) -> Any:
    created = await service.create_client_audited(
        session,
        Context.of(request),
        by,
        name=body.name,
        scopes=list(body.scopes),
        tenant=body.tenant,
        tenant_kind=body.tenant_kind,
    )
    return CreatedClient(client=_read(created.client), client_secret=created.secret)


@router.post(
    "/{client_id}/revoke",
    response_model=ClientRead,
    openapi_extra=RULE,
    responses={**ERRORS, 404: {"description": "no such client in the tenant"}, **problem_responses(service.OwnClient)},
    summary="Revoke an API client: its tokens stop working at once, everywhere",
)
async def revoke(
    request: Request, session: SessionDep, by: AdministratorDep, client_id: Annotated[str, Path(max_length=100)]
) -> ClientRead:
    return _read(await service.revoke_client_audited(session, Context.of(request), by, client_id))
