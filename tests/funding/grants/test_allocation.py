"""The allocation function: hand-made cases, and properties on random calls (hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.funding.grants.allocation import Candidate, ModalityBudget, Reserve, allocate, take_over
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


def test_the_last_fundable_application_is_funded_partially_down_to_the_minimum_share() -> None:
    cases = [
        app("E1", "eco", "85", {2026: "50000"}),
        app("E2", "eco", "80", {2026: "40000", 2027: "10000"}),
        app("E3", "eco", "75", {2026: "5000"}),
    ]
    budget = [ModalityBudget("eco", {2026: D("80000"), 2027: D("10000")})]
    result = allocate(budget, cases, D("50"), partial_min_share=D("0.5"), reserve_list=True).by_id()
    # 30,000 of 2026 and the 10,000 of 2027 are left: 40,000 of 50,000 asked, 80 %.
    assert result["E2"].funded and result["E2"].partial
    assert result["E2"].granted == {2026: D("30000"), 2027: D("10000")}
    assert "funded partially" in result["E2"].reason and "(80.00 %)" in result["E2"].reason
    # E3 would fit nowhere now, and below a partial grant it waits on the reserve list.
    assert not result["E3"].funded and result["E3"].reserve == 1 and "reserve list, position 1" in result["E3"].reason
    # Under the minimum share, no partial grant: 40,000 is 80 %, short of 90 %.
    strict = allocate(budget, cases, D("50"), partial_min_share=D("0.9"), reserve_list=True).by_id()
    assert not strict["E2"].funded and "minimum share of 90 %" in strict["E2"].reason
    assert (strict["E2"].reserve, strict["E3"].reserve) == (1, 2)
    # Without the rules: all-or-nothing and no reserve.
    plain = allocate(budget, cases, D("50")).by_id()
    assert not plain["E2"].funded and plain["E2"].reserve is None and not plain["E3"].funded


def test_the_reserve_list_takes_over_in_its_order() -> None:
    reserves = [
        Reserve("b", "B", 2, {2026: D("10000")}),
        Reserve("a", "A", 1, {2026: D("30000")}),
        Reserve("c", "C", 3, {2026: D("5000")}),
    ]
    funded, left = take_over({2026: D("35000")}, reserves, None)
    # A takes 30,000; B's 10,000 does not fit the 5,000 left, and C, lower on the list, waits behind it.
    assert [(r.reference, g, p) for r, g, p in funded] == [("A", {2026: D("30000")}, False)]
    assert left == {2026: D("5000")}
    funded, left = take_over({2026: D("35000")}, reserves, D("0.5"))
    assert [(r.reference, g, p) for r, g, p in funded] == [
        ("A", {2026: D("30000")}, False),
        ("B", {2026: D("5000")}, True),
    ]
    assert left == {2026: D("0")}


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
@given(calls(), st.integers(0, 100), st.none() | st.integers(1, 100), st.booleans())
def test_allocation_properties(
    call: tuple[list[ModalityBudget], list[Candidate]], minimum: int, share: int | None, reserve_list: bool
) -> None:
    modalities, candidates = call
    min_share = D(share) / 100 if share is not None else None
    allocation = allocate(modalities, candidates, D(minimum), min_share, reserve_list)
    decided = allocation.by_id()
    assert set(decided) == {c.id for c in candidates}
    by_id = {c.id: c for c in candidates}
    budget = {m.code: m.budget for m in modalities}
    granted: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for d in allocation.decisions:
        c = by_id[d.id]
        if d.funded:
            # Nobody under the minimum; funded in full with what was requested, or, where the call
            # allows it, partially: within the request, at least the minimum share, in requested years.
            assert c.total is not None and c.total >= minimum
            if d.partial:
                assert min_share is not None
                assert all(0 < a <= c.requested[y] for y, a in d.granted.items())
                assert sum(d.granted.values()) >= sum(c.requested.values()) * min_share
                assert d.granted != dict(c.requested)
            else:
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
        first_denied = next((i for i, d in enumerate(eligible) if not d.funded or d.partial), len(eligible))
        # The one rule that says why rank may bend: none. At most one partial grant, the last funded.
        assert all(not d.funded for d in eligible[first_denied + 1 :]), [(d.reference, d.funded) for d in eligible]
        if first_denied < len(eligible) and eligible[first_denied].funded:
            assert eligible[first_denied].partial
        # The reserve: every eligible unfunded application, numbered 1.. in rank order, only by rule.
        waiting = [d for d in eligible if not d.funded]
        assert [d.reserve for d in waiting] == (
            list(range(1, len(waiting) + 1)) if reserve_list else [None] * len(waiting)
        )
        assert all(d.reserve is None for d in ranked if d not in waiting)


reserves = st.lists(st.integers(1, 30).map(lambda n: D(n * 1000)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 100).map(lambda n: D(n * 1000)), reserves, st.none() | st.integers(1, 100))
def test_take_over_properties(freed: Decimal, asks: list[Decimal], share: int | None) -> None:
    min_share = D(share) / 100 if share is not None else None
    queue = [Reserve(f"r{i}", f"R{i}", i + 1, {2026: a}) for i, a in enumerate(asks)]
    funded, left = take_over({2026: freed}, list(reversed(queue)), min_share)
    # Never more than was freed, in list order from the top, a partial grant only last and by rule.
    assert left[2026] >= 0 and sum(g[2026] for _, g, _ in funded) + left[2026] == freed
    assert [r.position for r, _, _ in funded] == list(range(1, len(funded) + 1))
    for i, (r, grant, partial) in enumerate(funded):
        if partial:
            assert min_share is not None and i == len(funded) - 1
            assert r.requested[2026] * min_share <= grant[2026] < r.requested[2026]
        else:
            assert grant == dict(r.requested)
    if len(funded) < len(queue) and not (funded and funded[-1][2]):
        assert queue[len(funded)].requested[2026] > left[2026]
