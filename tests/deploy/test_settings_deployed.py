"""Every setting a service needs in a deployment is given by compose.yaml and by k8s/, and nothing else.

The settings classes are read as they are at test time, so a field added to a `Settings` class
fails here until both deployments give it a value (or it joins the short list of defaults that
are right everywhere, with its reason). The values are then loaded into the real classes, so a
value a validator refuses fails too, and the services' addresses must agree with each other.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import Field
from pydantic_settings import BaseSettings

from tests.support.manifests import (
    BACKENDS,
    DEPLOY,
    MIGRATION_URLS,
    SERVICES,
    compose_env,
    compose_service,
    env_names,
    interpolate,
    k8s_command,
    k8s_container,
    k8s_env,
    k8s_object,
    option,
    settings_class,
)
from xarxa.launcher.services import BACKEND_SERVICES, GATEWAY, WEB, WITH_DATABASE

# Defaults that are right in every deployment: the service's own name, logging, and tuning or
# abuse limits that were chosen for production. Every other field needs a value from each
# deployment: an address, a secret, a replication factor, a list of trusted hosts ...
COMMON_DEFAULTS = frozenset(
    {"service_name", "log_level", "database_pool_size", "kafka_partitions", "relay_enabled", "consumers_enabled"}
)
DEFAULT_FITS_EVERYWHERE: dict[str, frozenset[str]] = {
    **{service: COMMON_DEFAULTS for service in BACKENDS},
    "gateway": frozenset(
        {
            "service_name",
            "log_level",
            "connect_timeout",
            "read_timeout",
            "max_connections_per_service",
            "openapi_cache_seconds",
            "token_ttl_seconds",
            "anonymous_rate_per_second",
            "anonymous_burst",
            "probe_rate_per_second",
            "probe_burst",
            "token_failures_per_address_per_minute",
            "token_failures_per_client_per_minute",
            "max_body_bytes",
            "max_json_depth",
        }
    ),
    # The portal: timeouts and cache lifetimes chosen for production; its address and the
    # gateway's are deployed.
    "web": frozenset(
        {
            "service_name",
            "log_level",
            "connect_timeout",
            "read_timeout",
            "codelist_cache_seconds",
            "page_max_age_seconds",
        }
    ),
}

DEPLOYMENTS = ["compose", "k8s"]
COMPOSE_VARIABLES = {"XARXA_POSTGRES_PASSWORD": "0123456789abcdef"}


def k8s_secret(name: str, key: str) -> str:
    """Stands for a Secret's value (created in the cluster, never in the repository)."""
    return f"{key}-of-{name}"


def required_env(cls: type[BaseSettings], service: str) -> set[str]:
    return {env for env, field in env_names(cls).items() if field not in DEFAULT_FITS_EVERYWHERE[service]}


def missing(cls: type[BaseSettings], service: str, deployed: set[str]) -> set[str]:
    return required_env(cls, service) - {name.upper() for name in deployed}


def stale(cls: type[BaseSettings], deployed: set[str]) -> set[str]:
    """XARXA_* variables that this service does not read (a removed field, a typo, another service's)."""
    return {name for name in deployed if name.upper().startswith("XARXA_")} - set(env_names(cls))


def deployed_env(deployment: str, workload: str) -> dict[str, str]:
    """The environment a container of this deployment gets, interpolated or expanded."""
    if deployment == "compose":
        return {key: interpolate(value, COMPOSE_VARIABLES) for key, value in compose_env(workload).items()}
    kind = "Job" if workload == "xarxa-migrate" else "Deployment"
    return k8s_env(k8s_container(k8s_object(kind, workload)), k8s_secret)


def command(deployment: str, service: str) -> list[str]:
    if deployment == "compose":
        return [str(part) for part in compose_service(service)["command"]]
    container = k8s_container(k8s_object("Deployment", service))
    return k8s_command(container, deployed_env("k8s", service))


