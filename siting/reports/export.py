"""Exports of analysis results as files people open elsewhere: GeoJSON, GeoPackage, CSV.

Every exported layer and table carries a ``sample`` column when it comes from
sample data, so that a file copied out of the dashboard still says so.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from siting.coverage import CoverageResult
from siting.geo import WGS84
from siting.workspace import Workspace


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


def xlsx_bytes(sheets: Sequence[tuple[str, pd.DataFrame]], *, lang: str = "fa", sample: bool = False,
               title: str | None = None) -> bytes:
    """An XLSX workbook of ``(sheet name, table)`` pairs, headers in bold, columns sized to fit.

    Persian (``lang='fa'``) sheets are right-to-left. With ``sample`` (and/or
    ``title``) the first row of every sheet says the data is sample data, not
    official (and names what the table is of).
    """
    from openpyxl.styles import Font, PatternFill

    buf = io.BytesIO()
    banner = []
    if sample:
        banner.append("دادهٔ نمونه (ساختگی) — غیررسمی" if lang == "fa" else "SAMPLE DATA (synthetic) — not official")
    if title:
        banner.append(title)
    start = 1 if banner else 0
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in sheets:
            df.to_excel(writer, sheet_name=name, index=False, startrow=start)
            sheet = writer.sheets[name]
            sheet.sheet_view.rightToLeft = lang == "fa"
            if banner:
                sheet.cell(row=1, column=1, value=" — ".join(banner)).font = Font(bold=True, color="8A5A00")
                sheet.cell(row=1, column=1).fill = PatternFill("solid", fgColor="FFF3CD")
            for cell in sheet[start + 1]:
                cell.font = Font(bold=True)
            for j, col in enumerate(df.columns, start=1):
                width = max([len(str(col)), *(len(str(v)) for v in df.iloc[:, j - 1].head(200))]) + 2
                sheet.column_dimensions[sheet.cell(row=start + 1, column=j).column_letter].width = min(width, 60)
    return buf.getvalue()


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


__all__ = ["coverage_layers", "csv_bytes", "geojson_bytes", "gpkg_bytes", "xlsx_bytes"]
