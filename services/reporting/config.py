"""Settings of the reporting service: environment variables `XARXA_REPORTING_*`."""

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from shared.outbound import Allowlist
from shared.settings import ServiceSettings

# The Kafka consumer groups of this service (their dead letters: `<group>.dlq`).
CONSUMER_GROUP = "xarxa.reporting"  # the read models
WEBHOOKS_GROUP = "xarxa.webhooks"  # webhook deliveries, apart so a slow subscriber holds back no report


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_REPORTING_", extra="ignore")

    service_name: str = "reporting"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/xarxa_reporting"
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Internal webhook receivers allowed besides public addresses, comma-separated (or a JSON list): "
            "host names, host:port, IP addresses or networks (10.20.0.0/16). Empty: only public destinations."
        ),
    )

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        if isinstance(value, list):
            value = [str(v).strip() for v in value if str(v).strip()]
            Allowlist.parse(value)  # a typo fails at start, not at the first delivery
        return value

    @property
    def webhook_destinations(self) -> Allowlist:
        return Allowlist.parse(self.webhook_allowed_hosts)
