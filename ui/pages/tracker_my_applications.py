"""Applicant: my applications (status, next step and who acts, returns with their reasons), one
application's steps, decisions and documents, uploading a document, completing my steps and
(re)submitting; and a new request (applicant profile, licence and request type, site).

Every check is the library's (siting.tracker): the page shows its views and its refusals.
"""

from __future__ import annotations

import streamlit as st

from siting import fmt
from siting.tracker import ApplicantInput, PersonInput, SiteInput, TrackerError
from siting.tracker.terms import COMPANY_TYPES, OWNERSHIP, term
from siting.vocab import EDUCATION_LEVELS, LICENCE_TYPES, label
from ui import state
from ui.components import layout, signin, site_picker
from ui.components import tracker_views as tv
from ui.i18n import t

FLASH = "tracker.app.flash"
SELECTED = "tracker.app.selected"
SELECT_NEXT = "tracker.app.select_next"
PROFILE_FORM = "tracker.app.profile_form"
REQUEST_FORM = "tracker.app.request_form"
CARRIED_APPLIED = "tracker.app.carried_applied"  # the carried site was put into the form's fields once

lang = state.lang()
st.title(t("page.tracker_my_applications", lang))
session = signin.require_user(("applicant",))
if session is None:
    st.stop()
trk, me = session

if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
if SELECT_NEXT in st.session_state:  # the application just created, uploaded to or submitted
    st.session_state[SELECTED] = st.session_state.pop(SELECT_NEXT)


def done(message: str, select: int | None = None) -> None:
    st.session_state[FLASH] = message
    if select is not None:
        st.session_state[SELECT_NEXT] = select
    st.rerun()


carried = site_picker.carried_site()  # "start a request at this site" on the site checker
tab_mine, tab_new = st.tabs([t("tracker.app.tab_mine", lang), t("tracker.app.tab_new", lang)],
                            default=t("tracker.app.tab_new", lang) if carried else None)

