"""deploy/Dockerfile: the portal's npm packages and files are in the image where the service reads them."""

from __future__ import annotations

import json
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import pytest

import services.web.geo
import services.web.main
from shared.infra.paths import PROJECT_ROOT
from tests.support.manifests import DEPLOY

DOCKERFILE = DEPLOY / "Dockerfile"
WEB_DIR = PROJECT_ROOT / "services" / "web"
# The directories the portal reads at run time besides its modules and node_modules.
RUNTIME_DIRS = ["static", "templates", "locale", "data"]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            result.append([])
        result[-1].append((keyword, rest))
    return result


def stage_name(stage: list[tuple[str, str]]) -> str:
    parts = stage[0][1].split()
    return parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else ""


def npm_packages_read() -> set[str]:
    """The npm packages the portal's code opens: `"node_modules" / "<name>"`."""
    names: set[str] = set()
    for module in WEB_DIR.rglob("*.py"):
        if "node_modules" not in module.parts:
            names |= set(re.findall(r'"node_modules"\s*/\s*"([^"]+)"', module.read_text()))
    return names


def test_the_packages_the_portal_serves_are_run_time_dependencies() -> None:
    read = npm_packages_read()
    assert read >= {"world-atlas", "swagger-ui-dist"}
    manifest = json.loads((WEB_DIR / "package.json").read_text())
    assert read <= set(manifest["dependencies"]), "npm ci --omit=dev would leave them out"
    assert not read & set(manifest.get("devDependencies", {}))
    lock = json.loads((WEB_DIR / "package-lock.json").read_text())["packages"]
    for name in read:
        assert not lock[f"node_modules/{name}"].get("dev", False), name


def test_a_node_stage_installs_exactly_the_lock_without_dev_packages() -> None:
    [node] = [s for s in stages() if s[0][1].startswith("node:")]
    assert stage_name(node)
    workdir = [rest for keyword, rest in node if keyword == "WORKDIR"][-1]
    assert PurePosixPath(workdir).parts[-2:] == ("services", "web")
    assert ("COPY", "services/web/package.json services/web/package-lock.json ./") in node
    [install] = [rest for keyword, rest in node if keyword == "RUN" and "npm" in rest]
    words = install.split()
    assert words[:2] == ["npm", "ci"], "ci: the lock's versions and integrity hashes, or a failed build"
    assert "--omit=dev" in words


def test_the_final_image_has_node_modules_and_static_where_the_installed_package_reads_them() -> None:
    final = stages()[-1]
    python = re.fullmatch(r"python:(\d+\.\d+)-slim", final[0][1])
    assert python is not None
    assert python.group(1) == tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ].removeprefix(">=")
    args = dict(rest.split("=", 1) for keyword, rest in final if keyword == "ARG")
    package = args["WEB_PACKAGE"]
    # Where pip puts services/web in the official image.
    assert package == f"/usr/local/lib/python{python.group(1)}/site-packages/services/web"
    [node] = [s for s in stages() if s[0][1].startswith("node:")]
    node_workdir = [rest for keyword, rest in node if keyword == "WORKDIR"][-1]
    copies = [rest.split() for keyword, rest in final if keyword == "COPY"]
    assert [f"--from={stage_name(node)}", f"{node_workdir}/node_modules", "${WEB_PACKAGE}/node_modules"] in copies
    assert ["services/web/static", "${WEB_PACKAGE}/static"] in copies
    # The service's own idea of those places, relative to its package.
    for path in (services.web.main.SWAGGER_UI_DIR, services.web.geo.ATLAS):
        assert path.relative_to(WEB_DIR).parts[0] == "node_modules"
    # Copied before the user changes and before the build-time check that opens them.
    order = [keyword for keyword, _ in final]
    assert order.index("USER") > max(i for i, k in enumerate(order) if k == "COPY")
    [check] = [rest for keyword, rest in final if keyword == "RUN" and "create_app()" in rest]
    assert "load_translations" in check
    assert "SWAGGER_UI_FILES" in check


def package_data_patterns() -> list[str]:
    return list(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"])


def in_image(relative: Path, patterns: list[str], copied: set[str]) -> bool:
    return relative.parts[0] in copied or any(fnmatch(relative.name, p) for p in patterns)


def copied_whole() -> set[str]:
    final = stages()[-1]
    return {
        PurePosixPath(rest.split()[-1]).name
        for keyword, rest in final
        if keyword == "COPY" and rest.split()[-1].startswith("${WEB_PACKAGE}/")
    }


def test_every_file_the_portal_reads_is_in_the_wheel_or_copied() -> None:
    """The wheel carries only the package-data patterns; a directory outside them is copied whole."""
    patterns, copied = package_data_patterns(), copied_whole()
    # Not read at run time: compiled catalogues (gitignored) and the translators' template.
    files = [
        p for d in RUNTIME_DIRS for p in (WEB_DIR / d).rglob("*") if p.is_file() and p.suffix not in {".mo", ".pot"}
    ]
    assert files
    left_out = [str(p.relative_to(WEB_DIR)) for p in files if not in_image(p.relative_to(WEB_DIR), patterns, copied)]
    assert left_out == []
    # The catalogues are compiled in memory at start, from the .po: those must be carried.
    assert any(fnmatch("messages.po", p) for p in patterns)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("static/app.js", True),  # outside the patterns, but static/ is copied whole
        ("static/logo.svg", True),
        ("templates/feed.xml.j2", False),  # neither: the check above would name it
        ("data/boundaries.geojson", False),
    ],
)
def test_a_file_type_outside_the_patterns_is_caught(name: str, expected: bool) -> None:
    relative = Path(name)
    assert not in_image(relative, package_data_patterns(), set())
    assert in_image(relative, package_data_patterns(), copied_whole()) is expected


def test_the_build_context_leaves_out_the_build_machines_node_modules() -> None:
    """BuildKit reads deploy/Dockerfile.dockerignore; without it the wheel would carry dev packages' files."""
    rules = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()]
    rules = [rule for rule in rules if rule and not rule.startswith("#")]
    assert "**/node_modules" in rules
    assert not [rule for rule in rules if rule.startswith("!")]
    for needed in ("pyproject.toml", "README.md", "requirements.lock", "shared", "services"):
        assert not any(fnmatch(needed, rule) for rule in rules), needed
