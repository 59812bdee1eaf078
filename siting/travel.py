"""Who the existing offices serve today, by each licence type's own measure (distance or travel time).

The rules file says per licence type whether an office serves within its radius (straight line) or
within its service time on the road network (``service_measure``, see
:meth:`siting.rules.Rules.with_measure`). :func:`served_today` applies both at once to a set of
settlements: a settlement is served when an office of some type serves it by that type's measure.
Validation (the population a site would newly cover) and the optimizer (who is covered before any
new site) share it.

Travel time is the trip from the settlement to the office (people travel to it), on the workspace's
road network (:func:`siting.network.workspace_network`). A settlement off the network, or from which
no office is reachable in time, is not served by time; it is never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.network import WorkspaceNetwork, workspace_network
from siting.rules import Rules
from siting.vocab import LICENCE_TYPES
from siting.workspace import Workspace


@dataclass(frozen=True)
class ServedToday:
    """What the serving offices do today for some settlements (positions in ``ws.settlements``).

    Attributes
    ----------
    covered
        Whether an office serves the settlement, each office type by its own measure.
    time_s
        Travel time (seconds) to the nearest serving office of any type (``inf``: none reachable, or
        no licence type is measured by time).
    on_network
        Whether the settlement joins the road network (all True when no type is measured by time).
    """

    covered: np.ndarray
    time_s: np.ndarray
    on_network: np.ndarray


def uses_time(rules: Rules) -> bool:
    """Whether any licence type is served by travel time."""
    return any(m == "time" for m in rules.measures().values())


def served_today(ws: Workspace, rules: Rules, rows: np.ndarray, *, net: WorkspaceNetwork | None = None,
                 times: bool = False) -> ServedToday:
    """Coverage of settlements ``rows`` by the serving offices, each type by its own measure.

    Parameters
    ----------
    ws
        The workspace.
    rules
        The rules (radii, service times and measures).
    rows
        Positions in ``ws.settlements``.
    net
        The workspace network (default: :func:`~siting.network.workspace_network`, built only when a
        type is measured by time or ``times`` is asked).
    times
        Also compute ``time_s`` (travel time to the nearest office of any type, unbounded), e.g. for
        the p-median cost of today's offices.

    Raises
    ------
    siting.errors.InputError
        A type is measured by time (or ``times``) and the workspace has no roads layer.
    """
    from siting.coverage import nearest_offices

    rows = np.asarray(rows, np.int64)
    n = len(rows)
    covered = np.zeros(n, bool)
    time_s = np.full(n, np.inf)
    on = np.ones(n, bool)
    measures = rules.measures()
    by_time = [t for t in LICENCE_TYPES if measures[t] == "time"]
    by_distance = [t for t in LICENCE_TYPES if measures[t] != "time"]
    if by_distance and n:
        near = nearest_offices(ws, ws.index.settlement_xy[rows])
        for t in by_distance:
            covered |= near.dist[t] <= rules.for_type(t).service_radius_m
    if (by_time or times) and n:
        net = net or workspace_network(ws)
        targets = net.settlements.subset(rows)
        on = targets.on_network.copy()
        for t in by_time:
            limit = float(rules.for_type(t).service_time_min or 0.0) * 60.0
            seconds, _ = net.nearest_office_times(ws, t, targets, max_time_s=limit)
            covered |= seconds <= limit
        if times:
            time_s, _ = net.nearest_office_times(ws, "any", targets)
    return ServedToday(covered, time_s, on)


__all__ = ["ServedToday", "served_today", "uses_time"]
