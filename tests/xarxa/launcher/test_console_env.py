"""`xarxa up` configures the console: the gateway and the portal agree on the web client."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from services.gateway.config import Settings as GatewaySettings
from services.web.config import Settings as WebSettings
from services.web.console.provider import CALLBACK_PATH
from xarxa.launcher.platform import console_env


def test_the_gateway_and_the_portal_get_one_secret_and_the_portals_redirects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = console_env(tmp_path, "http://127.0.0.1:8000")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    gateway, web = GatewaySettings(), WebSettings()
    assert gateway.web_client_secret == web.client_secret and len(web.client_secret or "") >= 32
    assert gateway.web_client_id == web.client_id
    assert gateway.web_redirect_uris == [f"{web.public_url}{CALLBACK_PATH}"]
    assert gateway.web_post_logout_redirect_uris == [f"{web.public_url}/"]
    assert gateway.public_url == web.public_url and not gateway.signin_cookie_secure
    # Made once, kept for the owner only: the next `xarxa up` keeps people's sessions valid.
    assert console_env(tmp_path, "http://127.0.0.1:8000") == env
    assert stat.S_IMODE((tmp_path / "web-client-secret").stat().st_mode) == 0o600
