"""Candidate sites for new offices, filtered by the site rules before any model sees them.

Three sources:

* ``settlements``: every settlement point of the workspace;
* ``h3`` or ``h3:RES``: the centres of H3 cells (resolution ``RES``, default
  7, about 5 km² per cell) over the gap regions: cells whose centre lies in
  the region and farther than the service radius from every serving office;
* a file: CSV (longitude/latitude columns) or GeoJSON / GeoPackage points,
  with an optional id and name.

:func:`filter_by_rules` then keeps the candidates that pass every site rule
of the licence type (:func:`siting.siterules.check_sites`, the definition
:func:`siting.validate.validate_site` uses) and counts what each rule rejected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd

from ..coverage import covered_mask, nearest_offices
from ..errors import InputError
from ..geo import project_xy
from ..rules import Rules
from ..siterules import SiteChecks, check_sites
from ..text import clean_text, parse_number
from ..workspace import Workspace

DEFAULT_H3_RESOLUTION = 7
SITE_COLUMNS = ("id", "name", "county", "lon", "lat", "source")
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "طول", "طول جغرافیایی")
LAT_NAMES = ("lat", "latitude", "y", "عرض", "عرض جغرافیایی")
ID_NAMES = ("id", "site_id", "code", "candidate_id", "شناسه", "کد")
NAME_NAMES = ("name", "name_fa", "title", "نام")


@dataclass(frozen=True)
class CandidateSpec:
    """Where candidates come from: ``settlements``, ``h3`` (with resolution) or a file."""

    kind: str
    resolution: int | None = None
    path: Path | None = None

    @classmethod
    def parse(cls, spec: str | os.PathLike[str] | CandidateSpec) -> CandidateSpec:
        """``"settlements"``, ``"h3"``, ``"h3:8"`` or a file path.

        >>> CandidateSpec.parse("h3:8")
        CandidateSpec(kind='h3', resolution=8, path=None)
        """
        if isinstance(spec, CandidateSpec):
            return spec
        text = str(spec).strip()
        if text == "settlements":
            return cls("settlements")
        if text == "h3" or text.startswith("h3:"):
            res = text.partition(":")[2] or str(DEFAULT_H3_RESOLUTION)
            if not res.isdigit() or not 0 <= int(res) <= 15:
                raise InputError(f"--candidates {text}: H3 resolution must be a whole number 0-15")
            return cls("h3", resolution=int(res))
        path = Path(text)
        if not path.exists():
            raise InputError(f"--candidates {text}: expected settlements, h3[:RES] or an existing file")
        return cls("file", path=path)

    def describe(self) -> str:
        if self.kind == "h3":
            return f"H3 cells (resolution {self.resolution}) over the gap regions"
        if self.kind == "file":
            return f"sites from {self.path}"
        return "settlements"


def _sites(ids, names, counties, lon, lat, source: str) -> pd.DataFrame:
    n = len(lon)
    return pd.DataFrame({
        "id": pd.array([str(v) for v in ids], dtype=object),
        "name": pd.array(list(names) if names is not None else [None] * n, dtype=object),
        "county": pd.array(list(counties), dtype=object),
        "lon": np.asarray(lon, float),
        "lat": np.asarray(lat, float),
        "source": pd.array([source] * n, dtype=object),
    })


def settlement_candidates(ws: Workspace) -> pd.DataFrame:
    """Every settlement point as a candidate (id: settlement code)."""
    s = ws.settlements
    codes = [c if c else f"settlement-{k + 1}" for k, c in enumerate(s["code"])]
    return _sites(codes, s["name_fa"], s["county"], s.geometry.x.to_numpy(), s.geometry.y.to_numpy(),
                  "settlement")


def h3_candidates(ws: Workspace, rules: Rules, licence_type: str, resolution: int = DEFAULT_H3_RESOLUTION,
                  *, radii: dict[str, float] | None = None) -> pd.DataFrame:
    """Centres of H3 cells over the gap regions (centre in the region, no office in reach).

    A cell is in a gap when its centre is farther than the service radius of
    each serving office (per licence type: the coverage definition of
    :mod:`siting.coverage`).
    """
    if not len(ws.region):
        raise InputError("candidates h3: the workspace has no region to cover with H3 cells")
    region = ws.region.geometry.union_all()
    shape = h3.geo_to_h3shape(region.__geo_interface__)
    cells = np.array(sorted(h3.h3shape_to_cells(shape, resolution)), dtype=object)
    if not len(cells):
        return _sites([], None, [], [], [], "h3")
    latlng = np.array([h3.cell_to_latlng(c) for c in cells])
    lat, lon = latlng[:, 0], latlng[:, 1]
    xy = np.column_stack(project_xy(lon, lat, ws.metric_crs.distance))
    near = nearest_offices(ws, xy)
    covered = covered_mask(near, radii or rules.radii())["any"]
    keep = ~covered
    return _sites(cells[keep], [f"H3 {c}" for c in cells[keep]], ws.county_of(lon[keep], lat[keep]),
                  lon[keep], lat[keep], f"h3 r{resolution}")


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    folded = {(clean_text(c) or "").lower(): c for c in columns}
    for n in names:
        if n in folded:
            return folded[n]
    return None


def file_candidates(ws: Workspace, path: str | os.PathLike[str]) -> pd.DataFrame:
    """Candidate points from a CSV (lon/lat columns) or a GeoJSON / GeoPackage of points (WGS84).

    Raises :class:`InputError` naming the file, row and field of the first
    unusable row (missing or non-numeric coordinates, out of range, not a point).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    problems: list[str] = []
    if suffix in (".csv", ".txt"):
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path}: not a readable UTF-8 CSV ({str(exc).splitlines()[0]})") from None
        cols = list(df.columns)
        lon_c, lat_c = _find(cols, LON_NAMES), _find(cols, LAT_NAMES)
        if lon_c is None or lat_c is None:
            raise InputError(f"{path}: no longitude/latitude columns (expected e.g. lon, lat); "
                             f"columns are {', '.join(cols)}")
        lon = np.full(len(df), np.nan)
        lat = np.full(len(df), np.nan)
        for k in range(len(df)):
            for col, arr in ((lon_c, lon), (lat_c, lat)):
                try:
                    v = parse_number(df[col].iat[k])
                except ValueError:
                    v = None
                if v is None:
                    problems.append(f"{path}, row {k + 2}, field {col}: {df[col].iat[k]!r} is not a number")
                else:
                    arr[k] = v
        attrs = df
        row_of = np.arange(len(df)) + 2
    elif suffix in (".geojson", ".json", ".gpkg"):
        import pyogrio

        try:
            gdf = pyogrio.read_dataframe(path)
        except Exception as exc:  # pyogrio raises several DataSourceError kinds
            raise InputError(f"{path}: not a readable GeoJSON/GeoPackage ({exc})") from None
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
            gdf = gdf.to_crs("EPSG:4326")
        is_point = (gdf.geometry.geom_type == "Point").to_numpy()
        for k in np.flatnonzero(~is_point)[:5]:
            problems.append(f"{path}, feature {k + 1}, field geometry: expected a point, "
                            f"got {gdf.geometry.geom_type.iat[k]}")
        lon = np.where(is_point, gdf.geometry.x.to_numpy(), np.nan)
        lat = np.where(is_point, gdf.geometry.y.to_numpy(), np.nan)
        attrs = pd.DataFrame(gdf.drop(columns="geometry"))
        cols = list(attrs.columns)
        row_of = np.arange(len(gdf)) + 1
    else:
        raise InputError(f"{path}: candidate files must be .csv, .geojson or .gpkg")
    if not problems:
        bad = ~((lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90))
        for k in np.flatnonzero(bad)[:5]:
            problems.append(f"{path}, row {row_of[k]}, field lon/lat: ({lon[k]}, {lat[k]}) is not a "
                            "WGS84 longitude/latitude")
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(problems[0] + more)
    if not len(lon):
        raise InputError(f"{path}: no candidate sites in the file")
    id_c, name_c = _find(cols, ID_NAMES), _find(cols, NAME_NAMES)
    ids = [clean_text(v) or f"row {row_of[k]}" for k, v in enumerate(attrs[id_c])] if id_c else [
        f"row {r}" for r in row_of]
    if len(set(ids)) != len(ids):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].iat[0]
        raise InputError(f"{path}, field {id_c}: id {dup} appears more than once")
    names = [clean_text(v) for v in attrs[name_c]] if name_c else None
    return _sites(ids, names, ws.county_of(lon, lat), lon, lat, f"file {path.name}")


