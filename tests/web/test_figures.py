"""The map's markers and the city table from the city breakdown alone (no servers)."""

from __future__ import annotations

from typing import Any

from services.web.geo import project
from services.web.i18n import Formats
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
