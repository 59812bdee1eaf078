"""Exported layers and tables open in other tools and say when they are sample data."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyogrio
import pytest

from siting.coverage import compute_coverage
from siting.gaps import compute_gaps
from siting.reports.export import coverage_layers, csv_bytes, geojson_bytes, gpkg_bytes


@pytest.fixture()
def analysis(hand_ws, rules):
    cov = compute_coverage(hand_ws, rules)
    gaps = compute_gaps(hand_ws, rules, licence_type="rural")
    return cov, gaps


def test_geojson(hand_ws, analysis):
    cov, gaps = analysis
    data = json.loads(geojson_bytes(gaps, sample=True))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(gaps)
    props = data["features"][0]["properties"]
    assert props["sample"] is True and props["rank"] == 1
    assert props["uncovered_population"] == int(gaps["uncovered_population"].iat[0])
    counties = json.loads(geojson_bytes(coverage_layers(hand_ws, cov)["counties_coverage"], sample=False))
    by_name = {f["properties"]["county"]: f["properties"] for f in counties["features"]}
    assert by_name["بیرجند"]["covered_population"] == int(
        cov.by_county.set_index("county").loc["بیرجند", "covered_population"])
    assert all(f["properties"]["sample"] is False for f in counties["features"])


def test_geopackage_holds_every_layer(tmp_path, hand_ws, analysis):
    cov, gaps = analysis
    path = tmp_path / "out.gpkg"
    path.write_bytes(gpkg_bytes(coverage_layers(hand_ws, cov, gaps), sample=True))
    names = {row[0] for row in pyogrio.list_layers(path)}
    assert names == {"counties_coverage", "settlements_coverage", "offices", "gaps"}
    s = pyogrio.read_dataframe(path, layer="settlements_coverage")
    assert len(s) == len(hand_ws.settlements) and s.crs.to_epsg() == 4326
    assert s["covered"].tolist() == cov.settlements["covered"].tolist()
    assert s["sample"].all()


def test_csv(analysis):
    cov, gaps = analysis
    data = csv_bytes(gaps, sample=True)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert "geometry" not in back and back["sample"].all()
    assert back["area_km2"].tolist() == pytest.approx(gaps["area_km2"].tolist())
    table = pd.read_csv(io.BytesIO(csv_bytes(cov.by_county, sample=False)), encoding="utf-8-sig")
    assert table["county"].tolist() == cov.by_county["county"].tolist()
