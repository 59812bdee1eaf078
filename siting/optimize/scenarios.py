"""Scenarios: several siting runs (models, k, targets, radii, licence types) side by side.

The calls the planner page and the notebooks need are one-liners::

    result = run_scenario(ws, Scenario("mclp", licence_type="rural", k=10))
    table = compare_scenarios(ws, [Scenario("mclp", k=k) for k in (5, 10, 15)])
    export_result(result, "sites.geojson")

Scenarios that share the instance (licence type, radius, candidates, cost
matrix) share one prepared :class:`~siting.optimize.model.SitingProblem`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from siting.errors import InputError
from siting.optimize.locate import DEFAULT_TIME_LIMIT, lscp, mclp, new_sites, pmedian
from siting.optimize.model import SitingProblem
from siting.optimize.models import (
    backup_coverage,
    capacitated_mclp,
    capacitated_pmedian,
    mclp_county_floor,
    min_beyond,
    pcenter,
)
from siting.optimize.prepare import problem_from_workspace
from siting.optimize.result import SitingResult
from siting.rules import Rules, load_rules
from siting.vocab import parse_licence_type
from siting.workspace import Workspace

MODELS = ("mclp", "lscp", "pmedian", "pcenter", "beyond", "capacitated_pmedian", "capacitated_mclp", "backup")
#: Models that need ``k``.
K_MODELS = tuple(m for m in MODELS if m != "lscp")
#: Models whose costs matter beyond the service radius (their travel-time searches go farther).
COST_MODELS = ("pmedian", "pcenter", "capacitated_pmedian")
#: p-median on travel time searches up to this many times the service time (costs beyond count as unreachable).
PMEDIAN_TIME_BOUND_FACTOR = 4.0


@dataclass(frozen=True)
class Scenario:
    """One siting run, as plain hashable values (usable as a cache key).

    Attributes
    ----------
    model
        ``mclp`` (needs ``k``), ``lscp`` (``share``, default 1.0), ``pmedian`` (``k``), or one of
        :mod:`siting.optimize.models` (``k``): ``pcenter``, ``beyond`` (``threshold``),
        ``capacitated_pmedian`` and ``capacitated_mclp`` (``capacity``), ``backup``
        (``backup_primary``, ``first_share``). Hyphens are read as underscores.
    licence_type
        Type of the new offices.
    k, share
        Number of sites; target covered share (0-1].
    radius
        Service radius (metres; with ``costs``, the matrix's unit; with travel time, the service time
        in minutes); default: the rules'.
    candidates
        ``settlements``, ``h3``, ``h3:RES`` or a file path.
    costs
        Path of an origin-destination cost matrix CSV, or ``None`` for straight lines.
    existing_radii
        With ``costs``: ``(("urban", r), ("rural", r))`` radii of existing offices.
    population_rule
        Keep only candidates that alone newly cover ``min_uncovered_population``.
    measure
        ``"distance"`` or ``"time"`` (travel time on the road network) for every licence type;
        ``None``: what the rules file says per type.
    time_bound_min
        With travel time: where the searches stop (minutes). Default: the service time for MCLP and
        LSCP, ``PMEDIAN_TIME_BOUND_FACTOR`` times it for p-median (whose costs matter beyond it).
    method, time_limit, mip_gap
        Solver choices (see :func:`siting.optimize.mclp`; the models of :mod:`siting.optimize.models`
        are always solved exactly and ignore ``method``).
    county_floor
        MCLP only: every county at least this share covered (:func:`~siting.optimize.mclp_county_floor`).
    threshold
        ``beyond``: the cost (radius unit) beyond which a settlement counts.
    count
        ``beyond``: count ``settlements`` or ``population``.
    capacity
        Capacitated models: people per office; default: the rules file's ``capacity`` for the type.
    backup_primary, first_share
        ``backup``: which cover comes first (``backup`` or ``first``), and a floor on the share
        covered once.
    fixed
        Ids of candidate sites kept open as if they were offices already (see
        :func:`~siting.optimize.prepare.problem_from_workspace`); ``k`` does not count them.
    p
        spopt's ``p``: every open site, the kept ones (existing offices and ``fixed``) included;
        ``k = p - kept``. Give ``k`` or ``p``.
    name
        Label in tables (default: :meth:`label`).
    """

    model: str = "mclp"
    licence_type: str = "rural"
    k: int | None = None
    share: float | None = None
    radius: float | None = None
    candidates: str = "settlements"
    costs: str | None = None
    existing_radii: tuple[tuple[str, float], ...] | None = None
    population_rule: bool = False
    measure: Literal["distance", "time"] | None = None
    time_bound_min: float | None = None
    method: Literal["auto", "exact", "greedy"] = "auto"
    time_limit: float = DEFAULT_TIME_LIMIT
    mip_gap: float = 0.0
    county_floor: float | None = None
    threshold: float | None = None
    count: Literal["settlements", "population"] = "settlements"
    capacity: float | None = None
    backup_primary: Literal["backup", "first"] = "backup"
    first_share: float | None = None
    fixed: tuple[str, ...] | None = None
    p: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.model, str):
            object.__setattr__(self, "model", self.model.replace("-", "_"))
        if self.model not in MODELS:
            raise InputError(f"scenario model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.fixed is not None:
            object.__setattr__(self, "fixed", tuple(str(v) for v in self.fixed) or None)
        if self.model in K_MODELS and self.k is None and self.p is None:
            raise InputError(f"scenario {self.model}: give k, the number of new sites (or p, all open sites)")
        if self.model == "lscp" and self.p is not None:
            raise InputError("scenario lscp: p does not apply (lscp finds how many sites are needed)")
        if self.model == "beyond" and self.threshold is None:
            raise InputError("scenario beyond: give threshold, the cost beyond which a settlement counts")
        if self.county_floor is not None and self.model != "mclp":
            raise InputError(f"scenario {self.model}: a county floor applies to mclp only")
        if self.measure not in (None, "distance", "time"):
            raise InputError(f"scenario measure must be distance or time, got {self.measure!r}")

    def label(self) -> str:
        """A short readable name, e.g. ``MCLP rural k=10 r=10000 m``."""
        if self.name:
            return self.name
        what = f"share={self.share if self.share is not None else 1.0:.0%}" if self.model == "lscp" \
            else (f"k={self.k}" if self.p is None else f"p={self.p}")
        unit = " min" if self.measure == "time" else ("" if self.costs else " m")
        r = "" if self.radius is None else f" r={self.radius:g}{unit}"
        t = " (travel time)" if self.measure == "time" and self.radius is None else ""
        more = ""
        if self.county_floor is not None:
            more += f" floor={self.county_floor:.0%}"
        if self.model == "beyond":
            more += f" T={self.threshold:g}"
        if self.model.startswith("capacitated") and self.capacity is not None:
            more += f" cap={self.capacity:g}"
        if self.fixed:
            more += f" fixed={','.join(self.fixed)}"
        return f"{self.model.upper()} {self.licence_type} {what}{r}{more}{t}"

    def instance_key(self) -> tuple:
        """What determines the prepared instance (scenarios with equal keys share it)."""
        bound = self.time_bound_min if self.time_bound_min is not None else (
            self.model in COST_MODELS or (self.model == "beyond" and self.threshold))
        return (self.licence_type, self.radius, self.candidates, self.costs, self.existing_radii,
                self.population_rule, self.measure, bound, self.fixed)


def _time_bound(scenario: Scenario, rules: Rules) -> float | None:
    """The search bound (minutes) of a travel-time scenario, or ``None`` (the service time)."""
    if scenario.time_bound_min is not None or scenario.model not in (*COST_MODELS, "beyond"):
        return scenario.time_bound_min
    try:
        sec = rules.for_type(parse_licence_type(scenario.licence_type))
    except ValueError:
        return None  # problem_from_workspace names the bad type
    measure = scenario.measure or sec.service_measure
    if measure != "time":
        return None
    service = scenario.radius if scenario.radius is not None else sec.service_time_min
    if isinstance(service, bool) or not isinstance(service, int | float) or not service > 0:
        return None  # problem_from_workspace names the bad radius
    if scenario.model == "beyond":
        t = scenario.threshold
        return float(t) if isinstance(t, int | float) and t > service else None
    return PMEDIAN_TIME_BOUND_FACTOR * float(service)


def prepare(ws: Workspace, scenario: Scenario, rules: Rules | None = None) -> SitingProblem:
    """The instance of ``scenario`` (see :func:`~siting.optimize.prepare.problem_from_workspace`)."""
    rules = rules or load_rules()
    return problem_from_workspace(
        ws,
        rules,
        licence_type=scenario.licence_type,
        candidates=scenario.candidates,
        costs=scenario.costs,
        radius=scenario.radius,
        existing_radii=dict(scenario.existing_radii) if scenario.existing_radii else None,
        population_rule=scenario.population_rule,
        measure=scenario.measure,
        time_bound_min=_time_bound(scenario, rules),
        fixed=scenario.fixed,
    )


def solve_scenario(problem: SitingProblem, scenario: Scenario, rules: Rules | None = None) -> SitingResult:
    """Run the scenario's model on a prepared instance."""
    opts: dict[str, Any] = {"method": scenario.method, "time_limit": scenario.time_limit,
                            "mip_gap": scenario.mip_gap, "name": scenario.label()}
    k = scenario.k if scenario.p is None else new_sites(problem, scenario.k, scenario.p, scenario.model)
    more: dict[str, Any] = {"time_limit": scenario.time_limit, "name": scenario.label()}
    if scenario.model == "mclp" and scenario.county_floor is not None:
        return mclp_county_floor(problem, k, scenario.county_floor, mip_gap=scenario.mip_gap,  # type: ignore[arg-type]
                                 **more)
    if scenario.model == "pcenter":
        return pcenter(problem, k, **more)  # type: ignore[arg-type]
    if scenario.model == "beyond":
        return min_beyond(problem, k, scenario.threshold, count=scenario.count,  # type: ignore[arg-type]
                          mip_gap=scenario.mip_gap, **more)
    if scenario.model == "backup":
        return backup_coverage(problem, k, primary=scenario.backup_primary,  # type: ignore[arg-type]
                               first_share=scenario.first_share, mip_gap=scenario.mip_gap, **more)
    if scenario.model in ("capacitated_pmedian", "capacitated_mclp"):
        cap = scenario.capacity
        if cap is None:
            sec = (rules or load_rules()).for_type(problem.licence_type or scenario.licence_type)
            cap = sec.capacity
            if cap is None:
                raise InputError(f"capacity: give it (--capacity) or set `capacity` for {sec.licence_type} "
                                 "in the rules file")
        fn = capacitated_pmedian if scenario.model == "capacitated_pmedian" else capacitated_mclp
        return fn(problem, k, cap, mip_gap=scenario.mip_gap, **more)  # type: ignore[arg-type]
    if scenario.model == "mclp":
        return mclp(problem, k, **opts)
    if scenario.model == "pmedian":
        return pmedian(problem, k, **opts)
    return lscp(problem, 1.0 if scenario.share is None else scenario.share, **opts)