# -- my applications ---------------------------------------------------------------------------------
with tab_mine:
    mine = trk.my_applications(me)
    if not mine:
        st.info(t("tracker.app.none", lang))
    else:
        st.dataframe(tv.my_rows(mine, trk.workflow, lang), hide_index=True, width="stretch")
        returned = [m for m in mine if m.open_deficiencies]
        for m in returned:
            st.warning(t("tracker.app.returned_banner", lang, id=fmt.number(m.application.id, lang)) + "\n"
                       + "\n".join(f"- {x}" for x in m.open_deficiencies))
            # the banner opens the request it names
            st.button(t("tracker.app.open_request", lang, id=fmt.number(m.application.id, lang)),
                      key=f"tracker.app.open.{m.application.id}", on_click=st.session_state.__setitem__,
                      args=(SELECTED, m.application.id))
        ids = [m.application.id for m in mine]
        if st.session_state.get(SELECTED) not in ids:  # first visit: the request that waits for the applicant
            st.session_state[SELECTED] = returned[0].application.id if returned else ids[0]
        by_id = {m.application.id: m for m in mine}
        app_id = st.selectbox(
            t("tracker.app.choose", lang), ids, key=SELECTED,
            format_func=lambda i: t("tracker.app.choice", lang, id=fmt.number(i, lang),
                                    status=term(by_id[i].application.status, lang),
                                    licence=label(by_id[i].application.licence_type, lang)))
        detail = trk.get_application(me, app_id)
        a = detail.application
        st.subheader(t("tracker.app.detail_title", lang, id=fmt.number(a.id, lang), name=a.applicant_name))
        tv.summary(detail, trk.workflow, lang)

        if detail.decisions:
            st.markdown(f"#### {t('tracker.app.decisions', lang)}")
            for d in detail.decisions:
                tv.decision(d, lang)

        rules = tv.validation_rules(detail.validation, lang)
        if rules:
            with st.expander(t("tracker.app.validation_report", lang)):
                st.table(rules)

        st.markdown(f"#### {t('tracker.app.steps', lang)}")
        st.dataframe(tv.step_rows(detail.current_steps(), lang, trk.now().date()), hide_index=True, width="stretch")
        earlier = [s for s in detail.steps if s not in detail.current_steps()]
        if earlier:
            with st.expander(t("tracker.app.earlier_rounds", lang)):
                st.dataframe(tv.step_rows(earlier, lang, trk.now().date()), hide_index=True, width="stretch")

        # documents: uploaded and missing; upload one
        st.markdown(f"#### {t('tracker.app.documents', lang)}")
        kinds = trk.workflow.documents
        person_names = {p.id: p.full_name for p in detail.applicant.people}

        def doc_title(kind: str) -> str:
            k = kinds.get(kind)
            return kind if k is None else (k.fa if lang == "fa" else k.en)

        current = [d for d in detail.documents if d.current]
        if current:
            st.dataframe([{t("tracker.app.col.document", lang): doc_title(d.kind),
                           t("tracker.app.col.person", lang): person_names.get(d.person_id, "—"),
                           t("tracker.app.col.file", lang): d.original_name,
                           t("tracker.app.col.uploaded", lang): tv.jdate(d.uploaded_at, lang)} for d in current],
                         hide_index=True, width="stretch")
        if detail.missing_documents:
            st.markdown(f"{t('tracker.app.missing', lang)}\n" + "\n".join(
                f"- {m.title_fa if lang == 'fa' else m.title_en}"
                + (f" — {m.person_name}" if m.person_name else "") for m in detail.missing_documents))
        waiting = [r for r in detail.requested_documents if not r.uploaded]
        if detail.requested_documents:
            st.markdown(f"{t('tracker.app.requested', lang)}\n" + "\n".join(
                f"- {r.title_fa if lang == 'fa' else r.title_en} — "
                + t("tracker.app.requested_done" if r.uploaded else "tracker.app.requested_waiting", lang)
                for r in detail.requested_documents))
        # the documents a return asked for first (their missing or current rows), then the other missing ones
        person_ids = [p.id for p in detail.applicant.people]
        asked = [(r.kind, pid) for r in waiting for pid in ([None] if trk.workflow.documents[r.kind].per == "application"
                                                             else person_ids)]
        targets = list(dict.fromkeys([x for x in asked if x[1] is None or x[1] in person_names]
                                     + [(m.kind, m.person_id) for m in detail.missing_documents]
                                     + [(d.kind, d.person_id) for d in current]))
        if targets and a.status not in ("rejected", "cancelled"):
            target = st.selectbox(t("tracker.app.upload_for", lang), targets, index=0,
                                  key=f"tracker.app.target.{a.id}",
                                  format_func=lambda x: doc_title(x[0]) + (f" — {person_names[x[1]]}" if x[1] else ""))
            max_bytes = trk.workflow.limits.max_bytes
            upload = st.file_uploader(t("tracker.app.upload_file", lang, mb=fmt.number(
                layout.upload_limit_mb(max_bytes), lang)), type=["pdf", "jpg", "jpeg", "png"],
                key=f"tracker.app.file.{a.id}", max_upload_size=layout.upload_limit_mb(max_bytes))
            if st.button(t("tracker.app.upload", lang), key=f"tracker.app.upload.{a.id}", disabled=upload is None):
                try:
                    doc = trk.upload_document(me, a.id, target[0], upload.getvalue(), upload.name,
                                              person_id=target[1], expected_version=a.version)
                except TrackerError as exc:
                    tv.show_error(exc, lang)
                else:
                    done(t("tracker.app.uploaded", lang, name=tv.md_escape(doc.original_name), kind=doc_title(doc.kind)), a.id)

        # my own steps that are ready: complete them (the library checks documents and facts)
        for s in detail.next_steps:
            if s.actor != "applicant" or s.completed_by_action != "step":
                continue
            with st.form(f"tracker.app.step.{a.id}.{s.step_id}"):
                st.markdown(f"**{t('tracker.app.my_step', lang, title=tv.step_title(s, lang))}**")
                fields = {f.id: st.text_input(f.fa if lang == "fa" else f.en, key=f"tracker.app.data.{a.id}.{f.id}")
                          for f in trk.workflow.step(s.step_id).data}
                notes = st.text_input(t("tracker.app.notes", lang), key=f"tracker.app.notes.{a.id}.{s.step_id}")
                if st.form_submit_button(t("tracker.app.complete_step", lang)):
                    try:
                        trk.complete_step(me, a.id, s.step_id, expected_version=a.version,
                                          data={k: v for k, v in fields.items() if v} or None, notes=notes or None)
                    except TrackerError as exc:
                        tv.show_error(exc, lang)
                    else:
                        done(t("tracker.app.step_done", lang, title=tv.step_title(s, lang)), a.id)

        if any(s.completed_by_action == "submit" for s in detail.next_steps):
            label_key = "tracker.app.resubmit" if a.status == "returned" else "tracker.app.submit"
            if st.button(t(label_key, lang), key=f"tracker.app.submit.{a.id}", type="primary"):
                try:
                    sent = trk.submit(me, a.id, expected_version=a.version)
                except TrackerError as exc:
                    tv.show_error(exc, lang)
                else:
                    done(t("tracker.app.submitted", lang, id=fmt.number(sent.id, lang),
                           round=fmt.number(sent.round, lang)), a.id)

