"""The numeric core: a siting instance as numpy arrays and sparse matrices.

A :class:`SitingProblem` holds the demand points (population weights), the
candidate sites, a distance source between them (straight-line metres in a
projected CRS, or a user's origin-destination cost matrix), what the
existing offices already do for each demand point (its cost to the nearest
one, and whether one covers it) and the pairs of candidates too close to be
chosen together.

Memory grows with the demand-candidate pairs in range, never with
demand x candidates: pairs come from k-d tree range queries
(:meth:`scipy.spatial.cKDTree.sparse_distance_matrix`) or from the cost
matrix's own entries.

Every constructor ends in one preparation helper, :func:`assemble_problem`, which
checks the inputs once for all models (spopt copies its preparation into
each model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from siting.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd



@dataclass(frozen=True)
class Pairs:
    """Demand-site pairs ``(i, j)`` with their cost, sorted by ``i`` then cost."""

    i: np.ndarray
    j: np.ndarray
    cost: np.ndarray

    @classmethod
    def of(cls, i, j, cost) -> Pairs:
        i = np.asarray(i, np.int64)
        j = np.asarray(j, np.int64)
        cost = np.asarray(cost, float)
        order = np.lexsort((j, cost, i))
        return cls(i[order], j[order], cost[order])

    def __len__(self) -> int:
        return len(self.i)

    def select(self, mask: np.ndarray) -> Pairs:
        return Pairs(self.i[mask], self.j[mask], self.cost[mask])


class DistanceSource(Protocol):
    """Costs between ``n_demand`` demand points and ``n_sites`` candidate sites."""

    @property
    def n_demand(self) -> int: ...

    @property
    def n_sites(self) -> int: ...

    @property
    def unit(self) -> str: ...

    @property
    def description(self) -> str: ...

    def within(self, radius: float) -> Pairs:
        """All pairs with cost <= radius."""

    def nearest(self, count: int) -> tuple[Pairs, np.ndarray]:
        """Up to ``count`` cheapest sites per demand point, and the next cost (inf if none)."""

    def nearest_among(self, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cost to, and position in ``sites`` of, the cheapest of ``sites`` per demand point."""


