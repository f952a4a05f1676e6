"""Geometry of the charts and the map, computed on the server; the templates draw it as SVG beside a
table of the same figures (WCAG: every chart has its data as text)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from services.web.geo import project

# Official colours of the 17 goals (data file with its source beside it).
SDG_COLOURS: dict[str, str] = json.loads((Path(__file__).parent / "data" / "sdg-colours.json").read_text())["colours"]
NEUTRAL = "#2f5f8a"


@dataclass(frozen=True)
class Span:
    """Where a bar lies on an axis of 0..100: it starts at `start` and is `width` long."""

    start: float
    width: float

    @property
    def end(self) -> float:
        return self.start + self.width


def axis(values: Iterable[Decimal]) -> Callable[[Decimal], Span]:
    """The spans of signed values on one axis. Figures can fall (a commitment reduced in a later year
    counts against that year), so zero sits right of the largest fall and falls run leftwards from it."""
    values = list(values)
    high = max((value for value in values if value > 0), default=Decimal(0))
    low = max((-value for value in values if value < 0), default=Decimal(0))
    total = high + low
    zero = float(low / total * 100) if total > 0 else 0.0

    def span(value: Decimal) -> Span:
        width = float(abs(value) / total * 100) if total > 0 else 0.0
        return Span(zero if value >= 0 else zero - width, width)

    return span


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str
    colour: str
    span: Span
    href: str | None = None


def bars(rows: Sequence[tuple[str, Decimal, str, str | None, str | None]]) -> list[Bar]:
    """rows: (label, value, formatted value, colour or None, link or None)."""
    span = axis(value for _, value, _, _, _ in rows)
    return [Bar(label, value, text, colour or NEUTRAL, span(value), href) for label, value, text, colour, href in rows]


@dataclass(frozen=True)
class Marker:
    name: str
    country: str
    x: float
    y: float
    r: float
    text: str
    href: str | None


def markers(places: Sequence[tuple[str, str, float, float, Decimal, str, str | None]]) -> list[Marker]:
    """places: (name, country, longitude, latitude, money, formatted money, link); area follows money."""
    top = max((money for *_, money, _, _ in places), default=Decimal(0))
    result = []
    for name, country, longitude, latitude, money, text, href in places:
        point = project(longitude, latitude)
        share = float(money / top) if top > 0 else 0.0
        result.append(Marker(name, country, point.x, point.y, 4 + 14 * math.sqrt(share), text, href))
    # Big circles first, so the small ones stay visible and clickable on top.
    return sorted(result, key=lambda m: -m.r)
