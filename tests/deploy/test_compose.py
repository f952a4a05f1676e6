"""deploy/compose.yaml: valid Compose, started in order, containers locked down."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from typing import Any

import jsonschema
import pytest

from shared.infra.paths import PROJECT_ROOT
from tests.support.manifests import (
    BACKENDS,
    DEPLOY,
    SERVICES,
    WITH_DATABASE_NAMES,
    compose,
    compose_env,
    compose_service,
    interpolate,
)

SCHEMA_FILE = DEPLOY / "schemas" / "compose-spec.json"
APP_CONTAINERS = [*SERVICES, "migrate"]


def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(document)]


def test_the_vendored_schema_is_the_one_its_readme_names() -> None:
    recorded = re.search(r"sha256 `([0-9a-f]{64})`", (DEPLOY / "schemas" / "README.md").read_text())
    assert recorded is not None
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == recorded.group(1)


def test_compose_file_follows_the_compose_specification() -> None:
    assert errors(compose()) == []


@pytest.mark.parametrize(
    ("service", "key", "value"),
    [
        ("gateway", "restrat", "always"),  # a misspelt key
        ("projects", "depends_on", {"migrate": {"condition": "service_finished"}}),
        ("postgres", "healthcheck", {"test": ["CMD", "pg_isready"], "interval": 5}),
        ("kafka", "volumes", "kafkadata:/var/lib/kafka/data"),  # a list, not a string
    ],
)
def test_the_schema_check_refuses_what_compose_would(service: str, key: str, value: object) -> None:
    broken = copy.deepcopy(compose())
    broken["services"][service][key] = value
    assert errors(broken)


def test_every_long_running_container_has_a_healthcheck() -> None:
    for name, service in compose()["services"].items():
        if name != "migrate":
            assert service["healthcheck"]["test"][0] == "CMD", name


def test_nothing_starts_before_what_it_needs() -> None:
    services = compose()["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"] == ["xarxa", "migrate"]
    for name in WITH_DATABASE_NAMES:
        needs = {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}
        assert needs["postgres"] == "service_healthy", name
        assert needs["migrate"] == "service_completed_successfully", name
        if name in BACKENDS:
            assert needs["kafka"] == "service_healthy", name
    # The portal reads the gateway's API only: no database, no migration, no Kafka to wait for.
    assert services["web"]["depends_on"] == {"gateway": {"condition": "service_healthy"}}
    assert set(SERVICES) - set(WITH_DATABASE_NAMES) == {"web"}
    for name, service in services.items():
        for dep, spec in service.get("depends_on", {}).items():
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep}, which has no healthcheck"


def test_postgres_waits_for_its_init_script_and_kafka_keeps_its_data() -> None:
    postgres = compose_service("postgres")
    # The entrypoint's init phase listens on the socket only: a TCP check passes after init.sql.
    assert postgres["healthcheck"]["test"][:4] == ["CMD", "pg_isready", "-h", "127.0.0.1"]
    assert "./postgres-init.sql:/docker-entrypoint-initdb.d/init.sql:ro" in postgres["volumes"]
    kafka = compose_service("kafka")
    data_dir = kafka["environment"]["KAFKA_LOG_DIRS"]
    assert f"kafkadata:{data_dir}" in kafka["volumes"]
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper


def test_the_database_password_must_be_given() -> None:
    password = compose_env("postgres")["POSTGRES_PASSWORD"]
    with pytest.raises(KeyError, match="XARXA_POSTGRES_PASSWORD"):
        interpolate(password, {})
    assert interpolate(password, {"XARXA_POSTGRES_PASSWORD": "abc123"}) == "abc123"


def test_application_containers_are_locked_down() -> None:
    version = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name in APP_CONTAINERS:
        service = compose_service(name)
        assert service["image"] == f"xarxa:{version}", name
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
        assert service["read_only"] is True, name
        assert service["tmpfs"] == ["/tmp"], name
        assert str(service["user"]).split(":")[0] not in {"0", "root"}, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_only_the_gateway_is_published_and_on_loopback() -> None:
    published = {name: s["ports"] for name, s in compose()["services"].items() if "ports" in s}
    assert published == {"gateway": ["127.0.0.1:8000:8000"]}
