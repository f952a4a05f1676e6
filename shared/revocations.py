"""Services refuse tokens of revoked clients as promptly as the gateway does.

A service follows the gateway's revocation list by long polling (the gateway answers when it
changes), and its token verifier checks every principal against it. While the gateway cannot be
reached, the last list received stays in force.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from urllib.parse import urlsplit, urlunsplit

import httpx

log = logging.getLogger("xarxa.revocations")

REVOCATIONS_PATH = "/.well-known/xarxa-revocations"
LONG_POLL_SECONDS = 25.0


def revocations_url(jwks_url: str) -> str:
    """Beside the JWKS document of the same gateway."""
    parts = urlsplit(jwks_url)
    return urlunsplit((parts.scheme, parts.netloc, REVOCATIONS_PATH, "", ""))


class RevokedClients:
    def __init__(self) -> None:
        self.digests: frozenset[str] = frozenset()
        self.tag: str | None = None

    def __contains__(self, client_id: object) -> bool:
        return isinstance(client_id, str) and hashlib.sha256(client_id.encode()).hexdigest() in self.digests


async def follow_gateway_revocations(url: str, revoked: RevokedClients) -> None:
    async with httpx.AsyncClient(timeout=LONG_POLL_SECONDS + 10) as client:
        while True:
            try:
                params = {"wait": str(LONG_POLL_SECONDS), **({"after": revoked.tag} if revoked.tag else {})}
                response = await client.get(url, params=params)
                response.raise_for_status()
                body = response.json()
                revoked.digests = frozenset(str(d) for d in body["clients"])
                revoked.tag = str(body["tag"])
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - gateway away: keep the last list, try again
                log.warning("revocation list not fetched: %s", type(exc).__name__)
            await asyncio.sleep(1.0)
