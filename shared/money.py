"""Money rounding every service shares: amounts are kept and shown to the cent."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in percent, to the hundredth (half up); None when there is no whole to divide by."""
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP) if whole else None
