"""The deployment files as the container engines see them: each service's environment and command.

Compose `${VAR}` interpolation and Kubernetes `$(VAR)` expansion are done here with the values a
test gives, so that a test can build each service's real `Settings` from what would be deployed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings

from shared.infra.paths import PROJECT_ROOT
from xarxa.launcher.services import BACKEND_SERVICES, GATEWAY, WEB, WITH_DATABASE

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
K8S_DIR = DEPLOY / "k8s"

SERVICES = [service.name for service in [*BACKEND_SERVICES, GATEWAY, WEB]]
BACKENDS = [service.name for service in BACKEND_SERVICES]
# The services that migrate first and need the database (the portal has none: only the gateway).
WITH_DATABASE_NAMES = [service.name for service in WITH_DATABASE]
# `xarxa migrate` reads exactly these (xarxa/launcher/platform.py migrate_all).
MIGRATION_URLS = frozenset(f"{service.env_prefix}DATABASE_URL" for service in WITH_DATABASE)

Document = dict[str, Any]


def settings_class(service: str) -> type[BaseSettings]:
    """The service's settings class as it is now: fields added since are seen too."""
    cls: object = importlib.import_module(f"services.{service}.config").Settings
    assert isinstance(cls, type) and issubclass(cls, BaseSettings)
    return cls


def env_names(cls: type[BaseSettings]) -> dict[str, str]:
    """Environment variable -> field, the way pydantic-settings looks them up (case-insensitively)."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    names: dict[str, str] = {}
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        names[(alias if isinstance(alias, str) else prefix + name).upper()] = name
    return names


# --- compose ---------------------------------------------------------------------------------


def compose() -> Document:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def compose_service(name: str) -> Document:
    service = compose()["services"][name]
    assert isinstance(service, dict)
    return service


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compose_env(name: str) -> dict[str, str]:
    """A compose service's `environment`, in either of its two forms, before interpolation."""
    environment = compose_service(name).get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: _scalar(value) for key, value in environment.items()}


_COMPOSE_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, and $$."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if name in variables and not (operator and operator.startswith(":") and not variables[name]):
            return variables[name]
        if operator and operator.endswith("-"):
            return argument
        raise KeyError(f"compose needs {name}: {argument or 'unset'}")

    return _COMPOSE_VARIABLE.sub(replace, value)


# --- kubernetes ------------------------------------------------------------------------------


def k8s_documents() -> list[tuple[Path, Document]]:
    documents = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                documents.append((path, document))
    return documents


def k8s_object(kind: str, name: str) -> Document:
    found = [d for _, d in k8s_documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} {kind} named {name} in {K8S_DIR}"
    return found[0]


def k8s_container(workload: Document) -> Document:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: one container expected"
    container = containers[0]
    assert isinstance(container, dict)
    return container


_K8S_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def k8s_expand(value: str, defined: Mapping[str, str]) -> str:
    """The kubelet's expansion: $(VAR) of a variable defined before, $$ escapes, others stay as written."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return defined.get(match.group(1), match.group(0))

    return _K8S_REFERENCE.sub(replace, value)


SecretValue = Callable[[str, str], str]


def k8s_env(container: Document, secret: SecretValue) -> dict[str, str]:
    """A container's environment: its ConfigMaps (envFrom) first, then `env` in order, expanded.

    `secret(name, key)` stands for the Secret values, which are not in the repository.
    """
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        assert set(source) <= {"configMapRef", "prefix"}, f"only ConfigMaps can be checked here: {source}"
        config = k8s_object("ConfigMap", source["configMapRef"]["name"])
        for key, value in config.get("data", {}).items():
            env[source.get("prefix", "") + key] = _scalar(value)
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = k8s_expand(_scalar(item["value"]), env)
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secret(ref["name"], ref["key"])
    return env


def k8s_command(container: Document, env: Mapping[str, str]) -> list[str]:
    return [k8s_expand(_scalar(part), env) for part in [*container.get("command", []), *container.get("args", [])]]


def option(command: list[str], name: str) -> str:
    """The value after `name` in an argument list (uvicorn --host, --port)."""
    assert name in command, f"{name} missing from {command}"
    return command[command.index(name) + 1]