@dataclass(frozen=True)
class EuclideanDistances:
    """Straight-line distances between projected points (metres or the CRS unit)."""

    demand_xy: np.ndarray
    site_xy: np.ndarray
    unit: str = "m"
    description: str = "straight-line distance in a projected CRS"

    @property
    def n_demand(self) -> int:
        return len(self.demand_xy)

    @property
    def n_sites(self) -> int:
        return len(self.site_xy)

    @cached_property
    def _demand_tree(self) -> cKDTree:
        return cKDTree(self.demand_xy)

    @cached_property
    def _site_tree(self) -> cKDTree:
        return cKDTree(self.site_xy)

    def within(self, radius: float) -> Pairs:
        if not self.n_demand or not self.n_sites:
            return Pairs.of([], [], [])
        m = self._demand_tree.sparse_distance_matrix(self._site_tree, radius, output_type="ndarray")
        return Pairs.of(m["i"], m["j"], m["v"])

    def nearest(self, count: int) -> tuple[Pairs, np.ndarray]:
        n, m = self.n_demand, self.n_sites
        count = min(count, m)
        if not n or not count:
            return Pairs.of([], [], []), np.full(n, np.inf)
        d, j = self._site_tree.query(self.demand_xy, k=min(count + 1, m), workers=-1)
        d, j = d.reshape(n, -1), j.reshape(n, -1)
        nxt = d[:, count] if d.shape[1] > count else np.full(n, np.inf)
        i = np.repeat(np.arange(n), count)
        return Pairs.of(i, j[:, :count].ravel(), d[:, :count].ravel()), nxt

    def nearest_among(self, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sites = np.asarray(sites, np.int64)
        if not len(sites):
            return np.full(self.n_demand, np.inf), np.full(self.n_demand, -1, np.int64)
        d, k = cKDTree(self.site_xy[sites]).query(self.demand_xy, k=1, workers=-1)
        return np.asarray(d, float), np.asarray(k, np.int64)


@dataclass(frozen=True)
class MatrixDistances:
    """Costs given pair by pair (an origin-destination matrix); absent pairs are unreachable."""

    pairs: Pairs
    n_demand: int
    n_sites: int
    unit: str = ""
    description: str = "origin-destination cost matrix"

    def within(self, radius: float) -> Pairs:
        return self.pairs.select(self.pairs.cost <= radius)

    def nearest(self, count: int) -> tuple[Pairs, np.ndarray]:
        p = self.pairs  # sorted by i, then cost
        first = np.searchsorted(p.i, np.arange(self.n_demand))
        rank = np.arange(len(p)) - first[p.i]
        nxt = np.full(self.n_demand, np.inf)
        at = rank == count
        nxt[p.i[at]] = p.cost[at]
        return p.select(rank < count), nxt

    def nearest_among(self, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sites = np.asarray(sites, np.int64)
        pos = np.full(self.n_sites, -1, np.int64)
        pos[sites] = np.arange(len(sites))
        p = self.pairs.select(pos[self.pairs.j] >= 0)
        best = np.full(self.n_demand, np.inf)
        which = np.full(self.n_demand, -1, np.int64)
        # pairs are sorted by i then cost: the first pair of each i is its cheapest
        first = np.r_[True, p.i[1:] != p.i[:-1]] if len(p) else np.zeros(0, bool)
        best[p.i[first]] = p.cost[first]
        which[p.i[first]] = pos[p.j[first]]
        return best, which


@dataclass(frozen=True)
class SitingProblem:
    """A prepared siting instance shared by MCLP, LSCP and p-median.

    Attributes
    ----------
    demand
        One row per demand point: ``id``, ``name``, ``county``, ``lon``,
        ``lat``, ``population`` (the weight, >= 0).
    sites
        One row per candidate site: ``id``, ``name``, ``county``, ``lon``,
        ``lat``, ``source``.
    distances
        Costs between demand points and candidate sites.
    radius
        Service radius of a new site, in the unit of ``distances``; ``None``
        when the instance was built without one (p-median needs none; MCLP and
        LSCP refuse such an instance, and coverage figures are then ``None``).
    existing_cost
        Cost from each demand point to its nearest existing office (``inf``
        when none reaches it).
    existing_covered
        Whether an existing office already covers each demand point (all
        ``False`` without a radius).
    conflicts
        ``(E, 2)`` candidate positions that may not both be chosen (closer
        than the minimum distance between offices of the same type).
    licence_type
        The licence type planned ('urban', 'rural'), or ``None``.
    min_separation_m
        The minimum distance between chosen sites that made ``conflicts``.
    candidates_total, rejected
        Candidates before the site rules, and how many each rule rejected.
    notes
        Facts a reader of the results should know (sample data, unit, ...).
    sample
        True when any input is sample (synthetic) data.
    existing_offices
        How many offices are kept open: existing offices plus the ``fixed``
        sites. A spopt-style ``p`` counts them (``k = p - existing_offices``).
    fixed
        Labels of the candidate columns given as ``fixed=`` (kept open, acting
        as existing offices; they are not candidates any more).
    """

    demand: pd.DataFrame
    sites: pd.DataFrame
    distances: DistanceSource
    radius: float | None
    existing_cost: np.ndarray
    existing_covered: np.ndarray
    conflicts: np.ndarray
    licence_type: str | None = None
    min_separation_m: float = 0.0
    candidates_total: int | None = None
    rejected: Mapping[str, int] = field(default_factory=dict)
    existing_offices: int = 0
    #: How many existing offices cover each demand point (backup coverage); ``None`` when only
    #: ``existing_covered`` is known (then an existing office counts once at most).
    existing_cover_count: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    sample: bool = False
    prepare_seconds: float = 0.0
    fixed: tuple[Any, ...] = ()

    # -- derived ------------------------------------------------------------
    @property
    def unit(self) -> str:
        return self.distances.unit

    @property
    def weights(self) -> np.ndarray:
        return self.demand["population"].to_numpy(float)

    @property
    def n_demand(self) -> int:
        return len(self.demand)

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def total_population(self) -> float:
        return float(self.weights.sum())

    @property
    def covered_before(self) -> float:
        """Population within the radius of an existing office (0 without a radius: results then
        report coverage as ``None``, not applicable)."""
        return float(self.weights[self.existing_covered].sum())

    def require_radius(self, model: str) -> float:
        """The service radius, or :class:`InputError` saying that ``model`` needs one."""
        if self.radius is None:
            raise InputError(
                f"{model} needs a service radius: build the problem with radius=... "
                f"(in the cost unit{' ' + repr(self.unit) if self.unit else ''}); only p-median works without one"
            )
        return self.radius

    @cached_property
    def cover(self) -> sp.csr_matrix:
        """``(n_demand, n_sites)`` 0/1 matrix: site ``j`` covers demand ``i`` (cost <= radius)."""
        p = self.distances.within(self.require_radius("a coverage matrix"))
        return sp.csr_matrix(
            (np.ones(len(p), np.int8), (p.i, p.j)), shape=(self.n_demand, self.n_sites)
        )

    @cached_property
    def penalty(self) -> float:
        """Cost counted (by p-median) for a demand point that no office reaches: the largest
        finite cost in the instance. Straight-line distances reach every site, so this only
        matters for cost matrices with absent pairs."""
        top = [0.0]
        finite = self.existing_cost[np.isfinite(self.existing_cost)]
        if len(finite):
            top.append(float(finite.max()))
        pairs = getattr(self.distances, "pairs", None)
        if pairs is not None and len(pairs):
            top.append(float(pairs.cost.max()))
        return max(top)

    def current_cost(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each demand point's cost to its nearest office once ``chosen`` sites are added
        (``inf``: no office reaches it), and the position in ``chosen`` of the chosen site
        serving it (-1: an existing office or none)."""
        d_new, which = self.distances.nearest_among(np.asarray(chosen, np.int64))
        better = d_new < self.existing_cost
        cost = np.where(better, d_new, self.existing_cost)
        return cost, np.where(better, which, -1)

    # -- constructors -------------------------------------------------------
    @classmethod
    def from_cost_matrix(
        cls,
        cost_matrix: Any,
        weights: Sequence[float] | np.ndarray,
        radius: float | None = None,
        *,
        fixed: Any = None,
        existing: Any = None,
        conflicts: Any = None,
        demand_ids: Sequence[Any] | None = None,
        site_ids: Sequence[Any] | None = None,
        unit: str = "",
    ) -> SitingProblem:
        """An instance from a demand x site cost matrix (the pure-numpy constructor).

        Parameters
        ----------
        cost_matrix
            ``(n, m)`` costs: a dense array (``inf`` or ``nan``: unreachable),
            a scipy sparse matrix (stored entries only; absent: unreachable)
            or a DataFrame (index: demand ids, columns: site ids).
        weights
            Population (or any demand weight >= 0) of each demand point.
        radius
            Service radius in the matrix's unit; cost <= radius covers.
            Needed by MCLP and LSCP only; p-median works without it.
        fixed
            Sites kept open, given as labels of columns of this same matrix
            (the DataFrame's columns, ``site_ids``, or positions when neither
            is given), or as a boolean mask over the columns (spopt's
            ``predefined_facilities_arr``). They act as existing offices and
            are not candidates; ``k`` counts the new sites only, a spopt-style
            ``p`` counts them too (see :func:`~siting.optimize.mclp`).
        existing
            ``(n, e)`` costs to existing offices kept open that are not
            columns of ``cost_matrix`` (a separate matrix); they cover within
            ``radius``. May be given together with ``fixed``.
        conflicts
            ``(E, 2)`` pairs of column positions of ``cost_matrix`` that may
            not both be open. A candidate in conflict with a fixed site is
            never chosen (it is dropped, with a note).
        demand_ids, site_ids
            Identifiers (default: the DataFrame's index and columns, else
            positions). Chosen sites come back under these labels.
        unit
            The cost unit, for reports.

        Examples
        --------
        >>> import numpy as np
        >>> cost = np.array([[1.0, 5.0], [5.0, 1.0], [2.0, 9.0]])
        >>> p = SitingProblem.from_cost_matrix(cost, [10, 20, 30], radius=2)
        >>> p.cover.toarray().tolist()
        [[1, 0], [0, 1], [1, 0]]

        Column 1 kept open (an existing office that is a column of the matrix):

        >>> p = SitingProblem.from_cost_matrix(cost, [10, 20, 30], radius=2, fixed=[1])
        >>> p.sites["id"].tolist(), p.existing_covered.tolist(), p.existing_offices
        ([0], [False, True, False], 1)
        """
        pairs, n, m, d_ids, s_ids = _matrix_pairs(cost_matrix, demand_ids, site_ids)
        if s_ids is not None and len(s_ids) != m:
            raise InputError(f"site_ids: {len(s_ids)} ids for {m} columns of the cost matrix")
        labels = np.arange(m) if s_ids is None else np.asarray(s_ids, dtype=object)
        fix = fixed_positions(fixed, labels, "cost matrix columns")
        fixed_labels = tuple(_plain(v) for v in labels[fix])
        e_cost, e_count = np.full(n, np.inf), 0
        e_cover = np.zeros(n, np.int64)
        radius = None if radius is None else positive_number(radius, "radius")
        if existing is not None:
            e_pairs, en, e_count, _, _ = _matrix_pairs(existing, None, None)
            if en != n:
                raise InputError(f"existing: {en} rows, but the cost matrix has {n} demand rows")
            np.minimum.at(e_cost, e_pairs.i, e_pairs.cost)
            if radius is not None:
                e_cover += np.bincount(e_pairs.i[e_pairs.cost <= radius], minlength=n)
        is_fixed = np.zeros(m, bool)
        is_fixed[fix] = True
        notes: list[str] = []
        c = np.empty((0, 2), np.int64) if conflicts is None else np.asarray(conflicts, np.int64).reshape(-1, 2)
        if len(c) and (c.min() < 0 or c.max() >= m):
            raise InputError("conflicts: site positions out of range")
        if len(fix):
            at_fixed = is_fixed[pairs.j]
            np.minimum.at(e_cost, pairs.i[at_fixed], pairs.cost[at_fixed])
            if radius is not None:
                e_cover += np.bincount(pairs.i[at_fixed & (pairs.cost <= radius)], minlength=n)
            hit: Any = np.unique(np.r_[c[is_fixed[c[:, 0]], 1], c[is_fixed[c[:, 1]], 0]]) if len(c) else []
            barred: list[int] = [int(b) for b in hit if not is_fixed[b]]
            if barred:
                notes.append(f"{len(barred)} candidate sites conflict with a fixed site and are left out: "
                             + ", ".join(str(_plain(labels[b])) for b in barred[:10])
                             + (", ..." if len(barred) > 10 else "") + ".")
            keep_col = ~is_fixed
            keep_col[barred] = False
            new_pos = np.full(m, -1, np.int64)
            new_pos[keep_col] = np.arange(int(keep_col.sum()))
            pairs = pairs.select(keep_col[pairs.j])
            pairs = Pairs(pairs.i, new_pos[pairs.j], pairs.cost)  # order (i, cost, j) is kept
            c = new_pos[c] if len(c) else c
            c = c[(c >= 0).all(axis=1)] if len(c) else c
            labels, m = labels[keep_col], int(keep_col.sum())
            s_ids = labels
        demand = _frame(d_ids, n, population=_weights(weights, n))
        return assemble_problem(
            demand=demand,
            sites=_frame(s_ids, m),
            distances=MatrixDistances(pairs, n, m, unit=unit),
            radius=radius,
            existing_cost=e_cost,
            existing_covered=_covered(e_cost, radius),
            conflicts=c,
            existing_offices=e_count + len(fix),
            existing_cover_count=None if radius is None else e_cover,
            fixed=fixed_labels,
            notes=tuple(notes),
        )

    @classmethod
    def from_points(
        cls,
        demand_xy: np.ndarray,
        weights: Sequence[float] | np.ndarray,
        site_xy: np.ndarray,
        radius: float | None = None,
        *,
        fixed: Any = None,
        existing_xy: np.ndarray | None = None,
        min_separation: float = 0.0,
        demand: pd.DataFrame | None = None,
        sites: pd.DataFrame | None = None,
        unit: str = "m",
    ) -> SitingProblem:
        """An instance from projected coordinates (straight-line distances).

        Parameters
        ----------
        demand_xy, site_xy, existing_xy
            ``(n, 2)``, ``(m, 2)``, ``(e, 2)`` coordinates in a projected CRS.
        weights
            Population of each demand point.
        radius
            Service radius in the CRS unit (MCLP and LSCP need it; p-median
            does not).
        fixed
            Sites of ``site_xy`` kept open, by label (``sites["id"]``, else
            the position), or a boolean mask over them: they act as existing
            offices (as ``existing_xy``) and are not candidates.
        min_separation
            Chosen sites keep at least this distance from each other.
        demand, sites
            Optional attribute tables (id, name, county, lon, lat).

        Examples
        --------
        >>> import numpy as np
        >>> p = SitingProblem.from_points(
        ...     np.array([[0, 0], [3000, 0], [9000, 0]]), [100, 50, 80],
        ...     np.array([[1000, 0], [8000, 0]]), radius=2500,
        ...     existing_xy=np.array([[9500, 0]]))
        >>> p.cover.toarray().tolist(), p.existing_covered.tolist()
        ([[1, 0], [1, 0], [0, 1]], [False, False, True])
        """
        demand_xy = _xy(demand_xy, "demand_xy")
        site_xy = _xy(site_xy, "site_xy")
        n, m = len(demand_xy), len(site_xy)
        radius = None if radius is None else positive_number(radius, "radius")
        sites = sites.reset_index(drop=True) if sites is not None else _frame(None, m)
        if len(sites) != m:
            raise InputError(f"sites: {len(sites)} rows for {m} site coordinates")
        fix = fixed_positions(fixed, sites["id"].to_numpy(dtype=object) if "id" in sites else np.arange(m),
                              "sites")
        fixed_labels = tuple(_plain(sites["id"].iat[f]) if "id" in sites else int(f) for f in fix)
        if len(fix):
            keep = np.ones(m, bool)
            keep[fix] = False
            kept_xy = site_xy[fix]
            existing_xy = kept_xy if existing_xy is None or not len(existing_xy) \
                else np.vstack([_xy(existing_xy, "existing_xy"), kept_xy])
            site_xy, sites, m = site_xy[keep], sites[keep].reset_index(drop=True), int(keep.sum())
        if existing_xy is not None and len(existing_xy):
            existing_xy = _xy(existing_xy, "existing_xy")
            e_cost, _ = cKDTree(existing_xy).query(demand_xy, k=1, workers=-1) if n else (np.zeros(0), None)
            e_cost, e_count = np.asarray(e_cost, float), len(existing_xy)
            e_cover = np.asarray([len(h) for h in cKDTree(existing_xy).query_ball_point(demand_xy, radius)],
                                 np.int64) if n and radius is not None else np.zeros(n, np.int64)
        else:
            e_cost, e_count, e_cover = np.full(n, np.inf), 0, np.zeros(n, np.int64)
        demand = demand.reset_index(drop=True).copy() if demand is not None else _frame(None, n)
        demand["population"] = _weights(weights, n)
        return assemble_problem(
            demand=demand,
            sites=sites,
            distances=EuclideanDistances(demand_xy, site_xy, unit=unit),
            radius=radius,
            existing_cost=e_cost,
            existing_covered=_covered(e_cost, radius),
            conflicts=separation_conflicts(site_xy, min_separation),
            min_separation_m=float(min_separation),
            existing_offices=e_count,
            existing_cover_count=None if radius is None else e_cover,
            fixed=fixed_labels,
        )

    @classmethod
    def from_geodataframe(
        cls,
        demand: gpd.GeoDataFrame,
        sites: gpd.GeoDataFrame,
        *,
        weights_col: str,
        radius: float | None = None,
        fixed: Any = None,
        existing: gpd.GeoDataFrame | None = None,
        min_separation: float = 0.0,
        id_col: str | None = None,
    ) -> SitingProblem:
        """An instance from point GeoDataFrames in one projected CRS.

        Straight-line distances are only meaningful in a projected CRS: a
        geographic CRS (degrees), a missing CRS or differing CRSs raise
        :class:`~siting.errors.InputError` saying how to fix it.

        Sites (and demand points) are named by ``id_col`` when given, else by
        the GeoDataFrame's index; ``fixed`` takes those labels (or a boolean
        mask over ``sites``): those sites are kept open as existing offices.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> crs = "EPSG:32640"
        >>> d = gpd.GeoDataFrame({"pop": [5, 7]}, geometry=shapely.points([(0, 0), (4000, 0)]), crs=crs)
        >>> s = gpd.GeoDataFrame(geometry=shapely.points([(1000, 0)]), crs=crs)
        >>> SitingProblem.from_geodataframe(d, s, weights_col="pop", radius=3000).cover.toarray().tolist()
        [[1], [1]]
        >>> SitingProblem.from_geodataframe(d.to_crs(4326), s, weights_col="pop", radius=3000)
        Traceback (most recent call last):
        ...
        siting.errors.InputError: demand: CRS EPSG:4326 is geographic (degrees); straight-line distances need a projected CRS in metres: reproject with .to_crs(...) first (e.g. the workspace's ws.metric_crs.distance)
        """
        frames = {"demand": demand, "sites": sites}
        if existing is not None:
            frames["existing"] = existing
        crs = None
        for name, gdf in frames.items():
            if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
                raise InputError(f"{name}: every geometry must be a point")
            check_projected(gdf, name)
            if crs is None:
                crs = gdf.crs
            elif not gdf.crs.equals(crs):
                raise InputError(f"{name}: CRS {gdf.crs.to_string()} differs from demand's {crs.to_string()}; "
                                 f"reproject it with {name}.to_crs(demand.crs)")
        if weights_col not in demand.columns:
            raise InputError(f"demand: no column {weights_col!r} (weights_col)")

        def table(gdf: gpd.GeoDataFrame, name: str) -> pd.DataFrame:
            if id_col is None:
                return _frame(gdf.index.to_numpy(), len(gdf))
            if id_col not in gdf.columns:
                raise InputError(f"{name}: no column {id_col!r} (id_col)")
            return _frame(gdf[id_col].to_numpy(), len(gdf))

        unit = crs.axis_info[0].unit_name if crs is not None and crs.axis_info else "m"
        return cls.from_points(
            _gdf_xy(demand),
            pd.to_numeric(demand[weights_col], errors="coerce").to_numpy(float),
            _gdf_xy(sites),
            radius,
            fixed=fixed,
            existing_xy=_gdf_xy(existing) if existing is not None else None,
            min_separation=min_separation,
            demand=table(demand, "demand"),
            sites=table(sites, "sites"),
            unit="m" if unit in ("metre", "meter") else unit,
        )


# -- preparation helpers ------------------------------------------------------
def check_projected(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Raise :class:`InputError` unless ``gdf`` has a projected CRS."""
    if gdf.crs is None:
        xy = _gdf_xy(gdf) if len(gdf) and (gdf.geometry.geom_type == "Point").all() else np.empty((0, 2))
        lonlat = bool(len(xy)) and bool((np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all())
        how = (
            f'its coordinates look like longitude/latitude: declare them with {name} = {name}.set_crs("EPSG:4326"), '
            f'then reproject to a metric CRS with {name}.to_crs(...) (e.g. "EPSG:32640", UTM 40N, '
            "or the workspace's ws.metric_crs.distance)"
            if lonlat else
            f'if its coordinates are longitude/latitude, declare them with {name}.set_crs("EPSG:4326") and reproject '
            f'with .to_crs(...) to a metric CRS (e.g. "EPSG:32640"); if they are already metres, declare their '
            f'projected CRS with {name}.set_crs(...)'
        )
        raise InputError(f"{name}: the GeoDataFrame has no CRS, so distances cannot be measured; {how}")
    if not gdf.crs.is_projected:
        raise InputError(
            f"{name}: CRS {gdf.crs.to_string()} is geographic (degrees); straight-line distances "
            "need a projected CRS in metres: reproject with .to_crs(...) first "
            "(e.g. the workspace's ws.metric_crs.distance)"
        )


def _gdf_xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    if not len(gdf):
        return np.empty((0, 2))
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])


def _xy(a: Any, name: str) -> np.ndarray:
    a = np.asarray(a, float)
    if a.size == 0:
        return np.empty((0, 2))
    if a.ndim != 2 or a.shape[1] != 2:
        raise InputError(f"{name}: expected an (n, 2) array of x/y coordinates, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise InputError(f"{name}: coordinates must be finite numbers")
    return a


def fixed_positions(fixed: Any, labels: np.ndarray, what: str) -> np.ndarray:
    """Positions in ``labels`` of the ``fixed`` sites: labels, or a boolean mask over ``labels``.

    Raises :class:`InputError` naming a label that is not among ``labels`` (``what`` says where
    they were looked up) or one that ``labels`` holds twice.
    """
    m = len(labels)
    if fixed is None:
        return np.zeros(0, np.int64)
    if isinstance(fixed, str | bytes) or np.ndim(fixed) == 0:
        fixed = [fixed]
    arr = np.asarray(fixed, dtype=object) if not isinstance(fixed, np.ndarray) else fixed
    if arr.dtype == bool or (arr.size and all(isinstance(v, bool | np.bool_) for v in arr.ravel())):
        mask = np.asarray(arr, bool).ravel()
        if len(mask) != m:
            raise InputError(f"fixed: a mask of {len(mask)} values for {m} {what}")
        return np.flatnonzero(mask)
    where: dict[Any, int] = {}
    twice: set[Any] = set()
    for pos, lab in enumerate(labels):
        key = _plain(lab)
        if key in where:
            twice.add(key)
        where[key] = pos
    out: list[int] = []
    for lab in arr.ravel():
        key = _plain(lab)
        try:
            found = where.get(key)
        except TypeError:  # an unhashable label
            found = None
        if found is None:
            shown = ", ".join(repr(_plain(v)) for v in labels[:5]) + (", ..." if m > 5 else "")
            raise InputError(f"fixed: {key!r} is not one of the {what} ({shown})")
        if key in twice:
            raise InputError(f"fixed: {key!r} names more than one of the {what}")
        out.append(found)
    return np.unique(np.asarray(out, np.int64))


def _plain(v: Any) -> Any:
    """A numpy scalar as the Python value (``np.int64(3)`` -> ``3``); anything else unchanged."""
    return v.item() if isinstance(v, np.generic) else v


def _covered(existing_cost: np.ndarray, radius: float | None) -> np.ndarray:
    return existing_cost <= radius if radius is not None else np.zeros(len(existing_cost), bool)


def positive_number(value: Any, name: str) -> float:
    """``value`` as a finite float above zero, else :class:`InputError` naming ``name``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected a number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise InputError(f"{name} must be a positive number, got {value!r}")
    return v


def _weights(weights: Any, n: int) -> np.ndarray:
    try:
        w = np.asarray(weights, float).ravel()
    except (TypeError, ValueError):
        raise InputError("weights: expected numbers") from None
    if len(w) != n:
        raise InputError(f"weights: {len(w)} values for {n} demand points")
    return w


def _frame(ids: Any, n: int, **columns: Any) -> pd.DataFrame:
    ids = np.arange(n) if ids is None else np.asarray(ids, dtype=object)
    if len(ids) != n:
        raise InputError(f"expected {n} ids, got {len(ids)}")
    out = pd.DataFrame(
        {
            "id": pd.array(ids, dtype=object),
            "name": pd.array([None] * n, dtype=object),
            "county": pd.array([None] * n, dtype=object),
            "lon": np.full(n, np.nan),
            "lat": np.full(n, np.nan),
        }
    )
    for k, v in columns.items():
        out[k] = v
    return out


def _matrix_pairs(matrix: Any, row_ids: Any, col_ids: Any):
    """Pairs of a dense / sparse / DataFrame cost matrix (finite entries only)."""
    if isinstance(matrix, pd.DataFrame):
        row_ids = matrix.index.to_numpy() if row_ids is None else row_ids
        col_ids = matrix.columns.to_numpy() if col_ids is None else col_ids
        matrix = matrix.to_numpy(dtype=float)
    if sp.issparse(matrix):
        coo = sp.coo_matrix(matrix)
        n, m = coo.shape
        i, j, c = coo.row, coo.col, coo.data.astype(float)
    else:
        a = np.asarray(matrix, dtype=float)
        if a.ndim != 2:
            raise InputError(f"cost matrix: expected 2 dimensions, got shape {a.shape}")
        n, m = a.shape
        i, j = np.nonzero(np.isfinite(a))
        c = a[i, j]
    ok = np.isfinite(c)
    if (c[ok] < 0).any():
        raise InputError("cost matrix: costs must not be negative")
    return Pairs.of(i[ok], j[ok], c[ok]), n, m, row_ids, col_ids


def separation_conflicts(site_xy: np.ndarray, min_separation: float) -> np.ndarray:
    """``(E, 2)`` pairs of sites closer than ``min_separation`` to each other (k-d tree)."""
    if min_separation <= 0 or len(site_xy) < 2:
        return np.empty((0, 2), np.int64)
    pairs = cKDTree(site_xy).query_pairs(min_separation, output_type="ndarray")
    if not len(pairs):
        return np.empty((0, 2), np.int64)
    d = np.hypot(*(site_xy[pairs[:, 0]] - site_xy[pairs[:, 1]]).T)
    return pairs[d < min_separation].astype(np.int64)


def assemble_problem(
    *,
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    distances: DistanceSource,
    radius: float | None,
    existing_cost: np.ndarray,
    existing_covered: np.ndarray,
    conflicts: Any = None,
    **extra: Any,
) -> SitingProblem:
    """The one preparation helper every constructor ends in: checks, then builds the problem."""
    radius = None if radius is None else positive_number(radius, "radius")
    w = demand["population"].to_numpy(float) if len(demand) else np.zeros(0)
    if len(w) != distances.n_demand:
        raise InputError(f"weights: {len(w)} values for {distances.n_demand} demand points")
    if len(sites) != distances.n_sites:
        raise InputError(f"sites: {len(sites)} rows for {distances.n_sites} candidate sites")
    if not np.isfinite(w).all() or (w < 0).any():
        bad = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise InputError(f"weights: demand point {demand['id'].iat[bad]!r} has weight {w[bad]!r}; "
                         "weights must be finite and >= 0")
    if not (w > 0).any():
        raise InputError("no demand: no demand point has a population above zero")
    c = np.empty((0, 2), np.int64) if conflicts is None else np.asarray(conflicts, np.int64).reshape(-1, 2)
    if len(c) and (c.min() < 0 or c.max() >= len(sites)):
        raise InputError("conflicts: site positions out of range")
    return SitingProblem(
        demand=demand.reset_index(drop=True),
        sites=sites.reset_index(drop=True),
        distances=distances,
        radius=radius,
        existing_cost=np.asarray(existing_cost, float),
        existing_covered=np.asarray(existing_covered, bool),
        conflicts=c,
        **extra,
    )


__all__ = [
    "DistanceSource",
    "EuclideanDistances",
    "MatrixDistances",
    "Pairs",
    "SitingProblem",
    "check_projected",
    "fixed_positions",
    "separation_conflicts",
]
