"""Settings of the public portal: environment variables `XARXA_WEB_*`."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_WEB_", extra="ignore")

    service_name: str = "web"
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8010
    # The portal reads the platform only through the gateway's public API, never a database.
    gateway_url: str = "http://127.0.0.1:8000"
    connect_timeout: float = 2.0
    read_timeout: float = 30.0
    # Codelists change with a deployment, not with the data: kept this long between fetches.
    codelist_cache_seconds: float = 300.0
    # Pages are cached by browsers this long; the ETag (from the data's freshness) revalidates them.
    page_max_age_seconds: int = 60
    log_level: str = "INFO"
