"""SDGs in every form an IATI file gives them, as the project's goals, targets and shares.

Forms read: sector vocabulary 7 (goal) and 8 (target), tag vocabulary 2 (goal) and 3 (target),
and a result indicator's reference with vocabulary 9 (an SDG indicator code such as 11.6.2, whose
target and goal are tagged as well).

Shares (the project's attribution to each goal, summing to 100) follow one stated rule:
1. a goal's percentage is its vocabulary-7 sector's; without vocabulary-7 sectors in the activity,
   the sum of its vocabulary-8 targets' percentages (IATI's percentages add up per vocabulary);
2. when no goal has a percentage (tags and indicators carry none), the goals share equally;
3. when some have one and others not, those without share equally what the given percentages
   leave of 100, or, if they leave nothing, each weighs as much as the average given one;
4. the weights are then rescaled to 100 (six decimals, the last goal taking the rounding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from shared.codelists import codelists

SIX = Decimal("0.000001")


@dataclass
class _Goal:
    targets: set[str] = field(default_factory=set)
    goal_percentage: Decimal | None = None  # from vocabulary 7
    target_percentage: Decimal | None = None  # from vocabulary 8, summed


def _percentage(text: str | None) -> Decimal | None:
    try:
        value = Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() and value > 0 else None


def _add(into: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return into
    return value if into is None else into + value


def indicator_code(indicator: etree._Element) -> str | None:
    """The SDG indicator an IATI result indicator references (vocabulary 9), if it is a known one."""
    for reference in indicator.findall("reference"):
        code = (reference.get("code") or "").strip()
        if reference.get("vocabulary") == "9" and code in codelists()["sdg-indicators"]:
            return code
    return None


def goals(activity: etree._Element, notes: list[str]) -> list[dict[str, object]]:
    """The activity's SDG goals with targets and shares (see the module's rule), in goal order."""
    lists = codelists()
    found: dict[str, _Goal] = {}

    def goal(code: str) -> _Goal:
        return found.setdefault(code, _Goal())

    def target(code: str) -> None:
        item = lists["sdg-targets"].get(code)
        if item is not None and item.parent is not None:
            goal(item.parent).targets.add(code)

    for node in activity.findall("sector"):
        vocabulary, code = node.get("vocabulary"), (node.get("code") or "").strip()
        if vocabulary == "7":
            if code in lists["sdg-goals"]:
                g = goal(code)
                g.goal_percentage = _add(g.goal_percentage, _percentage(node.get("percentage")))
            else:
                notes.append(f"sector {code!r} (vocabulary 7) is not an SDG goal: left out")
        elif vocabulary == "8":
            item = lists["sdg-targets"].get(code)
            if item is not None and item.parent is not None:
                g = goal(item.parent)
                g.targets.add(code)
                g.target_percentage = _add(g.target_percentage, _percentage(node.get("percentage")))
            else:
                notes.append(f"sector {code!r} (vocabulary 8) is not an SDG target: left out")
    for node in activity.findall("tag"):
        vocabulary, code = node.get("vocabulary"), (node.get("code") or "").strip()
        if vocabulary == "2":
            if code in lists["sdg-goals"]:
                goal(code)
            else:
                notes.append(f"tag {code!r} (vocabulary 2) is not an SDG goal: left out")
        elif vocabulary == "3":
            if code in lists["sdg-targets"]:
                target(code)
            else:
                notes.append(f"tag {code!r} (vocabulary 3) is not an SDG target: left out")
    for indicator in activity.iterfind("result/indicator"):
        code = indicator_code(indicator)
        if code is not None:
            parent = lists["sdg-indicators"].get(code)
            if parent is not None and parent.parent:
                target(parent.parent)
    if not found:
        return []
    by_goals = any(g.goal_percentage is not None for g in found.values())
    weights = {code: (g.goal_percentage if by_goals else g.target_percentage) for code, g in found.items()}
    given = [w for w in weights.values() if w is not None]
    missing = sorted((code for code, w in weights.items() if w is None), key=int)
    filler = Decimal(1)
    if missing and given:
        left = Decimal(100) - sum(given, Decimal(0))
        filler = left / len(missing) if left > 0 else sum(given, Decimal(0)) / len(given)
        notes.append(f"SDG goals {', '.join(missing)} have no percentage: shares by the stated rule")
    final = {code: filler if w is None else w for code, w in weights.items()}
    total = sum(final.values(), Decimal(0))
    ordered = sorted(found, key=int)
    shares = [(final[code] * 100 / total).quantize(SIX) for code in ordered]
    shares[-1] += Decimal(100) - sum(shares, Decimal(0))
    if given and not missing and abs(total - 100) > SIX:
        notes.append("SDG percentages rescaled to add up to 100")
    return [
        {"goal": code, "share": f"{share.normalize():f}", "targets": sorted(found[code].targets, key=_target_order)}
        for code, share in zip(ordered, shares, strict=True)
        if share > 0
    ]


def _target_order(code: str) -> tuple[int, int, str]:
    goal, _, rest = code.partition(".")
    return (int(goal), int(rest) if rest.isdigit() else 1000, rest)
