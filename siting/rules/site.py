"""The site rules, evaluated for many points at once.

One definition of each site rule (inside the region, the licence type's
settlement rule, the minimum distances to existing offices), shared by
:func:`siting.rules.validate.validate_site` (one site, with explanations) and the
optimiser's candidate filter (thousands of candidate sites), so that a site
the optimiser proposes passes validation and a site validation rejects is
never proposed.

Distances are straight lines in the workspace's metric CRS (see
:mod:`siting.geo`), as in the rules file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from siting.coverage import nearest_offices
from siting.geo import project_xy
from siting.reports.labels import POINT_PROBLEMS
from siting.rules import Rules
from siting.workspace import Workspace

# rule outcome codes in SiteChecks.status
PASS, FAIL, UNDECIDED = np.int8(1), np.int8(0), np.int8(-1)

SITE_RULE_IDS = (
    "inside_region",
    "min_distance_same_type",
    "min_distance_any_type",
    "site_in_city",
    "site_outside_city",
    "near_village",
)


@dataclass(frozen=True)
class SiteChecks:
    """The site rules of one licence type evaluated at ``n`` points.

    Attributes
    ----------
    licence_type
        'urban' or 'rural'.
    xy
        The points in the workspace's distance CRS (metres), shape (n, 2).
    inside_region
        Whether each point lies inside the region.
    dist, row
        Per key ``same_type``, ``any_type``, ``city``, ``village``: distance in
        metres to the nearest serving office of the licence type, serving
        office of any type, city, village (``inf`` when there is none) and its
        row position in ``ws.offices`` or ``ws.settlements`` (-1 when none).
    status
        Rule id -> int8 array: 1 pass, 0 fail, -1 undecided (the workspace
        lacks the data to decide, e.g. it has no cities). Only the rules that
        apply to the licence type are present.
    thresholds
        Rule id -> threshold in metres (or None).
    """

    licence_type: str
    xy: np.ndarray
    inside_region: np.ndarray
    dist: Mapping[str, np.ndarray]
    row: Mapping[str, np.ndarray]
    status: Mapping[str, np.ndarray]
    thresholds: Mapping[str, float | None]

    @property
    def passes(self) -> np.ndarray:
        """Points where no rule fails (undecided rules do not reject)."""
        ok = np.ones(len(self.xy), bool)
        for s in self.status.values():
            ok &= s != FAIL
        return ok

    def failures(self) -> dict[str, int]:
        """Number of points failing each rule (a point may fail several)."""
        return {rid: int((s == FAIL).sum()) for rid, s in self.status.items()}


def _nearest(tree: cKDTree | None, rows: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if tree is None or not len(xy):
        return np.full(len(xy), np.inf), np.full(len(xy), -1, dtype=np.int64)
    d, i = tree.query(xy, k=1, workers=_workers(len(xy)))
    return np.asarray(d, float), np.asarray(rows[i], dtype=np.int64)


def check_sites(ws: Workspace, rules: Rules, licence_type: str, lon, lat) -> SiteChecks:
    """Evaluate the site rules of ``licence_type`` at lon/lat points (WGS84).

    Parameters
    ----------
    ws
        The workspace (region, settlements, serving offices).
    rules
        The rules; ``rules.for_type(licence_type)`` gives the thresholds.
    licence_type
        'urban' or 'rural'.
    lon, lat
        Arrays of WGS84 degrees.

    Examples
    --------
    >>> from siting.samples.hand import hand_workspace
    >>> from siting.rules import load_rules
    >>> chk = check_sites(hand_workspace(), load_rules(), "urban", [59.22, 59.52], [32.87, 32.71])
    >>> chk.passes.tolist()   # Birjand city centre is too close to office U1; Mud is no city
    [False, False]
    >>> int(chk.status["site_in_city"][0]), int(chk.status["min_distance_same_type"][0])
    (1, 0)
    """
    sec = rules.for_type(licence_type)
    lon = np.atleast_1d(np.asarray(lon, float))
    lat = np.atleast_1d(np.asarray(lat, float))
    idx = ws.index
    xy = np.column_stack(project_xy(lon, lat, idx.crs.distance)) if len(lon) else np.empty((0, 2))
    n = len(xy)
    near = nearest_offices(ws, xy)
    dist = {"same_type": near.dist[licence_type], "any_type": near.dist["any"]}
    row = {"same_type": near.row[licence_type], "any_type": near.row["any"]}
    dist["city"], row["city"] = _nearest(idx.city_tree, idx.city_rows, xy)
    dist["village"], row["village"] = _nearest(idx.village_tree, idx.village_rows, xy)
    inside = ws.in_region(lon, lat) if n else np.zeros(0, bool)

    def code(ok: np.ndarray) -> np.ndarray:
        return np.where(ok, PASS, FAIL).astype(np.int8)

    # no active office at all (no office list): the distance rules are undecided, never passed;
    # offices registered but none of the kind: distance is inf and the same-type rule passes
    no_offices = idx.office_trees["any"] is None
    status: dict[str, np.ndarray] = {
        "inside_region": code(inside),
        "min_distance_same_type": np.full(n, UNDECIDED, np.int8) if no_offices
        else code(dist["same_type"] >= sec.min_distance_same_type_m),
        "min_distance_any_type": np.full(n, UNDECIDED, np.int8) if no_offices
        else code(dist["any_type"] >= sec.min_distance_any_type_m),
    }
    thresholds: dict[str, float | None] = {
        "inside_region": None,
        "min_distance_same_type": sec.min_distance_same_type_m,
        "min_distance_any_type": sec.min_distance_any_type_m,
    }
    no_cities = idx.city_tree is None
    if sec.site_in_city:
        status["site_in_city"] = (
            np.full(n, UNDECIDED, np.int8) if no_cities else code(dist["city"] <= sec.city_radius_m)
        )
        thresholds["site_in_city"] = sec.city_radius_m
    if sec.site_outside_city:
        status["site_outside_city"] = (
            np.full(n, UNDECIDED, np.int8) if no_cities else code(dist["city"] > sec.city_radius_m)
        )
        thresholds["site_outside_city"] = sec.city_radius_m
    if sec.village_max_distance_m is not None:
        status["near_village"] = (
            np.full(n, UNDECIDED, np.int8)
            if idx.village_tree is None
            else code(dist["village"] <= sec.village_max_distance_m)
        )
        thresholds["near_village"] = sec.village_max_distance_m
    return SiteChecks(licence_type, xy, inside, dist, row, status, thresholds)


def site_point_problem(ws: Workspace, lon: float, lat: float) -> str | None:
    """Why the point cannot be a proposed site: ``"outside_region"``, ``"swapped"`` (outside, but inside
    with latitude and longitude exchanged), or ``None`` when it lies inside the region.

    >>> from siting.samples.hand import hand_workspace
    >>> ws = hand_workspace()
    >>> site_point_problem(ws, 59.22, 32.87), site_point_problem(ws, 32.87, 59.22), site_point_problem(ws, 51.39, 35.69)
    (None, 'swapped', 'outside_region')
    """
    if bool(ws.in_region(lon, lat)[0]):
        return None
    if -90 <= lon <= 90 and -180 <= lat <= 180 and bool(ws.in_region(lat, lon)[0]):
        return "swapped"
    return "outside_region"


__all__ = ["FAIL", "PASS", "POINT_PROBLEMS", "SITE_RULE_IDS", "UNDECIDED", "SiteChecks", "check_sites",
           "site_point_problem"]


def _workers(n: int) -> int:
    """Threads for a tree query: all cores for a big batch, one for a few points (a thread pool per
    one-point query costs more than the query: the site check does several)."""
    return -1 if n >= 2048 else 1
