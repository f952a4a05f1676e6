"""What a module does, read from its syntax tree: which modules it imports and where it queries
the database. The layout tests check with these that endpoints are HTTP only, that every query
lives in a repository and that no endpoint module imports another."""

from __future__ import annotations

import ast
from pathlib import Path

# SQLAlchemy's statement builders: a module that imports one builds queries.
STATEMENTS = frozenset({"select", "insert", "update", "delete", "text", "tuple_", "exists", "union"})
# Session methods that run a query (add and flush are the unit of work, not queries).
QUERIES = frozenset({"execute", "get", "scalar", "scalars", "stream", "merge", "refresh"})


def imports(path: Path) -> set[str]:
    """Every module the file imports, by its absolute name (`from a import b` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def queries(path: Path) -> list[str]:
    """Where the file builds or runs a query: `line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"{node.lineno}: imports {a.name}" for a in node.names if a.name in STATEMENTS]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERIES
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
        ):
            found.append(f"{node.lineno}: session.{node.func.attr}")
    return found


def endpoint_offences(package: Path, dotted: str) -> list[str]:
    """Endpoint modules of the package (and its subpackages) that import another endpoint module,
    a repository, or query the database themselves."""
    offences: list[str] = []
    for path in sorted(package.rglob("*endpoints.py")):
        own = f"{dotted}.{'.'.join(path.relative_to(package).with_suffix('').parts)}"
        for name in sorted(imports(path)):
            last = name.rsplit(".", 1)[-1]
            if (name != own and last.endswith("endpoints")) or last == "repository":
                offences.append(f"{path.name} imports {name}")
        offences += [f"{path.name} {q}" for q in queries(path)]
    return offences


def query_offences(package: Path) -> list[str]:
    """Queries outside the package's repository modules (and its models, which declare tables)."""
    return [
        f"{path.relative_to(package)} {q}"
        for path in sorted(package.rglob("*.py"))
        if path.name not in ("repository.py", "models.py") and "migrations" not in path.parts
        for q in queries(path)
    ]