def reached_at(deployment: str, service: str) -> str:
    """The base URL other containers of this deployment use for a service."""
    if deployment == "compose":
        return f"http://{service}:{option(command('compose', service), '--port')}"
    ports = k8s_object("Service", service)["spec"]["ports"]
    assert len(ports) == 1
    return f"http://{service}:{ports[0]['port']}"


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No XARXA_* variable of the machine running the tests leaks into the settings loaded."""
    for name in list(os.environ):
        if name.upper().startswith("XARXA_"):
            monkeypatch.delenv(name)
    return monkeypatch


def load_settings(deployment: str, service: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as env:
        for name, value in deployed_env(deployment, service).items():
            env.setenv(name, value)
        return settings_class(service)()


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_setting_without_a_default_fit_for_deployment_is_deployed(deployment: str, service: str) -> None:
    cls = settings_class(service)
    assert not missing(cls, service, set(deployed_env(deployment, service))), f"{deployment}: {service}"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_deployed_setting_is_read_by_the_service(deployment: str, service: str) -> None:
    assert not stale(settings_class(service), set(deployed_env(deployment, service))), f"{deployment}: {service}"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_the_migration_step_gets_every_database_and_only_them(deployment: str) -> None:
    migrate = deployed_env(deployment, "migrate" if deployment == "compose" else "xarxa-migrate")
    assert {name for name in migrate if name.startswith("XARXA_")} == MIGRATION_URLS
    for service in WITH_DATABASE:
        url = f"{service.env_prefix}DATABASE_URL"
        assert migrate[url] == deployed_env(deployment, service.name)[url], f"{deployment}: {service.name}"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_the_deployed_settings_load_and_fit_together(deployment: str, clean_environ: pytest.MonkeyPatch) -> None:
    settings = {service: load_settings(deployment, service, clean_environ) for service in SERVICES}
    gateway = settings[GATEWAY.name]

    for backend in BACKENDS:
        assert gateway.upstreams()[backend] == reached_at(deployment, backend)
        assert settings[backend].jwks_url == reached_at(deployment, GATEWAY.name) + "/.well-known/jwks.json"
        assert settings[backend].jwt_issuer == gateway.jwt_issuer
    assert len({s.kafka_bootstrap for name, s in settings.items() if name in BACKENDS}) == 1
    # The gateway routes the pages to the portal, and the portal reads the gateway's public API.
    assert gateway.web_url == reached_at(deployment, WEB.name)
    assert settings[WEB.name].gateway_url == reached_at(deployment, GATEWAY.name)

    urls = {owner.name: urlsplit(settings[owner.name].database_url) for owner in WITH_DATABASE}
    for owner in WITH_DATABASE:
        url = urls[owner.name]
        assert url.scheme == "postgresql+asyncpg"
        assert url.path == f"/{owner.database}", f"{owner.name} must use its own database"
        assert url.password, f"{owner.name}: the database URL carries the role's password"
    assert len({(u.hostname, u.port) for u in urls.values()}) == 1

    if deployment == "compose":
        init = (DEPLOY / "postgres-init.sql").read_text()
        for owner in WITH_DATABASE:
            assert f"CREATE DATABASE {owner.database};" in init
        assert {u.hostname for u in urls.values()} == {"postgres"}
        # One broker: a topic cannot have more replicas.
        assert {settings[s].kafka_replication for s in BACKENDS} == {1}
        assert settings[BACKENDS[0]].kafka_bootstrap == "kafka:9092"
        assert "PLAINTEXT://kafka:9092" in str(compose_service("kafka")["environment"]["KAFKA_ADVERTISED_LISTENERS"])
    else:
        assert {settings[s].kafka_replication for s in BACKENDS} == {3}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_services_listen_on_every_interface_where_they_are_reached(
    deployment: str, service: str, clean_environ: pytest.MonkeyPatch
) -> None:
    args = command(deployment, service)
    assert args[:3] == ["uvicorn", f"services.{service}.main:create_app", "--factory"]
    host, port = option(args, "--host"), option(args, "--port")
    assert host == "0.0.0.0", "a container is reached on its network interface, not on loopback"
    if deployment == "compose":
        assert f"127.0.0.1:{port}/readyz" in " ".join(compose_service(service)["healthcheck"]["test"])
    else:
        container = k8s_container(k8s_object("Deployment", service))
        assert [p["containerPort"] for p in container["ports"]] == [int(port)]
    settings = load_settings(deployment, service, clean_environ)
    # Where a service has host/port settings, they say what the command does.
    if "host" in type(settings).model_fields:
        assert settings.host == host
    if "port" in type(settings).model_fields:
        assert str(settings.port) == port


def test_the_allow_list_names_only_real_fields() -> None:
    """A renamed or removed field must leave the list too, or the list would hide its successor."""
    for service in SERVICES:
        assert DEFAULT_FITS_EVERYWHERE[service] <= set(settings_class(service).model_fields), service


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_setting_added_without_deploying_it_is_caught(deployment: str) -> None:
    """The rule is not vacuous: a subclass with new fields stands for a Settings class that grew."""
    reporting = settings_class("reporting")
    gateway = settings_class("gateway")

    class GrownReporting(reporting):  # type: ignore[valid-type,misc]
        archive_bucket_url: str = "http://127.0.0.1:9000/archive"
        partner_hosts: list[str] = Field(default_factory=list)

    class GrownGateway(gateway):  # type: ignore[valid-type,misc]
        session_secret: str = "development-only"

    reported = set(deployed_env(deployment, "reporting"))
    assert not missing(reporting, "reporting", reported)
    assert missing(GrownReporting, "reporting", reported) == {
        "XARXA_REPORTING_ARCHIVE_BUCKET_URL",
        "XARXA_REPORTING_PARTNER_HOSTS",
    }
    assert missing(GrownGateway, "gateway", set(deployed_env(deployment, "gateway"))) == {
        "XARXA_GATEWAY_SESSION_SECRET"
    }
    # Deployed: caught no more.
    assert not missing(GrownGateway, "gateway", {*deployed_env(deployment, "gateway"), "XARXA_GATEWAY_SESSION_SECRET"})


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_stale_or_misplaced_variable_is_caught(deployment: str) -> None:
    deployed = set(deployed_env(deployment, "projects"))
    projects = settings_class("projects")
    assert stale(projects, {*deployed, "XARXA_PROJECTS_RETIRED_SETTING"}) == {"XARXA_PROJECTS_RETIRED_SETTING"}
    # The gateway's upstream setting means nothing to the projects service.
    assert stale(projects, {*deployed, "XARXA_GATEWAY_PROJECTS_URL"}) == {"XARXA_GATEWAY_PROJECTS_URL"}
    # Variables outside the XARXA_ namespace (secret parts, the image's own) are not settings.
    assert not stale(projects, {*deployed, "PROJECTS_DB_PASSWORD", "PYTHONUNBUFFERED"})


def test_every_service_is_deployed_by_both() -> None:
    """The launcher's list of services is the one deployed (a new service must be added to both)."""
    assert {s.name for s in BACKEND_SERVICES} | {GATEWAY.name, WEB.name} == set(SERVICES)
    for service in SERVICES:
        assert compose_service(service)
        assert k8s_object("Deployment", service)
