"""Coverage: the nearest office of each licence type for every settlement,
covered flags under the service radii, and population totals per county.

Nearest-office queries use scipy's cKDTree on coordinates in the workspace's
metric CRS (see :mod:`siting.geo`): exact Euclidean nearest neighbours in a
projection whose distances are within 0.05 % of geodesic over the province.

Population known only per county (the census), not per settlement, is
reported as ``not_located``: it is never counted as covered or uncovered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import InputError
from siting.rules import Rules, load_rules
from siting.vocab import LICENCE_TYPES
from siting.workspace import Workspace


@dataclass(frozen=True)
class NearestOffices:
    """Nearest serving office per licence type for a set of points (metric x/y).

    ``row[t]`` is the office's row position in ``ws.offices`` (-1 when there
    is no office of that type); ``dist[t]`` the distance in metres (inf).
    ``t`` is 'urban', 'rural' or 'any'.
    """

    row: Mapping[str, np.ndarray]
    dist: Mapping[str, np.ndarray]


def nearest_offices(ws: Workspace, xy: np.ndarray) -> NearestOffices:
    """Nearest serving office of each type, and of any type, for points ``xy`` (metres)."""
    idx = ws.index
    n = len(xy)
    rows: dict[str, np.ndarray] = {}
    dists: dict[str, np.ndarray] = {}
    for t in LICENCE_TYPES:
        tree = idx.office_trees[t]
        if tree is None or n == 0:
            rows[t] = np.full(n, -1, dtype=np.int64)
            dists[t] = np.full(n, np.inf)
            continue
        d, i = tree.query(xy, k=1, workers=_workers(len(xy)))
        rows[t] = idx.office_rows[t][i]
        dists[t] = d
    urban_closer = dists["urban"] <= dists["rural"]
    rows["any"] = np.where(urban_closer, rows["urban"], rows["rural"])
    dists["any"] = np.where(urban_closer, dists["urban"], dists["rural"])
    return NearestOffices(rows, dists)


def covered_mask(near: NearestOffices, radii: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Covered flags per licence type and combined ('any': covered by some type)."""
    out = {t: near.dist[t] <= radii[t] for t in LICENCE_TYPES}
    out["any"] = out["urban"] | out["rural"]
    return out


