"""Moving an application through the workflow: steps, their order, decisions and returns.

The application's ``status`` says which phase of the workflow file is open:

========== =====================
status      open phase
========== =====================
draft       request
returned    request (next round)
submitted   intake
under_review review
approved    licensing
licensed    after_licence
completed   after_licence
========== =====================

A step becomes *ready* when its phase is open and every step it ``needs``
is done, or is not required for this application (a step skipped for the
licence or applicant type, or not part of this request type). Only a ready
(or returned) step can be completed, only by its actor, only with the
documents and facts it requires. Anything else is refused with a
:class:`TransitionError` that says why, in Persian and English, and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy import text as sql_text

from .. import fmt, permissions
from ..rules.validate import HOLDING_STATUSES, Conflict
from ..text import clean_text
from ..vocab import label
from . import models as m
from .access import ACTOR_ROLES
from .convert import application_view, step_view
from .core import Ctx, TrackerBase, api
from .errors import AccessDenied, NotFound, TrackerInputError, TransitionError
from .ids import digits_only, postal_code_problem
from .terms import OUTCOMES, term, tidy_text
from .views import ApplicationView, MissingDocument, RequestedDocument, StepView
from .workflow import StepDef

OPEN_PHASE: Mapping[str, str] = {
    "draft": "request", "returned": "request", "submitted": "intake", "under_review": "review",
    "approved": "licensing", "licensed": "after_licence", "completed": "after_licence",
}
REVIEW_PHASES: tuple[str, ...] = ("request", "intake", "review")


def latest_steps(app: m.Application) -> dict[str, m.Step]:
    """The newest row of each step of an application (later rounds replace earlier ones)."""
    out: dict[str, m.Step] = {}
    for s in app.steps:
        if s.step_id not in out or s.round >= out[s.step_id].round:
            out[s.step_id] = s
    return out


def _titles(defs: Iterable[StepDef]) -> tuple[str, str]:
    defs = list(defs)
    return ("; ".join(d.en for d in defs), "؛ ".join(d.fa for d in defs))


class ProgressMixin(TrackerBase):
    # -- building and refreshing steps -------------------------------------------------------------
    def _create_steps(self, ctx: Ctx, app: m.Application, phases: Sequence[str], *,
                      keep_done: bool = False) -> None:
        """Rows for the steps of ``phases`` in the application's current round.

        With ``keep_done``, a request-phase step already done in an earlier round
        (reading the principles) is not asked for again.
        """
        wf = self.workflow
        latest = latest_steps(app)
        for d in wf.steps_for(app.request_type):
            if d.phase not in phases:
                continue
            old = latest.get(d.id)
            if (keep_done and d.phase == "request" and old is not None and old.state == "done"
                    and d.completed_by == "step"):
                continue
            if old is not None and old.round == app.round:
                continue
            if old is not None and old.state in ("waiting", "ready", "returned"):
                old.state = "closed"
            applies = wf.applies(d, app.licence_type, app.applicant.kind)
            app.steps.append(m.Step(
                step_id=d.id, round=app.round, phase=d.phase, state="waiting" if applies else "skipped",
                actor=wf.actor_for(d, app.county),
                notes=None if applies else self._skip_note(d, app), data={}, deficiencies=[]))

    def _skip_note(self, d: StepDef, app: m.Application) -> str:
        """Why a step is not required, in Persian and English."""
        if app.licence_type not in d.licence_types:
            fa = "، ".join(label(t) for t in d.licence_types)
            en = ", ".join(label(t, "en") for t in d.licence_types)
        else:
            fa = "، ".join(label(t) for t in d.applicant_types)
            en = ", ".join(label(t, "en") for t in d.applicant_types)
        return f"لازم نیست: فقط برای {fa} / not required: only for {en}"

    def _satisfied(self, app: m.Application, step_id: str, latest: Mapping[str, m.Step]) -> bool:
        if not self.workflow.has_step(app.request_type, step_id):
            return True
        row = latest.get(step_id)
        return row is not None and row.state in ("done", "skipped")

    def _missing_needs(self, app: m.Application, d: StepDef, latest: Mapping[str, m.Step]) -> list[StepDef]:
        return [self.workflow.step(n) for n in d.needs if not self._satisfied(app, n, latest)]

    def _refresh(self, ctx: Ctx, app: m.Application) -> None:
        """Mark as ready every waiting step of the open phase whose needs are met; set its due date."""
        phase = OPEN_PHASE.get(app.status)
        changed = True
        while changed:  # a step made ready never satisfies another, but skipped chains may cascade
            changed = False
            latest = latest_steps(app)
            for row in latest.values():
                if row.state != "waiting" or row.phase != phase:
                    continue
                d = self.workflow.step(row.step_id)
                if not self._missing_needs(app, d, latest):
                    row.state = "ready"
                    row.ready_at = ctx.now
                    row.due_on = ctx.today + timedelta(days=d.due_days) if d.due_days else None
                    changed = True

    def _step_row(self, app: m.Application, step_id: str) -> tuple[StepDef, m.Step]:
        try:
            d = self.workflow.step(step_id)
        except KeyError:
            raise NotFound(f"no step {step_id!r} in the workflow", f"مرحلهٔ {step_id!r} در گردش کار نیست") from None
        row = latest_steps(app).get(step_id)
        if d not in self.workflow.steps_for(app.request_type):
            rt = self.workflow.request_types[app.request_type]
            raise TransitionError(f"step '{d.en}' is not part of a {rt.en} request",
                                  f"مرحلهٔ «{d.fa}» جزو «{rt.fa}» نیست")
        if row is None:
            raise TransitionError(
                f"step '{d.en}' comes later: the application is {term(app.status, 'en')}",
                f"نوبت مرحلهٔ «{d.fa}» نرسیده است؛ وضعیت درخواست: {term(app.status)}")
        return d, row

    def _why_not_ready(self, app: m.Application, d: StepDef, row: m.Step) -> TransitionError:
        if row.state == "skipped":
            return TransitionError(f"step '{d.en}' is not required for this application ({row.notes})",
                                   f"مرحلهٔ «{d.fa}» برای این درخواست لازم نیست")
        if row.state == "done":
            return TransitionError(f"step '{d.en}' is already done", f"مرحلهٔ «{d.fa}» پیش‌تر انجام شده است")
        if row.state == "closed":
            return TransitionError(f"step '{d.en}' belongs to an earlier round", f"مرحلهٔ «{d.fa}» مربوط به دور قبلی است")
        missing = self._missing_needs(app, d, latest_steps(app))
        if missing:
            en, fa = _titles(missing)
            return TransitionError(f"step '{d.en}' must wait for: {en}",
                                   f"پیش از مرحلهٔ «{d.fa}» این مراحل باید انجام شوند: {fa}")
        return TransitionError(
            f"step '{d.en}' cannot be done while the application is {term(app.status, 'en')}",
            f"مرحلهٔ «{d.fa}» در وضعیت «{term(app.status)}» انجام‌شدنی نیست")

    def _check_actor(self, ctx: Ctx, app: m.Application, row: m.Step, d: StepDef) -> None:
        if not self._may_act_on_step(ctx, app, row.actor):
            roles = ACTOR_ROLES.get(row.actor, ())
            allowed_en = ", ".join(term(r, "en") for r in roles) or "nobody in the tracker"
            allowed_fa = "، ".join(term(r) for r in roles) or "هیچ‌کس"
            if row.actor == "applicant":
                allowed_en, allowed_fa = f"the applicant or a {allowed_en}", f"خود متقاضی یا {allowed_fa}"
            raise AccessDenied(
                f"step '{d.en}' is recorded by {allowed_en} (actor: {self.workflow.actor_label(row.actor, 'en')})",
                f"مرحلهٔ «{d.fa}» را {allowed_fa} ثبت می‌کند (اقدام‌کننده: {self.workflow.actor_label(row.actor)})")

    # -- documents a step needs ------------------------------------------------------------------------
    def _missing_documents(self, ctx: Ctx, app: m.Application, d: StepDef) -> list[MissingDocument]:
        current = {(doc.kind, doc.person_id) for doc in self._current_documents(ctx, app)}
        out = []
        for kind in self.workflow.document_kinds(app.applicant.kind, d):
            if kind.per == "application":
                if (kind.id, None) not in current:
                    out.append(MissingDocument(d.id, kind.id, kind.fa, kind.en, None, None))
                continue
            for person in self._document_people(app):
                if kind.skip_if_exempt and person.military_exempt:
                    continue
                if (kind.id, person.id) not in current:
                    out.append(MissingDocument(d.id, kind.id, kind.fa, kind.en, person.id, person.full_name))
        return out

    def _document_people(self, app: m.Application) -> list[m.Person]:
        """Who provides personal documents: the natural applicant, or a company's director and board."""
        return [p for p in app.applicant.people
                if p.role in ("applicant", "managing_director", "board_member") or p.on_board]

    def _current_documents(self, ctx: Ctx, app: m.Application) -> list[m.Document]:
        return list(ctx.s.scalars(select(m.Document).where(
            m.Document.application_id == app.id, m.Document.superseded_at.is_(None)).order_by(m.Document.id)))

    # -- completing and returning steps ------------------------------------------------------------------
    @api("write")
    def complete_step(self, ctx: Ctx, application_id: int, step_id: str, *, expected_version: int,
                      notes: str | None = None, data: Mapping[str, Any] | None = None) -> StepView:
        """Record that a step is done.

        Parameters
        ----------
        application_id, step_id
            The application and the workflow step (``siting/tracker/workflow.yaml``).
        expected_version
            The application's version the caller saw (optimistic locking).
        notes
            Free text kept with the step.
        data
            The facts the step records (its ``data`` fields: a registration
            number, the postal code, the payment reference…).

        Raises
        ------
        TransitionError
            The step is not ready (earlier steps missing, wrong phase), is
            completed by another action (submission, decision, licence), or
            lacks documents or facts.
        AccessDenied
            The caller is not the step's actor.
        """
        app = self._application_to_change(ctx, application_id, expected_version)
        d, row = self._step_row(app, step_id)
        self._check_actor(ctx, app, row, d)
        if d.completed_by != "step":
            how = {"submit": ("by submitting the request", "با ارسال درخواست"),
                   "decision": ("by recording the decision", "با ثبت تصمیم"),
                   "licence": ("by issuing or changing the licence", "با صدور یا تغییر پروانه")}[d.completed_by]
            raise TransitionError(f"step '{d.en}' is completed {how[0]}", f"مرحلهٔ «{d.fa}» {how[1]} انجام می‌شود")
        if row.state not in ("ready", "returned") or OPEN_PHASE.get(app.status) != d.phase:
            raise self._why_not_ready(app, d, row)
        clean = self._step_data(d, data or {})
        missing_docs = self._missing_documents(ctx, app, d)
        if missing_docs:
            raise TransitionError.collect(
                f"step '{d.en}' needs documents first", f"مرحلهٔ «{d.fa}» پیش از انجام به این مدارک نیاز دارد",
                [(doc.kind, doc.title_en + (f" ({doc.person_name})" if doc.person_name else ""),
                  doc.title_fa + (f" ({doc.person_name})" if doc.person_name else "")) for doc in missing_docs])
        was = row.state
        self._mark_done(ctx, row, clean)
        row.notes = tidy_text(notes) if notes else row.notes
        if "postal_code" in clean and clean["postal_code"] != app.postal_code:
            app.postal_code = clean["postal_code"]
        if d.phase == "intake" and all(
                r.state in ("done", "skipped") for r in latest_steps(app).values() if r.phase == "intake"):
            app.status = "under_review"
        self._touch(ctx, app)
        self._refresh(ctx, app)
        ctx.audit("step_completed", "step", row.id, application_id=app.id, step=d.id, round=row.round,
                  was=was, data=clean, notes=row.notes, status=app.status)
        return step_view(row, self.workflow)

    def _step_data(self, d: StepDef, data: Mapping[str, Any]) -> dict[str, Any]:
        known = {f.id: f for f in d.data}
        problems = []
        unknown = sorted(set(data) - set(known))
        if unknown:
            problems.append(("data", f"step '{d.en}' does not record {', '.join(unknown)}",
                             f"مرحلهٔ «{d.fa}» این موارد را ثبت نمی‌کند: {'، '.join(unknown)}"))
        out: dict[str, Any] = {}
        for f in d.data:
            value = data.get(f.id)
            text = clean_text("" if value is None else str(value))
            if not text:
                if f.required:
                    problems.append((f.id, f"{f.en} is required", f"{f.fa} لازم است"))
                continue
            if f.id == "postal_code":
                problem = postal_code_problem(text)
                if problem:
                    problems.append((f.id, *problem))
                    continue
                text = digits_only(text)
            if f.id == "amount_rial":
                digits = digits_only(text).replace(",", "")
                if not digits.isdigit():
                    problems.append((f.id, f"{f.en} must be a whole number", f"{f.fa} باید عدد صحیح باشد"))
                    continue
                out[f.id] = int(digits)
                continue
            out[f.id] = text
        if problems:
            raise TrackerInputError.collect(f"step '{d.en}': the facts given are not valid",
                                            f"مرحلهٔ «{d.fa}»: اطلاعات واردشده معتبر نیست", problems)
        return out

    @api("write")
    def return_step(self, ctx: Ctx, application_id: int, step_id: str, deficiencies: Sequence[str], *,
                    expected_version: int) -> StepView:
        """Send an applicant's step back with its deficiencies (directorate experts).

        The applicant sees the deficiencies among its next steps and completes
        the step again. Refused when a step that depends on it is already done.
        """
        self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
        app = self._application_to_change(ctx, application_id, expected_version)
        d, row = self._step_row(app, step_id)
        items = _deficiencies(deficiencies)
        refusal = self._why_not_returnable(app, d, row)
        if refusal is not None:
            raise refusal
        row.state = "returned"
        row.deficiencies = [*items]
        row.due_on = ctx.today + timedelta(days=d.due_days) if d.due_days else None
        self._touch(ctx, app)
        ctx.audit("step_returned", "step", row.id, application_id=app.id, step=d.id, deficiencies=items)
        return step_view(row, self.workflow)

    @api("read")
    def returnable_steps(self, ctx: Ctx, application_id: int) -> tuple[StepView, ...]:
        """The applicant's steps that :meth:`return_step` would send back now, in the workflow's order
        (directorate experts; the same rule, so a screen offers only what is accepted).

        A step can be returned when the applicant records it, its phase is open (a request under
        the working group's review has its request phase behind it: reading the principles is not
        returnable then), it is ready or done, and no step that depends on it is done yet. Empty
        when nothing can be returned.
        """
        self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
        app = self._application(ctx, application_id)
        latest = latest_steps(app)
        return tuple(step_view(latest[d.id], self.workflow) for d in self.workflow.steps_for(app.request_type)
                     if d.id in latest and self._why_not_returnable(app, d, latest[d.id]) is None)

    def _why_not_returnable(self, app: m.Application, d: StepDef, row: m.Step) -> TransitionError | None:
        """Why :meth:`return_step` refuses to return the step now; ``None`` when it would accept."""
        if row.actor != "applicant" or d.completed_by != "step" or OPEN_PHASE.get(app.status) != d.phase:
            return TransitionError(f"step '{d.en}' cannot be returned to the applicant now",
                                   f"مرحلهٔ «{d.fa}» اکنون قابل عودت به متقاضی نیست")
        if row.state not in ("ready", "done"):
            return self._why_not_ready(app, d, row)
        done_after = [self.workflow.step(r.step_id) for r in latest_steps(app).values()
                      if r.state == "done" and d.id in self.workflow.step(r.step_id).needs]
        if done_after:
            en, fa = _titles(done_after)
            return TransitionError(f"step '{d.en}' cannot be returned: later steps are done ({en})",
                                   f"مرحلهٔ «{d.fa}» قابل عودت نیست؛ مراحل بعدی انجام شده‌اند ({fa})")
        return None

    # -- decisions ------------------------------------------------------------------------------------
    @api("write")
    def record_decision(self, ctx: Ctx, application_id: int, outcome: str, reasons: str, *,
                        expected_version: int, deficiencies: Sequence[str] = (),
                        meeting_date: date | None = None, override_reason: str | None = None,
                        requested_documents: Sequence[str] = ()) -> ApplicationView:
        """Record the review decision: approve, reject or return (عودت).

        The working group decides new licences, conversions, transfers and
        changes of address (working-group members record it); the directorate
        decides renewals, withdrawals, corrections and deputies (experts).

        * ``approve`` opens the licensing steps. When the site validation
          failed, ``override_reason`` must say why the group approves anyway.
        * ``return`` sends the application back with ``deficiencies`` (at
          least one); the applicant fixes them and submits again, which opens
          a new round. Every round's decision is kept.
        * ``reject`` ends the application.

        Every outcome needs ``reasons``. ``requested_documents`` (a return only): the document
        kinds the applicant must upload again; the next submission is refused until they are.
        An approval is also refused, unless ``override_reason`` says why, when the site is
        closer than the minimum distance to an approved proposal (checked now, inside this
        write transaction; decisions are serialised, so two members approving two conflicting
        proposals at once cannot both succeed).
        """
        _decision_lock(ctx)
        app = self._application_to_change(ctx, application_id, expected_version)
        _, row = self._step_row(app, self.workflow.review_step(app.request_type).id)
        if row.actor == "working_group":
            self._require_action(ctx, permissions.DECIDE_IN_WORKING_GROUP)
        else:
            self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
        if outcome not in OUTCOMES:
            raise TrackerInputError(f"outcome: expected approve, reject or return, got {outcome!r}",
                                    "نتیجه باید موافقت، مخالفت یا عودت باشد")
        if app.status != "under_review" or row.state != "ready":
            raise TransitionError(
                f"no decision can be recorded: the application is {term(app.status, 'en')}, not on the agenda",
                f"ثبت تصمیم ممکن نیست: وضعیت درخواست «{term(app.status)}» است، نه در دستور کار")
        reasons = tidy_text(reasons)
        items = _deficiencies(deficiencies) if outcome == "return" else tuple(
            tidy_text(x) for x in deficiencies if tidy_text(x))
        if not reasons:
            why_en, why_fa = f"reasons: say why the application is {_DECIDED_EN[outcome]}", f"دلایل {term(outcome)} را بنویسید"
            raise TrackerInputError(why_en, why_fa, [("reasons", why_en, why_fa)])
        requested = self._checked_requested(app, outcome, requested_documents)
        override = tidy_text(override_reason) or None
        # re-checked here, inside the write transaction (serialised by _decision_lock): two members
        # approving two conflicting proposals at once cannot both succeed without an override
        conflicts = self._live_conflicts(ctx, app)
        held = [c for c in conflicts if c.status in HOLDING_STATUSES]
        if outcome == "approve" and not override and (app.validation_status == "fail" or held):
            en: list[str] = []
            fa: list[str] = []
            if app.validation_status == "fail":
                failed = [r for r in (app.validation_summary or {}).get("failed", []) if r != "proposal_conflicts"]
                if failed:
                    en.append(f"the site fails the rules {', '.join(failed)}")
                    fa.append(f"محل پیشنهادی ضوابط {'، '.join(failed)} را ندارد")
            if held:
                en.append("it is closer than the minimum distance to approved "
                          + ", ".join(f"#{c.proposal_id} ({c.distance_m:,.0f} m < {c.threshold_m:,.0f} m)" for c in held))
                fa.append("فاصلهٔ آن با درخواست موافقت‌شدهٔ "
                          + "، ".join(f"#{c.proposal_id} ({fmt.distance(c.distance_m)} کمتر از "
                                     f"{fmt.distance(c.threshold_m)})" for c in held) + " کمتر از حداقل مجاز است")
            if not en:  # failed only on the conflicts rule, whose partner is no longer approved
                en.append("the site failed its validation")
                fa.append("محل پیشنهادی در بررسی ضوابط رد شده است")
            raise TransitionError(
                "; ".join(en) + "; to approve anyway, give the reason for the exception (override_reason)",
                "؛ ".join(fa) + "؛ برای موافقت با وجود آن، دلیل استثنا را بنویسید")
        ctx.s.add(m.Decision(application_id=app.id, round=app.round, body=row.actor if row.actor == "working_group"
                             else "directorate", outcome=outcome, reasons=reasons, deficiencies=list(items),
                             override_reason=override, meeting_date=meeting_date, decided_by=ctx.user.id,
                             decided_at=ctx.now))
        self._mark_done(ctx, row, {"outcome": outcome, **({"requested_documents": requested} if requested else {})})
        app.decided_at = ctx.now
        self._after_decision(ctx, app, outcome)
        ctx.audit("decision_recorded", "application", app.id, application_id=app.id, round=row.round,
                  outcome=outcome, reasons=reasons, deficiencies=items, override_reason=override,
                  status=app.status, requested_documents=requested, conflicts=[{"proposal_id": c.proposal_id, "distance_m": c.distance_m,
                                                 "threshold_m": c.threshold_m, "status": c.status}
                                                for c in conflicts])
        if outcome == "approve" and conflicts:
            self._after_approval(ctx, app, conflicts)
        return application_view(app)

    @api("write")
    def return_to_applicant(self, ctx: Ctx, application_id: int, deficiencies: Sequence[str], *,
                            expected_version: int, reasons: str,
                            requested_documents: Sequence[str] = ()) -> ApplicationView:
        """Return a submitted request at intake, before the review (directorate experts).

        Recorded as the directorate's decision of this round, with ``reasons`` (required, like
        every decision's) and the ``deficiencies`` (at least one); the applicant fixes the
        deficiencies and submits again.
        """
        self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
        app = self._application_to_change(ctx, application_id, expected_version)
        if app.status != "submitted":
            raise TransitionError(
                f"only a submitted request can be returned at intake; this one is {term(app.status, 'en')}",
                f"فقط درخواست ارسال‌شده در مرحلهٔ دریافت عودت می‌شود؛ وضعیت این درخواست «{term(app.status)}» است")
        reasons = tidy_text(reasons)
        no_reasons = ("reasons", "reasons: say why the request is returned", f"دلایل {term('return')} را بنویسید")
        try:
            items = _deficiencies(deficiencies)
        except TrackerInputError as no_items:
            if reasons:
                raise
            raise TrackerInputError.collect(  # both missing: say both at once
                "the return is not complete", "عودت کامل نیست",
                [("deficiencies", no_items.message_en, no_items.message_fa), no_reasons]) from None
        if not reasons:
            raise TrackerInputError(no_reasons[1], no_reasons[2], [no_reasons])
        requested = self._checked_requested(app, "return", requested_documents)
        ctx.s.add(m.Decision(application_id=app.id, round=app.round, body="directorate", outcome="return",
                             reasons=reasons, deficiencies=list(items), override_reason=None, meeting_date=None,
                             decided_by=ctx.user.id, decided_at=ctx.now))
        intake = latest_steps(app).get("intake")
        if intake is not None and intake.state in ("ready", "waiting"):
            intake.data = {"outcome": "return", **({"requested_documents": requested} if requested else {})}
        app.decided_at = ctx.now
        self._after_decision(ctx, app, "return")
        ctx.audit("returned_at_intake", "application", app.id, application_id=app.id, deficiencies=items,
                  requested_documents=requested, status=app.status)
        return application_view(app)

    def _after_decision(self, ctx: Ctx, app: m.Application, outcome: str) -> None:
        if outcome == "approve":
            app.status = "approved"
            self._create_steps(ctx, app, ("licensing", "after_licence"))
        elif outcome == "reject":
            app.status = "rejected"
            self._close_open_steps(app)
        else:
            app.status = "returned"
            self._close_open_steps(app)
            app.round += 1
            self._create_steps(ctx, app, REVIEW_PHASES, keep_done=True)
        self._touch(ctx, app)
        ctx.s.flush()
        self._refresh(ctx, app)

    # -- documents a return asks for again ------------------------------------------------------------
    def _checked_requested(self, app: m.Application, outcome: str, kinds: Sequence[str]) -> list[str]:
        """The document kinds a return asks for, checked against the workflow file and the applicant type."""
        if isinstance(kinds, str):
            kinds = [kinds]
        out = list(dict.fromkeys(str(k) for k in kinds if str(k).strip()))
        if out and outcome != "return":
            raise TrackerInputError("requested_documents: only a return asks for documents",
                                    "درخواست مدرک فقط همراه تصمیم «عودت» ممکن است",
                                    [("requested_documents", "only a return asks for documents",
                                      "درخواست مدرک فقط همراه تصمیم «عودت» ممکن است")])
        problems = []
        for k in out:
            kind = self.workflow.documents.get(k)
            if kind is None:
                problems.append(("requested_documents", f"no document kind {k!r} in the workflow",
                                 f"مدرک {k!r} در فهرست مدارک نیست"))
            elif app.applicant.kind not in kind.applicant_types:
                problems.append(("requested_documents", f"{kind.en} is not asked of a {label(app.applicant.kind, 'en')}",
                                 f"«{kind.fa}» از {label(app.applicant.kind)} خواسته نمی‌شود"))
        if problems:
            raise TrackerInputError.collect("the requested documents are not valid", "مدارک خواسته‌شده معتبر نیست",
                                            problems)
        return out

    def _requested_documents(self, ctx: Ctx, app: m.Application) -> tuple[RequestedDocument, ...]:
        """For a returned application: the documents the return asked for, each with whether a file of
        that kind was uploaded since the return."""
        if app.status != "returned":
            return ()
        decision = ctx.s.scalars(select(m.Decision).where(m.Decision.application_id == app.id)
                                 .order_by(m.Decision.round.desc())).first()
        if decision is None or decision.outcome != "return":
            return ()
        kinds: list[str] = []
        for row in app.steps:
            if row.round == decision.round and row.data:
                kinds.extend(k for k in row.data.get("requested_documents", ()) if k not in kinds)
        if not kinds:
            return ()
        fresh = {doc.kind for doc in self._current_documents(ctx, app)
                 if _as_utc(doc.uploaded_at) >= _as_utc(decision.decided_at)}
        return tuple(RequestedDocument(k, self.workflow.documents[k].fa, self.workflow.documents[k].en, k in fresh)
                     for k in kinds if k in self.workflow.documents)

    def _live_conflicts(self, ctx: Ctx, app: m.Application) -> tuple[Conflict, ...]:
        """The proposals too close to the site now (see ``ApplicationsMixin._live_conflicts``)."""
        return ()

    def _after_approval(self, ctx: Ctx, app: m.Application, conflicts: Sequence[Conflict]) -> None:
        """Refresh the stored reports an approval changes (see ``ApplicationsMixin._after_approval``)."""

    def _close_open_steps(self, app: m.Application) -> None:
        for row in app.steps:
            if row.state in ("waiting", "ready", "returned"):
                row.state = "closed"


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_DECIDED_EN = {"approve": "approved", "reject": "rejected", "return": "returned"}
#: Any constant: the PostgreSQL advisory lock that serialises review decisions.
DECISION_LOCK_ID = 7_305_112_015


def _decision_lock(ctx: Ctx) -> None:
    """Serialise decisions, so that the conflict check sees every decision committed before it.
    SQLite: the write transaction's ``BEGIN IMMEDIATE`` already holds the database's write lock;
    PostgreSQL (read committed): a transaction-scoped advisory lock, taken before anything is read."""
    conn = ctx.s.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(sql_text("SELECT pg_advisory_xact_lock(:k)"), {"k": DECISION_LOCK_ID})


def _deficiencies(items: Sequence[str]) -> tuple[str, ...]:
    if isinstance(items, str):
        items = [items]
    out = tuple(tidy_text(x) for x in items if tidy_text(x))
    if not out:
        raise TrackerInputError("deficiencies: list at least one deficiency for the applicant to fix",
                                "دست‌کم یک نقص را برای رفع توسط متقاضی بنویسید")
    return out
