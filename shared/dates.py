"""The calendar dates the platform accepts: wide enough for any cooperation record, narrow enough
that date arithmetic (a day before, the end of a day in Barcelona, a rate's age) never leaves
Python's or PostgreSQL's range. Outside it, a 422 naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)

CalendarDate = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]
