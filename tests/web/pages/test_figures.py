"""The map's markers and the city table from the city breakdown alone (no servers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from services.web.assets import Assets
from services.web.charts import bars
from services.web.geo import project
from services.web.i18n import Formats
from services.web.pages.common import Templates
from services.web.pages.figures import NONE, city_markers


def row(value: str, committed: str, place: dict[str, Any] | None) -> dict[str, Any]:
    return {"value": value, "place": place, "projects": 1, "attributed": {"committed_eur": committed}}


ROWS = [
    row("Maputo", "100.00", {"geonames_id": 1040652, "country": "MZ", "latitude": -25.97, "longitude": 32.58,
                             "names": {"es": "Maputo (es)"}}),
    row("Gaza City", "50.00", {"geonames_id": 281133, "country": "PS", "latitude": 31.5, "longitude": 34.47,
                               "names": {"ca": "Gaza", "es": "Gaza", "en": "Gaza"}}),
    row("Unknown place", "25.00", {"geonames_id": None, "country": "SN", "latitude": None, "longitude": None,
                                   "names": {}}),
    row(NONE, "10.00", None),
]  # fmt: skip


def test_markers_stand_at_the_breakdowns_place_named_in_the_readers_language() -> None:
    markers, _ = city_markers(ROWS, Formats("es"))
    by_name = {m.name: m for m in markers}
    assert set(by_name) == {"Maputo (es)", "Gaza"}  # the unplaced city and the no-city row have no marker
    point = project(32.58, -25.97)
    assert (by_name["Maputo (es)"].x, by_name["Maputo (es)"].y) == (point.x, point.y)
    assert by_name["Maputo (es)"].r > by_name["Gaza"].r


def test_the_table_lists_every_row_and_links_keep_the_reports_name() -> None:
    _, table = city_markers(ROWS, Formats("en"))
    assert [(r["name"], r["country"], r["href"]) for r in table] == [
        ("Maputo", "MZ", "/en/cities/MZ/Maputo"),  # no English name given: the projects' name
        ("Gaza", "PS", "/en/cities/PS/Gaza%20City"),
        ("Unknown place", "SN", "/en/cities/SN/Unknown%20place"),
        ("No partner city", "", None),
    ]


def test_a_fall_in_a_year_draws_leftwards_from_zero_and_every_bar_has_a_length() -> None:
    """A commitment reduced in a later year makes that year's figure negative: the chart must still draw."""
    chart = bars([("2024", Decimal("300"), "300", None, None), ("2025", Decimal("-100"), "-100", None, None),
                  ("2026", Decimal("0"), "0", None, None)])  # fmt: skip
    rise, fall, flat = (bar.span for bar in chart)
    assert (fall.start, fall.end) == (0.0, 25.0)  # zero stands right of the largest fall
    assert (rise.start, rise.end) == (25.0, 100.0)
    assert (flat.start, flat.width) == (25.0, 0.0)
    env = Templates(Assets.load()).environments["en"]
    svg = env.from_string('{% from "components.html" import bar_chart %}{{ bar_chart("c", "C", items, "EUR") }}')
    figure = ElementTree.fromstring(svg.render(items=chart))
    widths = [float(rect.get("width", "-1")) for rect in figure.iter("rect")]
    assert len(widths) == 3 and all(width > 0 for width in widths)
