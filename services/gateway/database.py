"""The gateway's declarative base: API clients, signing keys, the audit trail, users and sign-in."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def migration_targets() -> list[MetaData]:
    # Imported for their side effect of registering tables on Base.metadata.
    from services.gateway.audit import models as audit_models  # noqa: F401
    from services.gateway.clients import models as client_models  # noqa: F401
    from services.gateway.oidc import models as oidc_models  # noqa: F401
    from services.gateway.tokens import models as token_models  # noqa: F401
    from services.gateway.users import models as user_models  # noqa: F401

    return [Base.metadata]
