"""Alembic environment of the projects service; the shared helper does the work."""

from services.projects.database import migration_targets
from shared.migrations import run_env

run_env(migration_targets())
