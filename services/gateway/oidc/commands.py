"""`xarxa federation add|list|enable|disable`: a tenant's own OpenID Connect provider, by which its
people sign in instead of with a password (oidc/federation.py). The client secret is given by
reference (`env:NAME` or `file:/path`), never on the command line or in the database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    federation = commands.add_parser("federation", help="tenants' own identity providers for sign-in")
    actions = federation.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="let a tenant's people sign in with its own OpenID Connect provider")
    add.add_argument("--id", required=True, help="a slug, e.g. amb-entra")
    add.add_argument("--name", required=True, help='shown on the button, e.g. "AMB"')
    add.add_argument("--tenant", required=True, help="the tenant whose users it signs in, e.g. amb")
    add.add_argument("--issuer", required=True, help="its issuer URL (discovery at /.well-known/openid-configuration)")
    add.add_argument("--client-id", required=True, help="the gateway's client id registered there")
    add.add_argument(
        "--client-secret-ref", required=True, help="where the secret is read: env:VARIABLE or file:/absolute/path"
    )
    add.add_argument("--domains", required=True, help="comma separated email domains that route to it")
    add.add_argument("--scopes", default="openid email", help="space separated; openid is required")
    add.add_argument("--match-claim", default="email", help="the ID token claim matched with users' email")
    add.add_argument(
        "--unknown-users",
        choices=["refuse", "invitation"],
        default="refuse",
        help="refuse: only users who accepted their invitation; invitation: a pending invitation is enough",
    )
    add.add_argument("--require-amr", help="refuse ID tokens whose amr lacks this value (e.g. mfa)")
    add.add_argument("--require-acr", help="refuse ID tokens whose acr is not this value")
    actions.add_parser("list", help="list the providers")
    for action in ("enable", "disable"):
        actions.add_parser(action, help=f"{action} a provider").add_argument("id")
    return federation


async def run(session: AsyncSession, args: argparse.Namespace, callback_url: str) -> list[str]:
    from services.gateway.oidc import federation
    from services.gateway.users.events import Context

    context = Context("cli", None, "cli", "CLI", f"xarxa federation {args.action}")
    if args.action == "add":
        provider = await federation.add_provider(
            session,
            context,
            federation.ProviderSettings(
                id=args.id,
                name=args.name,
                tenant=args.tenant,
                issuer=args.issuer.rstrip("/"),
                client_id=args.client_id,
                client_secret_ref=args.client_secret_ref,
                email_domains=args.domains.split(","),
                scopes=args.scopes.split(),
                match_claim=args.match_claim,
                unknown_users=args.unknown_users,
                required_amr=args.require_amr,
                required_acr=args.require_acr,
            ),
        )
        return [
            f"provider: {provider.id} for {provider.tenant} ({', '.join(provider.email_domains)})",
            f"register this redirect URI at the provider: {callback_url}",
        ]
    if args.action in ("enable", "disable"):
        provider = await federation.set_enabled(session, context, args.id, args.action == "enable")
        return [f"{provider.id}: {'enabled' if provider.enabled else 'disabled'}"]
    return [
        f"{p.id}\t{p.tenant}\t{p.issuer}\t{','.join(p.email_domains)}\t{'enabled' if p.enabled else 'disabled'}"
        for p in await federation.providers(session, enabled_only=False)
    ]
