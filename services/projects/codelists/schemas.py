"""API models of the codelists."""

from pydantic import BaseModel, Field


class CodelistSummary(BaseModel):
    name: str
    source: str
    size: int


class CodelistIndex(BaseModel):
    items: list[CodelistSummary]


class CodelistItemRead(BaseModel):
    code: str
    name: str = Field(description="In the requested language, falling back to English")
    names: dict[str, str]
    parent: str | None = None


class CodelistRead(BaseModel):
    name: str
    source: str
    language: str
    items: list[CodelistItemRead]
