"""What the staff screens show, built from the tracker's views: the working group's meeting
(agenda, stored validation reports, conflicting pairs) and the facts a step asks for.

The dashboard's pages call these and render the result; the rules stay in
:class:`~siting.tracker.Tracker` (which is called here, never bypassed).

Call :func:`meeting_view` with a tracker and a working-group member's identity; ``view.pairs`` holds
``(proposal_a, proposal_b, distance_m, threshold_m, status_a, status_b)`` for each conflicting pair
with a proposal on the agenda (the other one pending or approved).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ..reports.labels import PAIR_COLUMNS
from ..rules.validate import Conflict, ValidationReport, with_conflicts
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
    pairs: pd.DataFrame  # proposal_a, proposal_b (application ids as text), distance_m, threshold_m, status_a, status_b

    def item(self, application_id: int) -> AgendaItem:
        for it in self.agenda.items:
            if it.application_id == application_id:
                return it
        raise KeyError(application_id)

    def off_agenda_partners(self) -> dict[str, Conflict]:
        """The proposals in conflict with one on the agenda that are not on it (approved ones, or
        pending ones not yet received), by id, each as its conflict (name, licence type, status, point)."""
        on = {str(it.application_id) for it in self.agenda.items}
        out: dict[str, Conflict] = {}
        for report in self.reports.values():
            for c in report.conflicts if report is not None else ():
                if str(c.proposal_id) not in on:
                    out.setdefault(str(c.proposal_id), c)
        return dict(sorted(out.items(), key=lambda kv: _id_order(kv[0])))

    def pair_partners(self, application_id: int) -> tuple[str, ...]:
        """The proposals in conflict with ``application_id`` (ids as text)."""
        me = str(application_id)
        return tuple(sorted({b if a == me else a for a, b in zip(self.pairs["proposal_a"], self.pairs["proposal_b"],
                                                                   strict=True) if me in (a, b)}, key=_id_order))


def meeting_view(tracker: Tracker, who: Identity, *, body: str = "working_group") -> MeetingView:
    """The agenda (:meth:`Tracker.agenda`) with each proposal's full stored report
    (:meth:`Tracker.validation_reports`, one query for the whole agenda) and the conflicting pairs.

    The conflicts are those of now (:meth:`Tracker.site_conflicts`: pending and approved proposals
    too close, the one computation the decision checks too), not those stored with each report
    (made when it was submitted, before later proposals existed or earlier ones were decided):
    every report on the agenda, its item's status and failed rules, and ``pairs`` say the same.
    ``pairs`` lists each pair once, with ``status_a``/``status_b`` (an approved partner is not on
    the agenda but its conflict is listed), nearest first.
    """
    agenda = tracker.agenda(who, body=body)
    ids = [it.application_id for it in agenda.items]
    stored = tracker.validation_reports(who, ids)
    live = tracker.site_conflicts(who, ids)
    reports: dict[int, ValidationReport | None] = {}
    items = []
    seen: dict[tuple[str, str], dict] = {}
    for it in agenda.items:
        report = report_from_dict(stored[it.application_id])
        conflicts = live.get(it.application_id, ())
        if report is not None:
            report = with_conflicts(report, conflicts)
            it = replace(it, validation_status=report.status,
                         failed_rules=tuple(r.id for r in report.rules if r.status == "fail"),
                         warned_rules=tuple(r.id for r in report.rules if r.status == "warn"),
                         conflicts=tuple(int(c.proposal_id) for c in conflicts if str(c.proposal_id).isdigit()))
        reports[it.application_id] = report
        items.append(it)
        me = str(it.application_id)
        for c in conflicts:
            a, b = sorted((me, str(c.proposal_id)), key=_id_order)
            status = {me: "under_review", str(c.proposal_id): c.status}
            rec = {"proposal_a": a, "proposal_b": b, "distance_m": float(c.distance_m),
                   "threshold_m": float(c.threshold_m), "status_a": status[a], "status_b": status[b]}
            if (a, b) not in seen or rec["threshold_m"] > seen[(a, b)]["threshold_m"]:
                seen[(a, b)] = rec
    pairs = pd.DataFrame(sorted(seen.values(), key=lambda r: (r["distance_m"], _id_order(r["proposal_a"]),
                                                              _id_order(r["proposal_b"]))),
                         columns=[*PAIR_COLUMNS, "status_a", "status_b"])
    return MeetingView(replace(agenda, items=tuple(items)), reports, pairs)


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
