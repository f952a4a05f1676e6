"""The SDG attribution of each project, kept ready for the report (a read model of the read models).

One row per project, method and tagged goal or target, with the project's money attributed to it
and its full money (for the contributes-to view); plus a "project" row per project (its totals)
and a "none" row for a project without goals (the unattributed money). Refreshed whenever a
project's goals or funding totals change, so the live SDG report is one SQL aggregate. Reports
as of a past day compute the same figures from the history instead.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Numeric, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.database import Base


class SdgAttribution(Base):
    __tablename__ = "sdg_attribution"

    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    method: Mapped[str] = mapped_column(Text, primary_key=True)
    level: Mapped[str] = mapped_column(Text, primary_key=True)  # "goal", "target", "project", "none"
    code: Mapped[str] = mapped_column(Text, primary_key=True)
    budgeted: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    committed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    disbursed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    spent: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_budgeted: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_committed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_disbursed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_spent: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
