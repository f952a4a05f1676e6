"""`xarxa keys rotate`: sign tokens with a new key from now on. Earlier keys stay published in the
JWKS, so tokens already handed out keep verifying until they expire."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    keys = commands.add_parser("keys", help="the gateway's token signing keys")
    keys.add_subparsers(dest="action", required=True).add_parser("rotate", help="sign with a new key from now on")
    return keys


async def run(session: AsyncSession, args: argparse.Namespace) -> list[str]:
    from services.gateway.tokens.service import rotate_key

    key = await rotate_key(session)
    return [f"signing with {key.kid}; earlier keys stay published, so live tokens keep verifying"]
