"""Settings of the gateway: environment variables `XARXA_GATEWAY_*`."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    projects_url: str = "http://127.0.0.1:8001"
    funding_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    connect_timeout: float = 2.0
    read_timeout: float = 30.0
    max_connections_per_service: int = 100
    openapi_cache_seconds: float = 10.0
    log_level: str = "INFO"

    def upstreams(self) -> dict[str, str]:
        """Path segment after /api/ -> base URL of the service that owns it."""
        return {"projects": self.projects_url, "funding": self.funding_url, "reporting": self.reporting_url}
