"""pydeck layers for the workspace, drawn with no internet.

(pydeck turns every string argument of a layer into a JavaScript expression
unless it is quoted, hence ``radius_units="'pixels'"``.)

Every layer is our own (region, counties, gaps, settlements, offices, H3
picking cells, candidate, proposals): ``map_provider=None`` keeps deck.gl from
loading a basemap style, so the map renders offline. (With ``map_style=None``
instead, Streamlit substitutes Carto's basemap from the internet.) A tiled
basemap is optional: :func:`deck` with ``basemap=True`` asks for Carto's
Positron tiles, which need internet; the pages leave it off by default and
label the switch so. Tooltips show each record's ``tip`` (Persian in Persian).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import h3
import numpy as np
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from siting.reports.html import status_label
from ui.views.mapdata import (
    OFFICE_COLOURS,
    STATUS_COLOURS,
    VILLAGE_LABEL_SIZE_M,
    scale_bar,
    view_for_bounds,
)
from ui.views.picking import LAYER_COARSE, LAYER_FINE, LAYER_SETTLEMENTS, Candidate
from ui.views.travel import ISOCHRONE_LINE

from ..i18n import t
from .layout import FONT_STACK

REGION_LINE = (60, 60, 60, 255)
COUNTY_LINE = (110, 110, 110, 220)
GAP_FILL = (255, 140, 0, 70)
GAP_LINE = (205, 95, 0, 200)
# The pickable hexagons: magenta outlines and tint, so that they show at province zoom and
# differ from the orange gap they lie in (tests/ui/test_map_legend.py measures every legend pair).
CELL_FILL = (240, 0, 200, 22)
CELL_LINE = (190, 0, 160, 120)
FINE_FILL = (200, 40, 140, 60)
CITY_FILL = (95, 55, 140, 200)
VILLAGE_FILL = (125, 75, 25, 215)  # dark brown: not the grey of an inactive office
INACTIVE_FILL = (130, 130, 130, 200)
CANDIDATE_FILL = (220, 20, 60, 255)
CONFLICT_LINE = (190, 30, 30, 255)
MAP_BACKGROUND = (246, 244, 238, 255)  # drawn by the offline style below every layer
LABEL_FONT = "Noto Sans Arabic"  # Debian's fonts-noto-core: Persian glyphs with no internet
MAP_HEIGHT = 560
COLUMN_MAP_WIDTH = 580  # the applicant page's map column, for fitting the view


class CompactDeck(pdk.Deck):
    """pydeck's Deck, serialised without indentation and with Persian kept as UTF-8.

    pydeck indents its JSON and escapes every non-ASCII character, which
    makes a map of a few thousand picking cells three times larger.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


def packed(data: Any) -> str:
    """``data`` (records or GeoJSON) as a ``data:`` URL of its JSON, for a layer that is the same on every run.

    deck.gl loads a layer's data from a URL itself (no internet: the data are in the URL), and a layer whose
    URL did not change between two runs is neither converted nor built again: Streamlit sends the whole map
    on every run, and deck.gl otherwise converts every record of every layer (deck.gl's JSON converter) and
    builds every layer anew, 0.2-0.3 s a run for the reference workspace's 3,600 settlements and 3,900
    picking cells in a browser without a GPU (benchmarks/bench_browser.py). Layers that change with an
    interaction (the fine grid, the candidate, the planner's gaps, the names around a site) stay inline:
    deck.gl loads a URL asynchronously, a frame later. Picks still carry the records (the browser reads
    them from the loaded data), so the server reads a picked settlement's ``code`` as before.

    >>> unpacked(packed([{"code": "S1", "tip": "شهر"}]))
    [{'code': 'S1', 'tip': 'شهر'}]
    """
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return PACKED_PREFIX + base64.b64encode(raw).decode("ascii")


PACKED_PREFIX = "data:application/json;base64,"


def unpacked(data: Any) -> Any:
    """A layer's data as records or GeoJSON, whether inline or :func:`packed`."""
    if isinstance(data, str) and data.startswith(PACKED_PREFIX):
        return json.loads(base64.b64decode(data[len(PACKED_PREFIX):]))
    return data


