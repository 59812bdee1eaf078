"""Working group: load pending proposals, validate each, see conflicts and the ranking, export the table."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from siting import fmt
from siting.reports import meeting
from siting.reports.html import status_label
from siting.tracker import TrackerError, staff
from siting.tracker.terms import STAFF_ROLES
from siting.vocab import label
from ui import state
from ui.components import conflict_map, layout, maps, report_view, signin, tables
from ui.i18n import error_text, import_field, import_reason, t
from ui.views.planning import RuleOverrides
from ui.views.upload import ACCEPTED_EXTENSIONS, ChosenFile

# the loaded proposals file: the last of an upload, the sample or "clear" (the uploader's key is "wg.upload.<n>")
PROPOSALS_FILE = ChosenFile(key="wg.file", uploader="wg.upload")
# the map was asked for in this session: kept as a value (Streamlit drops a page's widget state when another
# page is shown), so that the map stays on for the rest of the session (as on the agenda, tracker_agenda.py)
SHOW_MAP = "wg.show_map"
SAMPLE_PROPOSALS = Path(__file__).resolve().parents[2] / "data" / "sample" / "proposals.csv"

lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.working_group", "wg.intro")


def _use_sample() -> None:
    PROPOSALS_FILE.use(st.session_state, SAMPLE_PROPOSALS.name, SAMPLE_PROPOSALS.read_bytes())


def _clear() -> None:
    PROPOSALS_FILE.clear(st.session_state)


# The source and the loading messages in a container that is always there: the radio (staff only), the
# file's widgets, "no file yet", a file error or the tracker's message came and went above the map and
# moved it in the page, and the browser built it again (a new map: 3-5 s without a GPU; see planner.py).
result = None
with st.container():
    # a staff member signed in to the application tracker may load its pending applications instead of a file
    who = signin.current()
    source = "file"
    if who is not None and who.role in STAFF_ROLES:
        source = st.radio(t("wg.source", lang), ("file", "tracker"), key="wg.source", horizontal=True,
                          format_func=lambda s: t(f"wg.source_{s}", lang))

    if source == "tracker":
        trk = signin.tracker()
        if trk is not None:
            try:
                sites = staff.agenda_proposals(trk.agenda(who))
            except TrackerError as exc:
                st.error(error_text(exc, lang))
            else:
                if len(sites):
                    result = state.proposals_from_frame(key, t("wg.tracker_name", lang),
                                                        state.digest(sites.to_json().encode()), sites)
                else:
                    st.info(t("tracker.staff.agenda_empty", lang))
    else:
        upload = st.file_uploader(t("wg.upload", lang), type=[e.lstrip(".") for e in ACCEPTED_EXTENSIONS],
                                  key=PROPOSALS_FILE.uploader_key(st.session_state))
        if upload is not None:
            PROPOSALS_FILE.take(st.session_state, upload.name, upload.getvalue())
        c1, c2 = st.columns(2)
        if ws.is_sample and SAMPLE_PROPOSALS.exists():
            c1.button(t("wg.use_sample", lang), on_click=_use_sample, key="wg.sample")
        c2.button(t("wg.clear", lang), on_click=_clear, key="wg.clear")

        loaded = PROPOSALS_FILE.current(st.session_state)
        if loaded is None:
            st.info(t("wg.none", lang))
        else:
            name, data = loaded
            with layout.errors_shown("wg.file_error"):
                result = state.proposals(key, name, state.digest(data), data)

if result is not None:
    sites, reports = result.sites, list(result.reports)
    with st.container():  # one element whether rows were left out or not: the map below keeps its place
        st.success(t("wg.loaded", lang, n=fmt.number(len(sites), lang), file=result.name))
        if result.read_report.errors:
            st.warning(t("wg.rejected", lang, n=fmt.number(len(result.read_report.errors), lang)))
            st.table([{t("data.col.row", lang): fmt.number(i.row, lang) if i.row else "—",
                       t("data.col.field", lang): import_field(i.field, lang),
                       t("data.col.reason", lang): import_reason(i.reason, lang, code=i.code, params=i.params)}
                      for i in result.read_report.errors])
    table = meeting.meeting_table(sites, reports, lang=lang)
    pairs = meeting.conflict_pairs(reports, sites["proposal_id"].astype(str).tolist())
    counts = table["status"].value_counts()
    st.markdown("**" + t("wg.summary", lang, p=fmt.number(int(counts.get("pass", 0)), lang),
                          w=fmt.number(int(counts.get("warn", 0) + counts.get("unknown", 0)), lang),
                          f=fmt.number(int(counts.get("fail", 0)), lang)) + "**")
    with st.container():  # one element whatever the conflicts: the map below keeps its place (planner.py)
        if len(pairs):
            st.error(t("wg.conflicts", lang))
            st.table(tables.conflict_frame(pairs, lang))
        else:
            st.success(t("wg.no_conflicts", lang))

    # all proposals on one map. Drawn when asked for (and then on every visit in this session): a new map
    # costs a browser without a GPU 3-5 s of drawing, which made the page slow to open with proposals loaded.
    if maps.map_on_request(t("wg.show_map", lang), t("wg.show_map_help", lang), state_key=SHOW_MAP):
        base = state.base_map_data(key, lang, None, "any")
        points = [{"proposal_id": r["proposal_id"], "lon": r["lon"], "lat": r["lat"], "status": r["status"],
                   "tip": f"{r['proposal_id']} — {r['name'] or ''} — {label(r['licence_type'], lang)} — "
                          f"{status_label(r['status'], lang)}"}
                  for r in table.to_dict(orient="records")]
        conflict_map.draw(base, state.gap_map_data(key, RuleOverrides(), "any", lang, None), points,
                          pairs.to_dict(orient="records"), lang=lang, key="wg.map", basemap_key="wg.basemap")

    st.subheader(t("wg.table", lang))
    shown = table.drop(columns=["sample", "lat", "lon"])
    for col in ("rank", "newly_covered_population", "row"):
        shown[col] = [fmt.number(int(v), lang) for v in shown[col]]
    st.dataframe(meeting.localized(shown, meeting.COLUMNS, lang), hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    c1.download_button(t("word.download_xlsx", lang),
                       meeting.to_xlsx(table, pairs, lang=lang, sample=ws.is_sample, title=result.name),
                       file_name="meeting-table.xlsx", key="wg.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
    c2.download_button(t("word.download_csv", lang), meeting.to_csv(table, lang=lang),
                       file_name="meeting-table.csv", mime="text/csv", key="wg.csv", on_click="ignore")

    st.subheader(t("wg.detail", lang))
    ids = sites["proposal_id"].astype(str).tolist()
    chosen = st.selectbox(t("wg.detail", lang), table["proposal_id"].tolist(), key="wg.detail",
                          label_visibility="collapsed")
    report_view.show(reports[ids.index(chosen)], lang=lang, workspace_name=ws.meta.get("name"), key="wg.report")
