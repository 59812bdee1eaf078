"""Directorate: the work queue by step, overdue steps, licences due for renewal, and acting on one
application (complete a step with its facts, return a submitted request at intake or one of the applicant's
steps, issue the licence)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from siting import fmt
from siting.tracker import Queue, TrackerError
from siting.tracker.staff import deficiency_lines, step_fields
from siting.tracker.terms import term
from siting.vocab import label
from ui import state
from ui.components import layout, signin
from ui.components.staff import audit_action
from ui.i18n import error_text, t

SHOWN = "queue.shown_versions"  # application id -> version shown on the previous run (optimistic locking)
FLASH = "queue.flash"

lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.tracker_queue", "tracker.staff.queue_intro")
session = signin.require_user(("expert", "admin"))
if session is None:
    st.stop()
trk, me = session
wf = trk.workflow
today = datetime.now(UTC).date()  # the tracker's dates are UTC dates


def _title(step_id: str) -> str:
    return wf.step(step_id).title(lang)


def _rtype(request_type: str) -> str:
    rt = wf.request_types[request_type]
    return rt.fa if lang == "fa" else rt.en


def _item_row(it, extra: dict | None = None) -> dict:
    return {
        t("tracker.staff.col.application", lang): f"#{fmt.number(it.application_id, lang)}",
        t("tracker.staff.col.applicant", lang): it.applicant_name,
        t("tracker.staff.col.licence_type", lang): label(it.licence_type, lang),
        t("tracker.staff.col.request_type", lang): _rtype(it.request_type),
        t("tracker.staff.col.county", lang): it.county or "—",
        t("tracker.staff.col.state", lang): term(it.step.state, lang),
        t("tracker.staff.col.actor", lang): it.step.actor_fa if lang == "fa" else it.step.actor_en,
        t("tracker.staff.col.ready", lang): fmt.jalali(it.step.ready_at, lang=lang),
        t("tracker.staff.col.due", lang): fmt.jalali(it.step.due_on, lang=lang),
        **(extra or {}),
    }


if flash := st.session_state.pop(FLASH, None):
    st.success(flash)

include_applicant = st.toggle(t("tracker.staff.include_applicant", lang), value=False, key="queue.applicant_steps")
try:
    everything = trk.queue(me, include_applicant_steps=True)  # one read; the toggle only filters the table
    overdue = trk.overdue_steps(me)
except TrackerError as exc:
    st.error(error_text(exc, lang))
    st.stop()
queue = everything if include_applicant else Queue(tuple(it for it in everything.items
                                                         if it.step.actor != "applicant"))

# Tabs with labels that do not change when the counts do, under a key, tracked by the server
# (on_change="rerun"): the tab the expert is on stays open after an action. (Labels with counts made a
# new set of tabs, which opened on the first one; untracked tabs, kept only by the browser, could
# open on the first one when the success message above them came and went in the same rerun.)
TAB_LABELS = [t("tracker.staff.tab_by_step", lang), t("tracker.staff.tab_late", lang), t("tracker.staff.tab_renewals", lang),
              t("tracker.staff.tab_application", lang)]
tab_queue, tab_overdue, tab_renewals, tab_app = st.tabs(TAB_LABELS, key="queue.tab", on_change="rerun")

with tab_queue:
    st.caption(t("tracker.staff.count", lang, n=fmt.number(len(queue.items), lang)))
    by_step = queue.by_step()
    if not by_step:
        st.info(t("tracker.staff.queue_empty", lang))
    for step_id, step_items in by_step.items():
        st.markdown(f"**{_title(step_id)}** ({fmt.number(len(step_items), lang)})")
        st.table(pd.DataFrame([_item_row(it) for it in step_items]))

with tab_overdue:
    st.caption(t("tracker.staff.count", lang, n=fmt.number(len(overdue), lang)))
    if not overdue:
        st.success(t("tracker.staff.overdue_none", lang))
    else:
        st.table(pd.DataFrame([_item_row(o.item, {
            t("tracker.staff.col.step", lang): _title(o.item.step.step_id),
            t("tracker.staff.col.days_late", lang): fmt.number(o.days_overdue, lang)}) for o in overdue]))

with tab_renewals:
    days = st.slider(t("tracker.staff.renewal_days", lang), min_value=0, max_value=365, value=90, step=5,
                     key="queue.renewal_days")
    try:
        due = trk.renewals_due(me, days)
    except TrackerError as exc:
        st.error(error_text(exc, lang))
        due = ()
    if not due:
        st.info(t("tracker.staff.renewals_none", lang, days=fmt.number(days, lang)))
    else:
        st.table(pd.DataFrame([{
            t("tracker.staff.col.licence", lang): r.licence.number,
            t("tracker.staff.col.holder", lang): r.licence.holder_name,
            t("tracker.staff.col.licence_type", lang): label(r.licence.licence_type, lang),
            t("tracker.staff.col.county", lang): r.licence.county or "—",
            t("tracker.staff.col.issued", lang): fmt.jalali(r.licence.issued_on, lang=lang),
            t("tracker.staff.col.expires", lang): fmt.jalali(r.licence.expires_on, lang=lang),
            t("tracker.staff.col.days_left", lang): fmt.number(r.days_left, lang),
            t("tracker.staff.col.renewal", lang): f"#{fmt.number(r.renewal_application_id, lang)}"
            if r.renewal_application_id else "—",
        } for r in due]))

with tab_app:
    # every application with an open step, the applicant's own included (marked as waiting for the applicant),
    # and the one chosen before (its steps may all be done now): the selection survives every action
    names = {it.application_id: it.applicant_name for it in (*everything.items, *(o.item for o in overdue))}
    waiting_for = {i: {it.step.actor for it in everything.items if it.application_id == i} for i in names}
    previous = st.session_state.get("queue.chosen")
    if isinstance(previous, int) and previous not in names:
        try:
            names[previous] = trk.get_application(me, previous).application.applicant_name
            waiting_for[previous] = set()
        except TrackerError:
            st.session_state.pop("queue.chosen", None)
    if not names:
        st.info(t("tracker.staff.queue_empty", lang))
        st.stop()

    def _choice(i: int) -> str:
        actors = waiting_for.get(i, set())
        mark = (t("tracker.staff.waiting_applicant", lang) if actors == {"applicant"}
                else t("tracker.staff.nothing_open", lang) if not actors else "")
        return f"#{fmt.number(i, lang)} — {names[i]}" + (f" ({mark})" if mark else "")

    chosen = st.selectbox(t("tracker.staff.choose_application", lang), sorted(names), key="queue.chosen",
                          format_func=_choice)
    try:
        detail = trk.get_application(me, chosen)
    except TrackerError as exc:
        st.error(error_text(exc, lang))
        st.stop()
    app = detail.application
    shown_before: dict[int, int] = dict(st.session_state.get(SHOWN, {}))
    st.session_state[SHOWN] = {**shown_before, chosen: app.version}
    seen_version = shown_before.get(chosen, app.version)

    st.markdown(t("tracker.staff.app_line", lang, n=fmt.number(app.id, lang), name=app.applicant_name,
                  type=label(app.licence_type, lang), request=_rtype(app.request_type),
                  status=term(app.status, lang), county=app.county or "—"))
    if detail.open_deficiencies:
        st.warning(t("tracker.staff.open_deficiencies", lang) + " " + "؛ ".join(detail.open_deficiencies))
    steps = detail.current_steps()
    st.table(pd.DataFrame([{
        t("tracker.staff.col.step", lang): s.title_fa if lang == "fa" else s.title_en,
        t("tracker.staff.col.state", lang): term(s.state, lang),
        t("tracker.staff.col.actor", lang): s.actor_fa if lang == "fa" else s.actor_en,
        t("tracker.staff.col.due", lang): fmt.jalali(s.due_on, lang=lang),
        t("tracker.staff.col.completed", lang): fmt.jalali(s.completed_at, lang=lang),
    } for s in steps]))

    def _act(call, done_text: str) -> None:
        try:
            call()
        except TrackerError as exc:
            st.error(error_text(exc, lang))
        else:
            st.session_state[FLASH] = done_text
            st.rerun()

    if me.role != "expert":
        st.info(t("tracker.staff.experts_only", lang))
        st.stop()

    # complete a step, with the facts the workflow file says it records
    st.subheader(t("tracker.staff.complete", lang))
    open_steps = [s for s in steps if s.state in ("waiting", "ready", "returned") and s.completed_by_action == "step"]
    # the ready ones first (what can be recorded now), then the waiting ones, in the workflow's order
    open_steps.sort(key=lambda s: s.state == "waiting")
    step_key = f"queue.step.{chosen}"
    if st.session_state.get(step_key) not in [s.step_id for s in open_steps]:
        st.session_state.pop(step_key, None)  # the step just recorded: the next ready one is preselected
    ready_mine = [s for s in open_steps if s.state in ("ready", "returned") and s.actor != "applicant"]
    if ready_mine:  # the remaining steps of this application that the directorate can record now
        st.markdown("**" + t("tracker.staff.remaining", lang) + "**")
        for s in ready_mine:
            c1, c2 = st.columns([4, 1])
            c1.markdown(f"- {_title(s.step_id)} — {s.actor_fa if lang == 'fa' else s.actor_en}"
                        + (f" — {t('tracker.staff.col.due', lang)}: {fmt.jalali(s.due_on, lang=lang)}" if s.due_on else ""))
            c2.button(t("tracker.staff.open_step", lang), key=f"queue.pick.{chosen}.{s.step_id}",
                      on_click=st.session_state.__setitem__, args=(step_key, s.step_id))
    if not open_steps:
        st.caption(t("tracker.staff.no_open_steps", lang))
    else:
        step_id = st.selectbox(t("tracker.staff.col.step", lang), [s.step_id for s in open_steps],
                               key=step_key,
                               format_func=lambda sid: f"{_title(sid)} — "
                               f"{term(next(s.state for s in open_steps if s.step_id == sid), lang)}")
        with st.form(f"queue.complete.{chosen}.{step_id}"):
            values = {}
            for f in step_fields(wf, step_id):
                name = f.fa if lang == "fa" else f.en
                values[f.id] = st.text_input(
                    t("tracker.staff.field_required", lang, name=name) if f.required else name,
                    key=f"queue.field.{chosen}.{step_id}.{f.id}")
            notes = st.text_area(t("tracker.staff.notes", lang), key=f"queue.notes.{chosen}.{step_id}")
            go = st.form_submit_button(t("tracker.staff.complete_button", lang))
        if go:
            _act(lambda: trk.complete_step(me, chosen, step_id, expected_version=seen_version, notes=notes or None,
                                           data={k: v for k, v in values.items() if v.strip()}),
                 t("tracker.staff.completed", lang, step=_title(step_id), n=fmt.number(chosen, lang)))

    # return a submitted request at intake, before the review, asking for documents again if need be
    if app.status == "submitted":
        st.subheader(t("tracker.staff.return_intake", lang))
        st.caption(t("tracker.staff.return_intake_help", lang))
        kinds = {k.id: k.fa if lang == "fa" else k.en for k in wf.documents_asked_of(app.applicant_kind)}
        with st.form(f"queue.return_intake.{chosen}"):
            intake_reasons = st.text_area(t("tracker.staff.intake_reasons", lang), key=f"queue.intake_reasons.{chosen}")
            intake_defs = st.text_area(t("tracker.staff.deficiencies", lang), key=f"queue.intake_deficiencies.{chosen}")
            requested = st.multiselect(t("tracker.staff.requested_documents", lang), list(kinds),
                                       key=f"queue.intake_requested.{chosen}", format_func=kinds.__getitem__)
            go_intake = st.form_submit_button(t("tracker.staff.return_intake_button", lang))
        if go_intake:  # the library refuses blank reasons or no deficiency, and writes nothing then
            _act(lambda: trk.return_to_applicant(me, chosen, deficiency_lines(intake_defs), expected_version=seen_version,
                                                 reasons=intake_reasons, requested_documents=requested),
                 t("tracker.staff.returned_intake", lang, n=fmt.number(chosen, lang)))

    # return one of the applicant's steps with its deficiencies: only the steps the library would accept now
    st.subheader(t("tracker.staff.return_step", lang))
    try:
        returnable = trk.returnable_steps(me, chosen)
    except TrackerError as exc:
        st.error(error_text(exc, lang))
        returnable = ()
    if not returnable:
        st.caption(t("tracker.staff.return_step_none", lang))
    else:
        with st.form(f"queue.return.{chosen}"):
            ret_id = st.selectbox(t("tracker.staff.col.step", lang), [s.step_id for s in returnable],
                                  key=f"queue.return_step.{chosen}", format_func=_title)
            defs = st.text_area(t("tracker.staff.deficiencies", lang), key=f"queue.deficiencies.{chosen}")
            go_ret = st.form_submit_button(t("tracker.staff.return_button", lang))
        if go_ret:
            _act(lambda: trk.return_step(me, chosen, ret_id, deficiency_lines(defs), expected_version=seen_version),
                 t("tracker.staff.returned", lang, step=_title(ret_id), n=fmt.number(chosen, lang)))

    # issue the licence (the library refuses until the application is approved and the fee is paid)
    if wf.request_types[app.request_type].outcome in ("issue", "transfer") and detail.licence is None:
        st.subheader(t("tracker.staff.issue", lang))
        with st.form(f"queue.issue.{chosen}"):
            number = st.text_input(t("tracker.staff.licence_number", lang), key=f"queue.licence_number.{chosen}")
            issued_text = st.text_input(t("tracker.staff.issued_on", lang), value=fmt.jalali(today, lang=lang),
                                        key=f"queue.issued_on.{chosen}")
            go_issue = st.form_submit_button(t("tracker.staff.issue_button", lang))
        if go_issue:
            try:
                issued_on = fmt.parse_date(issued_text)
            except ValueError:
                issued_on = None
            if issued_on is None:
                st.error(t("tracker.staff.bad_date", lang, field=t("tracker.staff.issued_on", lang)))
            else:
                _act(lambda: trk.issue_licence(me, chosen, number, issued_on, expected_version=seen_version),
                     t("tracker.staff.issued", lang, number=number, n=fmt.number(chosen, lang)))
    elif detail.licence is not None:
        lic = detail.licence
        st.success(t("tracker.staff.licence_line", lang, number=lic.number,
                     issued=fmt.jalali(lic.issued_on, lang=lang), expires=fmt.jalali(lic.expires_on, lang=lang)))

    with st.expander(t("tracker.staff.audit", lang)):
        st.table(pd.DataFrame([{
            t("tracker.staff.col.when", lang): fmt.jalali(e.at, lang=lang),
            t("tracker.staff.col.who", lang): e.username,
            t("tracker.staff.col.action", lang): audit_action(e.action, lang),
        } for e in trk.audit_trail(me, chosen)]))
