"""The allocation function: hand-made cases, and properties on random calls (hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.funding.grants.allocation import Candidate, ModalityBudget, allocate
from services.funding.grants.scoring import criterion_scores, total_score

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
D = Decimal


def app(
    ref: str, modality: str, total: str | None, requested: dict[int, str], minutes: int = 0, admitted: bool = True
) -> Candidate:
    return Candidate(
        id=ref,
        reference=ref,
        modality=modality,
        admitted=admitted,
        total=D(total) if total is not None else None,
        by_criterion=(D(total or 0),),
        submitted_at=T0 + timedelta(minutes=minutes),
        requested={y: D(a) for y, a in requested.items()},
    )


def test_full_funding_by_rank_stops_at_the_first_that_does_not_fit() -> None:
    result = allocate(
        [ModalityBudget("eco", {2026: D("80000")})],
        [
            app("E3", "eco", "55", {2026: "20000"}),
            app("E1", "eco", "85", {2026: "50000"}),
            app("E2", "eco", "80", {2026: "40000"}),
        ],
        D("50"),
    ).by_id()
    assert result["E1"].funded and result["E1"].granted == {2026: D("50000")}
    assert not result["E2"].funded and "only 2026: 30000.00 EUR was left" in result["E2"].reason
    # 20,000 would fit in the 30,000 left, but a higher-ranked application was not funded.
    assert not result["E3"].funded and "below E2, which did not fit" in result["E3"].reason


def test_minimum_score_admission_and_ties() -> None:
    result = allocate(
        [ModalityBudget("gen", {2026: D("100")})],
        [
            app("late", "gen", "70", {2026: "60"}, minutes=5),
            app("early", "gen", "70", {2026: "60"}, minutes=1),
            app("low", "gen", "49.99", {2026: "1"}),
            app("out", "gen", None, {2026: "1"}, admitted=False),
        ],
        D("50"),
    ).by_id()
    assert result["early"].funded and result["early"].rank == 1
    assert not result["late"].funded and result["late"].rank == 2
    assert not result["low"].funded and "below the minimum of 50" in result["low"].reason
    assert result["out"].reason == "not admitted" and result["out"].rank is None


def test_remainder_moves_to_named_modalities_in_order_and_the_unused_part_stays() -> None:
    allocation = allocate(
        [
            ModalityBudget("gen", {2026: D("100"), 2027: D("50")}, remainder_to=("edu", "eco")),
            ModalityBudget("edu", {2026: D("30")}),
            ModalityBudget("eco", {2026: D("10")}),
        ],
        [
            app("G1", "gen", "90", {2026: "60", 2027: "40"}),
            app("D1", "edu", "80", {2026: "30"}),
            app("D2", "edu", "75", {2026: "20", 2027: "5"}),
            app("C1", "eco", "70", {2026: "30"}),
        ],
        D("50"),
    )
    result = allocation.by_id()
    assert result["D2"].funded and result["D2"].funded_from == "gen" and "remainder of gen" in result["D2"].reason
    # gen left 40 (2026) and 10 (2027): edu used 20 and 5; the rest moved on to eco, which used 20 of 2026.
    assert result["C1"].funded and result["C1"].funded_from == "gen"
    assert [(t.target, t.amounts, t.used) for t in allocation.transfers] == [
        ("edu", {2026: D("40"), 2027: D("10")}, {2026: D("20"), 2027: D("5")}),
        ("eco", {2026: D("20"), 2027: D("5")}, {2026: D("20"), 2027: D("0")}),
    ]
    zero = {2026: D("0"), 2027: D("0")}
    assert allocation.left == {"gen": {2026: D("0"), 2027: D("5")}, "edu": zero, "eco": zero}


def test_unknown_modalities_and_unscored_admitted_applications_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown modality"):
        allocate([ModalityBudget("a", {2026: D(1)})], [app("x", "b", "60", {2026: "1"})], D("50"))
    with pytest.raises(ValueError, match="not scored"):
        allocate([ModalityBudget("a", {2026: D(1)})], [app("x", "a", None, {2026: "1"})], D("50"))
    with pytest.raises(ValueError, match="remainder"):
        allocate([ModalityBudget("a", {2026: D(1)}, remainder_to=("a",))], [], D("50"))


def test_scores_are_means_of_the_evaluators_sheets_to_the_cent() -> None:
    sheets = {
        "e1": {"rel": D("35"), "fea": D("30")},
        "e2": {"rel": D("32"), "fea": D("29")},
        "e3": {"rel": D("33"), "fea": D("30")},
    }
    assert criterion_scores(sheets, ["rel", "fea"]) == {"rel": D("33.33"), "fea": D("29.67")}
    assert total_score(sheets, ["rel", "fea"]) == D("63.00")
    assert total_score({}, ["rel"]) is None


YEARS = (2026, 2027)
money = st.integers(min_value=0, max_value=50).map(lambda n: D(n * 1000))


@st.composite
def calls(draw: st.DrawFn) -> tuple[list[ModalityBudget], list[Candidate]]:
    codes = [f"m{i}" for i in range(draw(st.integers(1, 4)))]
    modalities = []
    for code in codes:
        others = [c for c in codes if c != code]
        modalities.append(
            ModalityBudget(
                code,
                {y: draw(money) for y in draw(st.sets(st.sampled_from(YEARS), min_size=1))},
                tuple(draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others))) if others else ()),
            )
        )
    candidates = []
    for i in range(draw(st.integers(0, 25))):
        years = draw(st.sets(st.sampled_from(YEARS), min_size=1))
        candidates.append(
            Candidate(
                id=f"a{i}",
                reference=f"R{i:03d}",
                modality=draw(st.sampled_from(codes)),
                admitted=draw(st.integers(0, 9)) > 0,
                total=D(draw(st.integers(0, 100))),
                by_criterion=(D(draw(st.integers(0, 40))), D(draw(st.integers(0, 60)))),
                submitted_at=T0 + timedelta(minutes=draw(st.integers(0, 100))),
                requested={y: D(draw(st.integers(1, 30)) * 1000) for y in years},
            )
        )
    return modalities, candidates


@settings(max_examples=300, deadline=None)
@given(calls(), st.integers(0, 100))
def test_allocation_properties(call: tuple[list[ModalityBudget], list[Candidate]], minimum: int) -> None:
    modalities, candidates = call
    allocation = allocate(modalities, candidates, D(minimum))
    decided = allocation.by_id()
    assert set(decided) == {c.id for c in candidates}
    by_id = {c.id: c for c in candidates}
    budget = {m.code: m.budget for m in modalities}
    granted: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for d in allocation.decisions:
        c = by_id[d.id]
        if d.funded:
            # Nobody under the minimum; funded in full, with what was requested.
            assert c.total is not None and c.total >= minimum
            assert d.granted == dict(c.requested)
            for year, amount in d.granted.items():
                granted[d.modality][year] += amount
        else:
            assert d.granted == {}
    # Never more than budgeted: per modality and budget year, what was granted is its own money
    # plus what it received minus what it passed on, minus what is left, and nothing is left negative.
    moved: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for t in allocation.transfers:
        for year, amount in t.used.items():
            moved[t.target][year] += amount
            moved[t.source][year] -= amount
    for code, pool in allocation.left.items():
        for year in set(pool) | set(budget[code]) | set(granted[code]):
            assert pool.get(year, D(0)) >= 0
            own = budget[code].get(year, D(0))
            assert granted[code][year] == own + moved[code][year] - pool.get(year, D(0)), (code, year)
    for year in YEARS:
        total_budget = sum((m.budget.get(year, D(0)) for m in modalities), D(0))
        assert sum((g[year] for g in granted.values()), D(0)) <= total_budget
    # By rank: within a modality, nobody funded below an eligible application that was denied.
    for m in modalities:
        ranked = sorted(
            (d for d in allocation.decisions if d.modality == m.code and d.rank is not None), key=lambda d: d.rank or 0
        )
        eligible = [d for d in ranked if by_id[d.id].total is not None and (by_id[d.id].total or 0) >= minimum]
        first_denied = next((i for i, d in enumerate(eligible) if not d.funded), len(eligible))
        assert all(not d.funded for d in eligible[first_denied:]), [(d.reference, d.funded) for d in eligible]
