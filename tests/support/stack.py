"""The three services and the gateway, each on its own loopback port, in the test's event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from services.funding.config import Settings as FundingSettings
from services.funding.main import create_app as funding_app
from services.gateway.config import Settings as GatewaySettings
from services.gateway.main import create_app as gateway_app
from services.projects.config import Settings as ProjectsSettings
from services.projects.main import create_app as projects_app
from services.reporting.config import Settings as ReportingSettings
from services.reporting.main import create_app as reporting_app
from shared.infra.ports import free_port
from shared.infra.services import BACKEND_SERVICES
from shared.migrations import upgrade
from tests.support.infra import RunningInfra


@dataclass
class RunningServer:
    name: str
    app: FastAPI
    port: int
    server: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def serve(name: str, app: FastAPI) -> RunningServer:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False)
    )
    # _serve skips capture_signals(): Ctrl-C must stay pytest's, not the test server's.
    task = asyncio.create_task(server._serve(), name=f"uvicorn-{name}")
    for _ in range(300):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return RunningServer(name, app, port, server, task)


@dataclass
class Stack:
    infra: RunningInfra
    servers: dict[str, RunningServer] = field(default_factory=dict)

    @property
    def gateway(self) -> str:
        return self.servers["gateway"].url

    def url(self, name: str) -> str:
        return self.servers[name].url

    async def stop(self) -> None:
        for running in reversed(list(self.servers.values())):
            running.server.should_exit = True
            await running.task


def service_settings(infra: RunningInfra) -> dict[str, object]:
    common = {"kafka_bootstrap": infra.bootstrap, "log_level": "WARNING"}
    return {
        "projects": ProjectsSettings(database_url=infra.database_url("projects"), **common),  # type: ignore[arg-type]
        "funding": FundingSettings(database_url=infra.database_url("funding"), **common),  # type: ignore[arg-type]
        "reporting": ReportingSettings(database_url=infra.database_url("reporting"), **common),  # type: ignore[arg-type]
    }


async def start_stack(infra: RunningInfra) -> Stack:
    for service in BACKEND_SERVICES:
        await asyncio.to_thread(upgrade, service.migrations_dir, infra.database_url(service.name))
    settings = service_settings(infra)
    stack = Stack(infra)
    stack.servers["projects"] = await serve("projects", projects_app(settings["projects"]))  # type: ignore[arg-type]
    stack.servers["funding"] = await serve("funding", funding_app(settings["funding"]))  # type: ignore[arg-type]
    stack.servers["reporting"] = await serve("reporting", reporting_app(settings["reporting"]))  # type: ignore[arg-type]
    gateway = GatewaySettings(
        projects_url=stack.url("projects"),
        funding_url=stack.url("funding"),
        reporting_url=stack.url("reporting"),
        log_level="WARNING",
        openapi_cache_seconds=0,
    )
    stack.servers["gateway"] = await serve("gateway", gateway_app(gateway))
    return stack
