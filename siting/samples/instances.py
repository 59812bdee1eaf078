"""Seeded synthetic siting instances (for tests and benchmarks; never presented as real data).

Settlements are clustered the way they are in an arid province: most
villages lie near a few dozen towns (Gaussian clusters) along with a
scattered minority; village populations are log-normal (median 60 people,
a long tail into the thousands) and each cluster has a town (median 8,000,
up to about 60,000). Candidates are the settlements themselves (or extra
scattered points), and existing offices sit at settlements drawn with
probability growing with their population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.optimize.model import SitingProblem


@dataclass(frozen=True)
class PointInstance:
    """A synthetic instance in projected metres: demand, candidates and existing offices."""

    demand_xy: np.ndarray
    weights: np.ndarray
    site_xy: np.ndarray
    existing_xy: np.ndarray
    radius: float
    area_km2: float
    seed: int

    def problem(self, min_separation: float = 0.0) -> SitingProblem:
        """The :class:`SitingProblem` of this instance (straight-line distances)."""
        return SitingProblem.from_points(
            self.demand_xy, self.weights, self.site_xy, self.radius,
            existing_xy=self.existing_xy if len(self.existing_xy) else None,
            min_separation=min_separation,
        )

    def describe(self) -> str:
        return (f"{len(self.demand_xy):,} demand points, {len(self.site_xy):,} candidates, "
                f"{len(self.existing_xy):,} existing offices over {self.area_km2:,.0f} km², "
                f"radius {self.radius / 1000:g} km, population {self.weights.sum():,.0f} (seed {self.seed})")


def clustered_instance(
    n_demand: int,
    n_sites: int,
    n_existing: int,
    *,
    area_km2: float,
    radius: float,
    seed: int,
    clusters: int | None = None,
    scattered: float = 0.3,
    village_median: float = 60.0,
    town_median: float = 8000.0,
) -> PointInstance:
    """A seeded instance over a square of ``area_km2``.

    Parameters
    ----------
    n_demand, n_sites, n_existing
        Demand points, candidate sites, existing offices.
    area_km2
        Area of the square region.
    radius
        Service radius in metres.
    seed
        Random seed: the same arguments give the same instance.
    clusters
        Number of town clusters (default: one per 90 demand points, at least 3).
    scattered
        Share of demand points scattered uniformly rather than clustered.
    village_median, town_median
        Median population of a village (log-normal, sigma 1.1) and of a
        cluster's town (sigma 0.8). The defaults give South Khorasan's
        orders of magnitude: 3,600 settlements around 40 towns hold about
        0.8 million people (the 2016 census counted 768,898).

    Examples
    --------
    >>> inst = clustered_instance(200, 100, 5, area_km2=2500, radius=8000, seed=1)
    >>> inst.demand_xy.shape, inst.site_xy.shape, inst.existing_xy.shape
    ((200, 2), (100, 2), (5, 2))
    """
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(area_km2)) * 1000.0
    k = clusters or max(3, n_demand // 90)
    centres = rng.uniform(0.05 * side, 0.95 * side, (k, 2))
    spread = side / (2.5 * np.sqrt(k))

    def points(n: int) -> np.ndarray:
        c = rng.integers(0, k, n)
        p = centres[c] + rng.normal(0.0, spread, (n, 2))
        u = rng.random(n) < scattered
        p[u] = rng.uniform(0, side, (int(u.sum()), 2))
        return np.clip(p, 0, side)

    demand = points(n_demand)
    weights = np.round(rng.lognormal(np.log(village_median), 1.1, n_demand))
    towns = min(k, n_demand)
    demand[:towns] = centres[:towns]
    weights[:towns] = np.round(rng.lognormal(np.log(town_median), 0.8, towns))
    if n_sites <= n_demand:
        sites = demand[rng.choice(n_demand, n_sites, replace=False)]
    else:
        sites = np.vstack([demand, points(n_sites - n_demand)])
    p = np.sqrt(weights) / np.sqrt(weights).sum()
    existing = demand[rng.choice(n_demand, min(n_existing, n_demand), replace=False, p=p)] if n_existing else \
        np.empty((0, 2))
    return PointInstance(demand, weights, sites, existing, float(radius), float(area_km2), int(seed))


__all__ = ["PointInstance", "clustered_instance"]
