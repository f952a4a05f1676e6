"""A service's token verifier and the gateway's rotated keys: a token signed with a key rotated a
moment after the last fetch verifies at once (it waits for the next fetch, it is not refused), and
a crowd of tokens with made-up key ids costs one fetch, not one each."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import ALGORITHM, AUDIENCE, TokenVerifier, Unauthorized

ISSUER = "https://gateway.test"


class Gateway:
    """Signing keys as a gateway holds them, and a count of how often the verifier fetched them."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.stray = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # signs made-up ids
        self.fetches = 0

    def rotate(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    async def published(self) -> dict[str, Any]:
        self.fetches += 1
        return {kid: key.public_key() for kid, key in self.keys.items()}

    def token(self, kid: str) -> str:
        now = int(time.time())
        claims = {"sub": "client", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300}
        claims |= {"tenant": "amb", "tenant_kind": "institution", "scope": "projects:read"}
        return jwt.encode(claims, self.keys.get(kid, self.stray), algorithm=ALGORITHM, headers={"kid": kid})


async def test_a_key_rotated_just_after_a_fetch_verifies_at_once() -> None:
    gateway = Gateway()
    gateway.rotate("first")
    verifier = TokenVerifier(ISSUER, gateway.published)  # at most a fetch a second
    await verifier.verify(gateway.token("first"))
    gateway.rotate("second")  # within the interval of that fetch
    principal = await verifier.verify(gateway.token("second"))
    assert principal.tenant == "amb"
    assert gateway.fetches == 2


async def test_made_up_key_ids_cost_one_fetch_and_are_refused() -> None:
    gateway = Gateway()
    gateway.rotate("real")
    verifier = TokenVerifier(ISSUER, gateway.published, refresh_interval=0.3)
    await verifier.verify(gateway.token("real"))
    forged = [verifier.verify(gateway.token(f"made-up-{i}")) for i in range(50)]
    answers = await asyncio.gather(*forged, return_exceptions=True)
    assert all(isinstance(a, Unauthorized) for a in answers)
    assert gateway.fetches == 2
    # A made-up id right after that fetch waits for the interval, then is refused all the same.
    with pytest.raises(Unauthorized, match="unknown key"):
        await verifier.verify(gateway.token("made-up-again"))
    assert gateway.fetches == 3
