"""HTTP wiring of the network list: public to read, admins extend it."""

from typing import Annotated

from fastapi import APIRouter

from services.projects.networks import service
from services.projects.networks.schemas import NetworkCreate, NetworkList, NetworkRead
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/projects/networks", tags=["networks"])


@router.get("", response_model=NetworkList, openapi_extra=access("none"), summary="City networks projects work through")
async def list_networks(session: SessionDep) -> NetworkList:
    return NetworkList(
        items=[NetworkRead.model_validate(n, from_attributes=True) for n in await service.list_networks(session)]
    )


@router.post(
    "",
    status_code=201,
    response_model=NetworkRead,
    openapi_extra=access("required", ("admin",)),
    responses=problem_responses(service.NetworkExists),
    summary="Add a network to the managed list",
)
async def add_network(
    body: NetworkCreate, session: SessionDep, principal: Annotated[Principal, requires("admin")]
) -> NetworkRead:
    return NetworkRead.model_validate(await service.add_network(session, body), from_attributes=True)
