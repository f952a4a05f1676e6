"""API models of the portfolio reports."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from services.reporting.readmodels.schemas import Definition, Freshness, Money


class PortfolioProject(BaseModel):
    id: uuid.UUID
    version: int
    owner: str
    code: str
    title: dict[str, str]
    status: str
    visibility: str
    partner_cities: list[dict[str, Any]]
    sdg_goals: list[dict[str, Any]]
    updated_at: datetime


class ListedProject(PortfolioProject):
    money: Money = Field(description="Its money in the money-year window (lifetime without one); years with by_year")


class PortfolioProjects(BaseModel):
    items: list[ListedProject]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: this is the last page")
    definition: Definition


class CountryMoney(BaseModel):
    country: str
    projects: int
    committed_eur: Decimal


class PortfolioOverview(BaseModel):
    projects: int
    money: Money = Field(description="Budgeted, committed, disbursed and spent EUR of the published projects")
    top_countries: list[CountryMoney] = Field(description="Partner countries by committed EUR (declared percentages)")
    by_owner: dict[str, int]
    by_status: dict[str, int]
    by_sdg_goal: dict[str, int] = Field(description="Projects tagged with each SDG goal (contributes-to count)")
    freshness: Freshness
    definition: Definition
