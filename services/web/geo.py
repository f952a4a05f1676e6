"""Natural Earth land shapes (the npm package world-atlas, TopoJSON) drawn as an SVG path on the server.

No tile server and no script: the map is one path computed once at start, with markers on top.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ATLAS = Path(__file__).parent / "node_modules" / "world-atlas" / "land-110m.json"

WIDTH, HEIGHT = 960.0, 440.0
# Equirectangular, Antarctica left out: partner cities lie between these latitudes.
NORTH, SOUTH = 84.0, -58.0


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def project(longitude: float, latitude: float) -> Point:
    latitude = max(SOUTH, min(NORTH, latitude))
    return Point((longitude + 180.0) / 360.0 * WIDTH, (NORTH - latitude) / (NORTH - SOUTH) * HEIGHT)


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Quantized, delta-encoded arcs to longitude/latitude (TopoJSON specification, section 2.1.3)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def land_path_from(topology: dict[str, Any]) -> str:
    arcs = _decode_arcs(topology)
    parts: list[str] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                projected = [project(lon, lat) for lon, lat in _ring(arcs, ring)]
                if len(projected) < 3:
                    continue
                parts.append("M" + "L".join(f"{p.x:.1f} {p.y:.1f}" for p in projected) + "Z")
    return "".join(parts)


@functools.cache
def land_path() -> str:
    return land_path_from(json.loads(ATLAS.read_text()))
