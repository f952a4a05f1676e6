"""Money by year moved to readmodels/years.py; these names stay for exports/, which is being
reworked (new code imports readmodels)."""

from services.reporting.readmodels.years import YearSums as YearSums
from services.reporting.readmodels.years import project_money as project_money
from services.reporting.readmodels.years import year_order as year_order
