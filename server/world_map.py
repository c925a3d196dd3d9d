"""A world map drawn on the server as SVG, from Natural Earth's country shapes.

The shapes are world-atlas's countries-110m.json (npm, Natural Earth 1:110m, public domain),
a TopoJSON file: its arcs are decoded here and projected with the Equal Earth projection, so
that the page needs no JavaScript and loads nothing from elsewhere.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ATLAS = Path("world-atlas") / "countries-110m.json"
WIDTH = 960
# Shapes without an ISO numeric code in world-atlas, by their name there: Kosovo is a
# country of the graph; the other two lie within UN member states.
UNCODED = {"Kosovo": "XKX", "N. Cyprus": "196", "Somaliland": "706"}
SKIPPED = {"010"}  # Antarctica: no state's, and a third of the map's height

# Equal Earth (Šavrič, Patterson and Jenny, 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees of longitude and latitude to the plane (y upwards)."""
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = math.radians(lon) * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 numeric (UN M49), or the alpha-3 code where world-atlas has none
    name: str  # the name world-atlas gives
    path: str  # the SVG path's d attribute


@dataclass(frozen=True)
class Projected:
    shapes: tuple[Shape, ...]
    width: int
    height: int


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return each arc as degrees: TopoJSON stores them quantized and delta-encoded."""
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


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join a ring's arcs; a negative index ~i is arc i reversed, and each arc after the first
    repeats the previous one's last point."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _split_at_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Cut a ring that crosses 180° (Fiji, Russia) into its western and eastern parts.

    Each part is the ring's runs on one side joined in order: the runs end on the meridian, so
    the joins run along the map's edge instead of across the whole map.
    """
    if all(abs(a[0] - b[0]) <= 180 for a, b in zip(ring, ring[1:], strict=False)):
        return [ring]
    west = [p for p in ring if p[0] < 0]
    east = [p for p in ring if p[0] >= 0]
    return [part for part in (west, east) if len(part) > 2]


@functools.cache
def projected(node_modules: str) -> Projected | None:
    """Return every country's outline as an SVG path, once per process; None without the file."""
    source = Path(node_modules) / ATLAS
    if not source.is_file():
        return None
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    outlines = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        code = geometry.get("id") or UNCODED.get(name)
        if code is None or code in SKIPPED:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [
            [equal_earth(*p) for p in part]
            for poly in polygons
            for r in poly
            for part in _split_at_antimeridian(_ring(r, arcs))
        ]
        outlines.append((code, name, rings))
    xs = [x for _, _, rings in outlines for ring in rings for x, _ in ring]
    ys = [y for _, _, rings in outlines for ring in rings for _, y in ring]
    left, top = min(xs), max(ys)
    scale = (WIDTH - 2) / (max(xs) - left)
    height = math.ceil((top - min(ys)) * scale) + 2

    def path(rings) -> str:
        parts = []
        for ring in rings:
            coords = " ".join(
                f"{(x - left) * scale + 1:.1f},{(top - y) * scale + 1:.1f}" for x, y in ring
            )
            parts.append(f"M{coords}Z")
        return "".join(parts)

    shapes = tuple(Shape(code, name, path(rings)) for code, name, rings in outlines)
    return Projected(shapes, WIDTH, height)


@dataclass(frozen=True)
class Area:
    """What one shape shows: its status class, its title, and the page it links to."""

    status: str
    title: str
    href: str | None


def svg(
    projection: Projected, areas: dict[str, Area], title: str, fallback: Area, map_id: str
) -> str:
    """Return the map: each shape filled by its status, a link to its country with a title.

    `areas` is keyed by shape code; a shape missing from it gets `fallback` (not linked).
    """
    parts = [
        f'<svg class="world-map" id="{map_id}" viewBox="0 0 {projection.width} {projection.height}"'
        f' aria-labelledby="{map_id}-title" role="group">',
        f'<title id="{map_id}-title">{escape(title)}</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#8a8a8a" stroke-width="2"/></pattern></defs>',
    ]
    for shape in projection.shapes:
        area = areas.get(shape.code, fallback)
        text = escape(area.title if shape.code in areas else f"{shape.name}: {fallback.title}")
        if area.href:  # the link's title names it; the path inside draws it
            parts.append(
                f"<a href={quoteattr(area.href)}><title>{text}</title>"
                f'<path class="s-{area.status}" d="{shape.path}"/></a>'
            )
        else:
            parts.append(
                f'<path class="s-{area.status}" d="{shape.path}"><title>{text}</title></path>'
            )
    parts.append("</svg>")
    return "".join(parts)
