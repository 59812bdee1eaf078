"""What the staff screens show, built from the tracker's views: the working group's meeting
(agenda, stored validation reports, conflicting pairs) and the facts a step asks for.

The dashboard's pages call these and render the result; the rules stay in
:class:`~siting.tracker.Tracker` (which is called here, never bypassed).

Call :func:`meeting_view` with a tracker and a working-group member's identity; ``view.pairs`` holds
``(proposal_a, proposal_b, distance_m, threshold_m)`` for each conflicting pair on the agenda.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ..reports.meeting import conflict_pairs
from ..rules.validate import ValidationReport
from .views import Agenda, AgendaItem

if TYPE_CHECKING:
    from . import Identity, Tracker
    from .workflow import DataField, Workflow


report_from_dict = ValidationReport.from_dict  # the report a tracker stored (ValidationReport.to_dict())


def agenda_proposals(agenda: Agenda) -> gpd.GeoDataFrame:
    """The agenda's proposals with a point, as the proposals frame of the "Review proposals" page
    (the frame :func:`siting.io.importer.read_proposals` returns): ``proposal_id`` (the application
    id, as text), ``name`` (the applicant), ``licence_type``, ``applicant_type`` (natural/legal),
    ``row`` (the position on the agenda, from 1) and the point. Proposals without a point (an
    address only) are left out: :func:`not_located` lists them."""
    rows = [(i, it) for i, it in enumerate(agenda.items, start=1) if it.lon is not None and it.lat is not None]
    return gpd.GeoDataFrame({
        "proposal_id": [str(it.application_id) for _, it in rows],
        "name": [it.applicant_name for _, it in rows],
        "licence_type": [it.licence_type for _, it in rows],
        "applicant_type": [it.applicant_kind for _, it in rows],
        "row": [i for i, _ in rows],
    }, geometry=gpd.points_from_xy([it.lon for _, it in rows], [it.lat for _, it in rows]), crs="EPSG:4326")


def not_located(agenda: Agenda) -> tuple[AgendaItem, ...]:
    """Agenda items whose site is an address only (the working group checks the address)."""
    return tuple(it for it in agenda.items if it.lon is None or it.lat is None)


@dataclass(frozen=True)
class MeetingView:
    """The working group's meeting: the agenda, each proposal's stored validation report
    (``None`` for an address without a point), and each conflicting pair once."""

    agenda: Agenda
    reports: Mapping[int, ValidationReport | None]
    pairs: pd.DataFrame  # proposal_a, proposal_b (application ids as text), distance_m, threshold_m

    def item(self, application_id: int) -> AgendaItem:
        for it in self.agenda.items:
            if it.application_id == application_id:
                return it
        raise KeyError(application_id)

    def pair_partners(self, application_id: int) -> tuple[str, ...]:
        """The proposals in conflict with ``application_id`` (ids as text)."""
        me = str(application_id)
        return tuple(sorted({b if a == me else a for a, b in zip(self.pairs["proposal_a"], self.pairs["proposal_b"],
                                                                   strict=True) if me in (a, b)}, key=_id_order))


def meeting_view(tracker: Tracker, who: Identity, *, body: str = "working_group") -> MeetingView:
    """The agenda (:meth:`Tracker.agenda`) with each proposal's full stored report
    (:meth:`Tracker.validation_reports`, one query for the whole agenda) and the conflicting pairs.

    A pair of proposals on the agenda is listed when either side's report
    names the other (the report of the proposal submitted first was made
    before the second existed), with the larger, binding, minimum distance
    (:func:`siting.reports.meeting.conflict_pairs`). A conflict with a proposal that
    has left the agenda (decided) is not listed.
    """
    agenda = tracker.agenda(who, body=body)
    stored = tracker.validation_reports(who, [it.application_id for it in agenda.items])
    reports = {it.application_id: report_from_dict(stored[it.application_id]) for it in agenda.items}
    located = [(str(k), r) for k, r in reports.items() if r is not None]
    pairs = conflict_pairs([r for _, r in located], [k for k, _ in located])
    on_agenda = {k for k, _ in located}
    pairs = pairs[pairs["proposal_a"].isin(on_agenda) & pairs["proposal_b"].isin(on_agenda)]
    if len(pairs):
        pairs = pairs.assign(_a=pairs["proposal_a"].map(_id_order), _b=pairs["proposal_b"].map(_id_order))
        pairs = pairs.sort_values(["distance_m", "_a", "_b"]).drop(columns=["_a", "_b"]).reset_index(drop=True)
    return MeetingView(agenda, reports, pairs)


def _id_order(pid: str) -> tuple[int, str]:
    return (int(pid), "") if str(pid).isdigit() else (1 << 62, str(pid))


def step_fields(workflow: Workflow, step_id: str) -> tuple[DataField, ...]:
    """The facts a step records (``data`` in ``siting/tracker/workflow.yaml``), required ones marked."""
    return workflow.step(step_id).data


def deficiency_lines(text: str | None) -> list[str]:
    """A text box's lines as a list of deficiencies (blank lines dropped; the tracker tidies each)."""
    return [line.strip(" \t-•*") for line in (text or "").splitlines() if line.strip(" \t-•*")]


__all__ = [
    "MeetingView",
    "agenda_proposals",
    "deficiency_lines",
    "meeting_view",
    "not_located",
    "report_from_dict",
    "step_fields",
]
