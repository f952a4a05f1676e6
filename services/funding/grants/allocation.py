"""Who is funded, and with how much: a pure, deterministic function of rankings, budgets and rules.

Full funding by rank: within a modality, applications at or above the minimum score are funded
whole, in rank order, while the modality's money covers the request in every budget year; the
first that does not fit stops the modality, so a higher-ranked application is never passed over for
a lower one. What a modality leaves is a rule of the call: it stays, or it moves, in order, to the
named modalities, which go on down their own rankings with it; whatever a receiving modality does
not use moves on to the next name and, in the end, stays where it started. Every decision carries
its reason.

Two rules of the call go beyond all-or-nothing. With partial funding, once the remainders have
moved, the first application of a modality that did not fit (the last fundable one) is offered
what its modality has left in each year it asked for, if that is at least the call's minimum share
of its request (the applicant then reformulates the project to it). With a reserve list, the
eligible applications left unfunded keep their rank order as the reserve that takes over, in that
order, the money a grantee renounces or loses (`take_over`).
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
    partial: bool = False
    reserve: int | None = None


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


def partial_offer(pool: Mapping[int, Decimal], requested: Mapping[int, Decimal], min_share: Decimal) -> Money | None:
    """What is left of each requested year, if it is at least `min_share` (a fraction) of the request."""
    offer = {y: min(a, max(pool.get(y, Decimal(0)), Decimal(0))) for y, a in requested.items()}
    offer = {y: a for y, a in offer.items() if a > 0}
    asked = sum(requested.values(), Decimal(0))
    return offer if asked > 0 and sum(offer.values(), Decimal(0)) >= asked * min_share else None


def share_percent(granted: Mapping[int, Decimal], requested: Mapping[int, Decimal]) -> Decimal:
    asked = sum(requested.values(), Decimal(0))
    return (sum(granted.values(), Decimal(0)) * 100 / asked).quantize(Decimal("0.01")) if asked else Decimal(0)


def allocate(
    modalities: list[ModalityBudget],
    candidates: list[Candidate],
    min_score: Decimal,
    partial_min_share: Decimal | None = None,
    reserve_list: bool = False,
) -> Allocation:
    """`partial_min_share`: the smallest fraction of a request a partial grant may be (None: no
    partial grants); `reserve_list`: whether the unfunded eligible applications form a reserve."""
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
        offer = partial_offer(pools[code], asked, partial_min_share) if partial_min_share is not None else None
        if offer is not None and partial_min_share is not None:
            items.pop(0)
            before = dict(pools[code])
            for year, amount in offer.items():
                pools[code][year] -= amount
            decisions[first.id] = Decision(
                first.id,
                first.reference,
                code,
                True,
                ranks[first.id],
                offer,
                f"funded partially: rank {ranks[first.id]} of {code}, score {first.total}; requested "
                f"{_fmt(asked)}, granted {_fmt(offer)} ({share_percent(offer, asked)} %), all that was left of "
                f"{_fmt(before)}, at least the call's minimum share of {partial_min_share * 100:.0f} %; "
                "the applicant reformulates the project to it",
                funded_from=code,
                partial=True,
            )
        for position, item in enumerate(items, start=1):
            reserve = position if reserve_list else None
            if item is first:
                reason = (
                    f"not funded: rank {ranks[item.id]} of {code}; requested {_fmt(asked)} but only "
                    f"{_fmt(pools[code])} was left"
                )
                if partial_min_share is not None:
                    reason += f", less than the call's minimum share of {partial_min_share * 100:.0f} %"
            else:
                reason = (
                    f"not funded: rank {ranks[item.id]} of {code}, below {first.reference}, which "
                    f"{'was funded partially' if offer is not None else 'did not fit'}; funding goes by rank"
                )
            if reserve is not None:
                reason += f"; reserve list, position {reserve}"
            decisions[item.id] = Decision(
                item.id, item.reference, code, False, ranks[item.id], {}, reason, reserve=reserve
            )
    ordered = sorted(
        decisions.values(), key=lambda d: (codes.index(d.modality), d.rank is None, d.rank or 0, d.reference)
    )
    return Allocation(ordered, {code: dict(pool) for code, pool in pools.items()}, transfers)


@dataclass(frozen=True)
class Reserve:
    id: str
    reference: str
    position: int
    requested: Mapping[int, Decimal]


def take_over(
    pool: Mapping[int, Decimal], reserves: list[Reserve], partial_min_share: Decimal | None
) -> tuple[list[tuple[Reserve, Money, bool]], Money]:
    """Freed money to the reserve list, in its order: each in full while it fits, then the first that
    does not fit partially if the call allows it and the share is reached; the list stops there, so
    nobody lower on it is funded before a higher one. Returns (reserve, grant, partial) and what is left."""
    left = {y: Decimal(a) for y, a in pool.items()}
    funded: list[tuple[Reserve, Money, bool]] = []
    for reserve in sorted(reserves, key=lambda r: r.position):
        requested = {y: Decimal(a) for y, a in reserve.requested.items()}
        if _fits(left, requested):
            grant, partial = requested, False
        else:
            offer = partial_offer(left, requested, partial_min_share) if partial_min_share is not None else None
            if offer is None:
                break
            grant, partial = offer, True
        for year, amount in grant.items():
            left[year] = left.get(year, Decimal(0)) - amount
        funded.append((reserve, grant, partial))
        if partial:
            break
    return funded, left
