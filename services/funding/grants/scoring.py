"""Scores and ranking of grant applications: computed from the evaluators' sheets, never typed.

Each criterion's score is the mean of the evaluators' points for it (half-up to the cent), the
total their sum. Ranking within a modality: the higher total first; ties go to the higher score
on each criterion in the order the call lists them, then to the earlier submission, then to the
lower reference, so every ranking is total and reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TIE_BREAK = (
    "Higher total first; on a tie, the higher score on each criterion in the order the call lists "
    "them, then the earlier submission, then the lower reference."
)


def criterion_scores(sheets: Mapping[str, Mapping[str, Decimal]], criteria: list[str]) -> dict[str, Decimal]:
    """The mean of the evaluators' points per criterion; every sheet scores every criterion."""
    if not sheets:
        return {}
    return {
        c: (sum((Decimal(sheet[c]) for sheet in sheets.values()), Decimal(0)) / len(sheets)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        for c in criteria
    }


def total_score(sheets: Mapping[str, Mapping[str, Decimal]], criteria: list[str]) -> Decimal | None:
    scores = criterion_scores(sheets, criteria)
    return sum(scores.values(), Decimal(0)) if scores else None


@dataclass(frozen=True)
class Ranked:
    id: str
    reference: str
    total: Decimal
    by_criterion: tuple[Decimal, ...]
    submitted_at: datetime


def rank_key(item: Ranked) -> tuple[object, ...]:
    return (-item.total, *(-score for score in item.by_criterion), item.submitted_at, item.reference)


def ranking(items: list[Ranked]) -> list[Ranked]:
    return sorted(items, key=rank_key)
