"""The reporting service's declarative base and the metadata its migrations target."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.backbone import backbone_metadata
from shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def migration_targets() -> list[MetaData]:
    # Imported for their side effect of registering tables on Base.metadata.
    from services.reporting.readmodels import models  # noqa: F401
    from services.reporting.webhooks import models as webhook_models  # noqa: F401

    return [Base.metadata, backbone_metadata]
