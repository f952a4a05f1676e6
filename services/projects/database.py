"""The projects service's declarative base and the metadata its migrations target."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.backbone import backbone_metadata
from shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def migration_targets() -> list[MetaData]:
    # Imported for their side effect of registering tables on Base.metadata.
    from services.projects.imports import models as import_models  # noqa: F401
    from services.projects.projects import models  # noqa: F401
    from services.projects.updates import models as update_models  # noqa: F401

    return [Base.metadata, backbone_metadata]
