"""Planner tools: where the next offices should go.

* :func:`mclp` - maximal covering: ``k`` new sites covering the most people;
* :func:`lscp` - set covering: the fewest new sites reaching a covered share;
* :func:`pmedian` - ``k`` new sites minimising the population-weighted cost to the nearest office.

Existing offices are always kept. Candidate sites pass the site rules of
:mod:`siting.siterules` before the model sees them, and chosen sites keep the
minimum same-type distance from each other (conflict constraints in the model).

Build an instance once with :class:`SitingProblem` (``from_workspace``,
``from_cost_matrix``, ``from_points``, ``from_geodataframe``), then solve it
for any ``k`` or target; or run whole scenarios with :func:`run_scenario` and
compare them with :func:`compare_scenarios`.
"""

from .candidates import CandidateSpec, candidate_sites, filter_by_rules
from .costs import CostMatrix, read_cost_matrix
from .locate import lscp, mclp, pmedian
from .model import SitingProblem
from .result import ChosenSite, SitingResult
from .scenarios import (
    Scenario,
    compare_scenarios,
    export_result,
    run_scenario,
    run_scenarios,
    scenario_table,
)

__all__ = [
    "CandidateSpec",
    "ChosenSite",
    "CostMatrix",
    "Scenario",
    "SitingProblem",
    "SitingResult",
    "candidate_sites",
    "compare_scenarios",
    "export_result",
    "filter_by_rules",
    "lscp",
    "mclp",
    "pmedian",
    "read_cost_matrix",
    "run_scenario",
    "run_scenarios",
    "scenario_table",
]
