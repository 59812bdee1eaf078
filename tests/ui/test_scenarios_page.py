"""Scenario runner page: widgets, runs checked against siting.optimize.run_scenario, the scenario table,
uploads, bad input as a message, and results cached on the frozen Scenario (no second solve)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from apptest_helpers import assert_clean, deck_spec, element_path, layer, sha256, texts
from scipy.spatial.distance import cdist

from siting import fmt
from siting.geo import project_xy
from siting.optimize import Scenario, problem_from_workspace, run_scenario
from siting.optimize import scenarios as scenarios_module
from siting.rules import load_rules
from ui.i18n import t
from ui.views.planning import RuleOverrides
from ui.views.scenarios import STATUS_SHORT, headline_notices

PAGE = "scenarios"


def _metric(at, key: str) -> str:
    label = t(key, "fa")
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _run(at, **inputs):
    """Set the inputs (widget key suffix -> value) and press Run."""
    for name, value in inputs.items():
        widget = at.radio(key=f"scenario.{name}") if name in ("model", "licence_type", "candidates") \
            else at.number_input(key=f"scenario.{name}")
        widget.set_value(value).run()
    at.button(key="scenario.run").click().run()
    assert_clean(at)
    return at


def _table(at) -> pd.DataFrame:
    return at.dataframe[-1].value  # the scenario table is the page's last table


def _sites_shown(at) -> list[dict]:
    return layer(at, "sites")["data"]


def test_widgets_before_a_run(open_page):
    at = open_page(PAGE)
    assert at.title[0].value == "اجرای سناریو"
    assert any("دادهٔ نمونه" in w for w in texts(at.warning))  # the sample label
    assert at.radio(key="scenario.model").options == [
        "بیشترین پوشش با k دفتر تازه (MCLP)",
        "کمترین دفتر تازه برای سهم هدف (LSCP)",
        "کمترین فاصلهٔ وزنی با k دفتر تازه (p-median)",
        "کمترین دورترین فاصله با k دفتر تازه (p-center)",
        "کمترین سکونتگاه دورتر از آستانه با k دفتر تازه",
        "کمترین فاصلهٔ وزنی با ظرفیت دفترها (p-median ظرفیت‌دار)",
        "بیشترین پوشش با ظرفیت دفترها (MCLP ظرفیت‌دار)",
        "بیشترین جمعیت با دو دفتر در دسترس (پوشش پشتیبان)",
    ]
    assert at.radio(key="scenario.licence_type").value == "rural"
    assert at.number_input(key="scenario.k").value == 5
    assert at.number_input(key="scenario.radius_km.rural").value == load_rules().rural.service_radius_m / 1000
    assert at.radio(key="scenario.candidates").value == "settlements"
    assert at.file_uploader(key="scenario.costs_file").allowed_type == [".csv"]
    assert at.number_input(key="scenario.time_limit").value == 30.0
    assert at.button(key="scenario.run").label == "اجرای سناریو"
    assert t("scenario.none", "fa") in texts(at.info)
    assert not at.get("deck_gl_json_chart")
    # LSCP asks for a target share instead of k; the urban radius has its own default
    at.radio(key="scenario.model").set_value("lscp").run()
    at.radio(key="scenario.licence_type").set_value("urban").run()
    assert_clean(at)
    assert at.number_input(key="scenario.share").value == 95.0
    assert [n.key for n in at.number_input if n.key == "scenario.k"] == []
    assert at.number_input(key="scenario.radius_km.urban").value == load_rules().urban.service_radius_m / 1000


def test_mclp_run_shows_what_run_scenario_returns(open_page, ws):
    at = _run(open_page(PAGE), k=3)
    expected = run_scenario(ws, Scenario("mclp", licence_type="rural", k=3,
                                         radius=load_rules().rural.service_radius_m, time_limit=30.0))
    assert expected.status == "optimal" and len(expected.sites) == 3
    # the chosen sites on the map: the same sites, places and populations, each with a Persian tooltip
    shown = _sites_shown(at)
    assert [s["id"] for s in shown] == [s.id for s in expected.sites]
    assert [(s["lon"], s["lat"]) for s in shown] == [(round(s.lon, 5), round(s.lat, 5)) for s in expected.sites]
    for rec, site in zip(shown, expected.sites, strict=True):
        assert rec["newly_covered_population"] == site.newly_covered_population
        assert f"جمعیت تازه پوشش‌یافته: {fmt.number(site.newly_covered_population)} نفر" in rec["tip"]
        assert site.name in rec["tip"]
    assert layer(at, "sites-radius")["data"][0]["r"] == 10_000  # the service radius drawn around each
    # totals
    assert _metric(at, "scenario.kpi.newly") == fmt.number(expected.newly_covered_population)
    assert _metric(at, "scenario.kpi.before") == fmt.percent(expected.share_before)
    assert _metric(at, "scenario.kpi.after") == fmt.percent(expected.share_after)
    assert _metric(at, "scenario.kpi.sites") == fmt.number(3)
    assert _metric(at, "scenario.kpi.status") == STATUS_SHORT["optimal"][0]
    assert _metric(at, "scenario.kpi.gap") == fmt.percent(0.0, decimals=2)
    # tables: the sites, the counties, the scenario table with the objective
    sites = at.dataframe[0].value
    assert sites["محل"].tolist() == [s.name for s in expected.sites]
    assert sites["جمعیت تازه پوشش‌یافته"].tolist() == [fmt.number(s.newly_covered_population)
                                                      for s in expected.sites]
    counties = at.dataframe[1].value
    assert dict(zip(counties["شهرستان"], counties["جمعیت تازه پوشش‌یافته"], strict=True)) == {
        c: fmt.number(v) for c, v in expected.by_county}
    table = _table(at)
    assert len(table) == 1
    assert table["مقدار تابع هدف"].iat[0] == fmt.number(expected.objective)
    assert table["جمعیت تازه پوشش‌یافته"].iat[0] == fmt.number(expected.newly_covered_population)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["محل‌های انتخاب‌شده (GeoJSON)", "محل‌های انتخاب‌شده (CSV)", "دریافت CSV", "دریافت XLSX (اکسل)"]


def test_more_models_run_what_run_scenario_returns(open_page, ws):
    at = open_page(PAGE)
    _run(at, k=8, county_floor=40.0)  # MCLP with a floor in every county
    floor = run_scenario(ws, Scenario("mclp", licence_type="rural", k=8, radius=10_000, time_limit=30.0,
                                      county_floor=0.4))
    assert [s["id"] for s in _sites_shown(at)] == [s.id for s in floor.sites]
    assert any("County floors" in n for n in floor.notes)
    _run(at, model="pcenter", k=3)
    pc = run_scenario(ws, Scenario("pcenter", licence_type="rural", k=3, radius=10_000, time_limit=30.0))
    assert sorted(s["id"] for s in _sites_shown(at)) == sorted(s.id for s in pc.sites)
    at.radio(key="scenario.model").set_value("capacitated_mclp").run()
    assert at.number_input(key="scenario.capacity.rural").value == load_rules().rural.capacity
    _run(at, **{"capacity.rural": 2000.0})
    cap = run_scenario(ws, Scenario("capacitated_mclp", licence_type="rural", k=3, radius=10_000, time_limit=30.0,
                                    capacity=2000.0))
    assert _metric(at, "scenario.kpi.newly") == fmt.number(cap.newly_covered_population) == fmt.number(6000)
    table = _table(at)
    assert table["اجرا"].tolist() == ["۱", "۲", "۳"]
    assert "کف هر شهرستان ۴۰٪" in table.iloc[0, 1] and "ظرفیت ۲٬۰۰۰" in table.iloc[2, 1]
    at.radio(key="scenario.model").set_value("backup").run()
    assert_clean(at)
    assert at.radio(key="scenario.backup_primary").value == "backup"
    at.radio(key="scenario.model").set_value("beyond").run()
    assert_clean(at)
    assert at.number_input(key="scenario.threshold_km").value == 15.0


def test_two_runs_side_by_side_then_remove_and_clear(open_page, ws):
    at = _run(open_page(PAGE), k=3)
    _run(at, model="lscp", share=90.0)
    table = _table(at)
    assert table["اجرا"].tolist() == ["۱", "۲"]
    lscp = run_scenario(ws, Scenario("lscp", licence_type="rural", share=0.9, radius=10_000, time_limit=30.0))
    assert table["دفاتر تازه"].tolist() == [fmt.number(3), fmt.number(len(lscp.sites))]
    assert table["سهم پوشش پس از"].iat[1] == fmt.percent(lscp.share_after)
    assert lscp.share_after >= 0.9
    # the latest run is shown; another can be chosen
    assert at.selectbox(key="scenario.shown").value == 2
    assert len(_sites_shown(at)) == len(lscp.sites)
    at.selectbox(key="scenario.shown").set_value(1).run()
    assert len(_sites_shown(at)) == 3
    at.button(key="scenario.remove").click().run()
    assert_clean(at)
    assert _table(at)["اجرا"].tolist() == ["۲"]
    at.button(key="scenario.clear").click().run()
    assert_clean(at)
    assert t("scenario.none", "fa") in texts(at.info) and not at.get("deck_gl_json_chart")


def test_bad_input_is_a_message_and_adds_nothing(open_page, workspace_copy):
    before = sha256(workspace_copy)
    at = _run(open_page(PAGE), k=2)
    # k larger than the candidates that pass the urban rules
    _run(at, licence_type="urban", k=500)
    assert t("scenario.refused", "fa") in texts(at.error)
    assert any("k=500 is more than the" in c for c in texts(at.caption))
    # radius zero
    _run(at, k=2, **{"radius_km.urban": 0.0})
    assert t("scenario.refused", "fa") in texts(at.error)
    assert any("radius must be a positive number" in c for c in texts(at.caption))
    assert len(_table(at)) == 1  # neither was added
    # a broken cost matrix: named as uploaded (never the kept file's path), at upload and at the run
    bad = b"origin,destination,cost\nA,B,5\nA,C,-3\n"
    at.file_uploader(key="scenario.costs_file").set_value(("od.csv", bad, "text/csv")).run()
    assert_clean(at)
    assert t("scenario.file_error", "fa") in texts(at.error)
    assert any("od.csv, row 3, field cost: -3 is negative" in c for c in texts(at.caption))
    assert not any("siting-scenario-uploads" in c for c in texts(at.caption))
    at.number_input(key="scenario.radius_cost").set_value(20.0).run()
    at.button(key="scenario.run").click().run()
    assert_clean(at)
    assert t("scenario.refused", "fa") in texts(at.error) and len(_table(at)) == 1
    at.file_uploader(key="scenario.costs_file").set_value(("empty.csv", b"", "text/csv")).run()
    assert_clean(at)
    # a coded refusal (siting.io.reasons.FILE_ERRORS) is said in Persian, naming the upload
    assert any(f"«\u2068empty.csv\u2069»: {t('file_error.empty', 'fa')}" in c for c in texts(at.caption))
    at.button(key="scenario.run").click().run()  # never run as if no matrix had been given
    assert_clean(at)
    assert t("scenario.fix_upload", "fa") in texts(at.warning) and len(_table(at)) == 1
    assert sha256(workspace_copy) == before


def test_nothing_to_cover_is_an_honest_empty_result(open_page, ws):
    at = _run(open_page(PAGE), model="lscp", share=50.0)
    assert t("scenario.empty", "fa") in texts(at.info)
    assert _metric(at, "scenario.kpi.sites") == fmt.number(0)
    assert _metric(at, "scenario.kpi.status") == STATUS_SHORT["empty"][0]
    assert _table(at)["دفاتر تازه"].tolist() == [fmt.number(0)]


def _counting(monkeypatch, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(scenarios_module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scenarios_module, name, wrapper)
    return calls


def test_a_rerun_with_the_same_inputs_does_not_solve_again(open_page, monkeypatch):
    solves, prepares = _counting(monkeypatch, "solve_scenario"), _counting(monkeypatch, "prepare")
    at = _run(open_page(PAGE), k=4)
    assert (len(solves), len(prepares)) == (1, 1)
    first = _table(at)
    at.run()  # a plain rerun (any widget change) shows the runs kept in the session
    _run(at)  # Run again with the same inputs: the run already in the table is shown
    assert t("scenario.again", "fa", run="۱") in texts(at.info)
    at.button(key="scenario.clear").click().run()
    _run(at)  # after clearing the table: served from the cache, not solved again
    assert (len(solves), len(prepares)) == (1, 1)
    pd.testing.assert_frame_equal(_table(at), first)
    _run(at, k=6)  # another k: solved, on the same prepared instance
    assert (len(solves), len(prepares)) == (2, 1)


def test_planner_rule_changes_carry_over(open_page, ws):
    at = open_page("planner")
    at.slider(key="planner.rural.service_radius_m").set_value(15.0).run()
    at.slider(key="planner.urban.service_radius_m").set_value(5.0).run()
    at.switch_page("ui/pages/scenarios.py").run()
    assert_clean(at)
    assert any("شعاع خدمت (کیلومتر) = ۱۵٫۰" in i for i in texts(at.info))
    assert at.number_input(key="scenario.radius_km.rural").value == 15.0
    _run(at, k=3)
    changed = RuleOverrides.of({"rural": {"service_radius_m": 15_000}, "urban": {"service_radius_m": 5_000}})
    expected = run_scenario(ws, Scenario("mclp", licence_type="rural", k=3, radius=15_000, time_limit=30.0),
                            changed.apply(load_rules()))
    assert [s["id"] for s in _sites_shown(at)] == [s.id for s in expected.sites]
    assert _metric(at, "scenario.kpi.before") == fmt.percent(expected.share_before)
    assert layer(at, "sites-radius")["data"][0]["r"] == 15_000
    # and back on the planner page its sliders still hold the changes
    at.switch_page("ui/pages/planner.py").run()
    assert at.slider(key="planner.rural.service_radius_m").value == 15.0


def _od_matrix(ws, rules) -> pd.DataFrame:
    """Straight-line kilometres as an origin-destination matrix (pairs within 25 km), long form."""
    p = problem_from_workspace(ws, rules, licence_type="rural")
    crs = ws.metric_crs.distance
    o = ws.serving_offices()
    dest = np.vstack([np.column_stack(project_xy(p.sites["lon"], p.sites["lat"], crs)),
                      np.column_stack(project_xy(o.geometry.x, o.geometry.y, crs))])
    d = cdist(np.column_stack(project_xy(p.demand["lon"], p.demand["lat"], crs)), dest) / 1000
    i, j = np.nonzero(d <= 25)
    ids = np.asarray([*p.sites["id"], *o["office_id"]])
    return pd.DataFrame({"origin": p.demand["id"].to_numpy()[i], "destination": ids[j], "cost": d[i, j]})


def test_uploaded_cost_matrix_and_candidate_file_go_through_the_library(open_page, ws, tmp_path):
    rules = load_rules()
    od = tmp_path / "جاده.csv"
    _od_matrix(ws, rules).to_csv(od, index=False)
    at = open_page(PAGE)
    at.file_uploader(key="scenario.costs_file").set_value((od.name, od.read_bytes(), "text/csv")).run()
    assert_clean(at)
    assert any(c.startswith("ماتریس «جاده.csv» (long)") for c in texts(at.caption))
    _run(at, k=3, radius_cost=10.0)
    expected = run_scenario(ws, Scenario("mclp", licence_type="rural", k=3, radius=10.0, costs=str(od),
                                         time_limit=30.0))
    assert [s["id"] for s in _sites_shown(at)] == [s.id for s in expected.sites]
    assert _metric(at, "scenario.kpi.newly") == fmt.number(expected.newly_covered_population)
    assert not any(lyr["id"] == "sites-radius" for lyr in deck_spec(at)["layers"])
    assert "ماتریس هزینهٔ «جاده.csv»" in _table(at)["سناریو"].iat[0]

    # candidates from an uploaded file of points (40 villages), read by the library
    villages = ws.settlements[ws.settlements["kind"] == "village"].iloc[::20].head(40)
    pts = tmp_path / "points.csv"
    pd.DataFrame({"site_id": [f"C{i}" for i in range(len(villages))], "lat": villages.geometry.y,
                  "lon": villages.geometry.x}).to_csv(pts, index=False)
    at = open_page(PAGE)
    at.radio(key="scenario.candidates").set_value("file").run()
    at.button(key="scenario.run").click().run()
    assert t("scenario.candidates_missing", "fa") in texts(at.warning)
    at.file_uploader(key="scenario.candidates_file").set_value((pts.name, pts.read_bytes(), "text/csv")).run()
    assert any(c == t("scenario.candidates_read", "fa", n="۴۰", file="points.csv") for c in texts(at.caption))
    _run(at, k=2)
    expected = run_scenario(ws, Scenario("mclp", licence_type="rural", k=2, radius=10_000, candidates=str(pts),
                                         time_limit=30.0))
    assert [s["id"] for s in _sites_shown(at)] == [s.id for s in expected.sites]
    assert {s.id for s in expected.sites} <= {f"C{i}" for i in range(40)}


def test_english(open_page):
    at = _run(open_page(PAGE, lang="en"), k=2)
    assert at.title[0].value == "Scenario runner"
    assert any("SAMPLE DATA" in w for w in texts(at.warning))
    table = _table(at)
    assert table["run"].tolist() == ["1"] and table["scenario"].iat[0].startswith("1. MCLP, rural ICT, k=2")
    assert "population newly covered: " in _sites_shown(at)[0]["tip"]


def test_a_heuristic_run_says_so_above_the_map(open_page, ws):
    at = open_page(PAGE)
    at.selectbox(key="scenario.method").set_value("greedy").run()
    _run(at, k=3)
    expected = run_scenario(ws, Scenario("mclp", licence_type="rural", k=3, method="greedy",
                                         radius=load_rules().rural.service_radius_m, time_limit=30.0))
    assert expected.heuristic
    gap = "—" if expected.gap is None else fmt.percent(expected.gap, "fa", decimals=2)
    assert t("scenario.heuristic", "fa", gap=gap) in texts(at.warning)
    proven = t("scenario.proven.yes" if expected.proven else "scenario.proven.no", "fa")
    assert any(t("scenario.objective_meaning", "fa", meaning="جمعیت تازه پوشش‌یافته (بیشینه)", proven=proven) in c
               for c in texts(at.caption))


def test_k_zero_is_refused_not_run_with_the_previous_k(open_page):
    """Issue 15 (10): with k=0 the field showed 0 but the run shown was k=3. Now 0 is accepted by the
    field and refused by the page, which names the field and shows no run as if it answered it."""
    at = _run(open_page(PAGE), model="mclp", k=3)
    assert _metric(at, "scenario.kpi.sites") == fmt.number(3)
    at.number_input(key="scenario.k").set_value(0).run()
    assert at.number_input(key="scenario.k").value == 0
    at.button(key="scenario.run").click().run()
    assert not at.exception
    assert t("scenario.k_min", "fa") in texts(at.error)
    assert [m.label for m in at.metric] == []  # no result shown under a field that says 0
    assert len(at.session_state["scenario.runs"]) == 1  # nothing was run
    # in English too
    at.session_state["lang"] = "en"
    at.button(key="scenario.run").click().run()
    assert t("scenario.k_min", "en") in texts(at.error)


def test_sites_kept_open_are_passed_to_the_library_and_named(open_page, ws):
    at = open_page(PAGE)
    at.text_input(key="scenario.fixed").set_value("SMP-V0450، SMP-V0322").run()
    _run(at, model="pmedian", k=1)
    expected = run_scenario(ws, Scenario("pmedian", licence_type="rural", k=1, fixed=("SMP-V0450", "SMP-V0322"),
                                         radius=load_rules().rural.service_radius_m, time_limit=30.0))
    assert [s["id"] for s in _sites_shown(at)] == [s.id for s in expected.sites]
    assert not {"SMP-V0450", "SMP-V0322"} & {s.id for s in expected.sites}
    assert _table(at)["مقدار تابع هدف"].iat[0] == fmt.number(expected.objective)
    title = _table(at).iloc[0, 1]  # the run's title names the kept sites
    assert "باز نگه‌داشته:" in title and "SMP-V0450" in title and "SMP-V0322" in title
    # an id that is no candidate: refused by name, nothing added
    at.text_input(key="scenario.fixed").set_value("NOPE").run()
    at.button(key="scenario.run").click().run()
    assert_clean(at)
    assert t("scenario.refused", "fa") in texts(at.error) and len(_table(at)) == 1
    assert any("'NOPE' is not a candidate site" in c for c in texts(at.caption))


def test_messages_above_the_map_do_not_move_it(open_page):
    """A map that moves in the page is built again by the browser (3-5 s without a GPU). Above the scenario
    map come and go: the run already in the table, a refused run, a refused upload, a result's warnings."""
    at = _run(open_page(PAGE), k=3)
    map_at = element_path(at)
    banner = texts(at.warning)
    assert banner == [t("app.sample_banner", "fa")] and not at.error  # only the sample banner above
    _run(at)  # the same inputs again: a note that the run is in the table
    assert t("scenario.again", "fa", run="۱") in texts(at.info)
    assert element_path(at) == map_at
    _run(at, k=2000)  # refused by the library (more offices than candidates): an error and its detail
    assert t("scenario.refused", "fa") in texts(at.error) and any("k=2000" in c for c in texts(at.caption))
    assert len(_table(at)) == 1 and element_path(at) == map_at
    at.selectbox(key="scenario.method").set_value("greedy").run()
    _run(at, k=3)  # a heuristic answer: a warning above its map
    greedy = at.session_state["scenario.runs"][-1].result
    assert greedy.heuristic
    notices = [x for kind, x in headline_notices(greedy, "fa") if kind == "warning"]
    assert notices and texts(at.warning) == banner + notices
    assert len(_table(at)) == 2 and element_path(at) == map_at
    at.selectbox(key="scenario.shown").set_value(1).run()  # the first run again: no warning
    assert_clean(at)
    assert texts(at.warning) == banner and element_path(at) == map_at
    bad = b"origin,destination,cost\nA,B,5\nA,C,-3\n"  # a refused cost matrix: an error and its detail
    at.file_uploader(key="scenario.costs_file").set_value(("od.csv", bad, "text/csv")).run()
    assert_clean(at)
    assert t("scenario.file_error", "fa") in texts(at.error) and element_path(at) == map_at
    at.file_uploader(key="scenario.costs_file").set_value(("empty.csv", b"", "text/csv")).run()
    at.button(key="scenario.run").click().run()  # a file that could not be kept, and a run refused for it
    assert_clean(at)
    assert any(f"«\u2068empty.csv\u2069»: {t('file_error.empty', 'fa')}" in c for c in texts(at.caption))
    assert texts(at.warning) == [*banner, t("scenario.fix_upload", "fa")] and element_path(at) == map_at
    assert len(_table(at)) == 2
