"""The funding service's declarative base and the metadata its migrations target."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.backbone import backbone_metadata
from shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def migration_targets() -> list[MetaData]:
    # Imported for their side effect of registering tables on Base.metadata.
    from services.funding.grants import models as grant_models  # noqa: F401
    from services.funding.iati_money import models as iati_money_models  # noqa: F401
    from services.funding.institutions import models as institution_models  # noqa: F401
    from services.funding.ledger import models as ledger_models  # noqa: F401
    from services.funding.project_refs import models as ref_models  # noqa: F401
    from services.funding.rates import models as rate_models  # noqa: F401
    from services.funding.sources import models as source_models  # noqa: F401

    return [Base.metadata, backbone_metadata]
