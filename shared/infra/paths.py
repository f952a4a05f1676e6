"""Where the launcher finds its configuration and keeps its state."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_LOCAL = PROJECT_ROOT / "deploy" / "local"


def state_dir() -> Path:
    """Git-ignored folder for data, logs and downloads; `XARXA_STATE_DIR` moves it."""
    return Path(os.environ.get("XARXA_STATE_DIR", PROJECT_ROOT / ".state")).resolve()


def cache_dir() -> Path:
    """Downloads that survive `infra down` and fresh test runs (Kafka jars)."""
    return Path(os.environ.get("XARXA_CACHE_DIR", state_dir() / "cache")).resolve()