# -- a new request ------------------------------------------------------------------------------------
with tab_new:
    st.markdown(f"#### {t('tracker.app.profile', lang)}")
    kind = st.radio(t("tracker.app.f.applicant_type", lang), ("natural", "legal"), key="tracker.app.kind",
                    horizontal=True, format_func=lambda v: label(v, lang))

    def person_inputs(prefix: str, role: str | None, index: int = 0) -> PersonInput | None:
        """One person's fields (the natural applicant's name and ID are the profile's own); ``index`` is
        the person's place in the library's list, for the problems shown under each field."""
        c1, c2, c3 = st.columns(3)
        name = nid = ""
        at = f"people[{index}]"
        if role != "applicant":
            name = c1.text_input(t("tracker.app.f.full_name", lang), key=f"{prefix}.name")
            tv.field_problems(PROFILE_FORM, f"{at}.full_name", c1)
            nid = c2.text_input(t("tracker.app.f.national_id", lang), key=f"{prefix}.nid")
            tv.field_problems(PROFILE_FORM, f"{at}.national_id", c2)
        edu = c3.selectbox(t("tracker.app.f.education", lang), EDUCATION_LEVELS, index=3, key=f"{prefix}.edu",
                           format_func=lambda v: label(v, lang))
        tv.field_problems(PROFILE_FORM, f"{at}.education", c3)
        c4, c5, c6 = st.columns(3)
        gov = c4.checkbox(t("tracker.app.f.government_employee", lang), key=f"{prefix}.gov")
        exempt = c5.checkbox(t("tracker.app.f.military_exempt", lang), key=f"{prefix}.exempt")
        extra = c6.checkbox(t("tracker.app.f.on_board" if role == "managing_director" else "tracker.app.f.signatory",
                              lang), key=f"{prefix}.extra") if role not in (None, "applicant") else False
        if role is None:
            role = st.selectbox(t("tracker.app.f.person_role", lang), ("", "board_member", "signatory"),
                                key=f"{prefix}.role", format_func=lambda v: term(v, lang) if v else "—")
            if not role and not name and not nid:
                return None
            extra = st.checkbox(t("tracker.app.f.signatory", lang), key=f"{prefix}.sign") if role == "board_member" \
                else False
        return PersonInput(name, nid, edu, gov, role=role or "board_member",
                           on_board=bool(extra) if role == "managing_director" else False,
                           signatory=bool(extra) if role == "board_member" else False, military_exempt=exempt)

    tv.form_problems(PROFILE_FORM)
    with st.form(PROFILE_FORM):
        name = st.text_input(t("tracker.app.f.name", lang), key="tracker.app.p.name")
        tv.field_problems(PROFILE_FORM, "name")
        nid = st.text_input(t("tracker.app.f.national_id" if kind == "natural" else "tracker.app.f.legal_id", lang),
                            key="tracker.app.p.nid")
        tv.field_problems(PROFILE_FORM, "national_id")
        company: dict = {}
        if kind == "natural":
            st.caption(t("tracker.app.natural_person", lang))
            person = person_inputs("tracker.app.p.me", "applicant")
            people = (PersonInput(name, nid, person.education, person.government_employee,
                                  military_exempt=person.military_exempt),)
        else:
            c1, c2 = st.columns(2)
            company["company_type"] = c1.selectbox(t("tracker.app.f.company_type", lang), COMPANY_TYPES,
                                                   key="tracker.app.p.ctype", format_func=lambda v: term(v, lang))
            company["ownership"] = c2.selectbox(t("tracker.app.f.ownership", lang), OWNERSHIP,
                                                key="tracker.app.p.own", format_func=lambda v: term(v, lang))
            c3, c4, c5 = st.columns(3)
            company["registration_number"] = c3.text_input(t("tracker.app.f.registration_number", lang),
                                                           key="tracker.app.p.regno")
            tv.field_problems(PROFILE_FORM, "registration_number", c3)
            reg_date = c4.text_input(t("tracker.app.f.registration_date", lang), key="tracker.app.p.regdate",
                                     placeholder="۱۴۰۰/۰۱/۱۵")
            tv.field_problems(PROFILE_FORM, "registration_date", c4)
            company["registration_province"] = c5.text_input(t("tracker.app.f.registration_province", lang),
                                                             key="tracker.app.p.regprov")
            st.caption(term("managing_director", lang))
            md = person_inputs("tracker.app.p.md", "managing_director", 0)
            others: list[PersonInput | None] = []
            for i in (2, 3):
                st.caption(t("tracker.app.f.person_n", lang, n=fmt.number(i, lang)))
                others.append(person_inputs(f"tracker.app.p.o{i}", None, 1 + sum(o is not None for o in others)))
            people = tuple(p for p in (md, *others) if p is not None)
        save = st.form_submit_button(t("tracker.app.save_profile", lang))
    if save:
        tv.clear_problems(PROFILE_FORM)
        try:
            if kind == "legal":
                try:
                    company["registration_date"] = fmt.parse_jalali(reg_date) if reg_date.strip() else None
                except ValueError:
                    company["registration_date"] = reg_date  # the library names the field and the problem
            made = trk.create_applicant(me, ApplicantInput(kind, name, nid, people, **company))
        except TrackerError as exc:  # each problem under its field, on the next run
            tv.keep_problems(PROFILE_FORM, exc, lang, aliases={"people[0].full_name": "name",
                                                               "people[0].national_id": "national_id"}
                             if kind == "natural" else None)
        else:
            done(t("tracker.app.profile_saved", lang, name=made.name))

    st.markdown(f"#### {t('tracker.app.request', lang)}")
    applicants = trk.list_applicants(me)
    if not applicants:
        st.info(t("tracker.app.profile_first", lang))
    else:
        by_applicant = {x.id: x for x in applicants}
        if carried is not None:
            if not st.session_state.get(CARRIED_APPLIED):  # once: the person may edit the fields afterwards
                st.session_state["tracker.app.site_mode"] = "point"
                st.session_state["tracker.app.r.lat"] = f"{carried['lat']:.6f}"
                st.session_state["tracker.app.r.lon"] = f"{carried['lon']:.6f}"
                st.session_state[CARRIED_APPLIED] = True
            st.info(t("tracker.app.carried", lang, label=carried["label"]), icon=":material/pin_drop:")

            def _drop() -> None:
                site_picker.drop_carried_site()
                st.session_state.pop(CARRIED_APPLIED, None)

            st.button(t("tracker.app.carried_drop", lang), key="tracker.app.carried_drop", on_click=_drop)
        # the applicant first (outside the form): the licence types offered follow the applicant type
        applicant_id = st.selectbox(t("tracker.app.f.applicant", lang), list(by_applicant),
                                    key="tracker.app.r.applicant",
                                    format_func=lambda i: f"{by_applicant[i].name} ({label(by_applicant[i].kind, lang)})")
        kind = by_applicant[applicant_id].kind
        allowed = [lt for lt in LICENCE_TYPES if kind in trk.rules.for_type(lt).applicant_types]
        if len(allowed) < len(LICENCE_TYPES):
            st.caption(t("tracker.app.urban_legal_only", lang))
        if st.session_state.get("tracker.app.r.ltype") not in allowed:
            wanted = carried.get("licence_type") if carried else None
            st.session_state["tracker.app.r.ltype"] = wanted if wanted in allowed else allowed[0]
        site_mode = st.radio(t("tracker.app.f.site", lang), ("point", "settlement", "address", "not_found"),
                             key="tracker.app.site_mode", format_func=lambda v: t(f"tracker.app.site.{v}", lang))
        tv.form_problems(REQUEST_FORM)
        with st.form(REQUEST_FORM):
            c1, c2 = st.columns(2)
            licence_type = c1.selectbox(t("tracker.app.f.licence_type", lang), allowed,
                                        key="tracker.app.r.ltype", format_func=lambda v: label(v, lang))
            for f in ("licence_type", "applicant_types", "applicant_type", "min_education",
                      "government_employee_allowed"):
                tv.field_problems(REQUEST_FORM, f, c1)
            request_type = c2.selectbox(t("tracker.app.f.request_type", lang), list(trk.workflow.request_types),
                                        key="tracker.app.r.rtype",
                                        format_func=lambda v: tv.request_type_label(v, trk.workflow, lang))
            tv.field_problems(REQUEST_FORM, "request_type", c2)
            licence_number = st.text_input(t("tracker.app.f.licence_number", lang), key="tracker.app.r.licno",
                                           help=t("tracker.app.licence_number_help", lang))
            tv.field_problems(REQUEST_FORM, "licence_number")
            lon = lat = None
            if site_mode == "point":
                c3, c4 = st.columns(2)
                lat = c3.text_input(t("tracker.app.f.lat", lang), key="tracker.app.r.lat") or None
                lon = c4.text_input(t("tracker.app.f.lon", lang), key="tracker.app.r.lon") or None
            elif site_mode == "settlement":
                s = trk.workspace.settlements
                codes = s["code"].tolist()
                names = dict(zip(codes, (s["name_fa"] if lang == "fa" else s["name_en"]).astype(str), strict=True))
                counties = dict(zip(codes, s["county"].fillna("").astype(str), strict=True))
                code = st.selectbox(t("tracker.app.site.settlement", lang), codes, key="tracker.app.r.settlement",
                                    format_func=lambda c: f"{names[c]} — {counties[c]}")
                point = s.loc[s["code"] == code].geometry.iloc[0]
                lon, lat = float(point.x), float(point.y)
            tv.field_problems(REQUEST_FORM, "site")
            address = st.text_input(t("tracker.app.f.address", lang), key="tracker.app.r.address")
            tv.field_problems(REQUEST_FORM, "address")
            postal = st.text_input(t("tracker.app.f.postal_code", lang), key="tracker.app.r.postal") \
                if site_mode == "address" else None
            tv.field_problems(REQUEST_FORM, "postal_code")
            create = st.form_submit_button(t("tracker.app.create", lang), type="primary")
        if create:
            tv.clear_problems(REQUEST_FORM)
            site = SiteInput(lon=lon, lat=lat, address=address or None, postal_code=postal or None,
                             map_not_found=site_mode == "not_found")
            try:
                new = trk.create_application(me, applicant_id, licence_type, request_type, site=site,
                                             licence_number=licence_number or None)
            except TrackerError as exc:  # each problem under its field, on the next run
                tv.keep_problems(REQUEST_FORM, exc, lang)
            else:
                site_picker.drop_carried_site()
                st.session_state.pop(CARRIED_APPLIED, None)
                done(t("tracker.app.created", lang, id=fmt.number(new.id, lang),
                       validation=tv.validation_text(new.validation_status, lang)), new.id)
