"""`xarxa up`: infrastructure, migrations, the three services, the gateway and the portal, demo data."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.infra import InfraError
from shared.migrations import upgrade
from xarxa.launcher.local import LocalInfra
from xarxa.launcher.services import BACKEND_SERVICES, GATEWAY, WEB, WITH_DATABASE, ServiceDef


def say(message: str) -> None:
    """Print progress; a closed terminal or pipe (Ctrl-C on `make up | tee`) must not stop cleanup."""
    with contextlib.suppress(OSError):
        print(message, flush=True)


def migrate_all(env: dict[str, str]) -> None:
    for service in WITH_DATABASE:
        upgrade(service.migrations_dir, env[f"{service.env_prefix}DATABASE_URL"])


def service_port(service: ServiceDef) -> int:
    return int(os.environ.get(f"{service.env_prefix}PORT", service.default_port))


def platform_env(infra: LocalInfra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(infra.service_env())
    for service in BACKEND_SERVICES:
        env.setdefault(f"{GATEWAY.env_prefix}{service.name.upper()}_URL", f"http://127.0.0.1:{service_port(service)}")
    env.setdefault(f"{GATEWAY.env_prefix}WEB_URL", f"http://127.0.0.1:{service_port(WEB)}")
    env.setdefault(f"{WEB.env_prefix}GATEWAY_URL", f"http://127.0.0.1:{service_port(GATEWAY)}")
    for name, value in console_env(infra.root, f"http://127.0.0.1:{service_port(GATEWAY)}").items():
        env.setdefault(name, value)
    return env


def console_env(state: Path, public_url: str) -> dict[str, str]:
    """The console on a local platform: the portal is the gateway's web client, with a secret made
    once per state directory (kept there, readable by its owner only), redirects to the gateway's
    loopback address, and a sign-in cookie without Secure (plain HTTP on loopback only)."""
    secret_file = state / "web-client-secret"
    if not secret_file.exists():
        state.mkdir(parents=True, exist_ok=True)
        secret_file.touch(mode=0o600)
        secret_file.write_text(secrets.token_urlsafe(48))
    secret = secret_file.read_text().strip()
    return {
        f"{GATEWAY.env_prefix}PUBLIC_URL": public_url,
        f"{GATEWAY.env_prefix}WEB_CLIENT_SECRET": secret,
        f"{GATEWAY.env_prefix}WEB_REDIRECT_URIS": json.dumps([f"{public_url}/auth/callback"]),
        f"{GATEWAY.env_prefix}WEB_POST_LOGOUT_REDIRECT_URIS": json.dumps([f"{public_url}/"]),
        f"{GATEWAY.env_prefix}SIGNIN_COOKIE_SECURE": "false",
        f"{WEB.env_prefix}PUBLIC_URL": public_url,
        f"{WEB.env_prefix}CLIENT_SECRET": secret,
    }


def spawn(service: ServiceDef, env: dict[str, str], log_dir: Path) -> subprocess.Popen[bytes]:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / f"{service.name}.log").open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            service.app_factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(service_port(service)),
            "--no-access-log",
            # Whose X-Forwarded-For to believe is the gateway's decision (XARXA_GATEWAY_TRUSTED_PROXIES),
            # not uvicorn's, which would trust any local caller.
            "--no-proxy-headers",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(name: str, url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InfraError(f"{name} exited with {proc.returncode}; see {log}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise InfraError(f"{name} not ready after {timeout:.0f}s; see {log}")


def run_platform(state: Path, seed: bool = True) -> int:
    """Start everything, print where it is, run until Ctrl-C, then stop everything."""
    infra = LocalInfra.from_env(state)
    say("xarxa: starting PostgreSQL and Kafka ...")
    infra.up()
    env = platform_env(infra)
    say("xarxa: migrating databases ...")
    migrate_all(env)
    log_dir = state / "logs"
    procs: list[tuple[ServiceDef, subprocess.Popen[bytes]]] = []
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for service in [*BACKEND_SERVICES, GATEWAY, WEB]:
            procs.append((service, spawn(service, env, log_dir)))
        for service, proc in procs:
            wait_ready(service.name, f"http://127.0.0.1:{service_port(service)}", proc, log_dir / f"{service.name}.log")
        gateway = f"http://127.0.0.1:{service_port(GATEWAY)}"
        if seed:
            from xarxa.demo import ensure_demo_clients, load_demo_data

            clients = ensure_demo_clients(env[f"{GATEWAY.env_prefix}DATABASE_URL"], state / "demo-clients.json")
            loaded = len(load_demo_data(gateway, clients["admin"]))
            say(
                f"xarxa: demo data {f'loaded ({loaded} projects)' if loaded else 'already present'}; "
                f"demo API clients in {state / 'demo-clients.json'} (xarxa token NAME prints a token)"
            )
        say(
            f"""
Xarxa is up.
  gateway     {gateway}
  portal      {gateway}/   (the web service itself: http://127.0.0.1:{service_port(WEB)})
  API docs    {gateway}/docs   (OpenAPI: {gateway}/openapi.json)
  services    {", ".join(f"{s.name} http://127.0.0.1:{service_port(s)}" for s in BACKEND_SERVICES)}
  postgres    127.0.0.1:{infra.pg_port}   kafka {infra.kafka.bootstrap}
  logs        {log_dir}
Press Ctrl-C to stop everything."""
        )
        while not stopping:
            for service, proc in procs:
                if proc.poll() is not None:
                    say(f"xarxa: {service.name} exited ({proc.returncode}); see {log_dir}/{service.name}.log")
                    stopping = True
            time.sleep(0.5)
        return 0
    finally:
        say("\nxarxa: stopping services and infrastructure ...")
        for _, proc in procs:
            proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        infra.down()
        say("xarxa: stopped.")
