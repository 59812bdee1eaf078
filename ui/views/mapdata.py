"""Map-ready data: plain records and GeoJSON for drawing the workspace on a map.

Nothing here draws: the dashboard hands these records to pydeck layers, and a
notebook can hand them to anything else. Each record carries a ready-made
``tip`` (tooltip text in Persian or English, numbers in Persian digits in
Persian) because a deck.gl tooltip can only substitute fields, not format them.
Polygons are simplified for display (never for analysis) and coordinates
rounded to about a metre, which keeps a map of the province small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting import fmt
from siting.vocab import label
from siting.workspace import Workspace

RGBA = tuple[int, int, int, int]

OFFICE_COLOURS: Mapping[str, RGBA] = MappingProxyType({"urban": (23, 92, 170, 235), "rural": (24, 140, 62, 235)})
NOT_SERVING_COLOUR: RGBA = (130, 130, 130, 200)
STATUS_COLOURS: Mapping[str, RGBA] = MappingProxyType({
    "pass": (24, 140, 62, 240), "warn": (214, 140, 0, 240), "fail": (190, 30, 30, 240),
    "unknown": (68, 84, 106, 240),
})
NO_DATA_COLOUR: RGBA = (200, 200, 200, 160)
# ColorBrewer 5-class sequential ramps
RAMPS: Mapping[str, tuple[RGBA, ...]] = MappingProxyType({
    "good": ((255, 255, 204, 200), (161, 218, 180, 200), (65, 182, 196, 200), (44, 127, 184, 200),
             (37, 52, 148, 200)),
    "bad": ((254, 240, 217, 200), (253, 204, 138, 200), (252, 141, 89, 200), (227, 74, 51, 200),
            (179, 0, 0, 200)),
})
CHOROPLETH_METRICS: Mapping[str, tuple[str, str, str]] = MappingProxyType({
    # metric -> (ramp, Persian title, English title)
    "covered_share_of_located": ("good", "سهم جمعیت پوشش‌یافته", "share of population covered"),
    "population_per_office": ("bad", "جمعیت به ازای هر دفتر", "population per office"),
    "uncovered_population": ("bad", "جمعیت بدون پوشش", "population not covered"),
})
DISPLAY_TOLERANCE_DEG = 0.002  # about 200 m: invisible at province scale
DISPLAY_SEGMENT_DEG = 0.01  # about 1 km: longest segment drawn
ROUND = 5  # decimals of a degree kept (about 1 m)


@dataclass(frozen=True)
class View:
    """Where a map looks: centre and web-mercator zoom."""

    lon: float
    lat: float
    zoom: float


def view_for_bounds(bounds: Sequence[float], *, width_px: int = 900, height_px: int = 560,
                    max_zoom: float = 13.0) -> View:
    """The centre and zoom that fit ``(minx, miny, maxx, maxy)`` (degrees) in a map of that size."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2

    def merc_y(y: float) -> float:
        y = max(min(y, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(y) / 2))

    span_x = max(maxx - minx, 1e-6) / 360.0
    span_y = max(merc_y(maxy) - merc_y(miny), 1e-9) / (2 * math.pi)
    zoom = min(math.log2(width_px / 512 / span_x), math.log2(height_px / 512 / span_y))
    return View(lon, lat, round(min(max(zoom - 0.15, 0.0), max_zoom), 2))


def _round_geom(geom: shapely.Geometry, tolerance: float) -> shapely.Geometry:
    if tolerance > 0:
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    # A map draws each segment straight in web mercator, but stored edges are straight in lon/lat:
    # a long county edge would be drawn hundreds of metres off the same border drawn with more
    # vertices (a gap part's). Short segments make every layer draw the border in one place.
    geom = shapely.segmentize(geom, DISPLAY_SEGMENT_DEG)
    return shapely.set_precision(geom, 10 ** -ROUND)


def features(gdf: gpd.GeoDataFrame, properties: Mapping[str, Sequence[Any]] | None = None, *,
             tolerance: float = DISPLAY_TOLERANCE_DEG) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``gdf``'s geometries (WGS84) with the given properties."""
    props = {k: list(v) for k, v in (properties or {}).items()}
    out = []
    for i, geom in enumerate(gdf.geometry):
        if geom is None or geom.is_empty:
            continue
        g = _round_geom(geom, tolerance)
        if g.is_empty:
            continue
        out.append({"type": "Feature", "geometry": shapely.geometry.mapping(g),
                    "properties": {k: _plain(v[i]) for k, v in props.items()}})
    return {"type": "FeatureCollection", "features": out}


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, tuple):
        return list(v)
    return v


def region_features(ws: Workspace, lang: str = "fa") -> dict[str, Any]:
    r = ws.region
    names = [(a if lang == "fa" else b) or a or b for a, b in zip(r["name_fa"], r["name_en"], strict=True)]
    return features(r, {"name": names, "tip": names})


