"""Planner tools: where the next offices should go.

* :func:`mclp` - maximal covering: ``k`` new sites covering the most people;
* :func:`lscp` - set covering: the fewest new sites reaching a covered share;
* :func:`pmedian` - ``k`` new sites minimising the population-weighted cost to the nearest office;
* more models (:mod:`siting.optimize.models`): :func:`pcenter`, :func:`min_beyond`,
  :func:`capacitated_pmedian`, :func:`capacitated_mclp`, :func:`backup_coverage`,
  :func:`mclp_county_floor`.

Existing offices are always kept, and so are ``fixed=`` sites (columns of the same cost matrix, by
label): ``k`` counts NEW sites only; a spopt-style ``p=`` (all open sites, kept ones included) is
accepted as well. Candidate sites pass the site rules of :mod:`siting.rules.site` before the model
sees them, and chosen sites keep the minimum same-type distance from each other (conflict
constraints in the model). ``radius`` is needed by MCLP and LSCP only.

Build an instance once, from a workspace with :func:`problem_from_workspace` or with
:class:`SitingProblem` (``from_cost_matrix``, ``from_points``, ``from_geodataframe``), then solve it
for any ``k`` or target; or run whole scenarios with :func:`run_scenario` and
compare them with :func:`compare_scenarios`.

Every model returns a :class:`SitingResult`: the chosen sites under the user's own labels, what the
objective counts (``objective_meaning``), ``covered_after`` and ``total_cost``, the ``status`` and the
headline fields ``proven``, ``heuristic``, ``stopped_by_time_limit`` and ``truncated``.
"""

from siting.optimize.candidates import CandidateSpec, candidate_sites, filter_by_rules
from siting.optimize.costs import CostMatrix, read_cost_matrix
from siting.optimize.locate import lscp, mclp, pmedian
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
from siting.optimize.result import ChosenSite, SitingResult
from siting.optimize.scenarios import (
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
    "backup_coverage",
    "candidate_sites",
    "capacitated_mclp",
    "capacitated_pmedian",
    "compare_scenarios",
    "export_result",
    "filter_by_rules",
    "lscp",
    "mclp",
    "mclp_county_floor",
    "min_beyond",
    "pcenter",
    "pmedian",
    "problem_from_workspace",
    "read_cost_matrix",
    "run_scenario",
    "run_scenarios",
    "scenario_table",
]
