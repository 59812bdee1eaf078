"""What the working group's maps draw for proposals and their conflicts (no streamlit here).

* :data:`PROPOSAL_COLOURS` — one colour per validation result and one for an approved proposal,
  chosen to differ from every colour the base map uses (offices, settlements, gaps, borders):
  ``tests/ui/views/test_conflict_map.py`` checks a minimum CIE76 colour difference between each pair.
* :func:`proposal_marks` — each proposal as a point with a radius and a label offset such that
  proposals that would overlap at the zoom the map opens at (the whole province) stay apart:
  the first of a cluster is drawn largest, each later one smaller on top of it (rings), all with a
  white halo, and their number labels fan out around the cluster.
* :func:`conflict_lines` — one line per conflicting pair, with the distance written at its middle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from siting import fmt
from ui.views.mapdata import RGBA

PROPOSAL_COLOURS: Mapping[str, RGBA] = MappingProxyType({
    "pass": (0, 170, 215, 255),  # cyan: not the rural offices' green
    "warn": (250, 205, 0, 255),  # yellow
    "fail": (200, 0, 0, 255),  # red
    "not_located": (130, 130, 130, 255),
    "approved": (255, 255, 255, 255),  # white with a black outline: holds its site
})
PROPOSAL_OUTLINE: RGBA = (20, 20, 20, 255)
HALO: RGBA = (255, 255, 255, 255)
CONFLICT_COLOUR: RGBA = (235, 0, 200, 255)  # magenta: neither a result nor an office colour
LABEL_BACKGROUND: RGBA = (255, 255, 255, 230)

BASE_RADIUS_PX = 7.0
RING_STEP_PX = 4.0
LABEL_OFFSET_PX = 16.0


def metres_per_pixel(lat: float, zoom: float) -> float:
    """Web-Mercator ground resolution at ``lat`` for deck.gl's 512-pixel tiles."""
    return 40_075_016.686 * math.cos(math.radians(lat)) / (512 * 2 ** zoom)


def proposal_marks(points: Sequence[Mapping[str, Any]], *, zoom: float, lang: str = "fa") -> list[dict[str, Any]]:
    """``points`` (``proposal_id``, ``lon``, ``lat``, ``status``, ``tip``) with what the map needs:
    ``colour``, ``radius`` (pixels), ``label`` (the id in ``lang``'s digits) and ``label_offset``
    (pixels, [x, y]). Points closer than two markers at ``zoom`` form a cluster (single linkage):
    in id order, the first is drawn largest, each later one a ring step smaller, and their labels
    are spread evenly around the cluster, so that none hides another. Returned largest first (the
    order deck.gl draws, so smaller marks land on top)."""
    if not points:
        return []
    lat0 = sum(float(p["lat"]) for p in points) / len(points)
    mpp = metres_per_pixel(lat0, zoom)
    kx = 111_320 * math.cos(math.radians(lat0)) / mpp  # pixels per degree of longitude
    ky = 110_574 / mpp
    xy = [(float(p["lon"]) * kx, float(p["lat"]) * ky) for p in points]
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    near = 2 * (BASE_RADIUS_PX + 2)
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if math.dist(xy[i], xy[j]) < near:
                parent[root(i)] = root(j)
    clusters: dict[int, list[int]] = {}
    for i in range(len(points)):
        clusters.setdefault(root(i), []).append(i)
    out = []
    for members in clusters.values():
        members.sort(key=lambda i: _id_order(points[i]["proposal_id"]))
        n = len(members)
        for rank, i in enumerate(members):
            p = points[i]
            if n == 1:
                offset = [0.0, -LABEL_OFFSET_PX]
            else:  # labels around the cluster, starting at the top, clockwise
                angle = -math.pi / 2 + 2 * math.pi * rank / n
                dist = LABEL_OFFSET_PX + RING_STEP_PX * (n - 1)
                offset = [round(dist * math.cos(angle), 1), round(dist * math.sin(angle), 1)]
            out.append({**p, "colour": list(PROPOSAL_COLOURS.get(str(p["status"]), PROPOSAL_COLOURS["not_located"])),
                        "radius": BASE_RADIUS_PX + RING_STEP_PX * (n - 1 - rank),
                        "label": f"{_digits(p['proposal_id'], lang)}", "label_offset": offset})
    return sorted(out, key=lambda r: -r["radius"])


def conflict_lines(pairs: Sequence[Mapping[str, Any]], positions: Mapping[str, Sequence[float]], *,
                   lang: str = "fa") -> list[dict[str, Any]]:
    """One line per pair (``proposal_a``, ``proposal_b``, ``distance_m``, ``threshold_m``) whose two
    ends have a position, with ``label`` (the distance in kilometres, one decimal, in ``lang``'s
    digits; Persian shows the number only: the legend names the unit, since the map's text layer
    cannot join Persian letters), the label's position (the line's middle) and a ``tip``."""
    out = []
    for p in pairs:
        a, b = str(p["proposal_a"]), str(p["proposal_b"])
        if a not in positions or b not in positions:
            continue
        (lon_a, lat_a), (lon_b, lat_b) = positions[a][:2], positions[b][:2]
        km = fmt.number(float(p["distance_m"]) / 1000, lang, decimals=1)
        out.append({"proposal_a": a, "proposal_b": b, "lon_a": lon_a, "lat_a": lat_a, "lon_b": lon_b, "lat_b": lat_b,
                    "mid_lon": (lon_a + lon_b) / 2, "mid_lat": (lat_a + lat_b) / 2,
                    "label": km if lang == "fa" else f"{km} km",
                    "tip": f"#{_digits(a, lang)} ↔ #{_digits(b, lang)}: {fmt.distance(float(p['distance_m']), lang)}"
                           f" < {fmt.distance(float(p['threshold_m']), lang)}"})
    return out


def _digits(pid: object, lang: str) -> str:
    s = str(pid)
    return fmt.number(int(s), lang) if s.isdigit() else s


def _id_order(pid: object) -> tuple[int, str]:
    s = str(pid)
    return (int(s), "") if s.isdigit() else (1 << 62, s)


__all__ = ["CONFLICT_COLOUR", "PROPOSAL_COLOURS", "conflict_lines", "metres_per_pixel", "proposal_marks"]
