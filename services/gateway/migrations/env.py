"""Alembic environment of the gateway; the shared helper does the work."""

from services.gateway.database import migration_targets
from shared.migrations import run_env

run_env(migration_targets())
