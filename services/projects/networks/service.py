"""The managed list of city networks (UCLG, MedCities, CIDEU, ...)."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.networks.schemas import NetworkCreate
from services.projects.projects import repository
from services.projects.projects.models import Network
from shared.problems import Conflict


class NetworkExists(Conflict):
    kind, title = "network-exists", "A network with this code exists"


async def add_network(session: AsyncSession, data: NetworkCreate) -> Network:
    if data.code in {n.code for n in await repository.networks(session)}:
        raise NetworkExists(f"Network {data.code} exists")
    network = Network(code=data.code, names=dict(data.names))
    session.add(network)
    await session.flush()
    return network