def region_layer(geojson: Mapping[str, Any]) -> pdk.Layer:
    """The province's outline (not filled: every filled layer costs a full pass of rasterising,
    which is what a browser without a GPU spends its time on)."""
    return pdk.Layer("GeoJsonLayer", data=packed(geojson), id="region", stroked=True, filled=False,
                     get_line_color=list(REGION_LINE), line_width_min_pixels=2, pickable=False)


def county_layer(geojson: Mapping[str, Any], *, pickable: bool = True) -> pdk.Layer:
    """County outlines; ``pickable=False`` on a map where clicks choose a site (see :func:`gap_layer`).

    The transparent fill exists only to be picked (a tooltip anywhere inside a county): without
    ``pickable`` it is not drawn, which saves a pass over the province in every frame."""
    return pdk.Layer("GeoJsonLayer", data=packed(geojson), id="counties", stroked=True, filled=pickable,
                     get_fill_color=[0, 0, 0, 0], get_line_color=list(COUNTY_LINE),
                     get_line_width="properties.selected ? 1500 : 1", line_width_min_pixels=1,
                     pickable=pickable)


def choropleth_layer(geojson: Mapping[str, Any]) -> pdk.Layer:
    return pdk.Layer("GeoJsonLayer", data=geojson, id="choropleth", stroked=True, filled=True,
                     get_fill_color="properties.fill", get_line_color=list(COUNTY_LINE),
                     line_width_min_pixels=1, pickable=True)


def gap_layer(geojson: Mapping[str, Any], *, filled: bool = True, pickable: bool = True,
              outlined: bool = True, static: bool = True) -> pdk.Layer:
    """Service gaps: filled orange, or outlined only (over a choropleth).

    ``pickable=False`` where a pickable cell grid covers the gaps anyway (the applicant's map): deck.gl
    picks on every press and counts the press as a click only if its release is handled within
    250 ms; in a browser without a GPU (Chromium's software WebGL, as on this project's test
    machines and on many office PCs) the pick took 750 ms with the gaps and the filled counties
    pickable, ~240 ms with only the counties, ~70 ms with neither (the sample workspace's applicant
    map), so clicks were lost. The cells' tooltips name the county, so nothing is lost on that map.

    ``outlined=False`` (filled gaps only) leaves out the outlines, the costliest part of the map in every
    frame without a GPU: the reference workspace's gap outlines took 250-280 ms a frame, their fill 50 ms.

    ``static=False`` where the gaps change with an interaction (the planner's slider): inline, not
    :func:`packed`."""
    return pdk.Layer("GeoJsonLayer", data=packed(geojson) if static else geojson, id="gaps",
                     stroked=outlined or not filled, filled=True,
                     get_fill_color=list(GAP_FILL) if filled else [0, 0, 0, 0], get_line_color=list(GAP_LINE),
                     line_width_min_pixels=1 if filled else 2, pickable=pickable)


def isochrone_layer(geojson: Mapping[str, Any], *, layer_id: str = "isochrones",
                    pickable: bool = True) -> pdk.Layer:
    """Travel-time service areas (:mod:`ui.views.travel`), each filled with its feature's ``fill``."""
    return pdk.Layer("GeoJsonLayer", data=geojson, id=layer_id, stroked=True, filled=True,
                     get_fill_color="properties.fill", get_line_color=list(ISOCHRONE_LINE),
                     line_width_min_pixels=1, pickable=pickable)


