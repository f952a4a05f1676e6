"""The `xarxa` command: local infrastructure, migrations and the whole platform."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.infra import InfraError
from shared.infra.paths import state_dir
from xarxa.launcher.local import LocalInfra


def _infra(args: argparse.Namespace) -> int:
    infra = LocalInfra.from_env(state_dir(), brokers=args.brokers)
    if args.action == "up":
        infra.up()
        print(infra.status_json())
    elif args.action == "down":
        infra.down()
        print("stopped")
    else:
        print(infra.status_json())
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from xarxa.launcher.platform import migrate_all

    infra = LocalInfra.from_env(state_dir())
    migrate_all(infra.service_env())
    print("migrated")
    return 0


def _new_migration(args: argparse.Namespace) -> int:
    """Autogenerate a migration from the difference between a service's models and its database
    (the local one, brought to head first): review it, it is a draft."""
    from alembic import command

    from shared.migrations import alembic_config
    from xarxa.launcher.platform import migrate_all
    from xarxa.launcher.services import WITH_DATABASE

    service = next((s for s in WITH_DATABASE if s.name == args.service), None)
    if service is None:
        print(f"no service {args.service} with a database: {', '.join(s.name for s in WITH_DATABASE)}")
        return 2
    env = LocalInfra.from_env(state_dir()).service_env()
    migrate_all(env)
    config = alembic_config(service.migrations_dir, env[f"{service.env_prefix}DATABASE_URL"])
    command.revision(config, message=args.message, autogenerate=True)
    return 0


def _up(args: argparse.Namespace) -> int:
    from xarxa.launcher.platform import run_platform

    return run_platform(state_dir(), seed=not args.no_demo)


def _relay(args: argparse.Namespace) -> int:
    """A standalone outbox relay; several may run, one publishes (advisory lock)."""
    import asyncio

    from shared.db import asyncpg_dsn
    from shared.logs import configure_logging
    from shared.outbox import OutboxRelay, default_producer_factory

    configure_logging(f"{args.service}-relay")
    relay = OutboxRelay(
        asyncpg_dsn(args.database_url), args.service, default_producer_factory(args.bootstrap), name=args.name
    )
    asyncio.run(relay.run())
    return 0


async def _keys_async(args: argparse.Namespace) -> None:
    from services.gateway.tokens.commands import run
    from shared.db import create_engine, create_sessionmaker, transaction

    engine = create_engine(_gateway_database_url(), pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            lines = await run(session, args)
    finally:
        await engine.dispose()
    print("\n".join(lines))


def _keys(args: argparse.Namespace) -> int:
    import asyncio

    asyncio.run(_keys_async(args))
    return 0


def _gateway_database_url() -> str:
    from xarxa.launcher.services import GATEWAY

    return LocalInfra.from_env(state_dir()).service_env()[f"{GATEWAY.env_prefix}DATABASE_URL"]


async def _clients_async(args: argparse.Namespace) -> None:
    from services.gateway.clients import service
    from shared.db import create_engine, create_sessionmaker, transaction

    engine = create_engine(_gateway_database_url(), pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            if args.action == "create":
                created = await service.create_client(
                    session,
                    name=args.name,
                    tenant=args.tenant,
                    tenant_kind=args.kind,
                    scopes=args.scopes.replace(",", " ").split(),
                    rate_per_second=args.rate,
                )
                print(f"client_id:     {created.client.client_id}")
                print(f"client_secret: {created.secret}")
                print("The secret is shown only now; it is stored hashed.")
            elif args.action == "revoke":
                revoked = await service.revoke_client(session, args.client_id)
                print(f"revoked {revoked.client_id} at {revoked.revoked_at:%Y-%m-%d %H:%M:%S} UTC")
            else:
                for client in await service.list_clients(session):
                    state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
                    print(
                        f"{client.client_id}\t{client.tenant_kind}:{client.tenant}\t{' '.join(client.scopes)}"
                        f"\t{client.rate_per_second:g}/s\t{state}\t{client.name}"
                    )
    finally:
        await engine.dispose()


def _clients(args: argparse.Namespace) -> int:
    import asyncio

    asyncio.run(_clients_async(args))
    return 0


async def _users_async(args: argparse.Namespace) -> None:
    from services.gateway.config import Settings
    from services.gateway.users.commands import run
    from shared.db import create_engine, create_sessionmaker, transaction

    engine = create_engine(_gateway_database_url(), pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            lines = await run(session, args, Settings())
    finally:
        await engine.dispose()
    print("\n".join(lines))


async def _federation_async(args: argparse.Namespace) -> None:
    from services.gateway.config import Settings
    from services.gateway.oidc.commands import run
    from services.gateway.oidc.federation import CALLBACK_PATH
    from shared.db import create_engine, create_sessionmaker, transaction

    engine = create_engine(_gateway_database_url(), pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            lines = await run(session, args, f"{Settings().public_url}{CALLBACK_PATH}")
    finally:
        await engine.dispose()
    print("\n".join(lines))


def _federation(args: argparse.Namespace) -> int:
    import asyncio

    from services.gateway.oidc.federation import InvalidConfiguration

    try:
        asyncio.run(_federation_async(args))
    except InvalidConfiguration as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    return 0


def _users(args: argparse.Namespace) -> int:
    import asyncio

    from shared.problems import ProblemError

    try:
        asyncio.run(_users_async(args))
    except ProblemError as exc:
        print(f"refused: {exc.detail or exc.title} {exc.errors or ''}", file=sys.stderr)
        return 2
    return 0


def _token(args: argparse.Namespace) -> int:
    """A token for one of the demo clients that `xarxa up` created."""
    import json
    import os

    from xarxa.demo import fetch_token

    saved = json.loads((state_dir() / "demo-clients.json").read_text())
    if args.name not in saved:
        print(f"xarxa: no demo client {args.name!r}; known: {', '.join(saved)}", file=sys.stderr)
        return 1
    port = os.environ.get("XARXA_GATEWAY_PORT", "8000")
    print(fetch_token(f"http://127.0.0.1:{port}", saved[args.name]))
    return 0


def _reporting(args: argparse.Namespace) -> int:
    import asyncio

    from services.reporting.rebuild import rebuild

    stats = asyncio.run(rebuild(_reporting_settings()))
    print(
        f"replayed {stats.events} events ({stats.per_topic}) in {stats.seconds:.2f}s "
        f"= {stats.events_per_second:.0f} events/s; skipped {stats.skipped}"
    )
    return 0


def _reporting_settings() -> Any:
    """The reporting service's settings: its environment, else the local infrastructure."""
    import os

    from services.reporting.config import Settings

    local = LocalInfra.from_env(state_dir()).service_env()
    for key in ("XARXA_REPORTING_DATABASE_URL", "XARXA_REPORTING_KAFKA_BOOTSTRAP"):
        os.environ.setdefault(key, local[key])
    return Settings()


