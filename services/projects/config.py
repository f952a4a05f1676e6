"""Settings of the projects service: environment variables `XARXA_PROJECTS_*`."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# The Kafka consumer group of this service (its dead letters: `<group>.dlq`).
CONSUMER_GROUP = "xarxa.projects"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_PROJECTS_", extra="ignore")

    service_name: str = "projects"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/xarxa_projects"