# No hover highlight on the pickable layers (deck.gl's auto_highlight): each highlight redraws the whole map,
# 0.3-0.5 s in a browser without a GPU, and the highlight of the pressed cell came before the click was even
# sent (benchmarks/bench_browser.py: map click → report 1.8-2.3 s with it, 1.5-1.7 s without). The tooltip
# still names what is under the pointer.
def cell_layer(records: Sequence[Mapping[str, Any]], *, fine: bool = False, outlined: bool = True) -> pdk.Layer:
    """The pickable H3 grid: coarse cells over the gaps, or the fine cells around the candidate.

    ``outlined=False`` draws the cells' tint without their outlines: the applicant's map does so for the
    coarse grid once a site is chosen and the outlined fine grid shows around it. The outlines are half
    of the grid's cost in every frame in a browser without a GPU (sample: 280 → 130 ms a frame).

    The coarse grid is the same on every run (:func:`packed`); the fine one changes with the site (inline).

    Outlined, the cells are drawn as copies of one hexagon, that of their middle cell (:func:`middle_cell`):
    the cheapest way to draw 3,900 outlines (reference workspace, province view: 360 ms a frame, against
    990 ms as polygons). Tint only, as polygons (deck.gl's ``highPrecision``): 24 ms against 61 ms, and
    deck.gl need not build the grid again after the view moves, which was one more frame after every
    search (0.2-0.35 s in a browser without a GPU)."""
    return pdk.Layer("H3HexagonLayer", data=list(records) if fine else packed(list(records)),
                     id=LAYER_FINE if fine else LAYER_COARSE, get_hexagon="h3",
                     center_hexagon=quoted(middle_cell(records)), high_precision=not outlined, get_fill_color=list(FINE_FILL if fine else CELL_FILL),
                     get_line_color=[200, 60, 150, 160] if fine else list(CELL_LINE),
                     line_width_min_pixels=1, stroked=outlined, filled=True, extruded=False,
                     pickable=True, auto_highlight=False)


def middle_cell(records: Sequence[Mapping[str, Any]]) -> str | None:
    """The cell of ``records`` nearest their mean centre, as deck.gl's ``centerHexagon``.

    Outside ``highPrecision``, deck.gl draws every hexagon of a grid with the shape of one cell, by default
    the cell under the view's centre (the shapes differ by a few per cent of a cell's size across the
    province: under a pixel at province zoom): each time the view moved to another place (a search) it
    computed the grid's vertices again, one more frame of 0.3-0.4 s in a browser without a GPU. A fixed
    cell of the grid's own keeps the shapes put.

    >>> middle_cell([{"h3": "862cd8487ffffff"}])
    '862cd8487ffffff'
    """
    cells = [str(r["h3"]) for r in records if r.get("h3")]
    if not cells:
        return None
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    return cells[int(np.argmin(((centres - centres.mean(axis=0)) ** 2).sum(axis=1)))]


def quoted(text: str | None) -> str | None:
    """A string pydeck passes on as a string (unquoted, pydeck makes it a JavaScript expression)."""
    return None if text is None else f"'{text}'"


APPROXIMATE_RING = (20, 20, 20, 255)


def settlement_layer(records: Sequence[Mapping[str, Any]]) -> pdk.Layer:
    """Towns and villages (:func:`packed`: the same on every run), pickable."""
    return pdk.Layer("ScatterplotLayer", data=packed(list(records)), id=LAYER_SETTLEMENTS,
                     get_position=["lon", "lat"], get_radius="r", radius_units="'pixels'",
                     get_fill_color=f"kind == 'city' ? {list(CITY_FILL)} : {list(VILLAGE_FILL)}",
                     get_line_color=[255, 255, 255, 200], stroked=True, line_width_min_pixels=0.5,
                     pickable=True, auto_highlight=False)


def office_layer(records: Sequence[Mapping[str, Any]]) -> pdk.Layer:
    """Offices by licence type and status (:func:`packed`), with tooltips."""
    return pdk.Layer("ScatterplotLayer", data=packed(list(records)), id="offices", get_position=["lon", "lat"],
                     get_radius=6, radius_units="'pixels'",
                     get_fill_color="colour",
                     # an office placed at the settlement its register names has a black ring (legend, tooltip)
                     get_line_color=f"approximate ? {list(APPROXIMATE_RING)} : [255, 255, 255, 255]", stroked=True,
                     line_width_min_pixels=1.5, pickable=True)


def candidate_layers(candidate: Candidate, radius_m: float | None, tip: str) -> list[pdk.Layer]:
    """The candidate site and its service radius (none when ``radius_m`` is None: by travel time the
    page draws the site's service area instead)."""
    return site_layers([{"lon": candidate.lon, "lat": candidate.lat, "tip": tip}], radius_m, layer_id="candidate")


