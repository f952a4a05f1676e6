"""Settings of the funding service: environment variables `XARXA_FUNDING_*`."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_FUNDING_", extra="ignore")

    service_name: str = "funding"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/xarxa_funding"
