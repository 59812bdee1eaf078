"""One call per dashboard screen.

======================  ==========================================================
screen                   call
======================  ==========================================================
applicant: my requests   :meth:`my_applications` (next steps, returns and reasons)
applicant: a request     :meth:`get_application` (+ ``upload_document``, ``submit``)
directorate: queue       :meth:`queue` (``.by_step()``), :meth:`overdue_steps`
directorate: renewals    :meth:`renewals_due`
working group: meeting   :meth:`agenda` (``.to_geojson()`` for the map),
                         :meth:`get_application` for the full validation report,
                         :meth:`record_decision`
history                  :meth:`audit_trail`
======================  ==========================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from .. import fmt, permissions
from . import models as m
from .applicants import eligibility
from .convert import (
    applicant_view,
    application_view,
    decision_view,
    document_view,
    licence_view,
    step_view,
)
from .core import Ctx, api
from .errors import TrackerInputError
from .progress import ProgressMixin, latest_steps
from .terms import OPEN_STATUSES
from .views import (
    Agenda,
    AgendaItem,
    ApplicationDetail,
    AuditView,
    MissingDocument,
    MyApplication,
    OverdueItem,
    Queue,
    QueueItem,
    StepView,
)

ACTIVE_STATUSES = (*OPEN_STATUSES, "licensed", "completed")


class ScreensMixin(ProgressMixin):
    # -- applicant ------------------------------------------------------------------------------------
    @api("read")
    def get_application(self, ctx: Ctx, application_id: int) -> ApplicationDetail:
        """Everything about one application: steps, next steps, documents and what is missing,
        decisions of every round, eligibility, the latest site validation report, the licence."""
        app = self._application(ctx, application_id)
        steps = tuple(step_view(s, self.workflow) for s in app.steps)
        decisions = tuple(decision_view(d) for d in ctx.s.scalars(
            select(m.Decision).where(m.Decision.application_id == app.id).order_by(m.Decision.round)))
        report = ctx.s.scalars(select(m.SiteValidation.report).where(m.SiteValidation.application_id == app.id)
                               .order_by(m.SiteValidation.id.desc()).limit(1)).first()
        if ctx.role == "applicant" and report:
            report = self._report_for_applicant(ctx, report)
        documents = tuple(document_view(d) for d in ctx.s.scalars(
            select(m.Document).where(m.Document.application_id == app.id).order_by(m.Document.id)))
        return ApplicationDetail(
            application=application_view(app), applicant=applicant_view(app.applicant), steps=steps,
            next_steps=self._next_steps(app), documents=documents,
            missing_documents=self._all_missing_documents(ctx, app), decisions=decisions,
            eligibility=eligibility(self, app.applicant, app.licence_type), validation=report,
            licence=self._licence_of(ctx, app), open_deficiencies=self._open_deficiencies(app, decisions),
            requested_documents=self._requested_documents(ctx, app))

    @api("read")
    def my_applications(self, ctx: Ctx) -> tuple[MyApplication, ...]:
        """The caller's applications, newest first, each with its next steps, open deficiencies
        (a return's reasons), last decision and licence."""
        apps = ctx.s.scalars(select(m.Application).join(m.Applicant).where(m.Applicant.owner_id == ctx.user.id)
                             .order_by(m.Application.id.desc())).all()
        out = []
        for app in apps:
            decisions = tuple(decision_view(d) for d in ctx.s.scalars(
                select(m.Decision).where(m.Decision.application_id == app.id).order_by(m.Decision.round)))
            out.append(MyApplication(application_view(app), self._next_steps(app),
                                     self._open_deficiencies(app, decisions), decisions[-1] if decisions else None,
                                     self._licence_of(ctx, app)))
        return tuple(out)

    # -- directorate ----------------------------------------------------------------------------------
    @api("read")
    def queue(self, ctx: Ctx, *, step_id: str | None = None, include_applicant_steps: bool = False) -> Queue:
        """Steps waiting for someone to act, oldest first (staff).

        By default the steps of the directorate and outside bodies (what the
        directorate follows up); ``include_applicant_steps`` adds the
        applicants' own. ``.by_step()`` groups them.
        """
        self._require_action(ctx, permissions.READ_APPLICATIONS)
        return Queue(tuple(self._open_step_items(ctx, step_id, include_applicant_steps, overdue_on=None)))

    @api("read")
    def overdue_steps(self, ctx: Ctx, *, today: date | None = None) -> tuple[OverdueItem, ...]:
        """Ready or returned steps past their due date (the workflow's ``due_days``), most overdue first."""
        self._require_action(ctx, permissions.READ_APPLICATIONS)
        today = today or ctx.today
        items = self._open_step_items(ctx, None, True, overdue_on=today)
        out = [OverdueItem(i, (today - i.step.due_on).days) for i in items if i.step.due_on is not None]
        return tuple(sorted(out, key=lambda o: (-o.days_overdue, o.item.application_id)))

    def _open_step_items(self, ctx: Ctx, step_id: str | None, applicant_steps: bool,
                         overdue_on: date | None) -> list[QueueItem]:
        a, st = m.Application, m.Step
        q = (select(*st.__table__.columns, a.id.label("app_id"), a.licence_type, a.request_type, a.county,
                    a.status, m.Applicant.name.label("applicant_name"))
             .join(a, a.id == st.application_id)
             .join(m.Applicant, m.Applicant.id == a.applicant_id)
             .where(st.state.in_(("ready", "returned")), a.status.in_(ACTIVE_STATUSES))
             .order_by(st.ready_at, st.id))
        if step_id is not None:
            if step_id not in {s.id for s in self.workflow.steps}:
                raise TrackerInputError(f"step_id: no step {step_id!r} in the workflow",
                                        f"مرحلهٔ {step_id!r} در گردش کار نیست")
            q = q.where(st.step_id == step_id)
        if not applicant_steps:
            q = q.where(st.actor != "applicant")
        if overdue_on is not None:
            q = q.where(st.due_on < overdue_on)
        # plain rows, not ORM objects: the queue can hold thousands of steps
        return [QueueItem(r.app_id, r.applicant_name, r.licence_type, r.request_type, r.county, r.status,
                          step_view(r, self.workflow)) for r in ctx.s.execute(q)]

    # -- working group --------------------------------------------------------------------------------
    @api("read")
    def agenda(self, ctx: Ctx, *, body: str = "working_group") -> Agenda:
        """The pending proposals of the working group (or, ``body='directorate'``, of the
        directorate's own reviews), oldest first, each with its site validation summary and
        coordinates for the map. The full report: :meth:`get_application`."""
        self._require_action(ctx, permissions.READ_APPLICATIONS)
        actor = {"working_group": "working_group", "directorate": "directorate"}.get(body)
        if actor is None:
            raise TrackerInputError("body: working_group or directorate", "مرجع بررسی: کارگروه یا اداره کل")
        types = [rt for rt in self.workflow.request_types if self.workflow.review_step(rt).actor == actor]
        a, p = m.Application, m.Applicant
        rows = ctx.s.execute(
            select(a.id, a.version, p.name, p.kind, a.licence_type, a.request_type, a.round, a.county, a.site_lon,
                   a.site_lat, a.address, a.map_not_found, a.submitted_at, a.validation_status,
                   a.validation_summary, a.validated_at)
            .join(p, p.id == a.applicant_id)
            .where(a.status == "under_review", a.request_type.in_(types))
            .order_by(a.submitted_at, a.id))
        items = []
        for r in rows:
            summary: dict[str, Any] = r.validation_summary or {}
            items.append(AgendaItem(
                application_id=r.id, version=r.version, applicant_name=r.name, applicant_kind=r.kind,
                licence_type=r.licence_type, request_type=r.request_type, round=r.round, county=r.county,
                lon=r.site_lon, lat=r.site_lat, address=r.address, map_not_found=r.map_not_found,
                submitted_at=r.submitted_at, validation_status=r.validation_status,
                failed_rules=tuple(summary.get("failed", ())), warned_rules=tuple(summary.get("warned", ())),
                newly_covered_population=summary.get("newly_covered_population"),
                conflicts=tuple(summary.get("conflicts", ())), sample=bool(summary.get("sample", False)),
                validated_at=r.validated_at))
        return Agenda(tuple(items), ctx.now)

    @api("read")
    def validation_reports(self, ctx: Ctx, application_ids: Sequence[int]) -> dict[int, dict[str, Any] | None]:
        """The latest stored site validation report of each application (``None`` where none was
        stored), in one query per 500 ids: what the working group's meeting shows for a whole agenda
        (staff only; an applicant reads its own report through :meth:`get_application`)."""
        self._require_action(ctx, permissions.READ_APPLICATIONS)
        ids = sorted({int(i) for i in application_ids})
        out: dict[int, dict[str, Any] | None] = dict.fromkeys(ids)
        sv = m.SiteValidation
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            latest = (select(func.max(sv.id)).where(sv.application_id.in_(chunk))
                      .group_by(sv.application_id).scalar_subquery())
            for app_id, report in ctx.s.execute(select(sv.application_id, sv.report).where(sv.id.in_(latest))):
                out[app_id] = report
        return out

    # -- history --------------------------------------------------------------------------------------
    @api("read")
    def audit_trail(self, ctx: Ctx, application_id: int) -> tuple[AuditView, ...]:
        """Every change to an application, oldest first: who, when, what."""
        app = self._application(ctx, application_id)
        rows = ctx.s.scalars(select(m.AuditEntry).where(m.AuditEntry.application_id == app.id)
                             .order_by(m.AuditEntry.id))
        return tuple(_audit_view(e) for e in rows)

    @api("read")
    def audit_log(self, ctx: Ctx, *, limit: int = 200, before_id: int | None = None) -> tuple[AuditView, ...]:
        """The whole audit trail, newest first, a page at a time (administrators)."""
        self._require_action(ctx, permissions.READ_AUDIT)
        q = select(m.AuditEntry).order_by(m.AuditEntry.id.desc()).limit(max(1, min(limit, 5000)))
        if before_id is not None:
            q = q.where(m.AuditEntry.id < before_id)
        return tuple(_audit_view(e) for e in ctx.s.scalars(q))

    # -- helpers --------------------------------------------------------------------------------------
    def _next_steps(self, app: m.Application) -> tuple[StepView, ...]:
        rows = sorted((r for r in latest_steps(app).values() if r.state in ("ready", "returned")),
                      key=lambda r: r.id)
        return tuple(step_view(r, self.workflow) for r in rows)

    def _open_deficiencies(self, app: m.Application, decisions: tuple) -> tuple[str, ...]:
        out: list[str] = []
        if app.status == "returned" and decisions and decisions[-1].outcome == "return":
            out.extend(decisions[-1].deficiencies)
        for r in latest_steps(app).values():
            if r.state == "returned":
                out.extend(r.deficiencies or ())
        return tuple(out)

    def _all_missing_documents(self, ctx: Ctx, app: m.Application) -> tuple[MissingDocument, ...]:
        latest = latest_steps(app)
        out: list[MissingDocument] = []
        for d in self.workflow.steps_for(app.request_type):
            row = latest.get(d.id)
            if not d.documents or (row is not None and row.state in ("done", "skipped", "closed")):
                continue
            if not self.workflow.applies(d, app.licence_type, app.applicant.kind):
                continue
            out.extend(self._missing_documents(ctx, app, d))
        return tuple(out)

    def _report_for_applicant(self, ctx: Ctx, report: dict[str, Any]) -> dict[str, Any]:
        """The validation report as an applicant sees it: competing proposals by distance and status
        only (no application number, no applicant); staff read the stored report unchanged."""
        conflicts = list(report.get("conflicts") or ())
        if not conflicts:
            return report
        ids = [int(c["proposal_id"]) for c in conflicts if str(c.get("proposal_id", "")).isdigit()]
        statuses = dict(ctx.s.execute(select(m.Application.id, m.Application.status)
                                      .where(m.Application.id.in_(ids))).all()) if ids else {}
        out = dict(report)
        out["conflicts"] = [
            {"proposal_id": "", "name": None, "licence_type": c.get("licence_type"),
             "distance_m": c.get("distance_m"), "threshold_m": c.get("threshold_m"),
             "status": statuses.get(int(c["proposal_id"])) if str(c.get("proposal_id", "")).isdigit() else None}
            for c in conflicts]
        rules = []
        for r in report.get("rules") or ():
            if r.get("id") == "proposal_conflicts" and r.get("status") != "pass":
                held = sorted(float(c.get("distance_m") or 0) for c in out["conflicts"] if c["status"] == "approved")
                far = sorted(float(c.get("distance_m") or 0) for c in out["conflicts"] if c["status"] != "approved")
                fa, en = [], []
                if held:
                    fa.append("درخواست موافقت‌شده در فاصلهٔ کمتر از حداقل مجاز: " + "، ".join(fmt.distance(d) for d in held))
                    en.append("Approved proposal within the minimum distance: "
                              + ", ".join(fmt.distance(d, "en") for d in held))
                if far:
                    fa.append("درخواست‌های در جریان نزدیک: " + "، ".join(fmt.distance(d) for d in far))
                    en.append("Pending proposals too close: " + ", ".join(fmt.distance(d, "en") for d in far))
                r = {**r, "message_fa": "؛ ".join(fa), "message_en": "; ".join(en)}
            rules.append(r)
        out["rules"] = rules
        return out

    def _licence_of(self, ctx: Ctx, app: m.Application):
        lic = ctx.s.scalars(select(m.Licence).where(m.Licence.application_id == app.id)).first()
        if lic is None and app.licence_id is not None:
            lic = ctx.s.get(m.Licence, app.licence_id)
        if lic is None:
            return None
        view = licence_view(lic)
        holder = ctx.s.get(m.Applicant, lic.holder_id)
        if ctx.role == "applicant" and (holder is None or not self._owns(ctx, holder)):
            # a transfer request: the licence's number, type, term and status, nothing about its holder
            view = dataclasses.replace(view, holder_id=0, holder_name="", application_id=0, predecessor_id=None,
                                       lon=None, lat=None, address=None, postal_code=None, county=None,
                                       deputy_name=None, deputy_national_id=None)
        return view


def _audit_view(e: m.AuditEntry) -> AuditView:
    return AuditView(e.id, e.at, e.user_id, e.username, e.role, e.action, e.entity, e.entity_id,
                     e.application_id, dict(e.details or {}))
