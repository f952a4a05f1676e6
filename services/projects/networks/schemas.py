"""API models of the managed list of city networks."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.projects.projects.schemas import Lang, Name
from shared import patterns


class NetworkRead(BaseModel):
    code: str
    names: dict[str, str]


class NetworkList(BaseModel):
    items: list[NetworkRead]


class NetworkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(pattern=patterns.SLUG)]
    names: dict[Lang, Name] = Field(min_length=1, description="Name per language, e.g. ca, es, en")
