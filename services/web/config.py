"""Settings of the public portal: environment variables `XARXA_WEB_*`."""

from urllib.parse import urlsplit

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def exact_origin(value: str) -> str:
    """`scheme://host[:port]`, as a browser names the site that frames a page; or ValueError."""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "*" in value
        or "'" in value
        or value != value.lower()
        or value != f"{parts.scheme}://{parts.netloc}"
        or "@" in parts.netloc
    ):
        raise ValueError(f"{value!r} is not an exact origin like https://ajuntament.barcelona.cat")
    parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XARXA_WEB_", extra="ignore")

    service_name: str = "web"
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
    # Sites that may frame the embeddable widgets (/{lang}/embed/...), e.g. the Ajuntament's and
    # AMB's: exact origins for CSP frame-ancestors. Every other page refuses framing.
    embed_origins: list[str] = []
    log_level: str = "INFO"
    # The console: people sign in at the gateway (its OpenID Connect provider) and the portal is its
    # confidential client `xarxa-web`. `public_url` is the address browsers use (the gateway's
    # issuer, which forwards pages here); the redirect URI is `<public_url>/auth/callback`. Without
    # a client secret (the gateway's XARXA_GATEWAY_WEB_CLIENT_SECRET) the console is off.
    public_url: str = "http://127.0.0.1:8000"
    client_id: str = "xarxa-web"
    client_secret: str | None = None
    # A console session ends after this long without a request, and at the latest after the
    # absolute time (the gateway's refresh tokens end with its sign-in session anyway).
    session_idle_seconds: int = 30 * 60
    session_absolute_seconds: int = 8 * 3600
    # The access token is refreshed when fewer seconds than this are left of it.
    refresh_before_expiry_seconds: int = 30

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return exact_origin(value.rstrip("/"))

    @field_validator("client_secret")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        if not value:
            return None  # an empty variable: no console
        if len(value) < 32:
            raise ValueError("the web client's secret needs at least 32 characters")
        return value

    @field_validator("embed_origins")
    @classmethod
    def _exact_origins(cls, values: list[str]) -> list[str]:
        return [exact_origin(value) for value in values]