def site_layers(records: Sequence[Mapping[str, Any]], radius_m: float | None, *,
                layer_id: str = "sites") -> list[pdk.Layer]:
    """Sites (records with ``lon``, ``lat``, ``tip``) drawn above everything, each with its service radius
    in metres around it (none when ``radius_m`` is None, e.g. a radius in a cost matrix's minutes)."""
    rec = [{**r, "r": radius_m} for r in records]
    layers = [] if radius_m is None else [
        pdk.Layer("ScatterplotLayer", data=rec, id=f"{layer_id}-radius", get_position=["lon", "lat"],
                  get_radius="r", filled=True, stroked=True,
                  get_fill_color=[220, 20, 60, 25], get_line_color=list(CANDIDATE_FILL),
                  line_width_min_pixels=2, pickable=False)]
    layers.append(pdk.Layer("ScatterplotLayer", data=rec, id=layer_id, get_position=["lon", "lat"], get_radius=10,
                            radius_min_pixels=7, get_fill_color=list(CANDIDATE_FILL),
                            get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=2,
                            pickable=True))
    return layers


def proposal_layers(records: Sequence[Mapping[str, Any]], lines: Sequence[Mapping[str, Any]]) -> list[pdk.Layer]:
    """Proposals coloured by result, and a line between each conflicting pair."""
    return [
        pdk.Layer("LineLayer", data=list(lines), id="conflicts", get_source_position=["lon_a", "lat_a"],
                  get_target_position=["lon_b", "lat_b"], get_color=list(CONFLICT_LINE), get_width=4, pickable=True),
        pdk.Layer("ScatterplotLayer", data=list(records), id="proposals", get_position=["lon", "lat"],
                  get_radius=8, radius_units="'pixels'",
                  get_fill_color="colour", get_line_color=[0, 0, 0, 255], stroked=True,
                  line_width_min_pixels=1.5, pickable=True),
    ]


def offline_style(background: Sequence[int] = MAP_BACKGROUND) -> str:
    """A map style with no source at all (a plain background), as a ``data:`` URL: with it Streamlit
    draws its zoom buttons, which it draws only over a basemap, and nothing is asked of the internet."""
    style = {"version": 8, "sources": {}, "layers": [
        {"id": "background", "type": "background",
         "paint": {"background-color": f"rgb({background[0]},{background[1]},{background[2]})"}}]}
    return "data:application/json;charset=utf-8," + urllib.parse.quote(json.dumps(style, separators=(",", ":")))


