"""Building blocks shared by the figure pages: SDG bars, money by year, the map of partner cities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from services.web.charts import SDG_COLOURS, Bar, Marker, bars, markers
from services.web.gateway_client import Gateway
from services.web.i18n import Formats


def committed(money: dict[str, Any]) -> Decimal:
    return Decimal(money.get("committed_eur") or "0")


async def sdg_bars(gateway: Gateway, report: dict[str, Any], f: Formats, view: str = "attributed") -> list[Bar]:
    """All 17 goals in order, in their colours, zero where nothing is attributed."""
    goals = await gateway.projects.codelist("sdg-goals")
    money = {row["goal"]: committed(row[view]) for row in report["goals"]}
    return bars(
        [
            (
                f"{code}. {f.label(names)}",
                money.get(code, Decimal(0)),
                f.money(money.get(code, Decimal(0))),
                SDG_COLOURS[code],
                f"/{f.language}/sdg/{code}",
            )
            for code, names in sorted(goals.items(), key=lambda item: int(item[0]))
        ]
    )


# The reports' rows of projects without a value (no partner city ...) and of money not dated yet.
NONE, UNDATED = "(none)", "undated"


def year_bars(breakdown: dict[str, Any], f: Formats) -> list[Bar]:
    """Years in order, then the money whose year is not known yet."""
    rows = sorted(breakdown["rows"], key=lambda row: (row["value"] == UNDATED, row["value"]))
    return bars(
        [
            (
                f.gettext("Not dated yet") if row["value"] == UNDATED else row["value"],
                committed(row["attributed"]),
                f.money(committed(row["attributed"])),
                None,
                None,
            )
            for row in rows
        ]
    )


def year_row(breakdown: dict[str, Any], year: int) -> dict[str, Any]:
    for row in breakdown["rows"]:
        if row["value"] == str(year):
            return dict(row["attributed"])
    return {"committed_eur": "0", "disbursed_eur": "0"}


def city_name(row: dict[str, Any], f: Formats) -> str:
    """A city row's name in the reader's language where the gazetteer gives one, else as projects give it."""
    place = row.get("place") or {}
    return str((place.get("names") or {}).get(f.language) or row["value"])


def city_markers(city_rows: list[dict[str, Any]], f: Formats) -> tuple[list[Marker], list[dict[str, Any]]]:
    """Markers sized by committed money, and the rows of the table beside the map (every city, placed or
    not). Where a city is comes from the breakdown's own `place` (the registry's gazetteer), so markers
    and rows are the same cities; its address keeps the row's name, which the reports filter by."""
    table, placed = [], []
    for row in sorted(city_rows, key=lambda r: -committed(r["attributed"])):
        place = row.get("place") or {}
        name, country = row["value"], place.get("country") or ""
        href = f"/{f.language}/cities/{country}/{quote(name, safe='')}" if country and name != NONE else None
        money = committed(row["attributed"])
        shown = f.gettext("No partner city") if name == NONE else city_name(row, f)
        table.append({"name": shown, "country": country, "projects": row["projects"], "money": money, "href": href})
        if place.get("longitude") is not None and place.get("latitude") is not None:
            placed.append((shown, country, place["longitude"], place["latitude"], money, f.money(money), href))
    return markers(placed), table


def goal_figures(
    goal: str, report: dict[str, Any], targets: dict[str, dict[str, str]], f: Formats
) -> tuple[dict[str, Any] | None, list[str], dict[str, Any], list[Bar]]:
    """An SDG goal's row of the SDG report, its target codes in order, their money, and the bars of
    the targets that have money (in the goal's colour)."""
    row = next((g for g in report["goals"] if g["goal"] == goal), None)
    money = {t["target"]: t for t in (row or {}).get("targets", [])}
    codes = sorted(
        (code for code in targets if code.split(".")[0] == goal),
        key=lambda code: [int(p) if p.isdigit() else 100 + ord(p) for p in code.split(".")],
    )
    chart = bars(
        [
            (
                code,
                committed(money[code]["attributed"]),
                f.money(committed(money[code]["attributed"])),
                SDG_COLOURS[goal],
                None,
            )
            for code in codes
            if code in money
        ]
    )
    return row, codes, money, chart
