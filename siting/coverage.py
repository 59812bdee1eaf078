"""Coverage: the nearest office of each licence type for every settlement,
covered flags under the service radii, and population totals per county.

Nearest-office queries use scipy's cKDTree on coordinates in the workspace's
metric CRS (see :mod:`siting.geo`): exact Euclidean nearest neighbours in a
projection whose distances are within 0.05 % of geodesic over the province.

Population known only per county (the census), not per settlement, is
reported as ``not_located``: it is never counted as covered or uncovered.

Travel time (issue 10)
----------------------
Where the rules give a licence type the service measure ``"time"``
(:meth:`~siting.rules.config.Rules.measures`), the nearest office of that type
is the one nearest by travel time on the road network, found by ONE
multi-source search from all its serving offices
(:meth:`siting.network.WorkspaceNetwork.nearest_office_times`), and a
settlement is covered when that time is at most the type's
``service_time_min``. A settlement farther than the longest off-road leg from
every road is flagged ``off_network``; it reaches no office by road, so it is
not covered unless an office stands within that walk of it (the network's
direct off-road trip, :mod:`siting.network`). A settlement on a piece of the
network no office of the type reaches has an infinite time (``unreachable``)
and is not covered. Neither is ever dropped: both are counted in the totals.
Where the measure is ``"distance"`` nothing changes: straight-line distance
to the nearest office against the service radius.
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
from siting.rules.roads import RoadParams
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
    #: Travel time (s) to ``row[t]`` for the types (and 'any') served by travel time; ``inf`` when
    #: no office of the type is reachable. Empty when every type is served by distance.
    seconds: Mapping[str, np.ndarray] = field(default_factory=dict)


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


def covered_mask(near: NearestOffices, radii: Mapping[str, float],
                 service_times: Mapping[str, float | None] | None = None) -> dict[str, np.ndarray]:
    """Covered flags per licence type and combined ('any': covered by some type).

    A type with travel times in ``near.seconds`` is covered within its ``service_times`` minutes;
    the others within their radius (metres).
    """
    out = {}
    for t in LICENCE_TYPES:
        if t in near.seconds:
            minutes = (service_times or {}).get(t)
            if minutes is None:
                raise InputError(f"travel time for {t}: the rules give no service_time_min", source="rules")
            out[t] = near.seconds[t] <= float(minutes) * 60.0
        else:
            out[t] = near.dist[t] <= radii[t]
    out["any"] = out["urban"] | out["rural"]
    return out


@dataclass(frozen=True)
class SettlementService:
    """Nearest offices, covered flags and network status of every settlement (see :func:`settlement_service`)."""

    nearest: NearestOffices
    covered: dict[str, np.ndarray]
    #: True where the settlement is farther than the longest off-road leg from every road (None: no
    #: type is served by travel time, so the network was not used).
    off_network: np.ndarray | None
    measures: dict[str, str]


def timed_nearest(ws: Workspace, near: NearestOffices, xy: np.ndarray, time_types: tuple[str, ...],
                  seconds_and_rows: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> NearestOffices:
    """``near`` with the time-measured types replaced by their nearest office by travel time.

    ``seconds_and_rows[t]`` is (time in s, office row) per point for each type in ``time_types``. For
    those types ``dist[t]`` becomes the straight-line distance (m) to the office nearest by time.
    'any' is the faster of the two types when both are timed, else the nearer by straight line.
    """
    rows = dict(near.row)
    dist = dict(near.dist)
    seconds: dict[str, np.ndarray] = {}
    office_xy = ws.index.office_xy
    for t in time_types:
        sec, office = seconds_and_rows[t]
        rows[t] = office.astype(np.int64)
        d = np.full(len(office), np.inf)
        ok = office >= 0
        if ok.any():
            diff = office_xy[office[ok]] - xy[ok]
            d[ok] = np.hypot(diff[:, 0], diff[:, 1])
        dist[t] = d
        seconds[t] = np.asarray(sec, dtype=float)
    if len(time_types) == len(LICENCE_TYPES):
        urban_first = seconds["urban"] <= seconds["rural"]
        seconds["any"] = np.where(urban_first, seconds["urban"], seconds["rural"])
    else:
        urban_first = dist["urban"] <= dist["rural"]
    rows["any"] = np.where(urban_first, rows["urban"], rows["rural"])
    dist["any"] = np.where(urban_first, dist["urban"], dist["rural"])
    return NearestOffices(rows, dist, seconds)


def settlement_service(ws: Workspace, rules: Rules, radii: Mapping[str, float],
                       road_params: RoadParams | None = None) -> SettlementService:
    """Nearest office of each type and covered flags for every settlement, by each type's measure.

    Parameters
    ----------
    ws
        The workspace.
    rules
        Give the measure (:meth:`~siting.rules.config.Rules.measures`) and service time per type.
    radii
        Service radius per licence type (metres), for the types served by distance.
    road_params
        Road parameters for the travel-time types (default: ``siting/rules/roads.yaml``).

    Raises
    ------
    InputError
        A type is served by travel time and the workspace has no roads layer.
    """
    measures = rules.measures()
    xy = ws.index.settlement_xy
    near = nearest_offices(ws, xy)
    time_types = tuple(t for t in LICENCE_TYPES if measures[t] == "time")
    off = None
    if time_types:
        from siting.network import workspace_network

        net = workspace_network(ws, road_params)
        timed = {t: net.nearest_office_times(ws, t) for t in time_types}
        near = timed_nearest(ws, near, xy, time_types, timed)
        off = ~net.settlements.on_network
    return SettlementService(near, covered_mask(near, radii, rules.service_times()), off, dict(measures))


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
    radii, service_times, measures
        Per licence type: service radius (m), service time (minutes, None
        where the rules give none) and the measure used (``"distance"`` or
        ``"time"``).
    off_network
        Per settlement, True when it is farther than the longest off-road leg
        from every road; None when no type is served by travel time.
    """

    workspace: Workspace = field(repr=False)
    nearest: NearestOffices = field(repr=False)
    covered: Mapping[str, np.ndarray] = field(repr=False)
    by_county: pd.DataFrame
    totals: dict[str, Any]
    radii: dict[str, float]
    sample: bool
    notes: list[str]
    service_times: dict[str, float | None] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=lambda: {t: "distance" for t in LICENCE_TYPES})
    off_network: np.ndarray | None = field(default=None, repr=False)

    @property
    def uses_time(self) -> bool:
        """Whether some licence type is served by travel time."""
        return "time" in self.measures.values()

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
        for t in (*LICENCE_TYPES, "any"):
            if t in near.seconds:
                per[f"nearest_{t}_min"] = near.seconds[t] / 60.0
        if self.off_network is not None:
            per["off_network"] = self.off_network
        for t in LICENCE_TYPES:
            per[f"covered_{t}"] = self.covered[t]
        per["covered"] = self.covered["any"]
        return per

    def to_dict(self, *, include_settlements: bool = False) -> dict[str, Any]:
        out = {
            **self.totals,
            "radii_m": self.radii,
            "measures": self.measures,
            "service_times_min": self.service_times,
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
    ws: Workspace, rules: Rules | None = None, *, radii: Mapping[str, float] | None = None,
    road_params: RoadParams | None = None,
) -> CoverageResult:
    """Coverage of the workspace's settlements by its serving offices.

    Parameters
    ----------
    ws
        The workspace.
    rules
        Rules giving the service radius, service time and service measure per licence type
        (default: the rules file). A type whose measure is ``"time"`` is covered by travel time on
        the workspace's road network (see the module notes); switch every type with
        :meth:`~siting.rules.config.Rules.with_measure`.
    radii
        Service radius per licence type in metres, overriding ``rules``.
    road_params
        Road speeds and the off-road model for travel time (default: ``siting/rules/roads.yaml``).

    Raises
    ------
    InputError
        A type is served by travel time and the workspace has no roads layer.

    Examples
    --------
    >>> cov = compute_coverage(Workspace.load())          # doctest: +SKIP
    >>> cov.totals["covered_population"]                  # doctest: +SKIP
    """
    rules = rules or load_rules()
    if radii is None:
        radii = rules.radii()
    radii = {t: float(radii[t]) for t in LICENCE_TYPES}
    idx = ws.index
    s = ws.settlements
    service = settlement_service(ws, rules, radii, road_params)
    near, cov, off = service.nearest, service.covered, service.off_network

    pop = s["population"].to_numpy(dtype=float, na_value=np.nan)
    located = ~np.isnan(pop)
    popz = np.where(located, pop, 0.0)

    by_county, notes = _county_table(ws, popz, located, cov, off)
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
    times = rules.service_times()
    if off is not None:
        totals["off_network_settlements"] = int(off.sum())
        totals["off_network_population"] = round(popz[off].sum())
        unreachable = {t: ~off & ~np.isfinite(near.seconds[t]) for t in LICENCE_TYPES if t in near.seconds}
        totals["unreachable_settlements"] = {t: int(u.sum()) for t, u in unreachable.items()}
        totals["unreachable_population"] = {t: round(popz[u].sum()) for t, u in unreachable.items()}
        notes.extend(_measure_notes(service.measures, radii, times))
        if off.any():
            notes.append(f"{int(off.sum())} settlements ({round(popz[off].sum()):,} people) are off the road network "
                         "(farther than the longest off-road leg from every road): by travel time they are not "
                         "covered unless an office is within that walk.")
        for t, u in unreachable.items():
            if u.any():
                notes.append(f"{int(u.sum())} settlements ({round(popz[u].sum()):,} people) are on the road network "
                             f"but no {t} office is reachable from them: not covered by {t} offices.")
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
    return CoverageResult(ws, near, cov, by_county, totals, radii, ws.is_sample, notes, dict(times),
                          dict(service.measures), off)


def _measure_notes(measures: Mapping[str, str], radii: Mapping[str, float],
                   times: Mapping[str, float | None]) -> list[str]:
    """One note per licence type saying what decided its service."""
    out = []
    for t in LICENCE_TYPES:
        if measures[t] == "time":
            out.append(f"{t}: served within {times[t]:g} min travel time on the road network.")
        else:
            out.append(f"{t}: served within {radii[t]:,.0f} m straight-line distance.")
    return out


def _county_table(
    ws: Workspace, popz: np.ndarray, located: np.ndarray, cov: Mapping[str, np.ndarray],
    off_network: np.ndarray | None = None,
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
    if off_network is not None:
        table["off_network_settlements"] = per_county(off_network.astype(float)).round().astype(np.int64)
        table["off_network_population"] = per_county(np.where(off_network, popz, 0.0)).round().astype(np.int64)
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