def _import(args: argparse.Namespace) -> int:
    """Import straight into the projects database (no request size limit; events go out through
    the outbox as for any change); acts as the file's owner institution."""
    import asyncio
    import os
    from pathlib import Path

    from services.projects.imports.service import import_iati
    from shared.actor import Actor
    from shared.auth import Principal
    from shared.db import create_engine, create_sessionmaker, transaction

    url = (
        os.environ.get("XARXA_PROJECTS_DATABASE_URL")
        or LocalInfra.from_env(state_dir()).service_env()["XARXA_PROJECTS_DATABASE_URL"]
    )
    principal = Principal(
        client_id="xarxa-cli-import",
        tenant=args.owner,
        tenant_kind="institution",
        scopes=frozenset({"projects:read", "projects:write"}),
    )

    content = Path(args.file).read_bytes()

    async def run() -> Any:
        engine = create_engine(url, pool_size=1)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                actor = Actor(principal, None, "/cli/import")
                return await import_iati(session, actor, content, args.owner, args.visibility)
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    for item in report.items:
        notes = f" ({'; '.join(item.notes)})" if item.notes else ""
        money = (
            f" [money to funding: {item.money.transactions} transactions, {item.money.budgets} budgets, "
            f"{item.money.planned_disbursements} planned disbursements]"
            if item.money
            else ""
        )
        print(f"{item.outcome:9} {item.iati_identifier}{money}{notes}")
    print(
        f"{report.activities} activities: {report.imported} imported, "
        f"{report.updated} updated, {report.skipped} skipped"
    )
    # Funding books the money from the outbox's events; its answers complete the report there.
    print(f"import {report.import_id}: GET /api/projects/imports/iati/{report.import_id} for funding's answers")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xarxa", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    infra = commands.add_parser("infra", help="local PostgreSQL and Kafka")
    infra.add_argument("action", choices=["up", "down", "status"])
    infra.add_argument("--brokers", type=int, choices=[1, 3], default=1, help="Kafka nodes (3 for failover)")
    infra.set_defaults(func=_infra)

    migrate = commands.add_parser("migrate", help="apply every service's migrations")
    migrate.set_defaults(func=_migrate)
    migration = commands.add_parser("migration", help="draft a migration of one service from its models")
    migration.add_argument("service")
    migration.add_argument("message")
    migration.set_defaults(func=_new_migration)

    up = commands.add_parser("up", help="run the whole platform locally until Ctrl-C")
    up.add_argument("--no-demo", action="store_true", help="do not load demo data on first start")
    up.set_defaults(func=_up)

    relay = commands.add_parser("relay", help="run a standalone outbox relay for one service database")
    relay.add_argument("service", help="service whose outbox this is (names the advisory lock)")
    relay.add_argument("--database-url", required=True)
    relay.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    relay.add_argument("--name", default="relay", help="shown as application_name in PostgreSQL")
    relay.set_defaults(func=_relay)

    from services.gateway.tokens.commands import add_parser as add_keys_parser

    add_keys_parser(commands).set_defaults(func=_keys)

    clients = commands.add_parser("clients", help="API clients of the OAuth2 client-credentials grant")
    client_actions = clients.add_subparsers(dest="action", required=True)
    create = client_actions.add_parser("create", help="create a client; its secret is shown once")
    create.add_argument("--name", required=True)
    create.add_argument("--tenant", required=True, help="institution (e.g. amb) or partner organisation ref")
    create.add_argument("--kind", choices=["institution", "partner"], required=True)
    create.add_argument("--scopes", required=True, help="comma or space separated, e.g. projects:read,projects:write")
    create.add_argument("--rate", type=float, default=50.0, help="requests per second at the gateway")
    client_actions.add_parser("list", help="list clients")
    revoke = client_actions.add_parser("revoke", help="revoke a client; its tokens stop working at once")
    revoke.add_argument("client_id")
    clients.set_defaults(func=_clients)

    from services.gateway.users.commands import add_parser as add_users_parser

    add_users_parser(commands).set_defaults(func=_users)

    from services.gateway.oidc.commands import add_parser as add_federation_parser

    add_federation_parser(commands).set_defaults(func=_federation)

    token = commands.add_parser("token", help="print a token for a demo client (admin, ajuntament, amb, maputo, ...)")
    token.add_argument("name")
    token.set_defaults(func=_token)

    reporting = commands.add_parser("reporting", help="reporting read models")
    reporting.add_argument("action", choices=["rebuild"], help="drop the read models and replay the topics")
    reporting.set_defaults(func=_reporting)

    imports = commands.add_parser("import", help="import projects from a file")
    imports.add_argument("format", choices=["iati"])
    imports.add_argument("file", help="an IATI activity XML file (2.01-2.03)")
    imports.add_argument("--owner", required=True, help="the institution the activities are registered for")
    imports.add_argument("--visibility", choices=["draft", "published"], default="draft")
    imports.set_defaults(func=_import)

    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InfraError as exc:
        print(f"xarxa: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