def county_features(ws: Workspace, lang: str = "fa", *, highlight: str | None = None) -> dict[str, Any]:
    """Counties with a tooltip (name and census population) and a ``selected`` flag."""
    c = ws.counties
    tips = []
    for fa, en, pop in zip(c["name_fa"], c["name_en"], c["population"], strict=True):
        name = fa if lang == "fa" else (en or fa)
        pop_text = fmt.number(None if pop is pd.NA or pop is None else int(pop), lang)
        tips.append(f"شهرستان {name} — جمعیت {pop_text}" if lang == "fa" else f"{name} county — population {pop_text}")
    return features(c, {"name": c["name_fa"].tolist(), "tip": tips,
                        "selected": [bool(highlight) and n == highlight for n in c["name_fa"]]})


def settlement_radius_px(population: Sequence[Any]) -> np.ndarray:
    """Symbol radius in screen pixels: area grows with population (2 to 16 px; 3 px when unknown).

    >>> settlement_radius_px([10_000, None]).round(1).tolist()
    [6.0, 3.0]
    """
    pop = pd.to_numeric(pd.Series(list(population), dtype=object), errors="coerce").to_numpy(dtype=float)
    r = 1.5 + np.sqrt(np.nan_to_num(pop, nan=0.0)) / 22.0
    return np.where(np.isnan(pop), 3.0, np.clip(r, 2.0, 16.0))


def settlement_records(ws: Workspace, lang: str = "fa", *, county: str | None = None) -> list[dict[str, Any]]:
    """Settlements as points sized by population, with code (for picking) and tooltip."""
    s = ws.settlements
    if county:
        s = s[s["county"] == county]
    radius = settlement_radius_px(s["population"].tolist())
    out = []
    for i, (code, fa, en, kind, pop, cty, g) in enumerate(zip(
            s["code"], s["name_fa"], s["name_en"], s["kind"], s["population"], s["county"], s.geometry, strict=True)):
        name = fa if lang == "fa" else (en or fa)
        pop_v = None if pop is pd.NA or pop is None else int(pop)
        pop_text = fmt.number(pop_v, lang) if pop_v is not None else ("نامعلوم" if lang == "fa" else "unknown")
        tip = (f"{label(kind, 'fa')} {name} (شهرستان {cty or '—'}) — جمعیت {pop_text}" if lang == "fa"
               else f"{label(kind, 'en')} {name} ({cty or '—'}) — population {pop_text}")
        out.append({"code": code, "name": name, "kind": kind, "tip": tip,
                    "lon": round(g.x, ROUND), "lat": round(g.y, ROUND), "r": round(float(radius[i]), 1)})
    return out


def office_records(ws: Workspace, lang: str = "fa", *, licence_type: str = "any",
                   county: str | None = None) -> list[dict[str, Any]]:
    """Offices coloured by licence type (grey when not serving), with tooltip."""
    o = ws.offices
    if licence_type in ("urban", "rural"):
        o = o[o["licence_type"] == licence_type]
    if county:
        o = o[o["county"] == county]
    out = []
    for oid, name, t, status, expires, loc, g in zip(o["office_id"], o["name"], o["licence_type"], o["status"],
                                                      o["expires"], o["location"], o.geometry, strict=True):
        colour = OFFICE_COLOURS.get(t, NOT_SERVING_COLOUR) if status == "active" else NOT_SERVING_COLOUR
        until = fmt.jalali(expires, lang=lang) if expires else "—"
        approx = loc == "approximate"
        tip = (f"دفتر {label(t, 'fa')}: {name or oid} — {label(status, 'fa')} — اعتبار تا {until}" if lang == "fa"
               else f"{label(t, 'en')} office: {name or oid} — {label(status, 'en')} — valid until {until}")
        if approx:
            tip += (" — موقعیت تقریبی (محل آبادیِ نام‌برده در دفتر ثبت)" if lang == "fa"
                    else " — located approximately (at the settlement the register names)")
        out.append({"office_id": oid, "tip": tip, "colour": list(colour), "licence_type": t, "approximate": approx,
                    "lon": round(g.x, ROUND), "lat": round(g.y, ROUND)})
    return out


def gap_features(gaps: gpd.GeoDataFrame, lang: str = "fa", *, county: str | None = None,
                 top: int | None = None) -> dict[str, Any]:
    """Gap parts (from :func:`siting.gaps.compute_gaps`) with rank, area and uncovered population."""
    g = gaps
    if county:
        g = g[g["county"] == county]
    if top is not None:
        g = g.head(top)
    tips = []
    for rank, cty, area, upop, n in zip(g["rank"], g["county"], g["area_km2"], g["uncovered_population"],
                                        g["settlements"], strict=True):
        if lang == "fa":
            tips.append(f"ناحیهٔ بدون پوشش رتبهٔ {fmt.number(int(rank))} (شهرستان {cty or '—'}): "
                        f"{fmt.number(float(area))} کیلومتر مربع، {fmt.number(int(n))} سکونتگاه، "
                        f"{fmt.number(int(upop))} نفر بدون پوشش")
        else:
            tips.append(f"service gap #{int(rank)} ({cty or '—'}): {fmt.number(float(area), 'en')} km², "
                        f"{int(n)} settlements, {fmt.number(int(upop), 'en')} people without service")
    return features(g, {"rank": g["rank"].tolist(), "tip": tips}, tolerance=DISPLAY_TOLERANCE_DEG / 4)


