"""The services of the platform as the launcher sees them: app factory, database, port, migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.infra.paths import PROJECT_ROOT


@dataclass(frozen=True)
class ServiceDef:
    name: str
    default_port: int

    @property
    def app_factory(self) -> str:
        return f"services.{self.name}.main:create_app"

    @property
    def env_prefix(self) -> str:
        return f"XARXA_{self.name.upper()}_"

    @property
    def database(self) -> str:
        return f"xarxa_{self.name}"

    @property
    def migrations_dir(self) -> Path:
        return PROJECT_ROOT / "services" / self.name / "migrations"


BACKEND_SERVICES = [ServiceDef("projects", 8001), ServiceDef("funding", 8002), ServiceDef("reporting", 8003)]
GATEWAY = ServiceDef("gateway", 8000)
# The public portal: no database, no Kafka; it reads the gateway's public API only.
WEB = ServiceDef("web", 8010)
# Every service with a database of its own (the gateway keeps clients, keys and the audit trail).
WITH_DATABASE = [*BACKEND_SERVICES, GATEWAY]
