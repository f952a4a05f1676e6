"""The local infrastructure of one state folder: its PostgreSQL, its Kafka, and their settings."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.infra.kafka import KafkaCluster, libs_dir
from shared.infra.postgres import EmbeddedPostgres
from xarxa.launcher.services import BACKEND_SERVICES, GATEWAY, WITH_DATABASE


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class LocalInfra:
    root: Path
    pg_port: int = 55432
    kafka_port: int = 59092
    brokers: int = 1

    @classmethod
    def from_env(cls, root: Path, brokers: int = 1) -> LocalInfra:
        return cls(
            root=root,
            pg_port=_env_int("XARXA_PG_PORT", 55432),
            kafka_port=_env_int("XARXA_KAFKA_PORT", 59092),
            brokers=brokers,
        )

    @property
    def postgres(self) -> EmbeddedPostgres:
        return EmbeddedPostgres(self.root / "postgres", self.pg_port)

    @property
    def kafka(self) -> KafkaCluster:
        # Client ports kafka_port.., controller ports 100 above; 1- and 3-node clusters live apart.
        ports = [(self.kafka_port + i, self.kafka_port + 100 + i) for i in range(self.brokers)]
        return KafkaCluster.create(self.root / f"kafka-{self.brokers}", ports)

    def up(self) -> None:
        libs_dir()  # download once, before anything starts
        self.postgres.start()
        self.postgres.create_databases([s.database for s in WITH_DATABASE])
        self.kafka.start()

    def down(self) -> None:
        self.kafka.stop()
        self.postgres.stop()

    def service_env(self) -> dict[str, str]:
        """Settings that point every service at this infrastructure, unless the caller set them."""
        env: dict[str, str] = {}
        gateway_port = os.environ.get(f"{GATEWAY.env_prefix}PORT", str(GATEWAY.default_port))
        for service in WITH_DATABASE:
            env[f"{service.env_prefix}DATABASE_URL"] = self.postgres.url(service.database)
        for service in BACKEND_SERVICES:
            env[f"{service.env_prefix}KAFKA_BOOTSTRAP"] = self.kafka.bootstrap
            env[f"{service.env_prefix}KAFKA_REPLICATION"] = str(min(3, self.brokers))
            env[f"{service.env_prefix}JWKS_URL"] = f"http://127.0.0.1:{gateway_port}/.well-known/jwks.json"
        return {k: os.environ.get(k, v) for k, v in env.items()}

    def status(self) -> dict[str, Any]:
        pg = self.postgres
        kafka = self.kafka
        return {
            "state_dir": str(self.root),
            "postgres": {
                "running": pg.running(),
                "port": pg.port,
                "data_dir": str(pg.data_dir),
                "log": str(pg.log_file),
                "databases": [s.database for s in BACKEND_SERVICES],
            },
            "kafka": {
                "bootstrap": kafka.bootstrap,
                "nodes": [
                    {
                        "node_id": n.node_id,
                        "running": n.running(),
                        "pid": n.pid(),
                        "port": n.port,
                        "controller_port": n.controller_port,
                        "data_dir": str(n.data_dir),
                        "log": str(n.log_file),
                    }
                    for n in kafka.nodes
                ],
            },
        }

    def status_json(self) -> str:
        return json.dumps(self.status(), indent=2)
