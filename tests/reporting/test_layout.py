"""The reporting service's shape: reports answer from the read models and never from each other."""

from __future__ import annotations

import ast
from pathlib import Path

import services.reporting

ROOT = Path(services.reporting.__file__).parent
REPORTS = ("portfolio", "sdg", "breakdown", "results", "zero_seven", "webhooks")
# exports/ renders the reports above as files, so it may import them (not the other way round).
LOWER = ("readmodels", "config", "database")


def imported(path: Path) -> set[str]:
    """Every services.reporting.<x> a module imports, <x> its first part below the service."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module]
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
            else []
        )
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["services", "reporting"] and len(parts) > 2:
                found.add(parts[2])
    return found


def test_no_report_imports_another_report() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {other}"
        for report in REPORTS
        for path in sorted((ROOT / report).glob("*.py"))
        for other in imported(path)
        if other in REPORTS and other != report
    ]
    assert offences == []


def test_read_models_import_no_report() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in sorted((ROOT / "readmodels").glob("*.py"))
        for other in imported(path)
        if other not in LOWER
    ]
    assert offences == []


def test_the_check_sees_a_cross_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from services.reporting.sdg.service import sdg_report\nimport services.reporting.breakdown\n")
    assert imported(module) == {"sdg", "breakdown"}
