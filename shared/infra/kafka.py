"""Apache Kafka (KRaft) assembled from Maven Central jars and run on loopback.

The jar list is `deploy/local/kafka/pom.xml`; `mvn` copies the runtime closure once into the cache.
Each node is a combined broker+controller rendered from `server.properties.tmpl`. One node for
development and tests, three for failover tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from shared.infra import InfraError
from shared.infra.paths import DEPLOY_LOCAL, cache_dir

KAFKA_CONF = DEPLOY_LOCAL / "kafka"
# A fixed cluster id keeps restarts of a formatted node simple; each cluster has its own folders.
CLUSTER_ID = "4L6g3nShT-eMCtK--X86sw"
READY_LINE = "Kafka Server started"


def _kafka_version() -> str:
    text = (KAFKA_CONF / "pom.xml").read_text()
    return text.split("<kafka.version>")[1].split("</kafka.version>")[0]


def libs_dir() -> Path:
    """Download the broker's jars once (mvn), reuse them afterwards."""
    target = cache_dir() / f"kafka-{_kafka_version()}" / "libs"
    marker = target / ".complete"
    if marker.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(KAFKA_CONF / "pom.xml"),
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
            "-DincludeScope=runtime",
            "-Dmdep.prependGroupId=true",
            f"-DoutputDirectory={target}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise InfraError(f"mvn could not assemble Kafka {_kafka_version()}:\n{result.stdout}{result.stderr}")
    marker.write_text("ok\n")
    return target


def _java_cmd(main: str, *args: str) -> list[str]:
    return [
        "java",
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={KAFKA_CONF / 'log4j2.properties'}",
        "-cp",
        f"{libs_dir()}/*",
        main,
        *args,
    ]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill 0; reap it if so.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


@dataclass
class KafkaNode:
    node_id: int
    base_dir: Path
    port: int
    controller_port: int
    voters: str = ""
    replication: int = 1

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "kafka.log"

    @property
    def pid_file(self) -> Path:
        return self.base_dir / "pid"

    @property
    def config_file(self) -> Path:
        return self.base_dir / "server.properties"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def running(self) -> bool:
        return self.pid() is not None

    def prepare(self) -> None:
        """Render the config and format the storage, unless this node was formatted before."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        template = Template((KAFKA_CONF / "server.properties.tmpl").read_text())
        self.config_file.write_text(
            template.substitute(
                node_id=self.node_id,
                port=self.port,
                controller_port=self.controller_port,
                voters=self.voters or f"{self.node_id}@127.0.0.1:{self.controller_port}",
                data_dir=self.data_dir,
                replication=self.replication,
                min_isr=min(2, self.replication),
            )
        )
        if (self.data_dir / "meta.properties").exists():
            return  # never reformat a node that is restarting
        result = subprocess.run(
            _java_cmd("kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", str(self.config_file)),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise InfraError(f"formatting Kafka node {self.node_id} failed:\n{result.stdout}{result.stderr}")

    def launch(self) -> None:
        """Start the JVM in its own session so that it outlives the launching command."""
        if self.running():
            return
        self.prepare()
        with self.log_file.open("w") as log:
            proc = subprocess.Popen(
                _java_cmd("kafka.Kafka", str(self.config_file)),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.base_dir,
            )
        self.pid_file.write_text(str(proc.pid))

    def wait_started(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_LINE in self._log_text():
                return
            if not self.running():
                raise InfraError(
                    f"Kafka node {self.node_id} exited while starting; see {self.log_file}:\n" + self._log_tail()
                )
            time.sleep(0.25)
        raise InfraError(f"Kafka node {self.node_id} not started after {timeout:.0f}s; see {self.log_file}")

    def stop(self, kill: bool = False, timeout: float = 30.0) -> None:
        """SIGTERM (controlled shutdown), escalated to SIGKILL; kill=True crashes it at once."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _pid_alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + 10
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)

    def _log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _log_tail(self, lines: int = 30) -> str:
        return "\n".join(self._log_text().splitlines()[-lines:])


@dataclass
class KafkaCluster:
    nodes: list[KafkaNode] = field(default_factory=list)

    @classmethod
    def create(cls, base_dir: Path, ports: list[tuple[int, int]]) -> KafkaCluster:
        """ports: (client, controller) per node; 1 node or 3 nodes."""
        voters = ",".join(f"{i}@127.0.0.1:{ctl}" for i, (_, ctl) in enumerate(ports, start=1))
        nodes = [
            KafkaNode(
                node_id=i,
                base_dir=base_dir / f"node{i}",
                port=client,
                controller_port=ctl,
                voters=voters,
                replication=min(3, len(ports)),
            )
            for i, (client, ctl) in enumerate(ports, start=1)
        ]
        return cls(nodes)

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    def start(self, timeout: float = 180.0) -> None:
        # Start every node before waiting: a KRaft quorum needs a majority of voters up.
        for node in self.nodes:
            node.launch()
        for node in self.nodes:
            node.wait_started(timeout)
        asyncio.run(wait_metadata(self.bootstrap, expected_brokers=len(self.nodes), timeout=timeout))

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def running(self) -> bool:
        return all(node.running() for node in self.nodes)


async def wait_metadata(bootstrap: str, expected_brokers: int = 1, timeout: float = 60.0) -> None:
    """Readiness as a client sees it: a metadata request that lists every broker."""
    from aiokafka.admin import AIOKafkaAdminClient

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            if len(cluster["brokers"]) >= expected_brokers:
                return
        except Exception as exc:  # noqa: BLE001 - any client error means "not ready yet"
            last_error = exc
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise InfraError(f"Kafka at {bootstrap} answered no metadata request in {timeout:.0f}s: {last_error}")
