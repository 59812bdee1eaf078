"""Scenario runner (planner): where should the next offices go? MCLP (with county floors), LSCP, p-median,
p-center, fewest beyond a threshold, capacitated p-median / MCLP or backup coverage on the workspace,
the chosen sites on the map with the population each newly covers, and the session's runs side by side.

Widgets, one library call (``state.scenario_result``: :func:`siting.optimize.run_scenario`, cached on
the frozen ``Scenario`` + data key + the planner's rule changes), render. Words and tables come from
:mod:`ui.views.scenarios`.
"""

from __future__ import annotations

import streamlit as st

from siting import fmt
from siting.optimize import Scenario
from siting.optimize.scenarios import MODELS
from siting.vocab import LICENCE_TYPES, label
from ui import state
from ui.components import layout, maps, measure
from ui.i18n import t
from ui.views import scenarios as scenarioview
from ui.views import travel
from ui.views.planning import RuleOverrides
from ui.views.upload import ACCEPTED_EXTENSIONS, shown_as_uploaded

CANDIDATE_KINDS = ("settlements", "h3", "file")
H3_RESOLUTIONS = (6, 7, 8)
METHODS = ("auto", "exact", "greedy")
SHOWN = "scenario.shown"  # the run whose result is shown (its number)

lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.scenarios", "scenario.intro")
with st.sidebar:
    measured_by = measure.switch(ws, rules, lang, "scenario")
by_time = measured_by == "time"

planner = state.planner_overrides()
# Everything that comes and goes above the map (notes, a refused upload or run, a result's warnings) sits in
# a container that is always there: an element that appeared or went moved the map in the page, and the
# browser built it again (a new map: 3-5 s without a GPU; see planner.py).
runs = state.scenario_runs()
current_runs = tuple(r for r in runs if r.data == key)
with st.container():
    if planner.items:
        st.info(t("scenario.overrides", lang, items=("؛ " if lang == "fa" else "; ").join(
            f"{label(lt, lang)}: {t(f'planner.{p}', lang)} = {fmt.number(v / 1000, lang, decimals=1)}"
            for lt, p, v in planner.items)))
    if len(current_runs) < len(runs):  # the workspace or rules file changed under this session's runs
        st.info(t("scenario.stale", lang, n=fmt.number(len(runs) - len(current_runs), lang)))
        state.set_scenario_runs(runs := current_runs)

# -- inputs ------------------------------------------------------------------------------------------
st.subheader(t("scenario.inputs", lang))
uploads: dict[str, str] = {}  # kept path -> name it was uploaded as
c1, c2, c3 = st.columns(3)
model = c1.radio(t("scenario.model", lang), MODELS, key="scenario.model",
                 format_func=lambda m: scenarioview.name_of(scenarioview.MODEL_NAMES, m, lang))
ltype = c1.radio(t("word.licence_type", lang), LICENCE_TYPES, index=1, key="scenario.licence_type",
                 format_func=lambda v: label(v, lang), horizontal=True)
if model == "lscp":
    share_pct = c2.number_input(t("scenario.share", lang), min_value=1.0, max_value=100.0, value=95.0, step=1.0,
                                key="scenario.share")
else:
    # min 0, not 1: a browser field below its minimum shows what was typed but keeps sending the previous
    # value, so "0" ran the previous k; 0 is refused below, by name
    k = c2.number_input(t("scenario.k", lang), min_value=0, max_value=2000, value=5, step=1, key="scenario.k")

with c3.expander(t("scenario.costs", lang)):
    st.caption(t("scenario.costs_help", lang))
    costs_up = st.file_uploader(t("scenario.costs_file", lang), type=["csv"], key="scenario.costs_file")
costs = None
with st.container():  # a refused file's message (see above)
    if costs_up is not None:
        with layout.errors_shown("scenario.file_error"):
            costs = state.keep_upload(costs_up.name, costs_up.getvalue(), (".csv",))
            uploads[costs] = costs_up.name
        if costs is not None:
            with layout.errors_shown("scenario.file_error", uploads):
                info = state.cost_matrix_summary(costs)
                c3.caption(t("scenario.costs_read", lang, file=costs_up.name, layout=info["layout"],
                             origins=fmt.number(info["origins"], lang), destinations=fmt.number(info["destinations"], lang),
                             pairs=fmt.number(info["pairs"], lang)))

if costs is None and by_time:  # the service time of the rules file decides (the optimizer reads it)
    radius = None
    c2.caption(t("measure.caption", lang, what=travel.service_text(rules, "time", ltype, lang)))
