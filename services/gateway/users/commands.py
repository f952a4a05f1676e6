"""`xarxa users invite|list|disable`: the operator's way in, above all to invite the first
platform administrator. Acts as a platform administrator named `cli`, in the audit trail too."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

# Only the light module at import: the parser is built at every `xarxa` command.
from services.gateway.users.roles import ROLE_SCOPES, USER_TENANT_KINDS

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from services.gateway.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    users = commands.add_parser("users", help="people who sign in: invite, list, disable")
    actions = users.add_subparsers(dest="action", required=True)
    invite = actions.add_parser("invite", help="invite a person; prints the one-time link to hand over")
    invite.add_argument("--email", required=True)
    invite.add_argument("--name", required=True)
    invite.add_argument("--tenant", required=True, help="e.g. ajuntament-barcelona, amb, MZ-CMM, an entity's ref")
    invite.add_argument("--kind", choices=USER_TENANT_KINDS, required=True)
    invite.add_argument("--roles", required=True, help=f"comma separated: {', '.join(ROLE_SCOPES)}")
    invite.add_argument("--locale", choices=["ca", "es", "en"], default="ca")
    listing = actions.add_parser("list", help="list users (of one tenant)")
    listing.add_argument("--tenant")
    disable = actions.add_parser("disable", help="disable a user: sessions and tokens stop working at once")
    disable.add_argument("user_id")
    return users


async def run(session: AsyncSession, args: argparse.Namespace, settings: Settings) -> list[str]:
    from services.gateway.users import service
    from services.gateway.users.events import Context

    operator = service.Administrator(id="cli", tenant="xarxa", tenant_kind="institution", platform=True)
    context = Context("cli", None, "cli", "CLI", f"xarxa users {args.action}")
    if args.action == "invite":
        issued = await service.invite(
            session,
            context,
            operator,
            email=args.email,
            name=args.name,
            tenant=args.tenant,
            tenant_kind=args.kind,
            roles=[r.strip() for r in args.roles.split(",") if r.strip()],
            locale=args.locale,
            ttl_seconds=settings.invitation_seconds,
        )
        return [
            f"user: {issued.user.id}",
            f"link: {settings.public_url}/oauth/password?token={issued.token}",
            f"The link works once, until {issued.expires_at:%Y-%m-%d %H:%M} UTC; it is shown only now.",
        ]
    if args.action == "disable":
        user = await service.disable(session, context, operator, args.user_id)
        return [f"disabled {user.id} ({user.email})"]
    rows = await service.list_users(session, operator, args.tenant, 10_000, None)
    return [
        f"{u.id}\t{u.tenant_kind}:{u.tenant}\t{','.join(u.roles)}\t{'active' if service.active(u) else 'inactive'}"
        f"\t{u.email}"
        for u in rows
    ]
