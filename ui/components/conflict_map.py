"""The working group's map: every proposal over the region, counties, gaps, settlements and offices,
approved proposals they conflict with, each conflicting pair as a line with its distance written on
it, and the legend (the agenda page and the "Review proposals" page). Data: :mod:`ui.views.conflict_map`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pydeck as pdk

from siting.reports.html import status_label
from ui.components import maps
from ui.components.layout import FONT_STACK
from ui.i18n import t
from ui.views.conflict_map import (
    CONFLICT_COLOUR,
    HALO,
    LABEL_BACKGROUND,
    PROPOSAL_COLOURS,
    PROPOSAL_OUTLINE,
    conflict_lines,
    proposal_marks,
)
from ui.views.mapdata import view_for_bounds

MAP_WIDTH_PX = 1000  # the width maps.deck fits the view for
# every character the labels use (numbers in either digit set, "km"), as one quoted string: pydeck turns
# unquoted strings and lists into expressions (deck.gl's "auto" then arrives as a function and the layer
# fails to initialise)
LABEL_CHARACTERS = "'" + "".join(sorted(set("0123456789۰۱۲۳۴۵۶۷۸۹.,٫٬ km-"))) + "'"
LABEL_FONT = f"'{FONT_STACK}'"


def layers(marks: Sequence[Mapping[str, Any]], lines: Sequence[Mapping[str, Any]]) -> list[pdk.Layer]:
    """Conflict lines and their distance labels, then the proposals (halo, mark, number label)."""
    return [
        pdk.Layer("LineLayer", data=list(lines), id="conflicts", get_source_position=["lon_a", "lat_a"],
                  get_target_position=["lon_b", "lat_b"], get_color=list(CONFLICT_COLOUR), get_width=4,
                  width_units="'pixels'", pickable=True),
        pdk.Layer("ScatterplotLayer", data=list(marks), id="proposal_halo", get_position=["lon", "lat"],
                  get_radius="radius + 3", radius_units="'pixels'", get_fill_color=list(HALO), pickable=False),
        pdk.Layer("ScatterplotLayer", data=list(marks), id="proposals", get_position=["lon", "lat"],
                  get_radius="radius", radius_units="'pixels'", get_fill_color="colour",
                  get_line_color=list(PROPOSAL_OUTLINE), stroked=True, line_width_min_pixels=1.5, pickable=True),
        pdk.Layer("TextLayer", data=list(lines), id="conflict_labels", get_position=["mid_lon", "mid_lat"],
                  get_text="label", get_size=13, size_units="'pixels'", get_color=[20, 20, 20, 255],
                  background=True, get_background_color=list(LABEL_BACKGROUND), get_border_color=list(CONFLICT_COLOUR),
                  get_border_width=1.5, background_padding=[3, 1], font_family=LABEL_FONT, character_set=LABEL_CHARACTERS,
                  pickable=True),
        pdk.Layer("TextLayer", data=list(marks), id="proposal_labels", get_position=["lon", "lat"],
                  get_text="label", get_pixel_offset="label_offset", get_size=12, size_units="'pixels'",
                  get_color=[20, 20, 20, 255], background=True, get_background_color=list(LABEL_BACKGROUND),
                  background_padding=[2, 1], font_family=LABEL_FONT, character_set=LABEL_CHARACTERS, pickable=False),
    ]


def legend_items(lang: str) -> list[tuple[Sequence[int], str]]:
    return [*maps.base_legend(lang),
            *((PROPOSAL_COLOURS[s], t("map.legend_proposal", lang, status=status_label(s, lang)))
              for s in ("pass", "warn", "fail")),
            (PROPOSAL_COLOURS["approved"], t("map.legend_approved_proposal", lang)),
            (CONFLICT_COLOUR, t("map.legend_conflict_distance", lang))]


def draw(base: Mapping[str, Any], gaps: Mapping[str, Any], points: Sequence[Mapping[str, Any]],
         pairs: Sequence[Mapping[str, Any]], *, lang: str, key: str, basemap_key: str) -> None:
    """``points``: ``proposal_id``, ``lon``, ``lat``, ``status`` (a validation result or ``approved``),
    ``tip``; ``pairs``: ``proposal_a``, ``proposal_b``, ``distance_m``, ``threshold_m``."""
    zoom = view_for_bounds(base["bounds"], width_px=MAP_WIDTH_PX, height_px=maps.MAP_HEIGHT).zoom
    marks = proposal_marks(points, zoom=zoom, lang=lang)
    lines = conflict_lines(pairs, {str(p["proposal_id"]): (p["lon"], p["lat"]) for p in points}, lang=lang)
    base_layers = [maps.region_layer(base["region"]), maps.county_layer(base["counties"]), maps.gap_layer(gaps),
                   maps.settlement_layer(base["settlements"]), maps.office_layer(base["offices"])]
    basemap = maps.basemap_toggle(lang, basemap_key)
    maps.show(maps.deck([*base_layers, *layers(marks, lines)], base["bounds"], basemap=basemap, lang=lang,
                        width_px=MAP_WIDTH_PX), key=key, lang=lang)
    maps.legend(legend_items(lang))


__all__ = ["draw", "layers", "legend_items"]
