"""rate provenance and bounds

Rates carry a source from a fixed list (ECB, InforEuro, manual), the API client that set them and
whether an outlier was confirmed; the old free-text sources move to `note`. The bounds hold for new
rows (NOT VALID: rows loaded before are kept as they were, and bookings made with them keep them).

Revision ID: 5c0e7a2f9b41
Revises: 21d51fe8f714
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5c0e7a2f9b41'
down_revision: str | None = '21d51fe8f714'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('exchange_rates', sa.Column('note', sa.Text(), nullable=True))
    op.add_column('exchange_rates', sa.Column('set_by', sa.Text(), nullable=True))
    op.add_column(
        'exchange_rates', sa.Column('confirmed_outlier', sa.Boolean(), server_default='false', nullable=False)
    )
    op.execute(
        """
        UPDATE exchange_rates
        SET note = source,
            source = CASE
                WHEN source ILIKE '%inforeuro%' THEN 'InforEuro'
                WHEN source ILIKE '%ECB%' OR source ILIKE '%euro foreign exchange%' THEN 'ECB'
                ELSE 'manual'
            END
        WHERE source NOT IN ('ECB', 'InforEuro', 'manual')
        """
    )
    op.execute(
        "ALTER TABLE exchange_rates ADD CONSTRAINT ck_exchange_rates_source "
        "CHECK (source IN ('ECB', 'InforEuro', 'manual'))"
    )
    op.execute(
        "ALTER TABLE exchange_rates ADD CONSTRAINT ck_exchange_rates_units_per_eur_bounds "
        "CHECK (units_per_eur > 0.000001 AND units_per_eur < 1000000) NOT VALID"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE exchange_rates DROP CONSTRAINT ck_exchange_rates_units_per_eur_bounds")
    op.execute("ALTER TABLE exchange_rates DROP CONSTRAINT ck_exchange_rates_source")
    op.execute("UPDATE exchange_rates SET source = note WHERE note IS NOT NULL")
    op.drop_column('exchange_rates', 'confirmed_outlier')
    op.drop_column('exchange_rates', 'set_by')
    op.drop_column('exchange_rates', 'note')
