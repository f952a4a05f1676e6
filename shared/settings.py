"""Settings common to every service; each service subclasses with its own env prefix."""

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from `XARXA_<SERVICE>_*` environment variables (see each service's config.py)."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "xarxa"
    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:55432/xarxa",
        description="SQLAlchemy async URL of this service's own database.",
    )
    database_pool_size: int = 20
    kafka_bootstrap: str = "127.0.0.1:59092"
    kafka_replication: int = 1
    kafka_partitions: int = 3
    relay_enabled: bool = True
    consumers_enabled: bool = True
    log_level: str = "INFO"
    jwks_url: str = Field(
        default="http://127.0.0.1:8000/.well-known/jwks.json", description="Where the gateway publishes its keys"
    )
    jwt_issuer: str = "xarxa-gateway"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        return value

    @property
    def source(self) -> str:
        """CloudEvents `source` of everything this service emits."""
        return f"/xarxa/{self.service_name}"
