"""Settings of the gateway: environment variables `XARXA_GATEWAY_*`."""

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.gateway.guards.cors import exact_origin


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/xarxa_gateway"
    projects_url: str = "http://127.0.0.1:8001"
    funding_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    # The public portal: every path outside the API, the token endpoints and the documents.
    web_url: str = "http://127.0.0.1:8010"
    connect_timeout: float = 2.0
    read_timeout: float = 30.0
    max_connections_per_service: int = 100
    openapi_cache_seconds: float = 10.0
    log_level: str = "INFO"
    jwt_issuer: str = "xarxa-gateway"
    token_ttl_seconds: int = 300
    anonymous_rate_per_second: float = 20.0
    anonymous_burst: float = 40.0
    probe_rate_per_second: float = 20.0
    probe_burst: float = 40.0
    # Failed client authentications at /oauth/token (each costs an Argon2 hash to check).
    token_failures_per_address_per_minute: float = 10.0
    token_failures_per_client_per_minute: float = 30.0
    # Addresses or networks of reverse proxies whose X-Forwarded-For is believed; none by default.
    trusted_proxies: list[str] = []
    max_body_bytes: int = 1_048_576
    max_json_depth: int = 32
    cors_origins: list[str] = ["http://localhost:3000", "http://127.0.0.1:3000"]
    # Third-party dashboards that may read the public API (GET/HEAD, no credentials) from a browser:
    # exact origins (scheme://host[:port]), never a wildcard (guards/cors.py).
    public_api_origins: list[str] = []
    # People sign in here: the gateway is the OpenID Connect provider. `public_url` is its issuer,
    # the address browsers and relying parties use.
    public_url: str = "http://127.0.0.1:8000"
    # The web service, a confidential client; no secret: no client, nobody can sign in to it.
    web_client_id: str = "xarxa-web"
    web_client_secret: str | None = None
    # Exact URIs (no prefix, no pattern): nothing else is ever redirected to.
    web_redirect_uris: list[str] = []
    web_post_logout_redirect_uris: list[str] = []
    # Without Secure the browser sends the cookie over plain HTTP: for a loopback development only.
    signin_cookie_secure: bool = True
    signin_session_seconds: int = 8 * 3600
    refresh_token_seconds: int = 12 * 3600
    signin_failures_per_address_per_minute: float = 10.0
    # Consecutive wrong passwords or codes that lock the account, and for how long.
    signin_lockout_failures: int = 5
    signin_lockout_seconds: int = 900
    invitation_seconds: int = 7 * 24 * 3600
    password_reset_seconds: int = 3600

    @field_validator("public_api_origins")
    @classmethod
    def _exact_origins(cls, values: list[str]) -> list[str]:
        return [exact_origin(value) for value in values]

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        return value

    @field_validator("web_client_secret")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        if not value:
            return None  # an empty variable: no web client
        if len(value) < 32:
            raise ValueError("the web client's secret needs at least 32 characters")
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def upstreams(self) -> dict[str, str]:
        """Path segment after /api/ -> base URL of the service that owns it."""
        return {
            "projects": self.projects_url,
            "funding": self.funding_url,
            "reporting": self.reporting_url,
            "integrations": self.reporting_url,  # webhooks live with reporting, next to the topics it reads
        }
