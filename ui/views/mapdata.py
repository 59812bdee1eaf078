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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import arabic_reshaper
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from bidi import get_display

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
# Longest segment drawn, about 11 km. A segment straight in lon/lat is drawn straight in web mercator, and
# the two differ in the middle by about y''·Δφ²/(8·y') of latitude (y the mercator ordinate): 1.7 m for
# 0.1° at 35° N, the province's northern edge (tests/ui/views/test_map_segments.py), against 173 m for an
# unsplit 1° county edge. Every
# vertex of an outline costs a browser without a GPU about 40 µs per frame (deck.gl's PathLayer in
# software WebGL): 0.01° made the sample's county and gap outlines 4,462 + 7,383 vertices and 490 ms a
# frame, 0.1° makes them 40 + 115 ms (benchmarks/bench_browser.py).
DISPLAY_SEGMENT_DEG = 0.1
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
    """Settlements as points sized by population, with code (for picking), kind and tooltip (nothing more:
    the map's data travel to the browser on every run)."""
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
        out.append({"code": code, "kind": kind, "tip": tip,
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
                 top: int | None = None, tolerance: float = DISPLAY_TOLERANCE_DEG / 4) -> dict[str, Any]:
    """Gap parts (from :func:`siting.gaps.compute_gaps`) with rank, area and uncovered population.

    Simplified within ``tolerance`` degrees: by default about 50 m, for maps zoomed in on a site; the
    planner's province-wide outlines take :data:`DISPLAY_TOLERANCE_DEG` (a fifth of a pixel at province
    zoom), since without a GPU an outline's cost is per vertex."""
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
    return features(g, {"rank": g["rank"].tolist(), "tip": tips}, tolerance=tolerance)


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


# -- names on the map, scale bar, the view after a pick ----------------------------------------------------

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_RESHAPER = arabic_reshaper.ArabicReshaper({"delete_harakat": True, "support_ligatures": True})
VILLAGE_LABEL_MIN_POPULATION = 1_000  # villages named on the province-wide map; near a site every one is
# ... and at most this many of them, the most populous: deck.gl draws every letter of every name in every
# frame, visible or not (at province zoom a village's name is under a pixel), and in a browser without a GPU
# the reference workspace's 2,748 village names (48,600 letters) cost 1.2 s a frame, more than the rest of
# the map together (benchmarks/bench_browser.py). Near a site every village is named, whatever the cap.
VILLAGE_LABEL_MAX = 300


def map_text(text: object) -> str:
    """``text`` as deck.gl's TextLayer must be given it to show it right.

    deck.gl draws a label's characters one by one, left to right, each in its isolated form: Persian
    came out unjoined and backwards. Text in Arabic script is therefore shaped here (each letter
    replaced by its joined presentation form, :mod:`arabic_reshaper`) and put in visual order
    (Unicode bidi algorithm, :mod:`bidi`); other text is returned as it is.

    >>> map_text("Qaen")
    'Qaen'
    >>> [hex(ord(c)) for c in map_text("قاین")]  # ن final, ی (Persian) medial, ا final, ق initial, left to right
    ['0xfee6', '0xfbfe', '0xfe8e', '0xfed7']
    """
    value = "" if text is None else str(text)
    if not _ARABIC_SCRIPT.search(value):
        return value
    return str(get_display(_RESHAPER.reshape(value)))


def label_records(ws: Workspace, lang: str = "fa", *, county: str | None = None,
                  near: tuple[float, float, float] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Names to write on the map: ``{"counties": [...], "cities": [...], "villages": [...]}``.

    Each record has ``text`` (shaped by :func:`map_text`), ``lon``, ``lat``. Counties are named at a
    point inside them, cities always; villages of at least :data:`VILLAGE_LABEL_MIN_POPULATION` people
    (the :data:`VILLAGE_LABEL_MAX` most populous of them); or, with ``near`` = (lon, lat, km) of a site
    (the view after a pick), the villages within it and no other. Of two village names that would
    overlap, only the more populous village's is kept (:func:`label_boxes`).
    """
    def name(fa: object, en: object) -> str:
        fa_s = "" if fa is None or fa is pd.NA else str(fa)
        en_s = "" if en is None or en is pd.NA else str(en)
        return (fa_s or en_s) if lang == "fa" else (en_s or fa_s)

    c = ws.counties
    if county:
        c = c[c["name_fa"] == county]
    counties = []
    for fa, en, geom in zip(c["name_fa"], c["name_en"], c.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        p = geom.representative_point()
        counties.append({"text": map_text(name(fa, en)), "lon": round(p.x, ROUND), "lat": round(p.y, ROUND)})
    s = ws.settlements
    if county:
        s = s[s["county"] == county]
    pop = pd.to_numeric(s["population"], errors="coerce").fillna(0).to_numpy()
    lon, lat = s.geometry.x.to_numpy(), s.geometry.y.to_numpy()
    city = (s["kind"] == "city").to_numpy()
    names = [name(fa, en) for fa, en in zip(s["name_fa"], s["name_en"], strict=True)]
    village = ~city & np.array([bool(n) for n in names], dtype=bool)
    if near is not None:  # a site's surroundings: its villages (the province's biggest are specks at that zoom)
        nlon, nlat, km = near
        dx = (lon - nlon) * 111.32 * math.cos(math.radians(nlat))
        dy = (lat - nlat) * 110.57
        village &= np.hypot(dx, dy) <= km
    else:
        village &= pop >= VILLAGE_LABEL_MIN_POPULATION
    order = np.flatnonzero(village)[np.argsort(-pop[village], kind="stable")]
    boxes = label_boxes(lon[order], lat[order], [map_text(names[i]) for i in order],
                        mid_lat=float(np.mean(lat)) if len(lat) else None)
    keep = order[_fitting(boxes, None if near is not None else VILLAGE_LABEL_MAX)]
    village[:] = False
    village[keep] = True

    def rows(mask: np.ndarray) -> list[dict[str, Any]]:
        order = np.argsort(-pop[mask], kind="stable")  # the bigger drawn last: on top
        idx = np.flatnonzero(mask)[order[::-1]]
        return [{"text": map_text(names[i]), "lon": round(float(lon[i]), ROUND), "lat": round(float(lat[i]), ROUND)}
                for i in idx if names[i]]

    return {"counties": counties, "cities": rows(city), "villages": rows(village)}


VILLAGE_LABEL_SIZE_M = 700  # a village's name is this tall on the ground (up to 12 px: maps.label_layers)
GLYPH_WIDTH_EM = 0.6  # a letter's advance, as a share of the text's height (Noto Sans Arabic, digits: 0.5-0.6)


def label_boxes(lon: np.ndarray, lat: np.ndarray, texts: Sequence[str], *, mid_lat: float | None = None
                ) -> np.ndarray:
    """Where each village name is drawn, in metres east and north of (0°, 0°): rows (x0, y0, x1, y1).

    The map writes a village's name :data:`VILLAGE_LABEL_SIZE_M` tall, centred above its point. A size in
    metres grows and shrinks with the zoom as the distances between villages do, so two names that do not
    overlap in metres overlap at no zoom (above 12 px the names stop growing and only part further).
    East-west metres are taken at ``mid_lat`` (default: the points' mean latitude).
    """
    h = float(VILLAGE_LABEL_SIZE_M)
    w = np.array([len(t) for t in texts], dtype=float) * GLYPH_WIDTH_EM * h
    mid = math.radians(float(np.mean(lat)) if mid_lat is None else mid_lat) if len(lat) else 0.0
    x = np.asarray(lon, dtype=float) * 111_320.0 * math.cos(mid)
    y = np.asarray(lat, dtype=float) * 110_570.0
    return np.column_stack([x - w / 2, y, x + w / 2, y + h])


def _fitting(boxes: np.ndarray, limit: int | None) -> list[int]:
    """The rows of ``boxes`` (most important first) that overlap none kept before, up to ``limit``."""
    kept: list[int] = []
    for i in range(len(boxes)):
        if limit is not None and len(kept) >= limit:
            break
        if kept:
            k = boxes[kept]
            b = boxes[i]
            if np.any((k[:, 0] < b[2]) & (b[0] < k[:, 2]) & (k[:, 1] < b[3]) & (b[1] < k[:, 3])):
                continue
        kept.append(int(i))
    return kept


NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200)


def scale_bar(bounds: Sequence[float], lang: str = "fa", *, share: float = 0.2) -> dict[str, Any]:
    """A scale bar drawn in the map's own coordinates, so it stays true at every zoom.

    A horizontal bar of a round length (about ``share`` of the width of ``bounds``) near their
    lower-left corner: ``{"paths": [{"path": [[lon, lat], ...]}], "labels": [{"text", "lon", "lat"}],
    "km": length}``, the bar with a tick at each end, the label above its middle and "N ↑" above it.
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    lat0 = miny + (maxy - miny) * 0.06
    km_per_deg = 111.32 * math.cos(math.radians(lat0))
    width_km = (maxx - minx) * km_per_deg
    km = max([k for k in NICE_KM if k <= max(width_km * share, 1)], default=1)
    lon0 = minx + (maxx - minx) * 0.04
    lon1 = lon0 + km / km_per_deg
    tick = (maxy - miny) * 0.012
    text = f"{fmt.number(km, lang)} کیلومتر" if lang == "fa" else f"{km} km"
    north = "شمال ↑" if lang == "fa" else "N ↑"
    return {
        "paths": [{"path": [[lon0, lat0 + tick], [lon0, lat0], [lon1, lat0], [lon1, lat0 + tick]]}],
        "labels": [{"text": map_text(text), "lon": (lon0 + lon1) / 2, "lat": lat0 + 2 * tick},
                   {"text": map_text(north), "lon": (lon0 + lon1) / 2, "lat": lat0 + 6 * tick}],
        "km": km,
    }


def context_bounds(ws: Workspace, lon: float, lat: float, *, neighbours: int = 4, min_km: float = 30.0,
                   max_km: float = 70.0) -> tuple[float, float, float, float]:
    """The extent to show around a chosen site: the site, its ``neighbours`` nearest settlements and the
    nearest city (a town to orient by), at least ``min_km`` and at most ``max_km`` across, so that the
    places around it stay in view (not a close-up of a plain gap)."""
    s = ws.settlements
    kx = 111.32 * math.cos(math.radians(lat))
    ky = 110.57
    xs, ys = [0.0], [0.0]
    if len(s):
        dx = (s.geometry.x.to_numpy() - lon) * kx
        dy = (s.geometry.y.to_numpy() - lat) * ky
        d = np.hypot(dx, dy)
        keep = list(np.argsort(d)[:neighbours])
        cities = np.flatnonzero((s["kind"] == "city").to_numpy())
        if len(cities):
            keep.append(int(cities[np.argmin(d[cities])]))
        keep = [i for i in keep if d[i] <= max_km / 2 / 1.15]
        xs += dx[keep].tolist()
        ys += dy[keep].tolist()
    half_x = min(max(max(abs(v) for v in xs) * 1.15, min_km / 2), max_km / 2)
    half_y = min(max(max(abs(v) for v in ys) * 1.15, min_km / 2), max_km / 2)
    return (lon - half_x / kx, lat - half_y / ky, lon + half_x / kx, lat + half_y / ky)


__all__ = [
    "CHOROPLETH_METRICS",
    "OFFICE_COLOURS",
    "STATUS_COLOURS",
    "Choropleth",
    "View",
    "cell_records",
    "context_bounds",
    "county_choropleth",
    "county_features",
    "features",
    "gap_features",
    "label_records",
    "map_text",
    "office_records",
    "region_features",
    "scale_bar",
    "settlement_radius_px",
    "settlement_records",
    "view_for_bounds",
]
