"""The distance/time switch's view model and the service areas the pages draw (ui.views.travel)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import shapely

from siting.errors import InputError, RulesError
from siting.network import isochrones, workspace_network
from siting.rules import load_rules
from ui.views.travel import (
    ISOCHRONE_FILL,
    apply_measure,
    measure_switch,
    office_isochrones,
    service_text,
    site_isochrone,
)

ROOT = Path(__file__).resolve().parents[3]


def test_switch_needs_roads_and_service_times(hand_ws, sample_ws):
    rules = load_rules()
    assert not len(hand_ws.roads)
    off = measure_switch(hand_ws, rules)
    assert (off.available, off.reason, off.default, off.options) == (False, "measure.no_roads", "distance",
                                                                      ("distance",))
    on = measure_switch(sample_ws, rules)
    assert (on.available, on.reason, on.options) == (True, None, ("distance", "time"))
    assert on.default == "distance"  # the rules file says distance for both types
    assert measure_switch(sample_ws, rules.with_measure("time")).default == "time"
    no_time = replace(rules, rural=replace(rules.rural, service_time_min=None))  # a rules file without it
    assert measure_switch(sample_ws, no_time).reason == "measure.no_times"


def test_apply_measure_leaves_the_distance_rules_as_they_are():
    rules = load_rules()
    assert apply_measure(rules, "distance") is rules and apply_measure(rules, None) is rules
    timed = apply_measure(rules, "time")
    assert timed.measures() == {"urban": "time", "rural": "time"}
    assert timed.service_times() == rules.service_times()
    # metres rules stay metres
    assert timed.rural.min_distance_same_type_m == rules.rural.min_distance_same_type_m
    with pytest.raises(RulesError):
        apply_measure(rules, "hours")


def test_service_text_names_the_time_or_the_radius():
    rules = load_rules()
    assert service_text(rules, "time", "urban", "en") == \
        f"travel time by road ≤ {rules.urban.service_time_min:g} min (urban Pishkhan)"
    assert service_text(rules, "distance", "rural", "en") == \
        f"straight-line distance ≤ {rules.rural.service_radius_m / 1000:.1f} km (rural ICT)"
    fa = service_text(rules, "time", "any", "fa")
    assert "زمان سفر" in fa and "؛" in fa


def test_office_isochrones_are_the_network_service_areas(sample_ws):
    ws, rules = sample_ws, load_rules()
    net = workspace_network(ws)
    fc = office_isochrones(ws, rules, "any", "en")
    by_type = {lt: [f for f in fc["features"] if f["properties"]["licence_type"] == lt] for lt in ("urban", "rural")}
    for lt, feats in by_type.items():
        rows = ws.index.office_rows[lt]
        active = ws.offices.index[(ws.offices.licence_type == lt) & (ws.offices.status == "active")]
        assert len(feats) == len(rows) == len(active)
        assert [f["properties"]["office_id"] for f in feats] == ws.offices["office_id"].iloc[rows].tolist()
        minutes = rules.for_type(lt).service_time_min
        direct = isochrones(net.graph, net.offices.subset(rows), minutes, to_sources=True)
        assert [f["properties"]["area_km2"] for f in feats] == pytest.approx(direct["area_km2"].tolist())
        assert all(f["properties"]["minutes"] == minutes and f["properties"]["fill"] == list(ISOCHRONE_FILL[lt])
                   for f in feats)
        union = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in feats])
        # every settlement the nearest-office search (another code path) times well inside the limit lies in
        # the union of the areas; every settlement it cannot reach, and farther than the longest off-road
        # leg from every road, lies outside
        seconds, _ = net.nearest_office_times(ws, lt)
        s = ws.settlements
        inside = shapely.contains_xy(union.buffer(1e-4), s.geometry.x, s.geometry.y)
        reached = seconds <= 0.9 * minutes * 60
        assert reached.sum() > 10 and inside[reached].all()
        off = ~net.settlements.on_network
        assert off.sum() >= 4 and not inside[off & np.isinf(seconds)].any()


def test_site_off_the_network_has_its_walking_disc(sample_ws):
    """A roadless village (planted in the sample) is off the network: a new office there serves the
    disc of the longest off-road leg, a 16-gon (quad_segs 4) whose area is worked out by hand."""
    rules = load_rules()
    fc = json.loads((ROOT / "data/sample/roads.geojson").read_text(encoding="utf-8"))
    s = sample_ws.settlements
    net = workspace_network(sample_ws)
    off = np.flatnonzero(~net.settlements.on_network)
    assert len(off) and all(s["name_en"].iat[i] in fc["note"] for i in off)
    i = int(off[0])
    area = site_isochrone(sample_ws, rules, "rural", float(s.geometry.x.iat[i]), float(s.geometry.y.iat[i]), "en")
    (feat,) = area["features"]
    p = net.params
    r = min(p.max_offroad_m, rules.rural.service_time_min * 60 * p.offroad_speed_kmh / 3.6)
    assert feat["properties"]["area_km2"] == pytest.approx(16 / 2 * r * r * math.sin(2 * math.pi / 16) / 1e6,
                                                           rel=1e-9)
    assert feat["properties"]["on_network"] is False and "off the road network" in feat["properties"]["tip"]


def test_site_on_a_road_reaches_farther_than_walking(sample_ws):
    rules = load_rules()
    town = sample_ws.settlements[sample_ws.settlements["kind"] == "city"].iloc[0]
    area = site_isochrone(sample_ws, rules, "urban", town.geometry.x, town.geometry.y, "fa")
    (feat,) = area["features"]
    p = workspace_network(sample_ws).params
    disc = math.pi * p.max_offroad_m ** 2 / 1e6
    assert feat["properties"]["on_network"] is True and feat["properties"]["area_km2"] > 2 * disc


def test_isochrones_need_roads(hand_ws):
    with pytest.raises(InputError, match="no roads layer"):
        office_isochrones(hand_ws, load_rules(), "rural")
