"""What-if planning: coverage, gaps and open sites under changed rule parameters.

The planner moves the service radius and the minimum distances of each
licence type; :class:`RuleOverrides` holds those changes as a frozen,
hashable value (a cache key), and :func:`planner_view` recomputes everything
the planner page shows in one call:

* coverage of every settlement and per county (:func:`siting.coverage.compute_coverage`),
* the service-gap regions of the chosen licence type (:func:`siting.gaps.compute_gaps`),
* the region on an H3 grid with, per licence type, whether a new office could
  open in each cell: the cell is in that type's gap and its centre keeps the
  minimum distances to existing offices (same type and any type).

The rules file is never written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from siting.coverage import CoverageResult, compute_coverage
from siting.errors import InputError
from siting.gaps import compute_gaps, gap_cells, open_cells
from siting.rules import Rules
from siting.vocab import LICENCE_TYPES
from siting.workspace import Workspace

SLIDER_PARAMS: tuple[str, ...] = ("service_radius_m", "min_distance_same_type_m", "min_distance_any_type_m")


@dataclass(frozen=True)
class RuleOverrides:
    """Changed rule parameters as sorted ``(licence_type, parameter, value)`` triples.

    >>> o = RuleOverrides.of({"urban": {"service_radius_m": 4000}})
    >>> o.as_mapping()
    {'urban': {'service_radius_m': 4000.0}}
    """

    items: tuple[tuple[str, str, float], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Mapping[str, float]]) -> RuleOverrides:
        items = []
        for ltype, values in mapping.items():
            if ltype not in LICENCE_TYPES:
                raise InputError(f"rule override: unknown licence type {ltype!r}")
            for name, value in values.items():
                items.append((ltype, name, float(value)))
        return cls(tuple(sorted(items)))

    @classmethod
    def between(cls, base: Rules, changed: Rules) -> RuleOverrides:
        """The slider parameters on which ``changed`` differs from ``base``."""
        items = []
        for t in LICENCE_TYPES:
            a, b = base.for_type(t), changed.for_type(t)
            items.extend((t, p, float(getattr(b, p))) for p in SLIDER_PARAMS if getattr(a, p) != getattr(b, p))
        return cls(tuple(sorted(items)))

    def as_mapping(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for ltype, name, value in self.items:
            out.setdefault(ltype, {})[name] = value
        return out

    def apply(self, rules: Rules) -> Rules:
        """``rules`` with these values (raises :class:`~siting.errors.RulesError` for a bad one)."""
        return rules.with_overrides(self.as_mapping()) if self.items else rules


def open_site_mask(ws: Workspace, cells: pd.DataFrame, rules: Rules, licence_type: str) -> np.ndarray:
    """Cells of :func:`~siting.gaps.gap_cells` where a new office of ``licence_type`` could open:
    in that type's service gap and breaking none of its site rules (:func:`siting.gaps.open_cells`;
    an urban office must be inside a city, as the site checker says)."""
    return open_cells(ws, cells, rules, licence_type)


@dataclass(frozen=True)
class PlannerView:
    """Everything the planner page shows for one set of rules.

    ``cells`` is the H3 grid with ``open_urban`` / ``open_rural`` columns;
    ``summary`` holds, per licence type, the gap area and population and the
    number and area of open cells.
    """

    rules: Rules
    licence_type: str
    resolution: int
    coverage: CoverageResult
    gaps: gpd.GeoDataFrame
    cells: pd.DataFrame
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)


def planner_view(ws: Workspace, rules: Rules, *, licence_type: str = "any", resolution: int = 6) -> PlannerView:
    """Coverage, gaps of ``licence_type`` and open cells per type under ``rules``."""
    cov = compute_coverage(ws, rules)
    gaps = compute_gaps(ws, rules, licence_type=licence_type)
    cells = gap_cells(ws, rules, resolution=resolution)
    cell_km2 = h3.average_hexagon_area(resolution, unit="km^2")
    summary: dict[str, dict[str, Any]] = {}
    for t in LICENCE_TYPES:
        mask = open_site_mask(ws, cells, rules, t) if len(cells) else np.zeros(0, bool)
        cells[f"open_{t}"] = mask
        sec = rules.for_type(t)
        summary[t] = {
            "service_radius_m": sec.service_radius_m,
            "min_distance_same_type_m": sec.min_distance_same_type_m,
            "min_distance_any_type_m": sec.min_distance_any_type_m,
            "covered_population": cov.totals["covered_population_by_type"][t],
            "gap_cells": int(cells[f"gap_{t}"].sum()) if len(cells) else 0,
            "open_cells": int(mask.sum()),
            "open_area_km2": float(mask.sum() * cell_km2),
            "open_uncovered_population": int(cells.loc[mask, "uncovered_population"].sum()) if len(cells) else 0,
        }
    summary["gaps"] = {
        "licence_type": licence_type,
        "parts": len(gaps),
        "area_km2": float(gaps["area_km2"].sum()) if len(gaps) else 0.0,
        "uncovered_population": int(gaps["uncovered_population"].sum()) if len(gaps) else 0,
    }
    return PlannerView(rules, licence_type, resolution, cov, gaps, cells, summary)


__all__ = ["SLIDER_PARAMS", "PlannerView", "RuleOverrides", "open_site_mask", "planner_view"]
