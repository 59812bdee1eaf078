"""Candidate sites for new offices, filtered by the site rules before any model sees them.

Three sources:

* ``settlements``: every settlement point of the workspace;
* ``h3`` or ``h3:RES``: the centres of H3 cells (resolution ``RES``, default
  7, about 5 km² per cell) over the licence type's gap regions
  (:func:`siting.gaps.gap_cells`);
* a file of points (anything :func:`siting.io.readers.read_file` reads: CSV/XLSX with
  coordinate columns, GeoJSON, GeoPackage, zipped Shapefile), with an
  optional id and name column.

:func:`filter_by_rules` then keeps the candidates that pass every site rule
of the licence type (:func:`siting.rules.site.check_sites`, the definition
:func:`siting.rules.validate.validate_site` uses) and counts what each rule rejected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import InputError
from siting.gaps import gap_cells
from siting.io.readers import find_column, read_file
from siting.rules import Rules
from siting.rules.site import SiteChecks, check_sites
from siting.text import clean_text
from siting.workspace import Workspace

DEFAULT_H3_RESOLUTION = 7
SITE_COLUMNS = ("id", "name", "county", "lon", "lat", "source")
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
            if not res.isdigit() or not 0 <= int(res) <= 10:
                raise InputError(f"--candidates {text}: H3 resolution must be a whole number 0-10")
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
    """Centres of the H3 cells over the gap regions of ``licence_type``.

    The cells are :func:`siting.gaps.gap_cells` (centre inside the region)
    whose centre is farther than the service radius from every serving
    office of the licence type (``gap_urban`` / ``gap_rural``).
    """
    cells = gap_cells(ws, rules, resolution=resolution, radii=radii)
    if not len(cells):
        return _sites([], None, [], [], [], f"h3 r{resolution}")
    cells = cells[cells[f"gap_{licence_type}"].to_numpy(bool)]
    return _sites(cells["h3"], [f"H3 {c}" for c in cells["h3"]], cells["county"], cells["lon"], cells["lat"],
                  f"h3 r{resolution}")


def file_candidates(ws: Workspace, path: str | os.PathLike[str]) -> pd.DataFrame:
    """Candidate points from a file :func:`siting.io.readers.read_file` reads (CSV/XLSX with coordinate
    columns, GeoJSON, GeoPackage, zipped Shapefile), with an optional id and name column.

    Raises :class:`InputError` naming the file, row and field of the first
    unusable row (missing or non-numeric coordinates, out of range, not a point).
    """
    raw = read_file(Path(path))
    problems: list[str] = []
    if raw.geometry is not None:
        is_point = (raw.geometry.geom_type == "Point").to_numpy()
        for k in np.flatnonzero(~is_point):
            problems.append(f"{raw.path}, row {raw.rows[k]}, field geometry: expected a point, "
                            f"got {raw.geometry.geom_type.iat[k]}")
        lon = np.where(is_point, raw.geometry.x.to_numpy(), np.nan)
        lat = np.where(is_point, raw.geometry.y.to_numpy(), np.nan)
    else:
        assert raw.lon is not None and raw.lat is not None  # read_file gives them when there is no geometry
        lon, lat = raw.lon, raw.lat
        field = "/".join(map(str, raw.coord_columns))
        for pos, why in sorted(raw.coord_errors.items()):
            problems.append(f"{raw.path}, row {raw.rows[pos]}, field {field}: {why}")
    if not problems:
        bad = ~((lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90))
        for k in np.flatnonzero(bad):
            problems.append(f"{raw.path}, row {raw.rows[k]}, field lon/lat: ({lon[k]}, {lat[k]}) is not a "
                            "WGS84 longitude/latitude")
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(problems[0] + more, source=str(raw.path))
    cols = list(raw.frame.columns)
    id_c, name_c = find_column(cols, ID_NAMES), find_column(cols, NAME_NAMES)
    ids = ([clean_text(v) or f"row {raw.rows[k]}" for k, v in enumerate(raw.frame[id_c])] if id_c
           else [f"row {r}" for r in raw.rows])
    dup = pd.Series(ids).duplicated()
    if dup.any():
        first = int(np.flatnonzero(dup)[0])
        raise InputError(f"{raw.path}, row {raw.rows[first]}, field {id_c}: id {ids[first]} appears more than once",
                         source=str(raw.path))
    names = [clean_text(v) for v in raw.frame[name_c]] if name_c else None
    return _sites(ids, names, ws.county_of(lon, lat), lon, lat, f"file {raw.path.name}")


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
    assert cs.path is not None  # CandidateSpec.parse gives a path for a file spec
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
