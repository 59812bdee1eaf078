"""spopt.locate as the independent reference: the same instance, built with its own dense model.

spopt 0.7 (PuLP 3.3.2) solves with HiGHS through PuLP. After solving we read
``problem.sol_status`` (PuLP's "Optimal" status string also follows a time
limit, FIELD-NOTES), and require a proven optimum.

Existing offices enter spopt as predefined facilities (fixed to 1), which count
towards its ``p``; our model keeps them outside the ``k`` new sites and
reports the population *newly* covered. So for MCLP: ours + covered_before ==
spopt; for LSCP: ours + n_existing == spopt. Conflict constraints (chosen sites
at least the minimum distance apart) are added to spopt's own PuLP problem.
"""

from __future__ import annotations

import warnings

import numpy as np
import pulp

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from spopt.locate import LSCP, MCLP, PMedian


def _solve(model) -> float:
    model.solve(pulp.HiGHS(msg=False, timeLimit=60))
    assert model.problem.sol_status == pulp.LpSolutionOptimal, "spopt did not prove optimality"
    return float(pulp.value(model.problem.objective))


def _facilities(cost: np.ndarray, existing_cost: np.ndarray | None):
    """Columns: existing offices first (predefined), then the candidates."""
    if existing_cost is None or existing_cost.shape[1] == 0:
        return cost, None, 0
    full = np.hstack([existing_cost, cost])
    pre = np.r_[np.ones(existing_cost.shape[1]), np.zeros(cost.shape[1])].astype(int)
    return full, pre, existing_cost.shape[1]


def _add_conflicts(model, conflicts, offset: int) -> None:
    for a, b in np.asarray(conflicts, int).reshape(-1, 2):
        model.problem += model.fac_vars[offset + a] + model.fac_vars[offset + b] <= 1


def spopt_mclp(cost, weights, radius, k, existing_cost=None, conflicts=()) -> float:
    """spopt's optimal covered population (existing offices included)."""
    full, pre, e = _facilities(np.asarray(cost, float), existing_cost)
    m = MCLP.from_cost_matrix(full, np.asarray(weights, float), radius, p_facilities=k + e,
                              predefined_facilities_arr=pre)
    _add_conflicts(m, conflicts, e)
    return _solve(m)


def spopt_lscp(cost, radius, existing_cost=None, conflicts=()) -> float:
    """spopt's optimal number of facilities (existing offices included)."""
    full, pre, e = _facilities(np.asarray(cost, float), existing_cost)
    m = LSCP.from_cost_matrix(full, radius, predefined_facilities_arr=pre)
    _add_conflicts(m, conflicts, e)
    return _solve(m)


def spopt_pmedian(cost, weights, k, existing_cost=None) -> float:
    """spopt's optimal population-weighted total distance (existing offices included)."""
    full, pre, e = _facilities(np.asarray(cost, float), existing_cost)
    m = PMedian.from_cost_matrix(full, np.asarray(weights, float), p_facilities=k + e,
                                 predefined_facilities_arr=pre)
    return _solve(m)


def workspace_matrices(ws, problem, rules):
    """spopt's inputs for a problem prepared from a workspace, computed independently.

    Distances: scipy's dense cdist on the same projected coordinates (ours
    come from k-d tree range queries). Existing offices of the other licence
    type cover within their own radius: their distances are scaled so that
    cost <= radius exactly when they are within it. spopt gets only the
    candidates that reach someone no existing office covers (the others
    cannot change its optimum) and the conflict pairs among them.

    Returns cost, existing cost, weights, conflicts (positions in the kept
    candidates) and the kept candidates' positions in ``problem.sites``.
    """
    from scipy.spatial.distance import cdist

    from siting.geo import project_xy

    crs = ws.metric_crs.distance
    dxy = np.column_stack(project_xy(problem.demand["lon"], problem.demand["lat"], crs))
    sxy = np.column_stack(project_xy(problem.sites["lon"], problem.sites["lat"], crs))
    o = ws.serving_offices()
    oxy = np.column_stack(project_xy(o.geometry.x, o.geometry.y, crs))
    radius = problem.radius
    own = {t: rules.for_type(t).service_radius_m for t in ("urban", "rural")}
    own[problem.licence_type] = radius
    scale = np.array([radius / own[t] for t in o["licence_type"]])
    ex = cdist(dxy, oxy) * scale
    cost = cdist(dxy, sxy)
    uncovered = ~(ex <= radius).any(axis=1)
    useful = np.flatnonzero((cost[uncovered] <= radius).any(axis=0))
    pos = np.full(len(sxy), -1)
    pos[useful] = np.arange(len(useful))
    conf = pos[problem.conflicts] if len(problem.conflicts) else np.empty((0, 2), int)
    conf = conf[(conf >= 0).all(axis=1)] if len(conf) else conf
    return cost[:, useful], ex, problem.weights, conf, useful


def spopt_pcenter(cost, k, existing_cost=None) -> float:
    """spopt's optimal largest distance from a demand point to its facility (existing offices
    included as predefined facilities)."""
    from spopt.locate import PCenter

    full, pre, e = _facilities(np.asarray(cost, float), existing_cost)
    m = PCenter.from_cost_matrix(full, p_facilities=k + e, predefined_facilities_arr=pre)
    return _solve(m)


def spopt_capacitated_pmedian(cost, weights, k, capacities, existing_cost=None) -> float:
    """spopt's optimal capacitated p-median cost (single sourcing). Existing offices are predefined
    facilities with a capacity of the whole population (ours keep them without a limit)."""
    full, pre, e = _facilities(np.asarray(cost, float), existing_cost)
    w = np.asarray(weights, float)
    caps = np.r_[np.full(e, w.sum()), np.asarray(capacities, float)]
    m = PMedian.from_cost_matrix(full, w, p_facilities=k + e, predefined_facilities_arr=pre,
                                 facility_capacities=caps)
    return _solve(m)
