"""The `xarxa` command: local infrastructure, migrations and the whole platform."""

from __future__ import annotations

import argparse
import sys

from shared.infra import InfraError
from shared.infra.local import LocalInfra
from shared.infra.paths import state_dir


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
    from shared.infra.platform import migrate_all

    infra = LocalInfra.from_env(state_dir())
    migrate_all(infra.service_env())
    print("migrated")
    return 0


def _up(args: argparse.Namespace) -> int:
    from shared.infra.platform import run_platform

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xarxa", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    infra = commands.add_parser("infra", help="local PostgreSQL and Kafka")
    infra.add_argument("action", choices=["up", "down", "status"])
    infra.add_argument("--brokers", type=int, choices=[1, 3], default=1, help="Kafka nodes (3 for failover)")
    infra.set_defaults(func=_infra)

    migrate = commands.add_parser("migrate", help="apply every service's migrations")
    migrate.set_defaults(func=_migrate)

    up = commands.add_parser("up", help="run the whole platform locally until Ctrl-C")
    up.add_argument("--no-demo", action="store_true", help="do not load demo data on first start")
    up.set_defaults(func=_up)

    relay = commands.add_parser("relay", help="run a standalone outbox relay for one service database")
    relay.add_argument("service", help="service whose outbox this is (names the advisory lock)")
    relay.add_argument("--database-url", required=True)
    relay.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    relay.add_argument("--name", default="relay", help="shown as application_name in PostgreSQL")
    relay.set_defaults(func=_relay)

    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InfraError as exc:
        print(f"xarxa: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
