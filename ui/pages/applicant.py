"""Applicant: see offices, settlements and service gaps; choose a site; read its validation report."""

from __future__ import annotations

from functools import partial

import streamlit as st

from siting.vocab import LICENCE_TYPES, label
from ui import state
from ui.components import layout, maps, measure, report_view, site_picker, tables
from ui.i18n import t
from ui.views import travel
from ui.views.planning import RuleOverrides

lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.applicant", "applicant.intro")

with st.sidebar:
    measured_by = measure.switch(ws, rules, lang, "applicant")
    licence_type = st.radio(t("word.licence_type", lang), LICENCE_TYPES, key="applicant.licence_type",
                            format_func=lambda v: label(v, lang))
    counties = [None, *ws.counties["name_fa"].tolist()]
    county = st.selectbox(t("word.county", lang), counties, key="applicant.county",
                          format_func=lambda v: t("word.all_counties", lang) if v is None else v)
    applicant_type = st.selectbox(t("word.applicant_type", lang), [None, "natural", "legal"],
                                  key="applicant.applicant_type",
                                  format_func=lambda v: t("word.not_given", lang) if v is None else label(v, lang))
    basemap = maps.basemap_toggle(lang, "applicant.basemap")

base = state.base_map_data(key, lang, county, licence_type)
candidate = site_picker.current()
layers = [maps.region_layer(base["region"]), maps.county_layer(base["counties"], pickable=False),
          maps.gap_layer(state.gap_map_data(key, RuleOverrides(), licence_type, lang, county, measured_by),
                         pickable=False, outlined=False)]
by_time = measured_by == "time"
if by_time:  # under the pickable cells, not pickable: clicks on the map choose a site
    layers.append(maps.isochrone_layer(state.isochrone_map_data(key, RuleOverrides(), licence_type, lang, county),
                                       pickable=False))
# the coarse grid outlined until a site is chosen; then the outlined fine grid around the site, and the
# coarse grid's tint only (its outlines cost half of its drawing time without a GPU: maps.cell_layer)
layers.append(maps.cell_layer(state.pick_cell_records(key, licence_type, county, lang, measured_by),
                              outlined=candidate is None))
if candidate is not None:
    layers.append(maps.cell_layer(state.fine_cell_records(key, candidate.cell, lang, measured_by), fine=True))
layers += [maps.settlement_layer(base["settlements"]), maps.office_layer(base["offices"])]
if candidate is not None:
    if by_time:
        layers.append(maps.isochrone_layer(state.site_isochrone(key, licence_type, candidate.lon, candidate.lat,
                                                                lang), layer_id="candidate-area", pickable=False))
    layers += maps.candidate_layers(candidate, None if by_time else rules.for_type(licence_type).service_radius_m,
                                    site_picker.describe(candidate, lang))

col_map, col_side = st.columns([3, 2], gap="medium")
with col_map:
    site_picker.map_search(key)
    widget_key = site_picker.map_key()
    # after a pick: the site with the settlements around it and their names, not a plain close-up
    around = state.site_context(key, lang, county, candidate.lon, candidate.lat) if candidate else None
    bounds = site_picker.view_bounds(candidate, around["bounds"] if around else base["bounds"])
    chart = maps.deck(site_picker.mark_generation(layers), bounds, basemap=basemap, lang=lang,
                      width_px=maps.COLUMN_MAP_WIDTH, labels=around["labels"] if around else base["labels"])
    maps.show(chart, key=widget_key, lang=lang, on_select=partial(site_picker.on_map_select, key, widget_key))
    maps.legend([*maps.base_legend(lang), (maps.CELL_LINE, t("map.legend_cells", lang)),
                 (maps.CANDIDATE_FILL, t("map.legend_candidate", lang)),
                 *(travel.legend_items(licence_type, lang) if by_time else ())])
    measure.caption(rules, measured_by, licence_type, lang)
with col_side:
    site_picker.inputs(key)
    candidate = site_picker.panel()

if candidate is not None:
    with layout.errors_shown():
        report = state.validation(key, candidate, licence_type, applicant_type, measured_by)
        report_view.show(report, lang=lang, workspace_name=ws.meta.get("name"), key="applicant.report")
    site_picker.start_request_button(candidate, licence_type)

st.subheader(t("applicant.gaps_title", lang))
gaps = state.gaps(key, RuleOverrides(), licence_type, measured_by)
if county:
    gaps = gaps[gaps["county"] == county]
if len(gaps):
    tables.show(gaps.head(20), tables.GAP_COLUMNS, lang)
else:
    st.info(t("applicant.gaps_empty", lang))