def run_scenario(ws: Workspace, scenario: Scenario, rules: Rules | None = None) -> SitingResult:
    """Prepare and solve one scenario.

    Examples
    --------
    >>> from siting.samples.hand import hand_workspace
    >>> r = run_scenario(hand_workspace(), Scenario("mclp", licence_type="rural", k=1))
    >>> [s.name for s in r.sites], r.newly_covered_population, r.sample
    (['مود'], 3000.0, True)
    """
    rules = rules or load_rules()
    return solve_scenario(prepare(ws, scenario, rules), scenario, rules)


def run_scenarios(ws: Workspace, scenarios: Iterable[Scenario],
                  rules: Rules | None = None) -> list[SitingResult]:
    """Run several scenarios, preparing each distinct instance once."""
    rules = rules or load_rules()
    problems: dict[tuple, SitingProblem] = {}
    out = []
    for sc in scenarios:
        key = sc.instance_key()
        if key not in problems:
            problems[key] = prepare(ws, sc, rules)
        out.append(solve_scenario(problems[key], sc, rules))
    return out


SCENARIO_COLUMNS = ("scenario", "model", "licence_type", "k", "share_target", "radius", "unit", "sites",
                    "newly_covered", "share_before", "share_after", "mean_cost_after", "total_cost", "objective",
                    "objective_meaning", "gap", "status", "proven", "heuristic", "stopped_by_time_limit",
                    "truncated", "method", "seconds", "candidates", "sample")