elif costs is None:
    default_m = planner.apply(rules).for_type(ltype).service_radius_m
    source = "planner" if default_m != rules.for_type(ltype).service_radius_m else "rules"
    radius_km = c2.number_input(
        t("scenario.radius_km", lang), min_value=0.0, max_value=300.0, value=default_m / 1000, step=0.5,
        format="%.1f", key=f"scenario.radius_km.{ltype}",
        help=t("scenario.radius_help", lang, value=fmt.number(default_m / 1000, lang, decimals=1),
               source=t(f"scenario.radius_source.{source}", lang)))
    radius = radius_km * 1000
else:
    radius = c2.number_input(t("scenario.radius_cost", lang), min_value=0.0, value=None, step=1.0,
                             key="scenario.radius_cost")

extra: dict = {}  # the model's own inputs (Scenario fields)
if model == "mclp":
    floor_pct = c2.number_input(t("scenario.county_floor", lang), min_value=0.0, max_value=100.0, value=0.0,
                                step=5.0, key="scenario.county_floor", help=t("scenario.county_floor_help", lang))
    extra["county_floor"] = floor_pct / 100 if floor_pct > 0 else None
elif model == "beyond":
    straight_line = costs is None and not by_time
    if straight_line:
        extra["threshold"] = 1000 * c2.number_input(t("scenario.threshold_km", lang), min_value=0.5, max_value=300.0,
                                                    value=15.0, step=0.5, key="scenario.threshold_km")
    else:
        extra["threshold"] = c2.number_input(t("scenario.threshold_cost", lang), min_value=0.5, value=45.0, step=1.0,
                                             key="scenario.threshold_cost")
    extra["count"] = c2.radio(t("scenario.count", lang), ("settlements", "population"), key="scenario.count",
                              format_func=lambda v: t(f"scenario.count.{v}", lang), horizontal=True)
elif model in ("capacitated_pmedian", "capacitated_mclp"):
    default_cap = rules.for_type(ltype).capacity
    extra["capacity"] = c2.number_input(
        t("scenario.capacity", lang), min_value=1.0, value=float(default_cap or 5000), step=500.0,
        key=f"scenario.capacity.{ltype}",
        help=t("scenario.capacity_help", lang, value=fmt.number(default_cap, lang) if default_cap else "—"))
elif model == "backup":
    extra["backup_primary"] = c2.radio(t("scenario.backup_primary", lang), ("backup", "first"),
                                       key="scenario.backup_primary", horizontal=True,
                                       format_func=lambda v: t(f"scenario.backup_primary.{v}", lang))
    first_pct = c2.number_input(t("scenario.first_share", lang), min_value=0.0, max_value=100.0, value=0.0,
                                step=5.0, key="scenario.first_share")
    extra["first_share"] = first_pct / 100 if first_pct > 0 else None

kind = c3.radio(t("scenario.candidates", lang), CANDIDATE_KINDS, key="scenario.candidates",
                format_func=lambda v: t(f"scenario.candidates.{v}", lang))
candidates: str | None = "settlements"
cand_up = None
with st.container():  # a refused file's message (see above)
    if kind == "h3":
        res = c3.select_slider(t("scenario.h3_resolution", lang), H3_RESOLUTIONS, value=7, key="scenario.h3_resolution",
                               format_func=lambda r: fmt.number(r, lang))
        candidates = f"h3:{res}"
    elif kind == "file":
        cand_up = c3.file_uploader(t("scenario.candidates_file", lang),
                                   type=[e.lstrip(".") for e in ACCEPTED_EXTENSIONS], key="scenario.candidates_file")
        candidates = None
        if cand_up is not None:
            with layout.errors_shown("scenario.file_error"):
                candidates = state.keep_upload(cand_up.name, cand_up.getvalue(), ACCEPTED_EXTENSIONS)
                uploads[candidates] = cand_up.name
            if candidates is not None:
                with layout.errors_shown("scenario.file_error", uploads):
                    n_points = state.candidate_file_count(key, candidates)
                    c3.caption(t("scenario.candidates_read", lang, n=fmt.number(n_points, lang), file=cand_up.name))

