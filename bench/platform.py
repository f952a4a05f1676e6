"""The whole platform for a benchmark run: PostgreSQL, Kafka, the three services, the gateway and the
portal as separate uvicorn processes (as `make up` runs them), on free loopback ports in a temporary folder."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from shared.db import create_engine, create_sessionmaker, transaction
from shared.infra.ports import free_port
from xarxa.launcher.local import LocalInfra
from xarxa.launcher.platform import migrate_all, platform_env, service_port, spawn, wait_ready
from xarxa.launcher.services import BACKEND_SERVICES, GATEWAY, WEB, ServiceDef


@dataclass
class Platform:
    root: Path
    infra: LocalInfra
    env: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    token: str = ""
    credentials: tuple[str, str] = ("", "")

    def url(self, name: str) -> str:
        service = next(s for s in [*BACKEND_SERVICES, GATEWAY, WEB] if s.name == name)
        return f"http://127.0.0.1:{service_port(service)}"

    @property
    def gateway(self) -> str:
        return self.url("gateway")

    def database_url(self, service: str) -> str:
        return self.env[f"XARXA_{service.upper()}_DATABASE_URL"]

    def start(self, service: ServiceDef) -> None:
        proc = spawn(service, self.env, self.root / "logs")
        self.procs[service.name] = proc
        wait_ready(service.name, self.url(service.name), proc, self.root / "logs" / f"{service.name}.log")

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.terminate()
        proc.wait(timeout=30)

    def pid(self, name: str) -> int:
        return self.procs[name].pid


async def _bench_client(database_url: str) -> tuple[str, str]:
    from services.gateway.clients.service import create_client

    engine = create_engine(database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            created = await create_client(
                session, name="bench", tenant="xarxa", tenant_kind="institution", scopes=["admin"], rate_per_second=1e6
            )
        return created.client.client_id, created.secret
    finally:
        await engine.dispose()


@contextmanager
def running_platform() -> Iterator[Platform]:
    root = Path(tempfile.mkdtemp(prefix="xarxa-bench-"))
    ports = {"XARXA_PG_PORT": free_port(), "XARXA_KAFKA_PORT": free_port()}
    ports.update({f"{s.env_prefix}PORT": free_port() for s in [*BACKEND_SERVICES, GATEWAY, WEB]})
    saved = {k: os.environ.get(k) for k in ports}
    os.environ.update({k: str(v) for k, v in ports.items()})
    infra = LocalInfra.from_env(root)
    platform = Platform(root, infra, {})
    try:
        infra.up()
        platform.env = platform_env(infra)
        # The token scenario speaks from several addresses through X-Forwarded-For, as a proxy would.
        platform.env["XARXA_GATEWAY_TRUSTED_PROXIES"] = '["127.0.0.1"]'
        migrate_all(platform.env)
        for service in [*BACKEND_SERVICES, GATEWAY, WEB]:
            platform.start(service)
        from xarxa.demo import fetch_token

        client_id, secret = asyncio.run(_bench_client(platform.database_url("gateway")))
        platform.credentials = (client_id, secret)
        platform.token = fetch_token(platform.gateway, {"client_id": client_id, "client_secret": secret})
        yield platform
    finally:
        for name in list(platform.procs):
            platform.stop(name)
        infra.down()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)
