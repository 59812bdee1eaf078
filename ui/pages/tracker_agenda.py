"""Working group: the meeting agenda from the application tracker — each pending proposal with its
site validation, the conflicting pairs, all proposals on one map, and recording decisions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siting import fmt
from siting.reports.html import status_label
from siting.tracker import TrackerError
from siting.tracker.staff import deficiency_lines, meeting_view
from siting.tracker.terms import OUTCOMES, term
from siting.vocab import label
from ui import state
from ui.components import conflict_map, layout, maps, report_view, signin, tables
from ui.components.staff import audit_action
from ui.i18n import error_text, t
from ui.views.planning import RuleOverrides

SHOWN = "agenda.shown_versions"  # application id -> version shown on the previous run (optimistic locking)
FLASH = "agenda.flash"  # the last decision's sentence, shown once after the rerun
DECIDED = "agenda.decided"  # the application last decided in this session: its history is shown
# the map was asked for in this session: kept as a value (Streamlit drops a page's widget state when another
# page is shown), so that the map stays on for the rest of the session
SHOW_MAP = "agenda.show_map"

lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.tracker_agenda", "tracker.staff.agenda_intro")
session = signin.require_user(("wg_member", "expert", "admin"))
if session is None:
    st.stop()
trk, me = session


def _rule_titles(ids: tuple[str, ...], report) -> str:
    if report is None:
        return "، ".join(ids) if lang == "fa" else ", ".join(ids)
    titles = {r.id: (r.title_fa if lang == "fa" else r.title_en) or r.id for r in report.rules}
    return ("، " if lang == "fa" else ", ").join(titles.get(i, i) for i in ids) or "—"


def _draw_map(view, pairs) -> None:
    """Every proposal and the approved sites they conflict with, the pairs as lines with their distance."""
    geo = view.agenda.to_geojson()
    points = [{"proposal_id": str(p["application_id"]), "lon": f["geometry"]["coordinates"][0],
               "lat": f["geometry"]["coordinates"][1], "status": p["validation_status"],
               "tip": f"#{fmt.number(p['application_id'], lang)} — {p['applicant']} — "
                      f"{label(p['licence_type'], lang)} — {status_label(p['validation_status'], lang)}"}
              for f in geo["features"] for p in [f["properties"]]]
    points += [{"proposal_id": pid, "lon": c.lon, "lat": c.lat, "status": "approved" if c.status == "approved"
                else "not_located", "tip": f"#{fmt.number(int(pid), lang)} — {c.name or ''} — "
                                           f"{label(c.licence_type, lang)} — {term(c.status, lang)}"}
               for pid, c in view.off_agenda_partners().items() if c.lon is not None and c.lat is not None]
    base = state.base_map_data(key, lang, None, "any")
    conflict_map.draw(base, state.gap_map_data(key, RuleOverrides(), "any", lang, None), points,
                      pairs.to_dict(orient="records"), lang=lang, key="agenda.map", basemap_key="agenda.basemap")


try:
    view = meeting_view(trk, me)
except TrackerError as exc:
    st.error(error_text(exc, lang))
    st.stop()
items = view.agenda.items
shown_before: dict[int, int] = dict(st.session_state.get(SHOWN, {}))
st.session_state[SHOWN] = {it.application_id: it.version for it in items}

with st.container():  # always there, so that the map below keeps its place in the page (see planner.py)
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)

if not items:
    st.info(t("tracker.staff.agenda_empty", lang))
else:
    statuses = [it.validation_status for it in items]
    st.markdown("**" + t("tracker.staff.agenda_summary", lang, n=fmt.number(len(items), lang),
                          p=fmt.number(statuses.count("pass"), lang), w=fmt.number(statuses.count("warn") + statuses.count("unknown"), lang),
                          f=fmt.number(statuses.count("fail"), lang),
                          u=fmt.number(statuses.count("not_located"), lang)) + "**")

    # conflicting pairs: with pending AND approved proposals, as they are now (the reports below say the same)
    pairs = view.pairs
    with st.container():  # one element whatever the conflicts: the map below keeps its place
        if len(pairs):
            st.error(t("wg.conflicts", lang))
            names = {str(it.application_id): it.applicant_name for it in items}
            partners = view.off_agenda_partners()
            names.update({k: c.name or "" for k, c in partners.items()})

            def _side(pid: str, status: str | None) -> str:
                mark = f" ({term(status, lang)})" if status and status != "under_review" else ""
                return f"#{fmt.number(int(pid), lang)} — {names.get(pid, '')}{mark}"

            st.table(tables.conflict_frame(
                pairs, lang, [_side(a, s) for a, s in zip(pairs["proposal_a"], pairs["status_a"], strict=True)],
                [_side(b, s) for b, s in zip(pairs["proposal_b"], pairs["status_b"], strict=True)]))
        else:
            st.success(t("wg.no_conflicts", lang))

    # every proposal on one map (Agenda.to_geojson) and the approved ones they conflict with; conflicts as
    # lines with their distance, over the region, counties, gaps and offices. Drawn when asked for (and
    # then on every visit in this session): a new map costs a browser without a GPU 3-4 s of drawing, which
    # made the agenda slow to open (benchmarks/bench_browser.py, "agenda open" and "agenda map").
    if maps.map_on_request(t("tracker.staff.agenda_show_map", lang), t("tracker.staff.agenda_show_map_help", lang),
                           state_key=SHOW_MAP):
        _draw_map(view, pairs)

    # the agenda, oldest first
    st.subheader(t("tracker.staff.agenda_table", lang))
    st.dataframe(pd.DataFrame([{
        t("tracker.staff.col.application", lang): f"#{fmt.number(it.application_id, lang)}",
        t("tracker.staff.col.applicant", lang): it.applicant_name,
        t("tracker.staff.col.licence_type", lang): label(it.licence_type, lang),
        t("tracker.staff.col.request_type", lang): trk.workflow.request_types[it.request_type].fa if lang == "fa"
        else trk.workflow.request_types[it.request_type].en,
        t("tracker.staff.col.round", lang): fmt.number(it.round, lang),
        t("tracker.staff.col.county", lang): it.county or "—",
        t("tracker.staff.col.submitted", lang): fmt.jalali(it.submitted_at, lang=lang),
        t("tracker.staff.col.validation", lang): status_label(it.validation_status, lang)
        if it.validation_status != "not_located" else t("tracker.staff.not_located", lang),
        t("tracker.staff.col.failed", lang): _rule_titles(it.failed_rules, view.reports.get(it.application_id)),
        t("tracker.staff.col.newly", lang): fmt.number(it.newly_covered_population, lang),
        t("tracker.staff.col.conflicts", lang): "، ".join(f"#{fmt.number(int(p), lang)}"
                                                         for p in view.pair_partners(it.application_id)) or "—",
    } for it in items]), hide_index=True, width="stretch")

    # one proposal: its full report and the decision
    st.subheader(t("tracker.staff.proposal", lang))
    ids = [it.application_id for it in items]
    chosen = st.selectbox(t("tracker.staff.proposal", lang), ids, key="agenda.chosen", label_visibility="collapsed",
                          format_func=lambda i: f"#{fmt.number(i, lang)} — {view.item(i).applicant_name}")
    item = view.item(chosen)
    report = view.reports.get(chosen)
    if report is None:
        st.warning(t("tracker.staff.not_located_note", lang, address=item.address or "—"))
    else:
        report_view.show(report, lang=lang, workspace_name=ws.meta.get("name"), key=f"agenda.report.{chosen}")

    st.subheader(t("tracker.staff.decision", lang))
    if me.role != "wg_member":
        st.info(t("tracker.staff.decision_members_only", lang))
    else:
        conflicts_now = report.conflicts if report is not None else ()
        if conflicts_now:
            st.markdown("**" + t("tracker.staff.conflicts_of", lang) + "**")
            st.markdown("\n".join("- " + t("tracker.staff.conflict_line", lang, n=fmt.number(int(c.proposal_id), lang),
                                              status=term(c.status, lang), d=fmt.distance(c.distance_m, lang),
                                              m=fmt.distance(c.threshold_m, lang)) for c in conflicts_now))
        if any(c.status == "approved" for c in conflicts_now):
            st.warning(t("tracker.staff.override_needed", lang))
        with st.form(f"agenda.decide.{chosen}"):
            # no default: the member chooses the outcome every time
            outcome = st.radio(t("tracker.staff.outcome", lang), OUTCOMES, index=None, key=f"agenda.outcome.{chosen}",
                               format_func=lambda o: term(o, lang), horizontal=True)
            reasons = st.text_area(t("tracker.staff.reasons", lang), key=f"agenda.reasons.{chosen}")
            defs = st.text_area(t("tracker.staff.deficiencies", lang), key=f"agenda.deficiencies.{chosen}",
                                help=t("tracker.staff.deficiencies_help", lang))
            kinds = [k.id for k in trk.workflow.documents_asked_of(item.applicant_kind)]
            requested = st.multiselect(t("tracker.staff.requested_documents", lang), kinds, key=f"agenda.requested.{chosen}",
                                       format_func=lambda k: trk.workflow.documents[k].fa if lang == "fa"
                                       else trk.workflow.documents[k].en)
            override = st.text_input(t("tracker.staff.override_exception", lang), key=f"agenda.override.{chosen}",
                                     help=t("tracker.staff.override_exception_help", lang))
            meeting_text = st.text_input(t("tracker.staff.meeting_date", lang), key=f"agenda.meeting.{chosen}",
                                         placeholder="۱۴۰۵/۰۹/۰۷")
            submitted = st.form_submit_button(t("tracker.staff.record", lang))
        if submitted:
            problems = []
            if outcome is None:
                problems.append(t("tracker.staff.outcome_needed", lang))
            if not (reasons or "").strip():
                problems.append(t("tracker.staff.reasons_needed", lang))
            try:
                meeting_date = fmt.parse_date(meeting_text)
            except ValueError:
                problems.append(t("tracker.staff.bad_date", lang, field=t("tracker.staff.meeting_date", lang)))
            if problems:
                for problem in problems:
                    st.error(problem)
            else:
                try:
                    trk.record_decision(me, chosen, str(outcome), reasons,
                                        expected_version=shown_before.get(chosen, item.version),
                                        deficiencies=deficiency_lines(defs), meeting_date=meeting_date,
                                        override_reason=override or None,
                                        requested_documents=requested if outcome == "return" else ())
                except TrackerError as exc:
                    st.error(error_text(exc, lang))
                else:
                    st.session_state[FLASH] = t("tracker.staff.decided", lang, n=fmt.number(chosen, lang),
                                                outcome=term(str(outcome), lang))
                    st.session_state[DECIDED] = chosen
                    st.rerun()

# the history of the application decided last in this session
decided = st.session_state.get(DECIDED)
if decided is not None:
    st.subheader(t("tracker.staff.history", lang, n=fmt.number(decided, lang)))
    try:
        detail = trk.get_application(me, decided)
        trail = trk.audit_trail(me, decided)
    except TrackerError as exc:
        st.error(error_text(exc, lang))
    else:
        st.caption(t("tracker.staff.status_now", lang, status=term(detail.application.status, lang)))
        st.table(pd.DataFrame([{
            t("tracker.staff.col.round", lang): fmt.number(d.round, lang),
            t("tracker.staff.outcome", lang): term(d.outcome, lang),
            t("tracker.staff.reasons", lang): d.reasons or "—",
            t("tracker.staff.deficiencies", lang): "؛ ".join(d.deficiencies) or "—",
            t("tracker.staff.col.when", lang): fmt.jalali(d.decided_at, lang=lang),
        } for d in detail.decisions]))
        with st.expander(t("tracker.staff.audit", lang)):
            st.table(pd.DataFrame([{
                t("tracker.staff.col.when", lang): fmt.jalali(e.at, lang=lang),
                t("tracker.staff.col.who", lang): e.username,
                t("tracker.staff.col.action", lang): audit_action(e.action, lang),
            } for e in trail]))