def label_layers(labels: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[pdk.Layer]:
    """Place names (:func:`ui.views.mapdata.label_records`, already shaped for deck.gl): counties and
    cities at a fixed size; villages sized in metres (capped at 12 px), so that they appear as the map
    is zoomed in, where they fit, and stay out of the way at province zoom."""
    common = {"get_position": ["lon", "lat"], "get_text": "text", "character_set": "'auto'",
              "font_family": f"'{LABEL_FONT}'", "pickable": False, "billboard": True,
              "get_text_anchor": "'middle'", "get_alignment_baseline": "'bottom'"}
    return [
        pdk.Layer("TextLayer", data=list(labels.get("villages", ())), id="labels-villages",
                  get_size=VILLAGE_LABEL_SIZE_M, size_units="'meters'", size_max_pixels=12, size_min_pixels=0,
                  get_color=[70, 45, 20, 235], get_pixel_offset=[0, -5], **common),
        pdk.Layer("TextLayer", data=list(labels.get("cities", ())), id="labels-cities", get_size=13,
                  size_units="'pixels'", get_color=[40, 25, 70, 255], get_pixel_offset=[0, -7],
                  background=True, get_background_color=[255, 255, 255, 170], **common),
        pdk.Layer("TextLayer", data=list(labels.get("counties", ())), id="labels-counties", get_size=14,
                  size_units="'pixels'", get_color=[90, 90, 90, 220], **common),
    ]


def scale_layers(bounds: Sequence[float], lang: str) -> list[pdk.Layer]:
    """A scale bar (and "N ↑") in map coordinates near the lower-left corner of ``bounds``
    (:func:`ui.views.mapdata.scale_bar`): true at every zoom, with or without the basemap."""
    bar = scale_bar(bounds, lang)
    return [
        pdk.Layer("PathLayer", data=bar["paths"], id="scale-bar", get_path="path", get_color=[30, 30, 30, 255],
                  get_width=3, width_units="'pixels'", pickable=False),
        pdk.Layer("TextLayer", data=bar["labels"], id="scale-label", get_position=["lon", "lat"], get_text="text",
                  character_set="'auto'", font_family=f"'{LABEL_FONT}'", get_size=13, size_units="'pixels'",
                  get_color=[30, 30, 30, 255], background=True, get_background_color=[255, 255, 255, 200],
                  pickable=False),
    ]


def deck(layers: Sequence[pdk.Layer], bounds: Sequence[float], *, basemap: bool = False, lang: str = "fa",
         width_px: int = 1000, height_px: int = MAP_HEIGHT, zoom: float | None = None,
         centre: tuple[float, float] | None = None,
         labels: Mapping[str, Sequence[Mapping[str, Any]]] | None = None, scale: bool = True) -> CompactDeck:
    """A deck with our layers fitting ``bounds`` in a map of about ``width_px``, offline unless
    ``basemap`` (Carto tiles, internet) is asked for; ``centre``/``zoom`` override the fit.

    ``labels`` (:func:`ui.views.mapdata.label_records`) writes place names above the layers;
    ``scale`` draws a scale bar fitted to ``bounds``. Offline the map gets a background-only style
    (:func:`offline_style`), which also gives it zoom buttons."""
    view = view_for_bounds(bounds, width_px=width_px, height_px=height_px)
    lon, lat = centre if centre else (view.lon, view.lat)
    tooltip = {
        "html": "<div>{tip}</div>",
        "style": {"fontFamily": FONT_STACK, "direction": "rtl" if lang == "fa" else "ltr",
                  "backgroundColor": "white", "color": "#111", "fontSize": "13px", "maxWidth": "260px",
                  "whiteSpace": "normal", "overflowWrap": "anywhere",
                  "border": "1px solid #999", "padding": "4px 8px"},
    }
    layers = [*layers, *(label_layers(labels) if labels else ()), *(scale_layers(bounds, lang) if scale else ())]
    state = pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom if zoom is not None else view.zoom)
    views = [map_view()]
    if basemap:
        return CompactDeck(layers=layers, views=views, initial_view_state=state, map_provider="carto",
                           map_style="light", tooltip=tooltip)
    return CompactDeck(layers=layers, views=views, initial_view_state=state, map_provider=None,
                       map_style=offline_style(), tooltip=tooltip)


def map_view() -> pdk.View:
    """deck.gl's map view, panned and zoomed by mouse, wheel, keys, touch and the zoom buttons, but not by
    a double click: with double-click zoom on, deck.gl holds every click until a second one can no longer
    come (300 ms), and a click on the map is how a site is chosen."""
    return pdk.View(type="MapView", controller={"doubleClickZoom": False})


# Keeps deck.gl's tooltip inside its map: deck.gl places it at the pointer (a transform), so near the
# right or bottom edge it was cut off. CSS cannot know the pointer, so this moves it back in, each time
# deck.gl moves it. (st.html runs it in the page; it only reads and sets the tooltip's own style.)
_TOOLTIP_INSIDE = r"""<script>
(() => {
  if (window.__sitingTooltipInside) return;
  window.__sitingTooltipInside = true;
  const fit = (tip) => {
    const box = tip.parentElement && tip.parentElement.getBoundingClientRect();
    const m = /translate\(([-0-9.]+)px, ([-0-9.]+)px\)/.exec(tip.style.transform || "");
    if (!box || !m || tip.style.display === "none") return;
    const x = +m[1], y = +m[2], w = tip.offsetWidth, h = tip.offsetHeight;
    let nx = x + 12, ny = y + 12;
    if (nx + w > box.width - 4) nx = Math.max(4, x - w - 12);
    if (ny + h > box.height - 4) ny = Math.max(4, y - h - 12);
    const want = `translate(${nx}px, ${ny}px)`;
    if (tip.dataset.fitted !== want) { tip.dataset.fitted = want; tip.style.transform = want; }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (el.classList && el.classList.contains("deck-tooltip") && el.style.transform !== el.dataset.fitted) fit(el);
    }
  }).observe(document.body, {attributes: true, attributeFilter: ["style"], subtree: true});
})();
</script>"""