def candidate_sites(ws: Workspace, rules: Rules, licence_type: str, spec: Any = "settlements",
                    *, radii: dict[str, float] | None = None) -> tuple[pd.DataFrame, str]:
    """All candidate sites of ``spec`` (before the rules) and a description of the source.

    ``spec`` is ``"settlements"``, ``"h3"``, ``"h3:RES"``, a file path, a
    :class:`CandidateSpec`, or a DataFrame with ``lon`` and ``lat`` (and
    optionally ``id``, ``name``) columns.
    """
    if isinstance(spec, pd.DataFrame):
        if not {"lon", "lat"} <= set(spec.columns):
            raise InputError("candidates: a DataFrame of candidates needs lon and lat columns")
        lon = pd.to_numeric(spec["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(spec["lat"], errors="coerce").to_numpy(float)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            raise InputError("candidates: lon and lat must be numbers in every row")
        ids = spec["id"].astype(str).tolist() if "id" in spec else [f"row {k + 1}" for k in range(len(spec))]
        names = spec["name"].tolist() if "name" in spec else None
        return _sites(ids, names, ws.county_of(lon, lat), lon, lat, "given"), "given sites"
    cs = CandidateSpec.parse(spec)
    if cs.kind == "settlements":
        return settlement_candidates(ws), cs.describe()
    if cs.kind == "h3":
        return h3_candidates(ws, rules, licence_type, cs.resolution or DEFAULT_H3_RESOLUTION,
                             radii=radii), cs.describe()
    return file_candidates(ws, cs.path), cs.describe()


def filter_by_rules(ws: Workspace, rules: Rules, licence_type: str,
                    sites: pd.DataFrame) -> tuple[pd.DataFrame, SiteChecks, dict[str, int]]:
    """Keep the candidates that pass every site rule of ``licence_type``.

    Returns the passing sites, the checks of all sites, and the number of
    candidates each rule rejected (a candidate may fail several rules).
    """
    chk = check_sites(ws, rules, licence_type, sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
    ok = chk.passes
    rejected = {rid: n for rid, n in chk.failures().items() if n}
    return sites[ok].reset_index(drop=True), chk, rejected


__all__ = [
    "DEFAULT_H3_RESOLUTION",
    "CandidateSpec",
    "candidate_sites",
    "file_candidates",
    "filter_by_rules",
    "h3_candidates",
    "settlement_candidates",
]