with st.expander(t("scenario.solver", lang)):
    s1, s2, s3 = st.columns(3)
    time_limit = s1.number_input(t("scenario.time_limit", lang), min_value=1.0, max_value=600.0, value=30.0,
                                 step=5.0, key="scenario.time_limit")
    method = s2.selectbox(t("scenario.method", lang), METHODS, key="scenario.method",
                          format_func=lambda m: scenarioview.name_of(scenarioview.METHOD_NAMES, m, lang))
    population_rule = s3.checkbox(t("scenario.population_rule", lang), key="scenario.population_rule")
    fixed = scenarioview.parse_site_ids(st.text_input(t("scenario.fixed", lang), key="scenario.fixed",
                                                      help=t("scenario.fixed_help", lang)))

unusable = (costs_up is not None and costs is None) or (kind == "file" and cand_up is not None and candidates is None)
run_clicked = st.button(t("scenario.run", lang), type="primary", key="scenario.run")
with st.container():  # the run's message: refused, already in the table (see above)
    if run_clicked:
        if unusable:  # an upload that could not be kept: never run without it as if it were not there
            st.warning(t("scenario.fix_upload", lang))
        elif candidates is None:
            st.warning(t("scenario.candidates_missing", lang))
        elif model != "lscp" and int(k) < 1:
            st.error(t("scenario.k_min", lang))
            st.stop()  # no earlier run shown under a field that says 0
        else:
            scenario = Scenario(model, licence_type=ltype, k=None if model == "lscp" else int(k),
                                share=share_pct / 100 if model == "lscp" else None, radius=radius,
                                candidates=candidates, costs=costs, population_rule=population_rule,
                                fixed=fixed, method=method, time_limit=float(time_limit), **extra)
            earlier = next((r for r in runs if r.same_inputs(key, planner, scenario, measured_by)), None)
            if earlier is not None:
                st.info(t("scenario.again", lang, run=fmt.number(earlier.number, lang)))
                st.session_state[SHOWN] = earlier.number
            else:
                result = None
                with layout.errors_shown("scenario.refused", uploads), \
                        st.spinner(t("scenario.running", lang, seconds=fmt.number(time_limit, lang))):
                    result = state.scenario_result(key, planner, scenario, measured_by)
                if result is not None:
                    number = max((r.number for r in runs), default=0) + 1
                    names = tuple((p, n) for p, n in uploads.items() if p in (candidates, costs))
                    runs = (*runs, state.ScenarioRun(number, key, planner, scenario, result, names, measured_by))
                    state.set_scenario_runs(runs)
                    st.session_state[SHOWN] = number

if not runs:
    st.info(t("scenario.none", lang))
    st.stop()


# -- the result of one run ------------------------------------------------------------------------------
def _title(run: state.ScenarioRun) -> str:
    names = dict(run.uploads)
    return scenarioview.scenario_title(run.scenario, lang, run=run.number,
                                       candidates_name=names.get(run.scenario.candidates),
                                       costs_name=names.get(run.scenario.costs or ""))


def _remove() -> None:
    left = tuple(r for r in state.scenario_runs() if r.number != st.session_state.get(SHOWN))
    state.set_scenario_runs(left)
    st.session_state[SHOWN] = left[-1].number if left else None


def _clear() -> None:
    state.set_scenario_runs(())
    st.session_state.pop(SHOWN, None)


by_number = {r.number: r for r in runs}
if st.session_state.get(SHOWN) not in by_number:
    st.session_state[SHOWN] = runs[-1].number
st.divider()
shown = by_number[st.selectbox(t("scenario.result", lang), list(by_number), key=SHOWN,
                               format_func=lambda n: _title(by_number[n]))]
res = shown.result
names = dict(shown.uploads)

m = st.columns(6)
m[0].metric(t("scenario.kpi.before", lang), fmt.percent(res.share_before, lang))
m[1].metric(t("scenario.kpi.after", lang), fmt.percent(res.share_after, lang),
            delta=fmt.percent(res.share_after - res.share_before, lang))
m[2].metric(t("scenario.kpi.newly", lang), fmt.number(res.newly_covered_population, lang))
m[3].metric(t("scenario.kpi.sites", lang), fmt.number(len(res.sites), lang))
m[4].metric(t("scenario.kpi.status", lang), scenarioview.name_of(scenarioview.STATUS_SHORT, res.status, lang),
            help=scenarioview.name_of(scenarioview.STATUS_NAMES, res.status, lang) + ". "
            + t("scenario.kpi.objective_help", lang, value=fmt.number(res.objective, lang),
                   bound=fmt.number(res.bound, lang),
                   method=scenarioview.name_of(scenarioview.METHOD_NAMES, res.method, lang)))
m[5].metric(t("scenario.kpi.gap", lang), "—" if res.gap is None else fmt.percent(res.gap, lang, decimals=2))
st.caption(f"{scenarioview.objective_text(res, lang)} {t('scenario.kpi.time', lang)}: "
           f"{fmt.number(res.seconds, lang, decimals=2)}")
