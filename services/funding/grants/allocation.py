"""Who is funded, and with how much: a pure, deterministic function of rankings, budgets and rules.

Full funding by rank: within a modality, applications at or above the minimum score are funded
whole, in rank order, while the modality's money covers the request in every budget year; the
first that does not fit stops the modality, so a higher-ranked application is never passed over for
a lower one. What a modality leaves is a rule of the call: it stays, or it moves, in order, to the
named modalities, which go on down their own rankings with it; whatever a receiving modality does
not use moves on to the next name and, in the end, stays where it started. Every decision carries
its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from services.funding.grants.scoring import Ranked, ranking

Money = dict[int, Decimal]


@dataclass(frozen=True)
class ModalityBudget:
    code: str
    budget: Mapping[int, Decimal]
    remainder_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    id: str
    reference: str
    modality: str
    admitted: bool
    total: Decimal | None
    by_criterion: tuple[Decimal, ...]
    submitted_at: datetime
    requested: Mapping[int, Decimal]


@dataclass(frozen=True)
class Decision:
    id: str
    reference: str
    modality: str
    funded: bool
    rank: int | None
    granted: Money
    reason: str
    funded_from: str | None = None


@dataclass(frozen=True)
class Transfer:
    source: str
    target: str
    amounts: Money
    used: Money


@dataclass
class Allocation:
    decisions: list[Decision]
    left: dict[str, Money]
    transfers: list[Transfer] = field(default_factory=list)

    def by_id(self) -> dict[str, Decision]:
        return {d.id: d for d in self.decisions}


def _fmt(money: Mapping[int, Decimal]) -> str:
    return ", ".join(f"{year}: {amount:.2f} EUR" for year, amount in sorted(money.items())) or "nothing"


def _fits(pool: Money, requested: Mapping[int, Decimal]) -> bool:
    return all(pool.get(year, Decimal(0)) >= amount for year, amount in requested.items())


def allocate(modalities: list[ModalityBudget], candidates: list[Candidate], min_score: Decimal) -> Allocation:
    codes = [m.code for m in modalities]
    for m in modalities:
        unknown = set(m.remainder_to) - set(codes) | ({m.code} & set(m.remainder_to))
        if unknown:
            raise ValueError(f"modality {m.code}: remainder cannot go to {sorted(unknown)}")
    pools: dict[str, Money] = {m.code: {y: Decimal(a) for y, a in m.budget.items()} for m in modalities}
    decisions: dict[str, Decision] = {}
    waiting: dict[str, list[Ranked]] = {code: [] for code in codes}
    by_id = {c.id: c for c in candidates}
    for c in candidates:
        if c.modality not in pools:
            raise ValueError(f"application {c.reference}: unknown modality {c.modality}")
        if not c.admitted:
            decisions[c.id] = Decision(c.id, c.reference, c.modality, False, None, {}, "not admitted")
        elif c.total is None:
            raise ValueError(f"application {c.reference} is admitted but not scored")
        else:
            waiting[c.modality].append(Ranked(c.id, c.reference, c.total, c.by_criterion, c.submitted_at))
    ranks: dict[str, int] = {}
    queue: dict[str, list[Ranked]] = {}
    for code in codes:
        ranked = ranking(waiting[code])
        for position, item in enumerate(ranked, start=1):
            ranks[item.id] = position
            if item.total < min_score:
                decisions[item.id] = Decision(
                    item.id,
                    item.reference,
                    code,
                    False,
                    position,
                    {},
                    f"score {item.total} is below the minimum of {min_score}",
                )
        queue[code] = [item for item in ranked if item.total >= min_score]

    def fund_while_fits(code: str, money_of: str) -> None:
        pool, items = pools[code], queue[code]
        while items and _fits(pool, by_id[items[0].id].requested):
            item = items.pop(0)
            requested = {y: Decimal(a) for y, a in by_id[item.id].requested.items()}
            before = dict(pool)
            for year, amount in requested.items():
                pool[year] = pool.get(year, Decimal(0)) - amount
            source = "" if money_of == code else f", with the remainder of {money_of}"
            decisions[item.id] = Decision(
                item.id,
                item.reference,
                code,
                True,
                ranks[item.id],
                requested,
                f"funded in full: rank {ranks[item.id]} of {code}, score {item.total}; requested "
                f"{_fmt(requested)} within the {_fmt(before)} left{source}",
                funded_from=money_of,
            )

    for code in codes:
        fund_while_fits(code, code)
    transfers: list[Transfer] = []
    for m in modalities:
        for target in m.remainder_to:
            moving = {y: a for y, a in pools[m.code].items() if a > 0}
            if not moving:
                break
            for year, amount in moving.items():
                pools[m.code][year] -= amount
                pools[target][year] = pools[target].get(year, Decimal(0)) + amount
            fund_while_fits(target, m.code)
            unused = {y: min(a, pools[target].get(y, Decimal(0))) for y, a in moving.items()}
            for year, amount in unused.items():
                pools[target][year] -= amount
                pools[m.code][year] += amount
            used = {y: a - unused[y] for y, a in moving.items()}
            transfers.append(Transfer(m.code, target, moving, used))
    for code in codes:
        items = queue[code]
        if not items:
            continue
        first = items[0]
        asked = by_id[first.id].requested
        for item in items:
            reason = (
                f"not funded: rank {ranks[item.id]} of {code}; requested {_fmt(asked)} but only "
                f"{_fmt(pools[code])} was left"
                if item is first
                else f"not funded: rank {ranks[item.id]} of {code}, below {first.reference}, which did not fit; "
                "funding goes by rank"
            )
            decisions[item.id] = Decision(item.id, item.reference, code, False, ranks[item.id], {}, reason)
    ordered = sorted(
        decisions.values(), key=lambda d: (codes.index(d.modality), d.rank is None, d.rank or 0, d.reference)
    )
    return Allocation(ordered, {code: dict(pool) for code, pool in pools.items()}, transfers)
