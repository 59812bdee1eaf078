"""Planner: coverage per county and its choropleth; sliders that recompute coverage, gaps and open
sites under changed radii and minimum distances; exports."""

from __future__ import annotations

import streamlit as st

from siting import fmt
from siting.vocab import LICENCE_TYPES, label
from ui import state
from ui.components import layout, maps, measure, tables
from ui.i18n import t
from ui.views import mapdata, travel
from ui.views.planning import SLIDER_PARAMS, RuleOverrides

lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.planner", "planner.intro")

LIMITS = {"service_radius_m": (0.5, 50.0), "min_distance_same_type_m": (0.0, 30.0),
          "min_distance_any_type_m": (0.0, 30.0)}


def _slider_key(ltype: str, param: str) -> str:
    return f"planner.{ltype}.{param}"


def _reset() -> None:
    for ltype in LICENCE_TYPES:
        for param in SLIDER_PARAMS:
            st.session_state[_slider_key(ltype, param)] = getattr(rules.for_type(ltype), param) / 1000


# Streamlit drops a page's widget state when another page is shown: the sliders start again from the
# values last set here in this session (kept by state.PLANNER_OVERRIDES, which the scenario runner reads).
kept = state.planner_overrides().as_mapping()
with st.sidebar:
    measured_by = measure.switch(ws, rules, lang, "planner")
    st.subheader(t("planner.sliders", lang))
    chosen: dict[str, dict[str, float]] = {}
    for ltype in LICENCE_TYPES:
        st.markdown(f"**{label(ltype, lang)}**")
        for param in SLIDER_PARAMS:
            lo, hi = LIMITS[param]
            default = getattr(rules.for_type(ltype), param) / 1000
            skey = _slider_key(ltype, param)
            if skey not in st.session_state:
                st.session_state[skey] = kept.get(ltype, {}).get(param, default * 1000) / 1000
            value = st.slider(t(f"planner.{param}", lang), lo, max(hi, default), step=0.5, key=skey)
            if abs(value - default) > 1e-9:
                chosen.setdefault(ltype, {})[param] = value * 1000
    st.button(t("planner.reset", lang), on_click=_reset, key="planner.reset")
    basemap = maps.basemap_toggle(lang, "planner.basemap")

overrides = RuleOverrides.of(chosen)
st.session_state[state.PLANNER_OVERRIDES] = overrides
# The note on changed rules sits in a container that is always there: an element that came and went
# above the map moved the map in the page, and the browser built it again (a new map: 3 s without a GPU).
with st.container():
    if overrides.items:
        changes = [f"{label(lt, lang)}: {t(f'planner.{p}', lang)} = {fmt.number(v / 1000, lang, decimals=1)}"
                   for lt, p, v in overrides.items]
        st.info(t("planner.changed", lang, items=("؛ " if lang == "fa" else "; ").join(changes)))

c1, c2 = st.columns(2)
gap_type = c1.radio(t("planner.gap_type", lang), ("any", *LICENCE_TYPES), key="planner.gap_type",
                    format_func=lambda v: label(v, lang), horizontal=True)
metric = c2.selectbox(t("planner.metric", lang), tuple(mapdata.CHOROPLETH_METRICS), key="planner.metric",
                      format_func=lambda m: t(f"planner.metric.{m}", lang))

view = None
with layout.errors_shown():
    view = state.planner_view(key, overrides, gap_type, measure=measured_by)
if view is None:
    st.stop()

measure.caption(view.rules, measured_by, gap_type, lang)
tot = view.coverage.totals
k = st.columns(5)
k[0].metric(t("planner.kpi.covered", lang), fmt.number(tot["covered_population"], lang))
k[1].metric(t("planner.kpi.share", lang), fmt.percent(tot["covered_share_of_located"], lang))
k[2].metric(t("planner.kpi.uncovered", lang), fmt.number(tot["uncovered_population"], lang))
k[3].metric(t("planner.kpi.not_located", lang), fmt.number(tot["not_located_population"], lang))
g = view.summary["gaps"]
k[4].metric(t("planner.kpi.gaps", lang), fmt.number(g["parts"], lang),
            help=t("planner.kpi.gaps_help", lang, area=fmt.number(g["area_km2"], lang)))
