"""API models of the funding service's project references."""

import uuid
from datetime import datetime

from pydantic import BaseModel


class ProjectRefRead(BaseModel):
    id: uuid.UUID
    version: int
    owner: str
    code: str
    status: str
    visibility: str
    archived: bool
    partners: list[str]
    updated_at: datetime
