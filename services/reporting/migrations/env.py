"""Alembic environment of the reporting service; the shared helper does the work."""

from services.reporting.database import migration_targets
from shared.migrations import run_env

run_env(migration_targets())
