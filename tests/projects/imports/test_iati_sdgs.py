"""SDGs in every form and exact recipient percentages: the mapping of one activity, no servers.

One test per SDG vocabulary (sector 7 and 8, tag 2 and 3, result indicator 9), the share rule of
services/projects/imports/sdgs.py, and the recipients a file gives (all of them, exactly)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from services.projects.imports import iati, money
from shared.codelists import DATA_DIR, codelists
from shared.contracts.project_input import ProjectCreate

PREFIX = "XARXA-VILADECANS"


def project(body: str) -> tuple[ProjectCreate, list[str]]:
    element = etree.fromstring(
        f"<iati-activity><iati-identifier>XM-SDG-1</iati-identifier><title><narrative>Prova</narrative></title>"
        f"{body}</iati-activity>"
    )
    mapped = iati.activity(element, "viladecans", "draft", PREFIX)
    created = iati.validated(mapped)
    assert created is not None, mapped.notes
    return created, mapped.notes


def shares(created: ProjectCreate) -> dict[str, tuple[Decimal, list[str]]]:
    return {g.goal: (g.share, g.targets) for g in created.sdg_goals}


def test_sector_vocabulary_7_goals_take_their_percentages() -> None:
    created, notes = project(
        '<sector vocabulary="7" code="11" percentage="70"/><sector vocabulary="7" code="6" percentage="30"/>'
    )
    assert shares(created) == {"6": (Decimal(30), []), "11": (Decimal(70), [])}
    assert created.sectors == [] and not any("not a DAC code" in n for n in notes)


def test_sector_vocabulary_8_targets_sum_to_their_goals_share() -> None:
    created, _ = project(
        '<sector vocabulary="8" code="11.6" percentage="40"/><sector vocabulary="8" code="11.2" percentage="20"/>'
        '<sector vocabulary="8" code="5.5" percentage="40"/>'
    )
    assert shares(created) == {"5": (Decimal(40), ["5.5"]), "11": (Decimal(60), ["11.2", "11.6"])}


def test_tag_vocabulary_2_goals_share_equally() -> None:
    created, _ = project('<tag vocabulary="2" code="12"/><tag vocabulary="2" code="15"/><tag vocabulary="2" code="3"/>')
    assert {g: s for g, (s, _) in shares(created).items()} == {
        "3": Decimal("33.333333"),
        "12": Decimal("33.333333"),
        "15": Decimal("33.333334"),
    }
    assert sum(g.share for g in created.sdg_goals) == 100


def test_tag_vocabulary_3_targets_tag_their_goal() -> None:
    created, _ = project('<tag vocabulary="3" code="16.7"/><tag vocabulary="3" code="16.b"/>')
    assert shares(created) == {"16": (Decimal(100), ["16.7", "16.b"])}


def test_result_indicator_vocabulary_9_is_the_indicator_code_and_tags_target_and_goal() -> None:
    created, _ = project(
        '<result type="1"><title><narrative>Aire</narrative></title>'
        '<indicator measure="1"><title><narrative>PM2.5</narrative></title>'
        '<reference vocabulary="9" code="11.6.2"/></indicator>'
        '<indicator measure="1"><title><narrative>Altre</narrative></title>'
        '<reference vocabulary="1" code="11.6.2"/></indicator></result>'
    )
    assert [i.sdg_indicator for i in created.results[0].indicators] == ["11.6.2", None]
    assert shares(created) == {"11": (Decimal(100), ["11.6"])}


def test_goals_without_percentage_share_what_the_given_ones_leave() -> None:
    created, notes = project(
        '<sector vocabulary="7" code="11" percentage="60"/>'
        '<tag vocabulary="2" code="5"/><tag vocabulary="2" code="17"/>'
    )
    assert {g: s for g, (s, _) in shares(created).items()} == {"5": 20, "11": 60, "17": 20}
    assert any("shares by the stated rule" in n for n in notes)
    # Nothing left: each weighs as much as the average given one, then all are rescaled to 100.
    created, _ = project('<sector vocabulary="7" code="11" percentage="100"/><tag vocabulary="2" code="5"/>')
    assert {g: s for g, (s, _) in shares(created).items()} == {"5": 50, "11": 50}


def test_unknown_sdg_codes_are_left_out_and_said() -> None:
    created, notes = project('<sector vocabulary="7" code="18"/><tag vocabulary="3" code="11.99"/>')
    assert created.sdg_goals == []
    assert any("'18' (vocabulary 7)" in n for n in notes) and any("'11.99' (vocabulary 3)" in n for n in notes)


def test_the_samples_sdgs() -> None:
    samples = DATA_DIR / "iati" / "samples"
    gdi = etree.parse(str(samples / "gdihub-activity.xml")).getroot().find("iati-activity")
    ec = etree.parse(str(samples / "ec-intpa-activity.xml")).getroot().find("iati-activity")
    assert gdi is not None and ec is not None
    assert iati.activity(gdi, "viladecans", "draft", PREFIX).data["sdg_goals"] == [
        {"goal": "10", "share": "100", "targets": ["10.2"]}
    ]
    assert [(g["goal"], g["share"]) for g in iati.activity(ec, "viladecans", "draft", PREFIX).data["sdg_goals"]] == [
        ("12", "50"),
        ("15", "50"),
    ]


def test_every_recipient_country_is_kept_with_its_exact_percentage() -> None:
    codes = [c for c, item in codelists()["Country"].items.items() if item.active][:150]
    # 149 countries at 0.5 %, one taking the rest, and a region at 0.001 %: exactly 100 together.
    parts = [Decimal("0.5")] * 149 + [Decimal(100) - Decimal("0.5") * 149 - Decimal("0.001")]
    body = "".join(f'<recipient-country code="{c}" percentage="{p}"/>' for c, p in zip(codes, parts, strict=True))
    created, notes = project(body + '<recipient-region code="298" vocabulary="1" percentage="0.001"/>')
    assert [c.code for c in created.recipient_countries] == codes
    assert [c.percentage for c in created.recipient_countries] == parts
    assert [(r.code, r.percentage) for r in created.recipient_regions] == [("298", Decimal("0.001"))]
    assert not any("rescaled" in n for n in notes)


def test_small_percentages_survive_rescaling() -> None:
    created, notes = project(
        '<recipient-country code="MZ" percentage="99.9"/><recipient-country code="CV" percentage="0.002"/>'
    )
    assert any("rescaled" in n for n in notes)
    small = next(c for c in created.recipient_countries if c.code == "CV")
    assert small.percentage == Decimal("0.002002")
    assert sum(c.percentage for c in created.recipient_countries) == 100


def test_money_entries_keep_every_type_in_file_order() -> None:
    element = etree.fromstring(
        '<iati-activity default-currency="USD">'
        + "".join(
            f'<transaction><transaction-type code="{code}"/><transaction-date iso-date="2024-01-0{n}"/>'
            f"<value>{n}.5</value></transaction>"
            for n, code in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9"], start=1)
        )
        + '<budget><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><value>3</value></budget>'
        + "</iati-activity>"
    )
    currency, entries = money.entries(element)
    assert currency == "USD"
    assert [(e.kind, e.ordinal, e.code) for e in entries][:3] == [
        ("transaction", 0, "1"),
        ("transaction", 1, "2"),
        ("transaction", 2, "3"),
    ]
    assert [e.code for e in entries if e.kind == "transaction"] == [str(n) for n in range(1, 10)]
    assert all(e.currency == "USD" for e in entries)
    budget = entries[-1]
    assert (budget.kind, budget.code, budget.status, budget.value_date) == ("budget", "1", "1", budget.period_start)
