"""Equal optima with spopt on instances built from the South Khorasan reference data.

Real: the province outline, the 12 county polygons and the 35 GNAF towns
(positions). Synthetic and seeded (the reference data has neither): town
populations for the towns GeoNames has none for, 300 villages inside the
real counties, and the existing offices (siting.samples.synthetic). Nothing here is
written into the project.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from spopt_reference import spopt_lscp, spopt_mclp, workspace_matrices

from siting.io.manifest import build_workspace
from siting.optimize import lscp, mclp, problem_from_workspace
from siting.samples.synthetic import synthetic_offices
from siting.workspace import make_layer

pytestmark = [pytest.mark.reference,
              pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")]
MANIFEST = Path(__file__).resolve().parents[2] / "data" / "sources" / "south-khorasan.yaml"


@pytest.fixture(scope="module")
def ref_ws(reference_dir):
    ws, _ = build_workspace(MANIFEST, reference_dir)
    rng = np.random.default_rng(29)
    s = ws.settlements
    pop = s["population"].to_numpy(dtype=float, na_value=np.nan)
    towns = pd.DataFrame(s.drop(columns="geometry"))
    towns["population"] = np.where(np.isnan(pop), np.round(rng.lognormal(np.log(4000), 0.6, len(s))), pop)
    # 300 synthetic villages inside the real county polygons
    minx, miny, maxx, maxy = ws.region.total_bounds
    region = ws.region.geometry.union_all()
    lon, lat = [], []
    while len(lon) < 300:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if region.intersects(shapely.Point(x, y)):
            lon.append(x)
            lat.append(y)
    villages = pd.DataFrame({"code": [f"SYN-V{i:03d}" for i in range(300)],
                             "name_fa": [f"روستای ساختگی {i}" for i in range(300)], "kind": "village",
                             "population": np.round(rng.lognormal(np.log(250), 1.0, 300)),
                             "county": ws.county_of(lon, lat), "source": "synthetic (test)"})
    attrs = pd.concat([towns, villages], ignore_index=True)
    geoms = [*s.geometry, *shapely.points(np.column_stack([lon, lat]))]
    ws = dataclasses.replace(ws, settlements=make_layer("settlements", attrs, geoms))
    offices = synthetic_offices(ws, seed=7, n_rural=30, min_town_population=8000)
    office_layer = make_layer("offices", offices.drop(columns=["lon", "lat"]),
                              shapely.points(offices[["lon", "lat"]].to_numpy()))
    return dataclasses.replace(ws, offices=office_layer, meta={**ws.meta, "sample": True})


def test_reference_instance_is_what_it_says(ref_ws):
    assert len(ref_ws.counties) == 12 and len(ref_ws.settlements) == 335
    assert (ref_ws.settlements["kind"] == "city").sum() == 35
    assert len(ref_ws.serving_offices()) > 10 and ref_ws.is_sample


@pytest.mark.parametrize("k", [5, 10])
def test_rural_mclp_on_reference_data_equals_spopt(ref_ws, rules, k):
    p = problem_from_workspace(ref_ws, rules, licence_type="rural")
    assert p.existing_offices > 0 and p.rejected  # the rules removed candidates
    cost, ex, w, conf, _ = workspace_matrices(ref_ws, p, rules)
    r = mclp(p, k)
    assert r.status == "optimal"
    assert r.covered_after == pytest.approx(spopt_mclp(cost, w, p.radius, k, ex, conf))


def test_rural_lscp_on_reference_data_equals_spopt(ref_ws, rules):
    p = problem_from_workspace(ref_ws, rules, licence_type="rural")
    cost, ex, w, conf, _ = workspace_matrices(ref_ws, p, rules)
    reach = (cost <= p.radius).any(axis=1) | (ex <= p.radius).any(axis=1)
    r = lscp(p, w[reach].sum() / w.sum())
    assert r.status == "optimal"
    assert r.objective + ex.shape[1] == pytest.approx(spopt_lscp(cost[reach], p.radius, ex[reach], conf))


def test_urban_on_h3_cells_of_the_reference_data_equals_spopt(ref_ws, rules):
    p = problem_from_workspace(ref_ws, rules, licence_type="urban", candidates="h3:8")
    cost, ex, w, conf, _ = workspace_matrices(ref_ws, p, rules)
    r = mclp(p, 3)
    assert r.covered_after == pytest.approx(spopt_mclp(cost, w, p.radius, 3, ex, conf))
    reach = (cost <= p.radius).any(axis=1) | (ex <= p.radius).any(axis=1)
    r = lscp(p, w[reach].sum() / w.sum())
    assert r.objective + ex.shape[1] == pytest.approx(spopt_lscp(cost[reach], p.radius, ex[reach], conf))
