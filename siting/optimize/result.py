"""The result of a siting run: one frozen, typed object, exportable as JSON, GeoJSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

ModelName = Literal["mclp", "lscp", "pmedian", "pcenter", "beyond", "capacitated_pmedian", "capacitated_mclp",
                    "backup"]
SAMPLE_LABEL = "sample (synthetic) data, not official / دادهٔ نمونه، غیررسمی"

OBJECTIVES = MappingProxyType({
    "mclp": "population newly covered (maximised)",
    "lscp": "number of new sites (minimised)",
    "pmedian": "population-weighted cost to the nearest office, summed (minimised)",
    "pcenter": "largest cost from a demand point to its nearest office (minimised)",
    "beyond": "settlements (or people) beyond the threshold from every office (minimised)",
    "capacitated_pmedian": "population-weighted cost of the assignment within capacities, summed (minimised)",
    "capacitated_mclp": "population newly covered within the offices' capacities (maximised)",
    "backup": "population with two offices or more within the radius (maximised)",
})

#: A site's label as the user gave it (a DataFrame column, ``site_ids=``, an index value; positions
#: by default): ints stay ints, strings stay strings; other types come back as text.
SiteId = str | int | float


@dataclass(frozen=True)
class ChosenSite:
    """One site chosen for a new office.

    ``newly_covered_population`` counts the people this site brings within the
    service radius who had no office within it; a person within reach of
    several new sites is counted once, at the nearest, so the sites' figures
    add up to the result's total. ``served_population`` counts the people for
    whom this site becomes the nearest office (p-median's assignment).
    ``id`` is the site's own label (the cost matrix's column, ``site_ids``,
    the GeoDataFrame's ``id_col`` or index; its position when none was given),
    an int staying an int.
    """

    rank: int
    id: SiteId
    name: str | None
    county: str | None
    lon: float | None
    lat: float | None
    newly_covered_population: float
    newly_covered_points: int
    served_population: float

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


@dataclass(frozen=True)
class SitingResult:
    """What a siting model chose and what it achieves.

    Attributes
    ----------
    model
        ``mclp``, ``lscp`` or ``pmedian``.
    sites
        The chosen sites, best first.
    k
        New sites asked for (fixed / existing offices not counted; ``None``
        for LSCP).
    radius
        The service radius (``None``: the instance has none, p-median only).
    total_population
        Population of all demand points (settlements with a known population).
    covered_before, covered_after
        Population within the service radius of an office before and after
        the new sites (existing and fixed offices are kept); present for
        every model when the instance has a radius, ``None`` when it has none.
    by_county
        ``(county, population newly covered)`` pairs.
    objective
        The model's objective value for the chosen sites; what it counts
        differs by model, in words in ``objective_meaning``: MCLP people
        newly covered, LSCP new sites, p-median total weighted cost.
    bound
        A bound no solution can beat (the solver's dual bound, or the LP
        relaxation for the greedy heuristic); ``None`` when unknown.
    gap
        Relative gap between ``objective`` and ``bound`` (0: proven optimal);
        ``None`` when no bound is known.
    status
        ``optimal`` (proved: by HiGHS, or a heuristic solution that meets a
        valid bound), ``time_limit`` (best found within the time limit, with
        its gap), ``heuristic`` (greedy; see ``gap``), ``feasible`` (p-median
        with fewer modelled candidates than needed for a proof; see ``gap``)
        or ``empty`` (nothing to do: every reachable person is covered
        already, or the target is met).
    method
        ``exact`` (HiGHS MIP), ``greedy`` or ``none``.
    mean_cost_before, mean_cost_after
        Population-weighted mean cost to the nearest office (``None`` where
        some demand point has no office in reach).
    total_cost
        Every model: the population-weighted cost to the nearest office
        (existing, fixed or new) after siting, summed, in the cost unit;
        ``None`` only when some demand point has no office in reach (a note
        says how many). For p-median it equals ``objective`` whenever it is
        not ``None``.
    proven
        The chosen sites are proven optimal: the objective meets a valid
        bound (``status`` ``optimal``, or ``empty``: nothing to do).
    heuristic
        The sites come from the greedy heuristic (``method`` ``greedy``):
        asked for, chosen by ``auto`` because the exact model would not fit,
        or kept because it beat the solver's solution at the time limit.
        ``gap`` says how far from the bound it may be.
    stopped_by_time_limit
        The exact solver stopped at ``time_limit`` before proving optimality
        (``status`` ``time_limit``); ``gap`` is then the remaining gap.
    truncated
        The model saw only each demand point's nearest candidates (p-median's
        ``nearest``); the bound allows for the others, so ``proven`` still
        means optimal, but an unproven result may be improved by raising
        ``nearest``.
    """

    model: ModelName
    licence_type: str | None
    k: int | None
    share_target: float | None
    radius: float | None
    unit: str
    sites: tuple[ChosenSite, ...]
    total_population: float
    covered_before: float | None
    covered_after: float | None
    by_county: tuple[tuple[str, float], ...]
    objective: float
    bound: float | None
    gap: float | None
    status: str
    method: str
    solver: str
    seconds: float
    build_seconds: float
    solve_seconds: float
    candidates: int
    candidates_total: int | None
    rejected: tuple[tuple[str, int], ...]
    mean_cost_before: float | None
    mean_cost_after: float | None
    notes: tuple[str, ...]
    sample: bool
    name: str | None = None
    total_cost: float | None = None
    proven: bool = False
    heuristic: bool = False
    stopped_by_time_limit: bool = False
    truncated: bool = False

    # -- figures ------------------------------------------------------------
    @property
    def newly_covered_population(self) -> float | None:
        if self.covered_after is None or self.covered_before is None:
            return None
        return self.covered_after - self.covered_before

    @property
    def share_before(self) -> float | None:
        if self.covered_before is None:
            return None
        return self.covered_before / self.total_population if self.total_population else math.nan

    @property
    def share_after(self) -> float | None:
        if self.covered_after is None:
            return None
        return self.covered_after / self.total_population if self.total_population else math.nan

    @property
    def newly_covered_by_county(self) -> dict[str, float]:
        return dict(self.by_county)

    @property
    def objective_meaning(self) -> str:
        """What ``objective`` counts, in words (English; the dashboard translates it)."""
        return OBJECTIVES.get(self.model, "")

    # -- exports ------------------------------------------------------------
    def sites_frame(self) -> pd.DataFrame:
        """The chosen sites as a DataFrame (one row per site)."""
        cols = [f.name for f in fields(ChosenSite)]
        df = pd.DataFrame([asdict(s) for s in self.sites], columns=cols)
        if self.sample:
            df["data"] = SAMPLE_LABEL
        return df

    def summary(self) -> dict[str, Any]:
        """One flat row for a scenario table."""
        return {
            "scenario": self.name,
            "model": self.model,
            "licence_type": self.licence_type,
            "k": self.k,
            "share_target": self.share_target,
            "radius": self.radius,
            "unit": self.unit,
            "sites": len(self.sites),
            "newly_covered": None if (v := self.newly_covered_population) is None else round(v),
            "share_before": self.share_before,
            "share_after": self.share_after,
            "mean_cost_after": self.mean_cost_after,
            "total_cost": self.total_cost,
            "objective": self.objective,
            "objective_meaning": self.objective_meaning,
            "gap": self.gap,
            "status": self.status,
            "proven": self.proven,
            "heuristic": self.heuristic,
            "stopped_by_time_limit": self.stopped_by_time_limit,
            "truncated": self.truncated,
            "method": self.method,
            "seconds": round(self.seconds, 3),
            "candidates": self.candidates,
            "sample": self.sample,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of everything (numbers rounded for reading, NaN and inf as null)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["sites"] = [s.to_dict() for s in self.sites]
        d["by_county"] = [{"county": c, "newly_covered_population": v} for c, v in self.by_county]
        d["rejected"] = dict(self.rejected)
        d["notes"] = list(self.notes)
        d["newly_covered_population"] = self.newly_covered_population
        d["share_before"] = self.share_before
        d["share_after"] = self.share_after
        d["objective_meaning"] = self.objective_meaning
        if self.sample:
            d["data"] = SAMPLE_LABEL
        return _clean(d)

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str | None:
        """The :meth:`to_dict` as JSON text; written to ``path`` when given."""
        return _out(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), path)

    def to_geojson(self, path: str | os.PathLike[str] | None = None) -> str | None:
        """The chosen sites as a GeoJSON FeatureCollection (WGS84 points).

        Each feature carries the site's figures, the model and licence type,
        and the sample label when the data is sample data; the collection
        carries the result's summary as a foreign member ``siting``.
        """
        features = []
        for s in self.sites:
            props = s.to_dict()
            props.update(model=self.model, licence_type=self.licence_type)
            if self.sample:
                props["data"] = SAMPLE_LABEL
            geom = (
                {"type": "Point", "coordinates": [s.lon, s.lat]}
                if s.lon is not None and s.lat is not None
                else None
            )
            features.append({"type": "Feature", "geometry": geom, "properties": props})
        doc = {"type": "FeatureCollection", "features": features, "siting": _clean(self.summary())}
        return _out(json.dumps(doc, ensure_ascii=False), path)

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str | None:
        """The chosen sites as CSV (UTF-8 with BOM, which Excel needs for Persian names)."""
        df = self.sites_frame()
        buf = io.StringIO()
        df.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
        text = buf.getvalue()
        if path is None:
            return text
        _write(path, text, encoding="utf-8-sig")
        return None


def _out(text: str, path: str | os.PathLike[str] | None) -> str | None:
    if path is None:
        return text
    _write(path, text)
    return None


def _write(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write atomically: a temporary file next to the target, then rename."""
    from siting.errors import require_folder

    path = Path(path)
    require_folder(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding=encoding)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA:
        return None
    return value


__all__ = ["OBJECTIVES", "SAMPLE_LABEL", "ChosenSite", "SiteId", "SitingResult"]