def keep_tooltips_inside() -> None:
    """Add :data:`_TOOLTIP_INSIDE` to the page (once per run; the script itself runs once per page)."""
    st.html(_TOOLTIP_INSIDE, unsafe_allow_javascript=True, width="content")


def show(chart: pdk.Deck, *, key: str, lang: str, on_select: Callable[[], None] | None = None,
         width: int | str = "stretch", height: int = MAP_HEIGHT) -> Any:
    """Draw the deck; with ``on_select`` it is a widget whose single-object picks call it."""
    keep_tooltips_inside()
    if on_select is None:
        return st.pydeck_chart(chart, width=width, height=height, key=key, alt=t("map.alt", lang))
    return st.pydeck_chart(chart, width=width, height=height, key=key, on_select=on_select,
                           selection_mode="single-object", alt=t("map.alt", lang))


def map_on_request(label: str, help_text: str, *, state_key: str) -> bool:
    """A switch for a map drawn only when asked for, on from then on for the session (its state under
    ``state_key``, the widget under ``state_key + ".widget"``, so that it survives leaving the page): a
    new map costs a browser without a GPU 3-5 s of drawing (benchmarks/bench_browser.py, "agenda map")."""
    on = st.toggle(label, value=bool(st.session_state.get(state_key, False)), key=f"{state_key}.widget",
                   help=help_text)
    st.session_state[state_key] = on
    return on


def basemap_toggle(lang: str, key: str) -> bool:
    """The (off by default) switch for the internet basemap."""
    return st.toggle(t("map.basemap", lang), value=False, key=key, help=t("map.basemap_help", lang))


def legend(items: Sequence[tuple[Sequence[int], str]]) -> None:
    """A row of colour swatches with labels under a map."""
    html = " ".join(
        f"<span style='display:inline-block;margin:0 .6em .3em 0;white-space:nowrap'>"
        f"<span style='display:inline-block;width:.9em;height:.9em;vertical-align:middle;border:1px solid #555;"
        f"background:rgba({c[0]},{c[1]},{c[2]},{(c[3] if len(c) > 3 else 255) / 255:.2f})'></span> {text}</span>"
        for c, text in items
    )
    st.markdown(f"<div style='font-size:.85em'>{html}</div>", unsafe_allow_html=True)


def base_legend(lang: str) -> list[tuple[Sequence[int], str]]:
    return [
        (OFFICE_COLOURS["urban"], t("map.legend_urban", lang)),
        (OFFICE_COLOURS["rural"], t("map.legend_rural", lang)),
        (INACTIVE_FILL, t("map.legend_inactive", lang)),
        (APPROXIMATE_RING, t("map.legend_approximate", lang)),
        (CITY_FILL, t("map.legend_city", lang)),
        (VILLAGE_FILL, t("map.legend_village", lang)),
        (GAP_FILL, t("map.legend_gap", lang)),
    ]


def status_colour(status: str) -> list[int]:
    return list(STATUS_COLOURS.get(status, (120, 120, 120, 255)))


def proposals_map(base: Mapping[str, Any], gaps: Mapping[str, Any], points: Sequence[Mapping[str, Any]],
                  lines: Sequence[Mapping[str, Any]], *, lang: str, key: str, basemap_key: str) -> None:
    """All proposals on one map over the region, counties, gaps, settlements and offices, the conflicting
    pairs as lines, and the legend (the working group's review page and its agenda page)."""
    layers = [region_layer(base["region"]), county_layer(base["counties"]), gap_layer(gaps),
              settlement_layer(base["settlements"]), office_layer(base["offices"]),
              *proposal_layers(points, lines)]
    basemap = basemap_toggle(lang, basemap_key)
    show(deck(layers, base["bounds"], basemap=basemap, lang=lang, labels=base.get("labels")), key=key, lang=lang)
    legend([*base_legend(lang),
            *((STATUS_COLOURS[s], t("map.legend_proposal", lang, status=status_label(s, lang)))
              for s in ("pass", "warn", "unknown", "fail")),
            (CONFLICT_LINE, t("map.legend_conflict", lang))])
