"""Real PostgreSQL and Kafka for the test session, on free loopback ports, in a temporary folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.infra.kafka import KafkaCluster
from shared.infra.ports import free_port
from shared.infra.postgres import EmbeddedPostgres
from xarxa.launcher.services import WITH_DATABASE


@dataclass
class RunningInfra:
    postgres: EmbeddedPostgres
    kafka: KafkaCluster

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap

    def database_url(self, service: str) -> str:
        return self.postgres.url(f"xarxa_{service}")


def start_infra(root: Path) -> RunningInfra:
    postgres = EmbeddedPostgres(root / "postgres", free_port())
    postgres.start()
    postgres.create_databases([s.database for s in WITH_DATABASE])
    kafka = KafkaCluster.create(root / "kafka", [(free_port(), free_port())])
    kafka.start()
    return RunningInfra(postgres, kafka)


def stop_infra(infra: RunningInfra) -> None:
    infra.kafka.stop()
    infra.postgres.destroy()
