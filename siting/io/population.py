"""Census population into the workspace: read the census table, join it to the settlements, write it.

``siting import census FILE`` runs :func:`import_census`: the census village
table (:func:`siting.io.census.read_census`, published or plain layout) is
joined to the workspace's settlements (:func:`siting.io.placejoin.join_population`:
by official code, by name within the rural district, district and county, by a
similar name at or above the threshold), and then, in one atomic write:

* each joined settlement takes the census population and households, its
  provenance (``population_source``: the file and how it was matched), and the
  census's district and rural district where the settlement has none from polygons;
* each county takes the census population of its places, so the people of
  villages that matched no point stay in the county's total as **not located**
  (neither covered nor uncovered, as with the county census before);
* the census totals per district and rural district are kept in the metadata
  (``census_units``) for the per-unit coverage tables;
* settlements the census does not name keep the population they had (another
  source's, or unknown), and the report counts them.

Nothing is joined below the threshold, nothing ambiguous is joined, and the
full match report (every point and every census place left over) can be
written to a CSV for a person to act on (``--report``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import InputError
from siting.io.census import CensusReport, read_census
from siting.io.placejoin import JoinResult, join_population, scope_key
from siting.workspace import IMPORT_COLUMNS, Workspace, _now, resolve_path

#: ``population_source`` of a population joined from a census table starts with this.
CENSUS_SOURCE = "census "
#: The census year of the Statistical Centre's 1395 (2016) village tables.
DEFAULT_CENSUS_YEAR = 2016


def unit_key(county: object, unit: object | None = None) -> str:
    """The key of a county, or of a district / rural district within its county, in ``census_units``
    (names folded without their level word, so «دهستان الف» and «الف» are one unit)."""
    return scope_key(county) if unit is None else f"{scope_key(county)}|{scope_key(unit)}"


@dataclass
class CensusImport:
    """What ``siting import census`` read, joined and wrote."""

    file: str
    census: CensusReport
    join: JoinResult | None = None
    counties: dict[str, Any] = field(default_factory=dict)
    settlements_kept: int = 0
    written: bool = False
    workspace: str | None = None
    sample: bool = False
    report_file: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self, *, matches: bool = False) -> dict[str, Any]:
        j = self.join.to_dict() if self.join is not None else {}
        match: dict[str, Any] = {"threshold": j.get("threshold"), "counts": j.get("counts", {})}
        if matches:
            match["rows"] = j.get("matches", [])
            match["not_located"] = j.get("not_located", [])
        return {
            "file": self.file,
            "layer": "census",
            "written": self.written,
            "workspace": self.workspace,
            "sample": self.sample,
            "census": self.census.to_dict(),
            "match": match,
            "counties": self.counties,
            "settlements_kept_population": self.settlements_kept,
            "report_file": self.report_file,
            "notes": [*self.notes, *j.get("notes", [])],
        }


def _points(ws: Workspace) -> pd.DataFrame:
    s = ws.settlements
    return pd.DataFrame({c: s[c].to_numpy(dtype=object)
                         for c in ("code", "name_fa", "name_en", "county", "district", "rural_district")})


def prepare_census(ws: Workspace, path: str | Path, *, threshold: float = 90.0, sheet: str | None = None,
                   fields: dict[str, str] | None = None, year: int | None = DEFAULT_CENSUS_YEAR
                   ) -> tuple[Workspace, CensusImport]:
    """Read and join a census table; the workspace it would produce and the report (nothing written)."""
    path = Path(path)
    if not len(ws.settlements):
        raise InputError(f"{path}: the workspace has no settlements to join the census to; import the village "
                         "and town points first (siting import settlements …)", source=str(path))
    places, census_report = read_census(path, sheet=sheet, fields=fields)
    out = CensusImport(file=str(path), census=census_report)
    if not len(places):
        out.notes.append("no census place could be read")
        return ws, out
    # the census counties, by the workspace's own names
    county_names = {scope_key(n): n for n in ws.counties["name_fa"]}
    county_names.update({scope_key(n): f for n, f in zip(ws.counties["name_en"], ws.counties["name_fa"],
                                                         strict=True) if n})
    places = places.copy()
    ws_county = [county_names.get(scope_key(c)) if isinstance(c, str) and c else None for c in places["county"]]
    unknown = sorted({str(c) for c, w in zip(places["county"], ws_county, strict=True) if c and w is None})
    if unknown:
        out.notes.append("census counties that are not counties of the workspace (their places are compared by "
                         f"name within them only): {', '.join(unknown)}")
    places["county"] = [w or c for w, c in zip(ws_county, places["county"], strict=True)]

    join = join_population(places, _points(ws), threshold=threshold)
    out.join = join
    s = ws.settlements.copy()
    joined = join.population.notna().to_numpy()
    had = s["population"].notna().to_numpy()
    matches = join.matches[join.matches["side"] == "point"].reset_index(drop=True)
    status = matches["status"].to_numpy(dtype=object)
    pop = s["population"].astype("Int64").to_numpy(dtype=object, na_value=None)
    hh = s["households"].astype("Int64").to_numpy(dtype=object, na_value=None)
    src = s["population_source"].to_numpy(dtype=object, copy=True)
    district = s["district"].to_numpy(dtype=object, copy=True)
    rural = s["rural_district"].to_numpy(dtype=object, copy=True)
    jp = join.population.to_numpy(dtype=object, na_value=None)
    jh = join.households.to_numpy(dtype=object, na_value=None)
    for i in np.flatnonzero(joined).tolist():
        pop[i], hh[i] = jp[i], jh[i]
        how = {"code": "by code", "exact": "by name", "fuzzy": f"by a similar name, score {matches['score'].iat[i]:.0f}"}
        src[i] = f"{CENSUS_SOURCE}{path.name} ({how.get(str(status[i]), str(status[i]))})"
        if not district[i] and isinstance(matches["district"].iat[i], str):
            district[i] = matches["district"].iat[i]
        if not rural[i] and isinstance(matches["rural_district"].iat[i], str):
            rural[i] = matches["rural_district"].iat[i]
    # a population an earlier census join gave is replaced by this census: unknown where this one does not match
    earlier = np.array([isinstance(v, str) and v.startswith(CENSUS_SOURCE) for v in src], dtype=bool) & ~joined
    for i in np.flatnonzero(earlier).tolist():
        pop[i], hh[i], src[i] = None, None, None
    if earlier.any():
        out.notes.append(f"{int(earlier.sum())} settlements had a population from an earlier census join and match "
                         "no place of this census: their population is now unknown")
    had = had & ~earlier
    out.settlements_kept = int((~joined & had).sum())
    if out.settlements_kept:
        out.notes.append(f"{out.settlements_kept} settlements match no census place and keep the population they had "
                         "(another source); the rest of the unmatched have no population")
    s["population"] = pd.array(pop, dtype="Int64")
    s["households"] = pd.array(hh, dtype="Int64")
    s["population_source"] = src
    s["district"] = district
    s["rural_district"] = rural

    # counties: the census population of their places (joined or not located)
    totals = places.groupby("county", dropna=True)["population"].sum(min_count=1)
    c = ws.counties.copy()
    cpop = c["population"].astype("Int64").to_numpy(dtype=object, na_value=None)
    year_col = c["population_year"].astype("Int64").to_numpy(dtype=object, na_value=None)
    unit = c["census_unit"].to_numpy(dtype=object, copy=True)
    note = c["population_note"].to_numpy(dtype=object, copy=True)
    csrc = c["source"].to_numpy(dtype=object, copy=True)
    updated = []
    for i, name in enumerate(c["name_fa"]):
        total = totals.get(name)
        if total is None or pd.isna(total):
            continue
        cpop[i], year_col[i], unit[i] = int(total), year, None
        note[i] = f"census places of {path.name}"
        updated.append(name)
    c["population"] = pd.array(cpop, dtype="Int64")
    c["population_year"] = pd.array(year_col, dtype="Int64")
    c["census_unit"] = unit
    c["population_note"] = note
    c["source"] = csrc
    missing = [n for n in c["name_fa"] if n not in updated]
    out.counties = {"updated": updated, "without_census": missing}
    if missing:
        out.notes.append(f"counties the census does not cover keep their population: {', '.join(missing)}")

    census_units: dict[str, dict[str, int]] = {"county": {}, "district": {}, "rural_district": {}}
    for level in ("district", "rural_district"):
        sub = places[places[level].notna() & places["county"].notna()]
        for (cty, u), v in sub.groupby(["county", level])["population"].sum(min_count=1).items():
            if not pd.isna(v):
                census_units[level][unit_key(cty, u)] = int(v)
    for cty, v in totals.items():
        if not pd.isna(v):
            census_units["county"][unit_key(cty)] = int(v)

    new = ws.with_layer("settlements", s).with_layer("counties", c)
    notes = [n for n in ws.meta.get("population_notes", []) if not str(n.get("en", "")).startswith("Census ")]
    counts = join.counts
    notes.append({
        "en": f"Census village populations from {path.name}: {counts['code'] + counts['exact'] + counts['fuzzy']:,} "
              f"of {counts['census']:,} census places joined to settlements; {counts['not_located_population']:,} "
              "people of the rest are not located (counted in their county and rural district only).",
        "fa": f"جمعیت آبادی‌ها از {path.name}: {counts['code'] + counts['exact'] + counts['fuzzy']:,} از "
              f"{counts['census']:,} آبادی سرشماری به سکونتگاه‌ها پیوند خورد؛ جمعیت بقیه «بدون موقعیت» است.",
    })
    new = replace(new, meta={**new.meta, "census_units": census_units, "population_notes": notes})
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    entry = {"time": _now(), "layer": "census", "file": str(path), "sha256": sha,
             "rows_read": census_report.rows_read, "rows_imported": int(joined.sum()),
             "rows_rejected": len({i.row for i in census_report.errors}), "warnings": len(census_report.warnings),
             "mode": "join", "source": path.name}
    new = replace(new, imports=pd.concat([ws.imports, pd.DataFrame([entry], columns=IMPORT_COLUMNS)],
                                         ignore_index=True))
    out.sample = new.is_sample
    return new, out


def write_match_report(result: CensusImport, path: str | Path) -> Path:
    """The full match report as a CSV (UTF-8 with BOM, so Excel shows Persian): one row per point and
    per census place left over, with status, score, both spellings and every candidate."""
    if result.join is None:
        raise InputError("no match report: no census place was read")
    m = result.join.matches.copy()
    m["candidates"] = [
        "; ".join(f"{c.get('name')} ({c.get('code') or '—'}{', ' + format(c['score'], '.0f') if c.get('score') else ''})"
                  for c in cands) if isinstance(cands, list) else ""
        for cands in m["candidates"]]
    path = Path(path)
    try:
        m.to_csv(path, index=False, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"--report {path}: cannot write ({exc.strerror})", source=str(path)) from None
    return path


def import_census(workspace: str | Path | None, path: str | Path, *, threshold: float = 90.0,
                  sheet: str | None = None, fields: dict[str, str] | None = None,
                  year: int | None = DEFAULT_CENSUS_YEAR, report: str | Path | None = None,
                  dry_run: bool = False) -> CensusImport:
    """Join a census table to the workspace's settlements and write it atomically (under the workspace lock)."""
    from siting.wslock import workspace_lock

    if not 0 <= threshold <= 100:
        raise InputError(f"--threshold {threshold}: expected a score from 0 to 100", source="--threshold")
    wpath = resolve_path(workspace)
    with workspace_lock(wpath):
        ws = Workspace.load(wpath)
        new, result = prepare_census(ws, path, threshold=threshold, sheet=sheet, fields=fields, year=year)
        result.workspace = str(wpath)
        if report is not None and result.join is not None:
            result.report_file = str(write_match_report(result, report))
        if new is not ws and not dry_run:
            new.save(wpath)
            result.written = True
    return result
