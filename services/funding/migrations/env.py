"""Alembic environment of the funding service; the shared helper does the work."""

from services.funding.database import migration_targets
from shared.migrations import run_env

run_env(migration_targets())