@dataclass(frozen=True)
class CoverageResult:
    """Coverage of every settlement and the totals per county.

    Attributes
    ----------
    nearest, covered
        Per settlement (row order of ``ws.settlements``): nearest serving
        office per type and of any type (:class:`NearestOffices`), covered
        flags per type and combined.
    by_county
        One row per county: census population, located and covered
        population, not-located population, share covered, offices by type,
        population per office.
    totals
        Province totals (see :meth:`to_dict`).
    settlements
        The per-settlement table (built on first access from ``nearest`` and
        ``covered``).
    """

    workspace: Workspace = field(repr=False)
    nearest: NearestOffices = field(repr=False)
    covered: Mapping[str, np.ndarray] = field(repr=False)
    by_county: pd.DataFrame
    totals: dict[str, Any]
    radii: dict[str, float]
    sample: bool
    notes: list[str]

    @cached_property
    def settlements(self) -> pd.DataFrame:
        """One row per settlement: nearest office per type and of any type, distance, covered flags."""
        ws, near = self.workspace, self.nearest
        s = ws.settlements
        office_ids = ws.offices["office_id"].to_numpy(dtype=object)
        office_types = ws.offices["licence_type"].to_numpy(dtype=object)

        def pick(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
            out = np.full(len(rows), None, dtype=object)
            ok = rows >= 0
            out[ok] = values[rows[ok]]
            return out

        per = pd.DataFrame({c: s[c].to_numpy(dtype=object) for c in ("code", "name_fa", "kind", "county")})
        per.insert(3, "population", s["population"].array)
        for t in (*LICENCE_TYPES, "any"):
            per[f"nearest_{t}_id"] = pick(office_ids, near.row[t])
            per[f"nearest_{t}_m"] = near.dist[t]
        per["nearest_any_type"] = pick(office_types, near.row["any"])
        for t in LICENCE_TYPES:
            per[f"covered_{t}"] = self.covered[t]
        per["covered"] = self.covered["any"]
        return per

    def to_dict(self, *, include_settlements: bool = False) -> dict[str, Any]:
        out = {
            **self.totals,
            "radii_m": self.radii,
            "sample": self.sample,
            "notes": self.notes,
            "by_county": _records(self.by_county),
        }
        if include_settlements:
            out["settlements"] = _records(self.settlements)
        return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA:
                clean[k] = None
            elif isinstance(v, np.integer):
                clean[k] = int(v)
            elif isinstance(v, np.floating):
                clean[k] = float(v)
            elif isinstance(v, np.bool_):
                clean[k] = bool(v)
            else:
                clean[k] = v
        out.append(clean)
    return out


def compute_coverage(
    ws: Workspace, rules: Rules | None = None, *, radii: Mapping[str, float] | None = None
) -> CoverageResult:
    """Coverage of the workspace's settlements by its serving offices.

    Parameters
    ----------
    ws
        The workspace.
    rules
        Rules giving the service radius per licence type (default: the rules file).
    radii
        Service radius per licence type in metres, overriding ``rules``.

    Examples
    --------
    >>> cov = compute_coverage(Workspace.load())          # doctest: +SKIP
    >>> cov.totals["covered_population"]                  # doctest: +SKIP
    """
    if radii is None:
        radii = (rules or load_rules()).radii()
    radii = {t: float(radii[t]) for t in LICENCE_TYPES}
    idx = ws.index
    s = ws.settlements
    near = nearest_offices(ws, idx.settlement_xy)
    cov = covered_mask(near, radii)

    pop = s["population"].to_numpy(dtype=float, na_value=np.nan)
    located = ~np.isnan(pop)
    popz = np.where(located, pop, 0.0)

    by_county, notes = _county_table(ws, popz, located, cov)
    not_located = float(np.nansum(by_county["not_located_population"].to_numpy(dtype=float, na_value=np.nan)))
    located_pop = float(popz.sum())
    covered_pop = float(popz[cov["any"]].sum())
    totals = {
        "total_population": round(located_pop + not_located),
        "located_population": round(located_pop),
        "covered_population": round(covered_pop),
        "uncovered_population": round(located_pop - covered_pop),
        "not_located_population": round(not_located),
        "covered_share_of_located": (covered_pop / located_pop) if located_pop > 0 else None,
        "covered_population_by_type": {t: round(popz[cov[t]].sum()) for t in LICENCE_TYPES},
        "settlements": len(s),
        "settlements_without_population": int((~located).sum()),
        "covered_settlements": int(cov["any"].sum()),
        "offices": {t: len(idx.office_rows[t]) for t in (*LICENCE_TYPES, "any")},
    }
    approx = int((ws.serving_offices()["location"] == "approximate").sum())
    if approx:
        notes.append(f"{approx} serving offices are located approximately (at the settlement their register names, "
                     "not surveyed): coverage near them is approximate.")
    if not_located > 0:
        notes.insert(
            0,
            f"{round(not_located):,} people are known only as county totals, not per settlement: "
            "they are reported as not located, neither covered nor uncovered.",
        )
    return CoverageResult(ws, near, cov, by_county, totals, radii, ws.is_sample, notes)


def _county_table(
    ws: Workspace, popz: np.ndarray, located: np.ndarray, cov: Mapping[str, np.ndarray]
) -> tuple[pd.DataFrame, list[str]]:
    c = ws.counties
    names = c["name_fa"].to_numpy(dtype=object)
    k = len(c)
    ci = ws.index.settlement_county

    def per_county(weights: np.ndarray) -> np.ndarray:
        return np.bincount(ci, weights=weights, minlength=k + 1)[:k]

    located_pop = per_county(popz)
    covered = per_county(np.where(cov["any"], popz, 0.0))
    cov_u = per_county(np.where(cov["urban"], popz, 0.0))
    cov_r = per_county(np.where(cov["rural"], popz, 0.0))
    n_settle = np.bincount(ci, minlength=k + 1)[:k]
    n_unknown = np.bincount(ci, weights=(~located).astype(float), minlength=k + 1)[:k]

    oc = ws.index.office_county
    rows = ws.index.office_rows
    n_urban = np.bincount(oc[rows["urban"]], minlength=k + 1)[:k]
    n_rural = np.bincount(oc[rows["rural"]], minlength=k + 1)[:k]

    census = c["population"].to_numpy(dtype=float, na_value=np.nan)
    unit = np.array([n if pd.isna(u) or not u else u for u, n in zip(c["census_unit"], names, strict=True)],
                    dtype=object)
    unit_located = pd.Series(located_pop).groupby(unit).transform("sum").to_numpy()
    not_located = np.where(np.isnan(census), np.nan, np.maximum(census - unit_located, 0.0))
    notes: list[str] = []
    for i in np.flatnonzero(~np.isnan(census) & (unit_located > census)):
        notes.append(
            f"{names[i]}: settlements hold {int(unit_located[i]):,} people, more than the census "
            f"population {int(census[i]):,}; not-located population set to 0."
        )
    if (ci == k).any():
        notes.append(f"{int((ci == k).sum())} settlements lie in no county; they count in the totals only.")

    population = np.where(np.isnan(census), located_pop, census)
    offices_total = n_urban + n_rural
    table = pd.DataFrame(
        {
            "county": names,
            "name_en": c["name_en"].to_numpy(dtype=object),
            "code": c["code"].to_numpy(dtype=object),
            "population": c["population"].array,
            "population_note": c["population_note"].to_numpy(dtype=object),
            "settlements": n_settle,
            "settlements_without_population": n_unknown.astype(int),
            "located_population": located_pop.round().astype(np.int64),
            "covered_population": covered.round().astype(np.int64),
            "covered_population_urban": cov_u.round().astype(np.int64),
            "covered_population_rural": cov_r.round().astype(np.int64),
            "uncovered_population": (located_pop - covered).round().astype(np.int64),
            "not_located_population": pd.array(
                [None if np.isnan(v) else round(v) for v in not_located], dtype="Int64"
            ),
            "covered_share_of_located": np.where(located_pop > 0, covered / np.where(located_pop > 0, located_pop, 1), np.nan),
            "offices_urban": n_urban,
            "offices_rural": n_rural,
            "offices_total": offices_total,
            "population_per_office": np.where(
                offices_total > 0, population / np.where(offices_total > 0, offices_total, 1), np.nan
            ),
        }
    )
    return table, notes


#: Administrative levels a coverage table can be grouped by (settlement attributes).
UNIT_LEVELS = ("county", "district", "rural_district")


def coverage_by_unit(cov: CoverageResult, level: str) -> pd.DataFrame:
    """Coverage per county, district (بخش) or rural district (دهستان).

    A settlement belongs to the unit its ``district`` / ``rural_district``
    attribute names (set from the polygon layers when present, else by the
    census join). Where the census gave the unit's population (workspace
    metadata ``census_units``, written by ``siting import census``), the
    people of its villages that match no point are its not-located
    population, as the county table does. Offices are counted per unit when
    the unit's polygons are in the workspace (by the polygon they lie in).

    One row per unit, plus a row ``None`` for settlements the level does not
    name, so the columns add up to the province totals.
    """
    if level not in UNIT_LEVELS:
        raise InputError(f"--by {level!r}: expected one of {', '.join(UNIT_LEVELS)}", source="--by")
    ws = cov.workspace
    s = ws.settlements
    pop = s["population"].to_numpy(dtype=float, na_value=np.nan)
    located = ~np.isnan(pop)
    popz = np.where(located, pop, 0.0)
    keys = ["county"] if level == "county" else ["county", level]
    frame = pd.DataFrame({k: s[k].to_numpy(dtype=object) for k in keys})
    frame["settlements"] = 1
    frame["settlements_without_population"] = (~located).astype(int)
    frame["located_population"] = popz
    frame["covered_population"] = np.where(cov.covered["any"], popz, 0.0)
    frame["covered_population_urban"] = np.where(cov.covered["urban"], popz, 0.0)
    frame["covered_population_rural"] = np.where(cov.covered["rural"], popz, 0.0)
    table = frame.groupby(keys, dropna=False, sort=True).sum().reset_index()
    for c in ("located_population", "covered_population", "covered_population_urban", "covered_population_rural"):
        table[c] = table[c].round().astype(np.int64)
    table["uncovered_population"] = table["located_population"] - table["covered_population"]
    loc = table["located_population"].to_numpy(float)
    table["covered_share_of_located"] = np.where(loc > 0, table["covered_population"] / np.where(loc > 0, loc, 1),
                                                 np.nan)
    census = (ws.meta.get("census_units") or {}).get(level) or {}
    if census:
        from siting.io.placejoin import scope_key

        def unit_key(row: pd.Series) -> str:  # as siting.io.population.unit_key
            return "|".join(scope_key(row[k]) for k in keys)
        pops = [census.get(unit_key(r)) for _, r in table.iterrows()]
        table["census_population"] = pd.array(pops, dtype="Int64")
        table["not_located_population"] = pd.array(
            [None if p is None else max(int(p) - int(lp), 0) for p, lp in zip(pops, table["located_population"],
                                                                         strict=True)], dtype="Int64")
    layer = {"district": "districts", "rural_district": "rural_districts"}.get(level)
    if layer and len(getattr(ws, layer)) and len(ws.offices):
        serving = ws.serving_offices()
        names = ws.unit_of(layer, serving.geometry.x.to_numpy(), serving.geometry.y.to_numpy())
        counts = pd.Series(names, dtype=object).value_counts()
        table["offices"] = [int(counts.get(u, 0)) if isinstance(u, str) else None for u in table[level]]
    return table


def _workers(n: int) -> int:
    """Threads for a tree query: all cores for a big batch, one for a few points (a thread pool per
    one-point query costs more than the query: the site check does several)."""
    return -1 if n >= 2048 else 1
