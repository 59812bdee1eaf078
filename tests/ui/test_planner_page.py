"""Planner page: coverage per county and choropleth, sliders that recompute coverage and gaps, exports."""

from __future__ import annotations

from apptest_helpers import assert_clean, element_path, layer, sha256, texts

from siting import fmt
from siting.coverage import compute_coverage
from siting.gaps import compute_gaps
from siting.rules import load_rules
from ui.views.planning import RuleOverrides

SLIDERS = [f"planner.{t}.{p}" for t in ("urban", "rural")
           for p in ("service_radius_m", "min_distance_same_type_m", "min_distance_any_type_m")]


def _metric(at, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric {label_start!r}: {[m.label for m in at.metric]}")


def test_widgets_kpis_and_county_table(open_page, ws):
    at = open_page("planner")
    assert any("دادهٔ نمونه" in w for w in texts(at.warning))
    rules = load_rules()
    for key in SLIDERS:
        t, p = key.split(".")[1:]
        assert at.slider(key=key).value == getattr(rules.for_type(t), p) / 1000
    assert at.button(key="planner.reset")
    cov = compute_coverage(ws, rules)
    assert _metric(at, "جمعیت پوشش‌یافته") == fmt.number(cov.totals["covered_population"])
    assert _metric(at, "سهم پوشش") == fmt.percent(cov.totals["covered_share_of_located"])
    assert _metric(at, "نواحی بدون پوشش") == fmt.number(len(compute_gaps(ws, rules, licence_type="any")))
    table = at.dataframe[0].value
    assert table["شهرستان"].tolist() == cov.by_county["county"].tolist()
    assert table["پوشش‌یافته"].tolist() == [fmt.number(v) for v in cov.by_county["covered_population"]]
    # the choropleth colours every county, the gaps are outlined on top
    assert len(layer(at, "choropleth")["data"]["features"]) == len(ws.counties)
    assert len(layer(at, "gaps")["data"]["features"]) == len(compute_gaps(ws, rules, licence_type="any"))
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["نواحی بدون پوشش (GeoJSON)", "پوشش شهرستان‌ها (GeoJSON)", "همهٔ لایه‌ها (GeoPackage)",
                      "جدول شهرستان‌ها (CSV)", "پوشش سکونتگاه‌ها (CSV)", "جدول نواحی بدون پوشش (CSV)"]


def test_moving_sliders_recomputes_coverage_and_gaps(open_page, ws, workspace_copy):
    before = sha256(workspace_copy)
    at = open_page("planner")
    map_at = element_path(at)
    at.slider(key="planner.urban.service_radius_m").set_value(12.0).run()
    # the note on changed rules appears above the map without moving it (a moved map is a new map)
    assert at.info and element_path(at) == map_at
    at.slider(key="planner.rural.service_radius_m").set_value(20.0).run()
    at.radio(key="planner.gap_type").set_value("rural").run()
    assert_clean(at)
    moved = RuleOverrides.of({"urban": {"service_radius_m": 12_000}, "rural": {"service_radius_m": 20_000}}).apply(
        load_rules())
    cov = compute_coverage(ws, moved)
    assert cov.totals["covered_population"] > compute_coverage(ws, load_rules()).totals["covered_population"]
    assert _metric(at, "جمعیت پوشش‌یافته") == fmt.number(cov.totals["covered_population"])
    assert _metric(at, "جمعیت بدون پوشش") == fmt.number(cov.totals["uncovered_population"])
    gaps = compute_gaps(ws, moved, licence_type="rural")
    assert _metric(at, "نواحی بدون پوشش") == fmt.number(len(gaps))
    assert [f["properties"]["rank"] for f in layer(at, "gaps")["data"]["features"]] == gaps["rank"].tolist()
    assert any("شعاع خدمت (کیلومتر) = ۱۲٫۰" in v for v in texts(at.info))
    # a minimum distance larger than the radius closes sites for a new office
    open_before = _metric(at, "محل‌های مجاز دفتر جدید ICT روستایی")
    at.slider(key="planner.rural.min_distance_same_type_m").set_value(30.0).run()
    assert_clean(at)
    assert _metric(at, "محل‌های مجاز دفتر جدید ICT روستایی") != open_before
    # back to the rules file
    at.button(key="planner.reset").click().run()
    assert at.slider(key="planner.urban.service_radius_m").value == 3.0 and not at.info
    assert element_path(at) == map_at
    assert sha256(workspace_copy) == before  # the rules and the workspace are never written


def test_choropleth_metric_and_english(open_page):
    at = open_page("planner", lang="en")
    at.selectbox(key="planner.metric").set_value("population_per_office").run()
    assert_clean(at)
    assert "population per office" in texts(at.caption)
    tips = [f["properties"]["tip"] for f in layer(at, "choropleth")["data"]["features"]]
    assert all("population per office" in tip for tip in tips)
    assert at.dataframe[0].value.columns[0] == "County"
