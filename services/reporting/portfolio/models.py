"""The read models moved to readmodels/models.py; these names stay for exports/, which is being
reworked (new code imports readmodels)."""

from services.reporting.readmodels.models import LedgerEntryView as LedgerEntryView
from services.reporting.readmodels.models import ProjectView as ProjectView