o = st.columns(2)
for col, ltype in zip(o, LICENCE_TYPES, strict=True):
    s = view.summary[ltype]
    col.metric(t("planner.kpi.open", lang, type=label(ltype, lang)), fmt.number(s["open_area_km2"], lang),
               help=t("planner.kpi.open_help", lang, cells=fmt.number(s["open_cells"], lang)))

choro = mapdata.county_choropleth(ws, view.coverage.by_county, metric, lang)
base = state.base_map_data(key, lang, None, "any")
layers = [maps.region_layer(base["region"]), maps.choropleth_layer(choro.geojson),
          maps.gap_layer(mapdata.gap_features(view.gaps, lang, tolerance=mapdata.DISPLAY_TOLERANCE_DEG),
                        filled=False, static=False)]
if measured_by == "time":
    layers.append(maps.isochrone_layer(state.isochrone_map_data(key, overrides, gap_type, lang)))
layers.append(maps.office_layer(base["offices"]))
maps.show(maps.deck(layers, base["bounds"], basemap=basemap, lang=lang), key="planner.map", lang=lang)
st.caption(choro.title)
maps.legend([*choro.legend, (maps.GAP_FILL, t("map.legend_gap", lang)),
             *(travel.legend_items(gap_type, lang) if measured_by == "time" else ())])

st.subheader(t("planner.county_table", lang))
tables.show(view.coverage.by_county, [
    tables.Col("county", "planner.col.county"), tables.Col("population", "planner.col.population", "int"),
    tables.Col("located_population", "planner.col.located_population", "int"),
    tables.Col("covered_population", "planner.col.covered_population", "int"),
    tables.Col("uncovered_population", "planner.col.uncovered_population", "int"),
    tables.Col("not_located_population", "planner.col.not_located_population", "int"),
    tables.Col("covered_share_of_located", "planner.col.covered_share_of_located", "percent"),
    tables.Col("offices_urban", "planner.col.offices_urban", "int"),
    tables.Col("offices_rural", "planner.col.offices_rural", "int"),
    tables.Col("population_per_office", "planner.col.population_per_office", "int"),
], lang)
notes = [n["fa" if lang == "fa" else "en"] for n in ws.meta.get("population_notes", []) if isinstance(n, dict)]
if notes or view.coverage.notes:
    with st.expander(t("planner.notes", lang)):
        for n in [*notes, *view.coverage.notes]:
            st.markdown(f"- {n}")

st.subheader(t("planner.gap_table", lang))
tables.show(view.gaps.head(30), tables.GAP_COLUMNS, lang)

st.subheader(t("planner.exports", lang))
files = state.planner_exports(key, overrides, gap_type, measure=measured_by)  # bytes: see its docstring
e = st.columns(3)
e[0].download_button(t("planner.export_gaps", lang), files["gaps.geojson"], file_name=f"gaps-{gap_type}.geojson",
                     mime="application/geo+json", key="planner.dl.gaps", on_click="ignore")
e[1].download_button(t("planner.export_counties", lang), files["counties.geojson"],
                     file_name="county-coverage.geojson", mime="application/geo+json", key="planner.dl.counties",
                     on_click="ignore")
e[2].download_button(t("planner.export_gpkg", lang), files["coverage.gpkg"], file_name="coverage.gpkg",
                     mime="application/geopackage+sqlite3", key="planner.dl.gpkg", on_click="ignore")
e = st.columns(3)
e[0].download_button(t("planner.export_county_csv", lang), files["counties.csv"], file_name="county-coverage.csv",
                     mime="text/csv", key="planner.dl.county_csv", on_click="ignore")
e[1].download_button(t("planner.export_settlements_csv", lang), files["settlements.csv"],
                     file_name="settlement-coverage.csv", mime="text/csv", key="planner.dl.settlements_csv",
                     on_click="ignore")
e[2].download_button(t("planner.export_gaps_csv", lang), files["gaps.csv"], file_name=f"gaps-{gap_type}.csv",
                     mime="text/csv", key="planner.dl.gaps_csv", on_click="ignore")
