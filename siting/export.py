"""Exports of analysis results as files people open elsewhere: GeoJSON, GeoPackage, CSV.

Every exported layer and table carries a ``sample`` column when it comes from
sample data, so that a file copied out of the dashboard still says so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .coverage import CoverageResult
from .geo import WGS84
from .workspace import Workspace


def _mark(df: pd.DataFrame, sample: bool) -> pd.DataFrame:
    out = df.copy()
    out["sample"] = bool(sample)
    return out


def geojson_bytes(gdf: gpd.GeoDataFrame, *, sample: bool) -> bytes:
    """A GeoJSON FeatureCollection (UTF-8, Persian kept as is) in WGS84."""
    out = _mark(gdf, sample)
    if out.crs is not None and not out.crs.equals(WGS84):
        out = out.to_crs(WGS84)
    return out.to_json(drop_id=True, ensure_ascii=False, na="null").encode("utf-8")


def gpkg_bytes(layers: Mapping[str, gpd.GeoDataFrame], *, sample: bool) -> bytes:
    """One GeoPackage holding every layer (name -> GeoDataFrame), as bytes."""
    fd, name = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    path = Path(name)
    try:
        path.unlink()
        for layer, gdf in layers.items():
            pyogrio.write_dataframe(_mark(gdf, sample), path, layer=layer, driver="GPKG")
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def csv_bytes(df: pd.DataFrame, *, sample: bool) -> bytes:
    """CSV (UTF-8 with BOM so that Excel shows Persian); geometry columns dropped."""
    out = pd.DataFrame(_mark(df, sample))
    if isinstance(df, gpd.GeoDataFrame):
        out = out.drop(columns=df.geometry.name)
    return out.to_csv(index=False).encode("utf-8-sig")


def coverage_layers(ws: Workspace, cov: CoverageResult, gaps: gpd.GeoDataFrame | None = None
                    ) -> dict[str, gpd.GeoDataFrame]:
    """Layers of a coverage analysis: counties with their coverage figures, settlements
    with their nearest offices and covered flags, the offices, and the gaps if given."""
    counties = ws.counties[["name_fa", "geometry"]].merge(
        cov.by_county.drop(columns=["code"], errors="ignore"), left_on="name_fa", right_on="county", how="left")
    counties = gpd.GeoDataFrame(counties.drop(columns=["name_fa"]), geometry="geometry", crs=WGS84)
    settlements = gpd.GeoDataFrame(
        cov.settlements.reset_index(drop=True), geometry=ws.settlements.geometry.reset_index(drop=True).values,
        crs=WGS84)
    out = {"counties_coverage": counties, "settlements_coverage": settlements, "offices": ws.offices}
    if gaps is not None:
        out["gaps"] = gaps
    return out


__all__ = ["coverage_layers", "csv_bytes", "geojson_bytes", "gpkg_bytes"]
