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
from services.web.config import Settings as WebSettings
from services.web.main import create_app as web_app
from shared.infra.ports import free_port
from shared.migrations import upgrade
from tests.support.infra import RunningInfra
from xarxa.launcher.services import WITH_DATABASE

# The web service as the gateway's registered OpenID Connect client (XARXA_GATEWAY_WEB_CLIENT_*).
WEB_CLIENT_ID = "xarxa-web"
WEB_CLIENT_SECRET = "test-web-client-secret-0123456789abcdef"
WEB_CALLBACK_PATH = "/auth/callback"
WEB_SIGNED_OUT_PATH = "/"


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

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def serve(name: str, app: FastAPI, port: int | None = None) -> RunningServer:
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            access_log=False,
            proxy_headers=False,  # the gateway decides whom to trust (XARXA_GATEWAY_TRUSTED_PROXIES)
        )
    )
    # _serve skips capture_signals(): Ctrl-C must stay pytest's, not the test server's.
    task = asyncio.create_task(server._serve(), name=f"uvicorn-{name}")
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
            raise RuntimeError(f"{name} stopped while starting")
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
            await running.stop()


def gateway_settings(infra: RunningInfra, **overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "database_url": infra.database_url("gateway"),
        "log_level": "WARNING",
        "openapi_cache_seconds": 0,
        # Session tokens outlive the run (the expiry has its own tests with their own tokens).
        "token_ttl_seconds": 3600,
        # The suite polls a lot from one address; rate limiting has its own test with its own gateway.
        "anonymous_rate_per_second": 10_000,
        "anonymous_burst": 10_000,
        "probe_rate_per_second": 10_000,
        "probe_burst": 10_000,
        "token_failures_per_address_per_minute": 10_000,
        "token_failures_per_client_per_minute": 10_000,
        # Plain HTTP on loopback; sign-in limits per address have their own test with their own gateway.
        "signin_cookie_secure": False,
        "signin_failures_per_address_per_minute": 10_000,
        "web_client_id": WEB_CLIENT_ID,
        "web_client_secret": WEB_CLIENT_SECRET,
    }
    values.update(overrides)
    return GatewaySettings(**values)  # type: ignore[arg-type]


async def start_stack(infra: RunningInfra) -> Stack:
    for service in WITH_DATABASE:
        await asyncio.to_thread(upgrade, service.migrations_dir, infra.database_url(service.name))
    ports = {name: free_port() for name in ("projects", "funding", "reporting", "gateway", "web")}
    common = {
        "kafka_bootstrap": infra.bootstrap,
        "log_level": "WARNING",
        "jwks_url": f"http://127.0.0.1:{ports['gateway']}/.well-known/jwks.json",
    }
    apps = {
        "projects": projects_app(ProjectsSettings(database_url=infra.database_url("projects"), **common)),  # type: ignore[arg-type]
        "funding": funding_app(FundingSettings(database_url=infra.database_url("funding"), **common)),  # type: ignore[arg-type]
        # The webhook tests' receivers listen on 127.0.0.1: allowed as an operator allows an internal one.
        "reporting": reporting_app(
            ReportingSettings(
                database_url=infra.database_url("reporting"),
                webhook_allowed_hosts=["127.0.0.1"],
                **common,  # type: ignore[arg-type]
            )
        ),
        "gateway": gateway_app(
            gateway_settings(
                infra,
                **{
                    f"{name}_url": f"http://127.0.0.1:{ports[name]}"
                    for name in ("projects", "funding", "reporting", "web")
                },
                public_url=f"http://127.0.0.1:{ports['gateway']}",
                web_redirect_uris=[f"http://127.0.0.1:{ports['gateway']}{WEB_CALLBACK_PATH}"],
                web_post_logout_redirect_uris=[f"http://127.0.0.1:{ports['gateway']}{WEB_SIGNED_OUT_PATH}"],
            )
        ),
        "web": web_app(
            WebSettings(
                gateway_url=f"http://127.0.0.1:{ports['gateway']}",
                public_url=f"http://127.0.0.1:{ports['gateway']}",
                client_id=WEB_CLIENT_ID,
                client_secret=WEB_CLIENT_SECRET,
                log_level="WARNING",
            )
        ),
    }
    stack = Stack(infra)
    for name, app in apps.items():
        stack.servers[name] = await serve(name, app, ports[name])
    return stack