with st.container():  # a heuristic answer, a time limit, ...: one run has them, another not (see above)
    for kind, text in scenarioview.headline_notices(res, lang):
        (st.warning if kind == "warning" else st.info)(text)
st.caption(t("scenario.candidates_caption", lang, n=fmt.number(res.candidates, lang),
             total=fmt.number(res.candidates_total, lang),
             source=scenarioview.candidates_text(shown.scenario.candidates, lang,
                                                 file_name=names.get(shown.scenario.candidates)),
             rejected=scenarioview.rejected_text(res, lang) or "—"))

# the map: gaps as this run saw them (straight-line radius), existing offices, the chosen sites
base = state.base_map_data(key, lang, None, "any")
layers = [maps.region_layer(base["region"]), maps.county_layer(base["counties"])]
run_by_time = shown.measure == "time"
straight = shown.scenario.costs is None and not run_by_time
if run_by_time:
    layers.append(maps.isochrone_layer(state.isochrone_map_data(key, shown.overrides, res.licence_type, lang)))
elif straight:
    seen = RuleOverrides.of({**shown.overrides.as_mapping(),
                             res.licence_type: {**shown.overrides.as_mapping().get(res.licence_type, {}),
                                                "service_radius_m": res.radius}})
    layers.append(maps.gap_layer(state.gap_map_data(key, seen, res.licence_type, lang, None)))
layers += [maps.office_layer(base["offices"]),
           *maps.site_layers(scenarioview.site_records(res, lang), res.radius if straight else None)]
maps.show(maps.deck(layers, base["bounds"], basemap=maps.basemap_toggle(lang, "scenario.basemap"), lang=lang),
          key="scenario.map", lang=lang)
maps.legend([*maps.base_legend(lang)[:3],
             *(travel.legend_items(res.licence_type, lang) if run_by_time else [(maps.GAP_FILL, t("map.legend_gap", lang))]),
             (maps.CANDIDATE_FILL, t("scenario.legend_site", lang))])
measure.caption(rules, shown.measure or "distance", res.licence_type, lang)

c1, c2 = st.columns([3, 2])
c1.markdown(f"**{t('scenario.sites_title', lang)}**")
c1.dataframe(scenarioview.display(scenarioview.sites_table(res), scenarioview.SITE_COLUMNS, lang,
                                  drop=("id", "lat", "lon")),  # coordinates: on the map and in the exports
             hide_index=True, width="stretch")
c2.markdown(f"**{t('scenario.county_title', lang)}**")
c2.dataframe(scenarioview.display(scenarioview.county_table(res), scenarioview.COUNTY_COLUMNS, lang),
             hide_index=True, width="stretch")
d1, d2 = st.columns(2)
d1.download_button(t("scenario.dl.geojson", lang), res.to_geojson().encode("utf-8"),
                   file_name=f"scenario-{shown.number}-sites.geojson", mime="application/geo+json",
                   key="scenario.dl.geojson", on_click="ignore")
d2.download_button(t("scenario.dl.csv", lang), res.to_csv().encode("utf-8-sig"),
                   file_name=f"scenario-{shown.number}-sites.csv", mime="text/csv", key="scenario.dl.csv", on_click="ignore")
with st.expander(t("scenario.notes", lang)):
    for note in res.notes:
        st.markdown(f"- {shown_as_uploaded(note, names)}")

# -- the session's runs side by side ---------------------------------------------------------------------
st.subheader(t("scenario.table", lang))
table = scenarioview.runs_table([(r.number, _title(r), r.result) for r in runs])
st.dataframe(scenarioview.display(table, scenarioview.COLUMNS, lang), hide_index=True, width="stretch")
sample = any(r.result.sample for r in runs)
e1, e2, e3, e4 = st.columns(4)
e1.download_button(t("word.download_csv", lang), scenarioview.to_csv(table, lang),
                   file_name="scenarios.csv", mime="text/csv", key="scenario.dl.table_csv", on_click="ignore")
e2.download_button(t("word.download_xlsx", lang),
                   scenarioview.to_xlsx(table, lang, sample=sample, title=t("scenario.table_title", lang)),
                   file_name="scenarios.xlsx", key="scenario.dl.table_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
e3.button(t("scenario.remove", lang), on_click=_remove, key="scenario.remove")
e4.button(t("scenario.clear", lang), on_click=_clear, key="scenario.clear")
