"""From a workspace to a :class:`~siting.optimize.model.SitingProblem`: the one preparation step.

* demand: the settlements with a known population above zero (population
  known only per county cannot be placed within a radius and is left out,
  as in :mod:`siting.coverage`);
* candidates: settlements, H3 gap cells or a file, filtered by the site rules
  of the licence type (:mod:`siting.rules.site`);
* existing offices: the serving offices of both types, kept; a settlement is
  covered today when it is within the service radius of an office of either
  type (each type with its own radius), as in :func:`siting.coverage.compute_coverage`;
* distances: straight-line metres in the workspace's metric CRS, a
  user's origin-destination cost matrix, or (``measure="time"``) travel times in minutes on the
  workspace's road network: one bounded search per candidate
  (:func:`siting.network.cost_matrix`, sparse), trips from each settlement to the candidate;
  existing offices then cover within their type's service time (or radius, for a type the
  rules still measure by distance). A settlement off the network is covered by nothing it cannot
  reach and is reported in the notes, never dropped;
* conflicts: candidate pairs closer than the licence type's minimum distance
  between offices of the same type (always straight-line metres, as the rules
  are written in metres).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from siting.coverage import covered_mask, nearest_offices
from siting.errors import InputError
from siting.geo import project_xy
from siting.optimize.candidates import candidate_sites, filter_by_rules
from siting.optimize.costs import CostMatrix, norm_id, read_cost_matrix
from siting.optimize.model import (
    EuclideanDistances,
    MatrixDistances,
    Pairs,
    SitingProblem,
    assemble_problem,
    positive_number,
    separation_conflicts,
)
from siting.optimize.result import SAMPLE_LABEL
from siting.rules import Rules, load_rules
from siting.vocab import LICENCE_TYPES, parse_licence_type
from siting.workspace import Workspace


def _ids(codes, prefix: str) -> list[str]:
    return [str(c) if c not in (None, "") else f"{prefix}-{k + 1}" for k, c in enumerate(codes)]


def _listing(ids: list[str], limit: int = 5) -> str:
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def problem_from_workspace(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    licence_type: str,
    candidates: Any = "settlements",
    costs: str | os.PathLike[str] | CostMatrix | None = None,
    radius: float | None = None,
    existing_radii: Mapping[str, float] | None = None,
    population_rule: bool = False,
    measure: str | None = None,
    time_bound_min: float | None = None,
    fixed: Sequence[Any] | None = None,
) -> SitingProblem:
    """Prepare a siting instance from a workspace.

    Parameters
    ----------
    ws
        The workspace (settlements with population, serving offices, region).
    rules
        Site rules and service radii (default: the rules file).
    licence_type
        The type of the new offices ('urban', 'rural', or what people write:
        'شهری', 'ICT روستایی').
    candidates
        ``"settlements"``, ``"h3"``, ``"h3:RES"``, a file path, or a DataFrame
        with lon/lat (see :mod:`siting.optimize.candidates`).
    costs
        An origin-destination cost matrix (CSV path or :class:`CostMatrix`)
        replacing straight-line distances; ``radius`` is then required, in
        the matrix's unit.
    radius
        Service radius of the licence type. Straight-line: metres (default:
        the rules'); it applies to the new sites and to the existing offices
        of that type. With ``costs``: in the matrix's unit.
    existing_radii
        With ``costs``: the radius of existing offices per licence type, in
        the matrix's unit. Default: ``radius`` for the planned type and, for
        the other type, ``radius`` scaled by the ratio of the rules' radii
        (a road-distance matrix in metres then gets exactly the rules' radii).
    population_rule
        Also apply the rule ``min_uncovered_population``: keep only candidates
        that alone would newly cover at least that many people (measured with
        the scenario's distances and radius), as validation requires of a
        single proposal.
    measure
        ``"distance"`` or ``"time"``: serve by straight-line distance or by travel time on the road
        network, for every licence type (:meth:`~siting.rules.Rules.with_measure`). Default: what
        the rules file says per type (``service_measure``); the planned type's measure decides the
        costs. With time, costs and ``radius`` are minutes (``radius`` defaults to the type's
        ``service_time_min``), and a ``costs`` matrix cannot be given as well.
    time_bound_min
        With time: the searches stop at this many minutes (default: the service time, all the
        cover models need). Pairs farther apart are unreachable for the model; give p-median a
        larger bound (:class:`~siting.optimize.scenarios.Scenario` gives it four times the service
        time).
    fixed
        Ids of candidate sites to keep open, as if they were offices of the planned type already
        (a proposal the working group approved, say): they must be among the candidates and pass
        the site rules; they serve within the planned type's radius, count among the kept sites
        (``p`` counts them, ``k`` does not), and candidates closer to them than the minimum
        distance are left out.

    Raises
    ------
    InputError
        For an unknown licence type, no demand, no candidate passing the
        rules, or a cost matrix lacking ids (naming the file and the ids); travel time asked
        without a roads layer, without service times, or together with a cost matrix.
    """
    t0 = time.perf_counter()
    rules = rules or load_rules()
    try:
        ltype = parse_licence_type(licence_type)
    except ValueError as exc:
        raise InputError(f"--type: {exc}") from None
    if measure is not None:
        rules = _with_measure(rules, measure)
    sec = rules.for_type(ltype)
    by_time = sec.service_measure == "time"
    if by_time and costs is not None:
        raise InputError("measure: travel time computes its own costs on the road network; give either "
                         "--measure time or --costs, not both")
    if by_time and existing_radii is not None:
        raise InputError("existing radius: only with a cost matrix (--costs); with travel time, existing offices "
                         "serve within their type's service_time_min")
    crs = ws.metric_crs.distance
    notes: list[str] = []
    if ws.is_sample:
        notes.append(f"Workspace data: {SAMPLE_LABEL}.")

    # demand -------------------------------------------------------------
    s = ws.settlements
    pop = s["population"].to_numpy(dtype=float, na_value=np.nan)
    has = np.isfinite(pop) & (pop > 0)
    if not has.any():
        raise InputError(
            f"no demand: none of the {len(s)} settlements in the workspace has a known population "
            "above zero; import settlements with population first"
        )
    unknown = int(np.isnan(pop).sum())
    if unknown:
        notes.append(f"{unknown} settlements without a known population are not counted as demand.")
    ds = s[has]
    demand = pd.DataFrame({
        "id": pd.array(_ids(ds["code"], "settlement"), dtype=object),
        "name": pd.array(ds["name_fa"].tolist(), dtype=object),
        "county": pd.array(ds["county"].tolist(), dtype=object),
        "lon": ds.geometry.x.to_numpy(),
        "lat": ds.geometry.y.to_numpy(),
        "population": pop[has],
    })
    dxy = np.column_stack(project_xy(demand["lon"].to_numpy(), demand["lat"].to_numpy(), crs))

    # radii --------------------------------------------------------------
    other = next(t for t in LICENCE_TYPES if t != ltype)
    if by_time:
        R = positive_number(radius if radius is not None else sec.service_time_min, "radius (minutes)")
        if radius is not None:
            rules = rules.with_overrides({ltype: {"service_time_min": R}})
        radii = dict(rules.radii())
    elif costs is None:
        radii = dict(rules.radii())
        if radius is not None:
            radii[ltype] = positive_number(radius, "radius")
        R = radii[ltype]
    else:
        if radius is None:
            raise InputError("radius: required with a cost matrix (--radius, in the matrix's unit)")
        R = positive_number(radius, "radius")
        if existing_radii is None:
            ratio = rules.for_type(other).service_radius_m / sec.service_radius_m
            radii = {ltype: R, other: R * ratio}
            notes.append(f"Existing {other} offices cover within {R * ratio:g} (the {ltype} radius scaled "
                         "by the ratio of the rules' radii); set existing_radii to change it.")
        else:
            radii = {t: positive_number(existing_radii.get(t, R), f"existing radius {t}") for t in LICENCE_TYPES}
            radii[ltype] = R
    if R <= 0:
        raise InputError(f"radius must be a positive number, got {radius!r}")

    # candidates ---------------------------------------------------------
    all_sites, source = candidate_sites(ws, rules, ltype, candidates,
                                        radii=radii if costs is None and not by_time else None)
    if not len(all_sites):
        raise InputError(f"no candidate sites: {source} gave none")
    sites, _, rejected = filter_by_rules(ws, rules, ltype, all_sites)
    if not len(sites):
        why = ", ".join(f"{rid}: {n}" for rid, n in rejected.items())
        raise InputError(f"no candidate site passes the site rules for {ltype} offices "
                         f"({len(all_sites)} candidates from {source}; rejected by {why})")
    sxy = np.column_stack(project_xy(sites["lon"].to_numpy(), sites["lat"].to_numpy(), crs))

    # distances and existing offices ---------------------------------------
    cover_count = None  # offices within reach of each settlement (backup coverage), where known
    if by_time:
        bound = R if time_bound_min is None else positive_number(time_bound_min, "time bound (minutes)")
        distances, existing_cost, existing_covered, more = _time_inputs(ws, rules, has, sites, max(bound, R))
        notes.extend(more)
        if source.startswith("H3 cells"):
            notes.append("H3 candidate cells come from the gap regions by straight-line radius; their coverage "
                         "is then measured by travel time.")
    elif costs is None:
        distances = EuclideanDistances(dxy, sxy, unit="m",
                                       description="straight-line metres in the workspace's metric CRS")
        near = nearest_offices(ws, dxy)
        existing_cost = near.dist["any"]
        existing_covered = covered_mask(near, radii)["any"]
        cover_count = np.zeros(len(dxy), np.int64)
        for t in LICENCE_TYPES:
            tree = ws.index.office_trees[t]
            if tree is not None and len(dxy):
                cover_count += np.asarray(tree.query_ball_point(dxy, radii[t], return_length=True), np.int64)
        notes.append("Distances: straight lines in metres (workspace metric CRS).")
    else:
        cm = costs if isinstance(costs, CostMatrix) else read_cost_matrix(costs)
        distances, existing_cost, existing_covered = _matrix_inputs(ws, cm, demand, sites, radii)
        notes.append(f"Costs: origin-destination matrix {cm.source} ({cm.layout} layout"
                     + (f", unit {cm.unit}" if cm.unit else "") + "); minimum distances between "
                     "offices stay straight-line metres.")

    # the population rule ---------------------------------------------------
    if population_rule:
        p = distances.within(R)
        w = demand["population"].to_numpy(float)
        gain = np.bincount(p.j, weights=w[p.i] * ~existing_covered[p.i], minlength=len(sites))
        keep = gain >= sec.min_uncovered_population
        if (~keep).any():
            rejected["min_uncovered_population"] = int((~keep).sum())
        if not keep.any():
            raise InputError(f"no candidate site alone newly covers {sec.min_uncovered_population:,} people "
                             "(the min_uncovered_population rule)")
        sites, sxy = sites[keep].reset_index(drop=True), sxy[keep]
        distances = _subset_sites(distances, np.flatnonzero(keep))

    notes.append(f"Candidates: {source}; {len(sites)} of {len(all_sites)} pass the site rules.")
    conflicts = separation_conflicts(sxy, sec.min_distance_same_type_m)
    fixed_labels: tuple[Any, ...] = ()
    if fixed is not None and len(fixed):
        fix = _fixed_sites(fixed, sites, all_sites, source)
        fixed_labels = tuple(sites["id"].iat[f] for f in fix)
        near, _ = distances.nearest_among(fix)
        existing_cost = np.minimum(existing_cost, near)
        existing_covered = existing_covered | (near <= R)
        if cover_count is not None:
            p = distances.within(R)
            cover_count = cover_count + np.bincount(p.i[np.isin(p.j, fix)], minlength=len(cover_count))
        keep = np.ones(len(sites), bool)
        keep[fix] = False
        barred = np.setdiff1d(np.r_[conflicts[np.isin(conflicts[:, 0], fix), 1],
                                    conflicts[np.isin(conflicts[:, 1], fix), 0]], fix)
        keep[barred] = False
        if len(barred):
            notes.append(f"{len(barred)} candidate sites closer than {sec.min_distance_same_type_m:g} m to a "
                         f"kept site are left out: {_listing([str(v) for v in sites['id'].iloc[barred]])}.")
        notes.append(f"Kept open (fixed): {_listing([str(v) for v in fixed_labels])}.")
        sites, sxy = sites[keep].reset_index(drop=True), sxy[keep]
        distances = _subset_sites(distances, np.flatnonzero(keep))
        conflicts = separation_conflicts(sxy, sec.min_distance_same_type_m)
        if not len(sites):
            raise InputError("fixed: no candidate site is left once the kept sites and those too close to "
                             "them are set aside")
    return assemble_problem(
        demand=demand,
        sites=sites,
        distances=distances,
        radius=R,
        existing_cost=existing_cost,
        existing_covered=existing_covered,
        conflicts=conflicts,
        licence_type=ltype,
        min_separation_m=float(sec.min_distance_same_type_m),
        candidates_total=len(all_sites),
        rejected=rejected,
        existing_offices=len(ws.index.office_rows["any"]) + len(fixed_labels),
        fixed=fixed_labels,
        existing_cover_count=cover_count,
        notes=tuple(notes),
        sample=ws.is_sample,
        prepare_seconds=time.perf_counter() - t0,
    )


def _fixed_sites(fixed: Sequence[Any], sites: pd.DataFrame, all_sites: pd.DataFrame, source: str) -> np.ndarray:
    """Positions in ``sites`` of the ``fixed`` ids (read as :func:`~siting.optimize.costs.norm_id` does),
    or an error naming the first id that is no candidate or fails the site rules."""
    pos = {norm_id(v): i for i, v in enumerate(sites["id"].tolist())}
    known = {norm_id(v) for v in all_sites["id"].tolist()}
    out = []
    for v in fixed:
        key = norm_id(v)
        if key not in pos:
            why = "fails the site rules" if key in known else f"is not a candidate site ({source})"
            raise InputError(f"fixed: site {v!r} {why}; a kept site must be a candidate passing the rules")
        out.append(pos[key])
    return np.unique(np.asarray(out, np.int64))


def _with_measure(rules: Rules, measure: str) -> Rules:
    from siting.errors import RulesError

    try:
        return rules.with_measure(measure)
    except RulesError as exc:
        raise InputError(f"measure: {exc}") from None


def _time_inputs(ws: Workspace, rules: Rules, has: np.ndarray, sites: pd.DataFrame, bound_min: float):
    """Travel-time costs (minutes) between the demand settlements (mask ``has``) and the candidate sites,
    and what the existing offices do for the demand, each type by its own measure."""
    from siting.network import attach, cost_matrix, workspace_network
    from siting.travel import served_today

    net = workspace_network(ws)
    rows = np.flatnonzero(has)
    demand_att = net.settlements.subset(rows)
    cand_att = attach(net.graph, sites["lon"].to_numpy(float), sites["lat"].to_numpy(float), net.params)
    m = cost_matrix(net.graph, demand_att, cand_att, max_time_s=bound_min * 60.0, to_candidates=True).tocoo()
    distances = MatrixDistances(Pairs.of(m.row, m.col, m.data / 60.0), len(rows), len(sites), unit="min",
                                description="travel time on the road network (minutes)")
    today = served_today(ws, rules, rows, net=net, times=True)
    notes = [f"Costs: travel time in minutes on the road network (trips from each settlement to the site), "
             f"searched up to {bound_min:g} min; pairs farther apart count as unreachable. Minimum distances "
             "between offices stay straight-line metres."]
    off = ~demand_att.on_network
    if off.any():
        pop = float(ws.settlements["population"].to_numpy(dtype=float, na_value=np.nan)[rows[off]].sum())
        names = [str(v) for v in ws.settlements["name_fa"].to_numpy(dtype=object)[rows[off]]]
        notes.append(f"{int(off.sum())} settlements ({pop:,.0f} people) are off the road network (farther than "
                     f"{net.params.max_offroad_m:g} m from every road): no office reaches them by road and they "
                     f"count as uncovered unless one is within walking reach: {_listing(names)}.")
    c_off = ~cand_att.on_network
    if c_off.any():
        notes.append(f"{int(c_off.sum())} candidate sites are off the road network: they reach only places "
                     f"within {net.params.max_offroad_m:g} m: {_listing([str(v) for v in sites['id'][c_off]])}.")
    return distances, today.time_s / 60.0, today.covered, notes


def _subset_sites(distances, keep: np.ndarray):
    if isinstance(distances, EuclideanDistances):
        return EuclideanDistances(distances.demand_xy, distances.site_xy[keep], distances.unit,
                                  distances.description)
    pos = np.full(distances.n_sites, -1, np.int64)
    pos[keep] = np.arange(len(keep))
    p = distances.pairs
    sel = pos[p.j] >= 0
    return MatrixDistances(Pairs.of(p.i[sel], pos[p.j[sel]], p.cost[sel]), distances.n_demand, len(keep),
                           distances.unit, distances.description)


def _matrix_inputs(ws: Workspace, cm: CostMatrix, demand: pd.DataFrame, sites: pd.DataFrame,
                   radii: Mapping[str, float]):
    """Distances and existing-office coverage from a cost matrix, checking every id is in it."""
    d_ids = demand["id"].tolist()
    dup = pd.Series([norm_id(v) for v in d_ids]).duplicated()
    if dup.any():
        raise InputError(f"settlements: code {d_ids[int(np.flatnonzero(dup)[0])]} is used by several "
                         "settlements; codes must be unique to match a cost matrix")
    missing = cm.missing(d_ids, "origin")
    if missing:
        raise InputError(f"{cm.source}: {len(missing)} settlements with population are not origins in the "
                         f"matrix: {_listing(missing)}")
    s_ids = sites["id"].tolist()
    missing = cm.missing(s_ids, "destination")
    if missing:
        raise InputError(f"{cm.source}: {len(missing)} candidate sites (passing the rules) are not "
                         f"destinations in the matrix: {_listing(missing)}")
    i, j, c = cm.submatrix(d_ids, s_ids)
    distances = MatrixDistances(Pairs.of(i, j, c), len(d_ids), len(s_ids), unit=cm.unit,
                                description=f"cost matrix {cm.source}")
    rows = ws.index.office_rows["any"]
    o = ws.offices.iloc[rows]
    o_ids = _ids(o["office_id"], "office")
    n = len(d_ids)
    existing_cost = np.full(n, np.inf)
    existing_covered = np.zeros(n, bool)
    if len(o_ids):
        missing = cm.missing(o_ids, "destination")
        if missing:
            raise InputError(f"{cm.source}: {len(missing)} serving offices are not destinations in the "
                             f"matrix: {_listing(missing)}")
        oi, oj, oc = cm.submatrix(d_ids, o_ids)
        np.minimum.at(existing_cost, oi, oc)
        otype = o["licence_type"].to_numpy(dtype=object)
        radius_of = np.array([radii[t] for t in otype], float)
        hit = oc <= radius_of[oj]
        existing_covered[oi[hit]] = True
    return distances, existing_cost, existing_covered


__all__ = ["problem_from_workspace"]
