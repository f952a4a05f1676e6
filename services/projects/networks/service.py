"""The managed list of city networks (UCLG, MedCities, CIDEU, ...)."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.networks import repository
from services.projects.networks.schemas import NetworkCreate
from services.projects.projects.models import Network
from shared.problems import Conflict


class NetworkExists(Conflict):
    kind, title = "network-exists", "A network with this code exists"


async def list_networks(session: AsyncSession) -> list[Network]:
    return await repository.networks(session)


async def add_network(session: AsyncSession, data: NetworkCreate) -> Network:
    if await repository.exists(session, data.code):
        raise NetworkExists(f"Network {data.code} exists")
    network = Network(code=data.code, names=dict(data.names))
    await repository.add(session, network)
    return network