def cell_records(cells: pd.DataFrame, lang: str = "fa") -> list[dict[str, Any]]:
    """H3 cells for picking: id and a short tooltip (county; uncovered population when any)."""
    out = []
    upop = cells["uncovered_population"] if "uncovered_population" in cells else pd.Series(0, index=cells.index)
    county = cells["county"] if "county" in cells else pd.Series(None, index=cells.index)
    for h, cty, u in zip(cells["h3"], county, upop, strict=True):
        extra = ""
        if u:
            extra = (f"، {fmt.number(int(u))} نفر بدون پوشش" if lang == "fa"
                     else f", {fmt.number(int(u), 'en')} people without service")
        where = (f"شهرستان {cty}" if lang == "fa" else f"{cty} county") if cty else ""
        out.append({"h3": h, "tip": f"{where}{extra}"})
    return out


def _bins(values: np.ndarray, metric: str) -> np.ndarray:
    if metric == "covered_share_of_located":
        return np.array([0.2, 0.4, 0.6, 0.8])
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.array([])
    return np.unique(np.quantile(finite, [0.2, 0.4, 0.6, 0.8]))


@dataclass(frozen=True)
class Choropleth:
    """Counties coloured by one metric, with the legend's classes."""

    metric: str
    title: str
    geojson: dict[str, Any]
    legend: tuple[tuple[RGBA, str], ...]
    values: Mapping[str, float | None]


def county_choropleth(ws: Workspace, by_county: pd.DataFrame, metric: str = "covered_share_of_located",
                      lang: str = "fa") -> Choropleth:
    """Counties coloured by a column of :attr:`CoverageResult.by_county`.

    ``metric`` is one of :data:`CHOROPLETH_METRICS`. The share covered uses
    fixed classes of 20 %; the others use quintiles of the counties' values.
    Counties without a value are grey.
    """
    if metric not in CHOROPLETH_METRICS:
        raise ValueError(f"unknown choropleth metric {metric!r}; expected one of {', '.join(CHOROPLETH_METRICS)}")
    ramp_name, title_fa, title_en = CHOROPLETH_METRICS[metric]
    ramp = RAMPS[ramp_name]
    table = by_county.set_index("county")
    raw = [table[metric].get(n) if n in table.index else None for n in ws.counties["name_fa"]]
    values = np.array([np.nan if v is None or v is pd.NA else float(v) for v in raw], dtype=float)
    edges = _bins(values, metric)
    finite = values[np.isfinite(values)]
    n_classes = len(edges) + 1

    def colour_of(k: int) -> RGBA:  # spread fewer classes over the whole ramp
        return ramp[round(k * (len(ramp) - 1) / max(n_classes - 1, 1))]

    cls = np.searchsorted(edges, values, side="right")
    colours = [list(colour_of(int(k))) if np.isfinite(v) else list(NO_DATA_COLOUR)
               for v, k in zip(values, cls, strict=True)]

    def show(v: float) -> str:
        if metric == "covered_share_of_located":
            return fmt.percent(v, lang, decimals=0)
        return fmt.number(v, lang)

    title = title_fa if lang == "fa" else title_en
    tips = [f"{name}: {title} {show(v) if np.isfinite(v) else '—'}"
            for name, v in zip(ws.counties["name_fa"], values, strict=True)]
    gj = features(ws.counties, {"name": ws.counties["name_fa"].tolist(), "tip": tips, "fill": colours})
    legend: list[tuple[RGBA, str]] = []
    if metric == "covered_share_of_located" or len(finite):
        lo_end, hi_end = (0.0, 1.0) if metric == "covered_share_of_located" else (finite.min(), finite.max())
        lows, highs = [lo_end, *edges.tolist()], [*edges.tolist(), hi_end]
        legend = [(colour_of(k), f"{show(lo)} – {show(hi)}") for k, (lo, hi) in enumerate(zip(lows, highs, strict=True))]
    legend.append((NO_DATA_COLOUR, "بدون داده" if lang == "fa" else "no data"))
    return Choropleth(metric, title, gj, tuple(legend),
                      {n: (None if not np.isfinite(v) else float(v))
                       for n, v in zip(ws.counties["name_fa"], values, strict=True)})


__all__ = [
    "CHOROPLETH_METRICS",
    "OFFICE_COLOURS",
    "STATUS_COLOURS",
    "Choropleth",
    "View",
    "cell_records",
    "county_choropleth",
    "county_features",
    "features",
    "gap_features",
    "office_records",
    "region_features",
    "settlement_radius_px",
    "settlement_records",
    "view_for_bounds",
]
