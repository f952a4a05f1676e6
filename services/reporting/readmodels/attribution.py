"""SDG attribution: how a project's money is split among its SDG goals. Pure functions.

Methods (declared, named and versioned; every report states which one produced it):
- `declared-shares`: the shares the project declares (they sum to 100 %);
- `equal-split`: the same part for each tagged goal;
- `principal-goal`: all of it to the goal with the largest declared share (ties: lowest goal number).
Amounts are split in whole cents by the largest-remainder method, so the parts of a project
always add up exactly to its total: nothing is lost or counted twice by rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

METHOD_VERSION = "1"
DECLARED_SHARES, EQUAL_SPLIT, PRINCIPAL_GOAL = "declared-shares", "equal-split", "principal-goal"
METHODS = (DECLARED_SHARES, EQUAL_SPLIT, PRINCIPAL_GOAL)
DEFAULT_METHOD = DECLARED_SHARES
# The `method` query parameter of the reports (a pattern, as the API document has always shown it).
METHOD_PATTERN = f"^({'|'.join(METHODS)})$"
# The money figures every report counts, in EUR.
FIELDS = ("budgeted", "committed", "disbursed", "spent")


def goal_order(goal: str) -> int:
    return int(goal)


def weights(goals: Sequence[dict[str, Any]], method: str) -> list[tuple[str, Decimal]]:
    """(goal, weight) pairs whose weights sum to 1; empty when the project has no SDG goal."""
    if not goals:
        return []
    if method == DECLARED_SHARES:
        total = sum((Decimal(str(g["share"])) for g in goals), Decimal(0))
        return [(str(g["goal"]), Decimal(str(g["share"])) / total) for g in goals]
    if method == EQUAL_SPLIT:
        return [(str(g["goal"]), Decimal(1) / len(goals)) for g in goals]
    if method == PRINCIPAL_GOAL:
        principal = min(goals, key=lambda g: (-Decimal(str(g["share"])), goal_order(str(g["goal"]))))
        return [(str(principal["goal"]), Decimal(1))]
    raise ValueError(f"unknown attribution method {method!r}")


def allocate(amount: Decimal, parts: Sequence[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Split `amount` (to the cent) by weight with the largest-remainder method.

    Cents left after flooring go to the largest remainders, ties to the lowest goal number; a
    negative amount is split like its absolute value. The result sums exactly to `amount`.
    """
    if not parts:
        return {}
    if len(parts) == 1:  # the common case: one goal takes it all
        return {parts[0][0]: amount}
    if not amount:
        return {key: amount for key, _ in parts}
    sign = -1 if amount < 0 else 1
    cents = int((abs(amount) * 100).to_integral_value())
    raw = [(key, Decimal(cents) * weight) for key, weight in parts]
    floors = {key: int(value) for key, value in raw}
    left = cents - sum(floors.values())
    by_remainder = sorted(raw, key=lambda kv: (-(kv[1] - int(kv[1])), goal_order(kv[0]) if kv[0].isdigit() else 0))
    for key, _ in by_remainder[:left]:
        floors[key] += 1
    return {key: sign * Decimal(value) / 100 for key, value in floors.items()}


def project_parts(
    goals: Sequence[dict[str, Any]], amounts: dict[str, Decimal], method: str
) -> list[tuple[str, str, dict[str, Decimal]]]:
    """(level, code, attributed money) of one project under one method: its goals' shares, and
    each goal's share split equally among its tagged targets, all to the cent. Every tagged goal
    and target has a row (the contributes-to view and the project counts need them)."""
    parts = weights(goals, method)
    # Every tagged goal and target has its row, with nothing attributed where the method gives none.
    by_goal: dict[str, dict[str, Decimal]] = {str(g["goal"]): {} for g in goals}
    by_target: dict[str, dict[str, Decimal]] = {t: {} for g in goals for t in g.get("targets", [])}
    for name in FIELDS:
        for goal, share in allocate(amounts[name], parts).items():
            by_goal[goal][name] = share
            targets: list[str] = next((g.get("targets", []) for g in goals if str(g["goal"]) == goal), [])
            for target, part in allocate(share, [(t, Decimal(1) / len(targets)) for t in targets]).items():
                by_target.setdefault(target, {})[name] = part
    zero = dict.fromkeys(FIELDS, Decimal(0))
    return [("goal", g, {**zero, **m}) for g, m in by_goal.items()] + [
        ("target", t, {**zero, **m}) for t, m in by_target.items()
    ]


def attribution_rows(
    goals: Sequence[dict[str, Any]], amounts: dict[str, Decimal], method: str
) -> list[tuple[str, str, dict[str, Decimal]]]:
    """What `sdg_attribution` keeps for one project and method: (level, code, columns)."""
    full = {f"full_{name}": amounts[name] for name in FIELDS}
    rows = [(level, code, {**money, **full}) for level, code, money in project_parts(goals, amounts, method)]
    rows.append(("project", "", {**amounts, **full}))
    if not goals:
        rows.append(("none", "", {**amounts, **full}))
    return rows
