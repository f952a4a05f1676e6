"""Settings of the funding service: environment variables `XARXA_FUNDING_*`."""

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# The Kafka consumer group of this service (its dead letters: `<group>.dlq`).
CONSUMER_GROUP = "xarxa.funding"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_FUNDING_", extra="ignore")

    service_name: str = "funding"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/xarxa_funding"
    # Where new grant documents' contents go; each document remembers where it went, so switching
    # later leaves the earlier ones readable where they are.
    documents_storage: Literal["postgresql", "s3"] = "postgresql"
    # An S3-compatible store: empty endpoint means AWS itself; empty keys mean the SDK's own chain
    # (instance or pod role), which is what a cluster should use.
    documents_s3_endpoint_url: str = ""
    documents_s3_bucket: str = ""
    documents_s3_region: str = "eu-south-2"
    documents_s3_access_key_id: str = ""
    documents_s3_secret_access_key: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _s3_complete(self) -> "Settings":
        if self.documents_storage == "s3" and not self.documents_s3_bucket:
            raise ValueError("documents_storage s3 needs documents_s3_bucket")
        return self