def scenario_table(results: Sequence[SitingResult]) -> pd.DataFrame:
    """One row per result: sites, population newly covered, shares before/after, total cost, objective and
    what it counts, gap, status and the headline fields (proven, heuristic, stopped by the time limit,
    truncated)."""
    return pd.DataFrame([r.summary() for r in results], columns=list(SCENARIO_COLUMNS))


def compare_scenarios(ws: Workspace, scenarios: Iterable[Scenario],
                      rules: Rules | None = None) -> pd.DataFrame:
    """Run scenarios and return their side-by-side table (see :func:`scenario_table`)."""
    return scenario_table(run_scenarios(ws, scenarios, rules))


def export_result(result: SitingResult, path: str | os.PathLike[str]) -> Path:
    """Write a result by file type: ``.geojson`` (sites), ``.csv`` (sites) or ``.json`` (everything)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".geojson":
        result.to_geojson(path)
    elif suffix == ".csv":
        result.to_csv(path)
    elif suffix == ".json":
        result.to_json(path)
    else:
        raise InputError(f"{path}: export as .geojson, .csv or .json")
    return path


__all__ = [
    "COST_MODELS",
    "K_MODELS",
    "MODELS",
    "PMEDIAN_TIME_BOUND_FACTOR",
    "Scenario",
    "compare_scenarios",
    "export_result",
    "prepare",
    "run_scenario",
    "run_scenarios",
    "scenario_table",
    "solve_scenario",
]
