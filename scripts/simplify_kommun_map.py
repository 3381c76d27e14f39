"""Simplify ../shared/data/geo/swedish_municipalities.geojson into the site's kommun map.

    python scripts/simplify_kommun_map.py [source.geojson] [target.geojson]

Douglas–Peucker on every ring (tolerance in degrees), coordinates rounded to 3 decimals (about
100 m), rings that collapse dropped (a kommun always keeps its largest ring), exteriors wound
clockwise (d3-geo's convention, which Vega's map uses). The result is the one file from
../shared/data the project commits (pipelines/defs/site/static/kommuner.geojson); its `metadata`
member names the source. Plain Python, deterministic: run it again, get the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO.parent / "shared" / "data" / "geo" / "swedish_municipalities.geojson"
TARGET = REPO / "pipelines" / "defs" / "site" / "static" / "kommuner.geojson"
TOLERANCE_DEG = 0.004
DECIMALS = 3
ATTRIBUTION = "Kommungränser: Valmyndigheten via okfse/sweden-geojson (förenklade)"


def perpendicular(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def douglas_peucker(points: list, tolerance: float) -> list:
    """Iterative (no recursion limit on long coastlines)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = perpendicular(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list) -> list | None:
    points = douglas_peucker(ring, TOLERANCE_DEG)
    rounded = []
    for x, y in points:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not rounded or rounded[-1] != p:
            rounded.append(p)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded if len(rounded) >= 4 else None


def ring_area(ring: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring))) / 2


def signed_area(ring: list) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def wound(ring: list, clockwise: bool) -> list:
    """d3-geo (and so Vega) reads a ring's winding on the sphere: an exterior must run clockwise,
    or it draws the whole globe but the kommun. Holes run the other way."""
    return ring if (signed_area(ring) < 0) == clockwise else ring[::-1]


def simplify_polygon(polygon: list) -> list | None:
    exterior = simplify_ring(polygon[0])
    if exterior is None:
        return None
    holes = [r for r in (simplify_ring(h) for h in polygon[1:]) if r is not None]
    return [wound(exterior, True)] + [wound(h, False) for h in holes]


def simplify_feature(feature: dict) -> dict:
    geometry = feature["geometry"]
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    kept = [p for p in (simplify_polygon(p) for p in polygons) if p is not None]
    if not kept:  # a tiny kommun: keep its largest ring, rounded, unsimplified
        largest = max(polygons, key=lambda p: ring_area(p[0]))
        kept = [[wound([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in largest[0]], True)]]
    props = feature["properties"]
    return {
        "type": "Feature",
        "properties": {
            "kommun_kod": props["id"],
            "kommun_namn": props["kom_namn"],
            "lan_kod": props["lan_code"],
        },
        "geometry": {"type": "Polygon", "coordinates": kept[0]}
        if len(kept) == 1
        else {"type": "MultiPolygon", "coordinates": kept},
    }


def simplify(source: Path, target: Path) -> dict:
    raw = source.read_bytes()
    features = json.loads(raw)["features"]
    collection = {
        "type": "FeatureCollection",
        "metadata": {
            "attribution": ATTRIBUTION,
            "source": "okfse/sweden-geojson, commit ff67bcb030d7d09032ae5f443d27130f05fdf1e0 "
            "(2020-06-07), swedish_municipalities.geojson; converted there from "
            "Valmyndigheten's boundaries",
            "source_sha256": hashlib.sha256(raw).hexdigest(),
            "terms": 'the source\'s README: "Feel free to reuse" (no LICENSE file)',
            "simplified_by": "scripts/simplify_kommun_map.py",
            "tolerance_degrees": TOLERANCE_DEG,
            "decimals": DECIMALS,
            "winding": "exterior rings clockwise, holes counter-clockwise (d3-geo's spherical "
            "convention)",
            "limits": "2020 boundaries, simplified: for choropleth maps only, never to measure "
            "area",
        },
        "features": sorted(
            (simplify_feature(f) for f in features), key=lambda f: f["properties"]["kommun_kod"]
        ),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    return collection


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else TARGET
    out = simplify(src, dst)
    print(f"{len(out['features'])} kommuner -> {dst} ({dst.stat().st_size:,} bytes)")
