"""Rendering the tracker's views (``siting.tracker.views``) for the applicant pages: rows of tables,
Solar Hijri dates, the library's refusals field by field. No rules here: only words and layout."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from siting import fmt
from siting.reports.labels import PROVISIONAL_LABEL
from siting.tracker import (
    ApplicationDetail,
    ApplicationView,
    DecisionView,
    MyApplication,
    StepView,
    TrackerError,
    TrackerInputError,
)
from siting.tracker.terms import term
from siting.vocab import label

from .. import i18n
from ..i18n import t


def field_label(path: str, lang: str) -> str:
    """``people[1].national_id`` -> «شخص ۲ — کد ملی» (:func:`ui.i18n.field_label`); a field the text layer
    does not know is said as «field» in general, never as the library's code."""
    return i18n.field_label(path, lang) or t("tracker.app.f.other", lang)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|~])")


def md_escape(text: object) -> str:
    """Untrusted text (an uploaded file's name) made inert in Streamlit markdown: no link, image,
    emphasis or HTML tag can be formed from it."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def show_error(exc: TrackerError, lang: str) -> None:
    """A refusal of the library: its sentence, then every problem with the field it concerns.

    The messages may quote what people typed or uploaded, so markdown in them is escaped."""
    st.error(md_escape(i18n.error_text(exc, lang, problems=False)))
    problems = i18n.problem_texts(exc, lang) if isinstance(exc, TrackerInputError) else []
    if problems:
        lines = [f"- **{label}**: {md_escape(text)}" if label else f"- {md_escape(text)}"
                 for _, label, text in problems]
        st.markdown("\n".join(lines))


def keep_problems(form_key: str, exc: TrackerError, lang: str, *, aliases: dict[str, str] | None = None) -> None:
    """Remember a refusal of the form ``form_key`` so that the next run shows each problem under its field
    (:func:`field_problems`) and the rest above the form (:func:`form_problems`); then rerun.

    ``aliases`` maps a library field to the form's field that holds it (a natural person's own
    ``people[0].national_id`` is the profile's ``national_id``)."""
    fields: dict[str, list[str]] = {}
    rest: list[str] = []
    for code, named, text in (i18n.problem_texts(exc, lang) if isinstance(exc, TrackerInputError) else []):
        slot = (aliases or {}).get(code, code)
        if text not in fields.get(slot, []):
            fields.setdefault(slot, []).append(text)
        if named is None or slot == "people":  # a problem of the whole form: also above it
            rest.append(text)
    st.session_state[_PROBLEMS.format(form_key)] = {"headline": i18n.error_text(exc, lang, problems=False),
                                                     "fields": fields,
                                                     "rest": rest}
    st.rerun()


_PROBLEMS = "{}.problems"


def clear_problems(form_key: str) -> None:
    st.session_state.pop(_PROBLEMS.format(form_key), None)


def form_problems(form_key: str) -> None:
    """The headline of the form's last refusal and the problems no field holds (above the form)."""
    kept = st.session_state.get(_PROBLEMS.format(form_key))
    if kept:
        st.error(md_escape(kept["headline"]) + "".join(f"\n- {md_escape(x)}" for x in kept["rest"]))


def field_problems(form_key: str, field: str, where: Any = None) -> None:
    """The form's last problems with ``field``, right under it (in ``where``, a column, when given)."""
    kept = st.session_state.get(_PROBLEMS.format(form_key))
    for text in (kept or {}).get("fields", {}).get(field, []):
        (where or st).caption(f":red[{md_escape(text)}]")


def jdate(value: Any, lang: str, *, with_time: bool = False) -> str:
    return fmt.jalali(value, with_time=with_time, lang=lang)


def site_text(app: ApplicationView, lang: str) -> str:
    s = app.site
    parts = []
    if s.has_point:
        parts.append(f"{fmt.number(s.lat, lang, decimals=5)}، {fmt.number(s.lon, lang, decimals=5)}"
                     if lang == "fa" else f"{s.lat:.5f}, {s.lon:.5f}")
    if s.address:
        parts.append(s.address)
    if s.postal_code:
        parts.append(t("tracker.app.postal_code_is", lang, code=fmt.to_persian_digits(s.postal_code)
                       if lang == "fa" else s.postal_code))
    if s.map_not_found:
        parts.append(t("tracker.app.f.map_not_found", lang))
    return " — ".join(parts) or "—"


def validation_text(status: str | None, lang: str) -> str:
    if status is None:
        return "—"
    return t(f"tracker.app.validation.{status}", lang) if status in ("pass", "warn", "unknown", "fail", "not_located") \
        else status


def step_title(step: StepView, lang: str) -> str:
    return step.title_fa if lang == "fa" else step.title_en


def actor(step: StepView, lang: str) -> str:
    return step.actor_fa if lang == "fa" else step.actor_en


def next_step_text(steps: Sequence[StepView], lang: str) -> str:
    if not steps:
        return "—"
    return "؛ ".join(f"{step_title(s, lang)} ({actor(s, lang)})" for s in steps) if lang == "fa" else \
        "; ".join(f"{step_title(s, lang)} ({actor(s, lang)})" for s in steps)


def request_type_label(rt: str, workflow, lang: str) -> str:
    r = workflow.request_types.get(rt)
    return rt if r is None else (r.fa if lang == "fa" else r.en)


def my_rows(items: Sequence[MyApplication], workflow, lang: str) -> list[dict[str, str]]:
    """The rows of the "my applications" table."""
    rows = []
    for it in items:
        a = it.application
        rows.append({
            t("tracker.app.col.id", lang): fmt.number(a.id, lang),
            t("tracker.app.col.status", lang): term(a.status, lang),
            t("tracker.app.col.next", lang): next_step_text(it.next_steps, lang),  # early: never off-screen
            t("tracker.app.col.licence_type", lang): label(a.licence_type, lang),
            t("tracker.app.col.request_type", lang): request_type_label(a.request_type, workflow, lang),
            t("tracker.app.col.site", lang): site_text(a, lang),
            t("tracker.app.col.validation", lang): validation_text(a.validation_status, lang),
            t("tracker.app.col.created", lang): jdate(a.created_at, lang),
            t("tracker.app.col.submitted", lang): jdate(a.submitted_at, lang),
            t("tracker.app.col.licence", lang): "—" if it.licence is None else t(
                "tracker.app.licence_until", lang, number=it.licence.number, date=jdate(it.licence.expires_on, lang)),
        })
    return rows


def step_state(s: StepView, lang: str, today: date) -> str:
    text = term(s.state, lang) if s.state != "returned" else t("tracker.app.step_returned", lang)
    if s.is_overdue(today):
        text += " — " + t("tracker.app.overdue", lang, days=fmt.number((today - s.due_on).days, lang))
    return text


def step_rows(steps: Sequence[StepView], lang: str, today: date) -> list[dict[str, str]]:
    return [{
        t("tracker.app.col.round", lang): fmt.number(s.round, lang),
        t("tracker.app.col.step", lang): step_title(s, lang),
        t("tracker.app.col.state", lang): step_state(s, lang, today),
        t("tracker.app.col.due", lang): jdate(s.due_on, lang),  # early: never pushed off-screen
        t("tracker.app.col.actor", lang): actor(s, lang),
        t("tracker.app.col.ready", lang): jdate(s.ready_at, lang),
        t("tracker.app.col.done", lang): jdate(s.completed_at, lang),
        t("tracker.app.col.notes", lang): "؛ ".join([*([s.notes] if s.notes else []), *s.deficiencies]) or "—",
    } for s in steps]


def decision(d: DecisionView, lang: str) -> None:
    """One review round's decision with its reasons and every deficiency."""
    body = t(f"tracker.app.body.{d.body}", lang) if d.body in ("working_group", "directorate") else d.body
    head = t("tracker.app.decision_head", lang, round=fmt.number(d.round, lang), body=body,
             outcome=term(d.outcome, lang), date=jdate(d.decided_at, lang))
    box = st.warning if d.outcome == "return" else st.error if d.outcome == "reject" else st.success
    lines = [f"**{head}**", "", f"{t('tracker.app.reasons', lang)}: {d.reasons}"]
    if d.deficiencies:
        lines += ["", f"{t('tracker.app.deficiencies', lang)}:", *[f"- {x}" for x in d.deficiencies]]
    box("\n".join(lines))


def summary(detail: ApplicationDetail, workflow, lang: str) -> None:
    a = detail.application
    c1, c2, c3 = st.columns(3)
    c1.metric(t("tracker.app.col.status", lang), term(a.status, lang))
    c2.metric(t("tracker.app.col.round", lang), fmt.number(a.round, lang))
    c3.metric(t("tracker.app.col.validation", lang), validation_text(a.validation_status, lang))
    st.markdown("\n".join([
        f"- {t('tracker.app.col.licence_type', lang)}: {label(a.licence_type, lang)}",
        f"- {t('tracker.app.col.request_type', lang)}: {request_type_label(a.request_type, workflow, lang)}",
        f"- {t('tracker.app.col.site', lang)}: {site_text(a, lang)}",
        f"- {t('tracker.app.county', lang)}: {a.county or '—'}",
        f"- {t('tracker.app.col.next', lang)}: {next_step_text(detail.next_steps, lang)}",
        f"- {t('tracker.app.col.created', lang)}: {jdate(a.created_at, lang)} — "
        f"{t('tracker.app.col.submitted', lang)}: {jdate(a.submitted_at, lang)}",
    ]))


def validation_rules(report: dict[str, Any] | None, lang: str) -> list[dict[str, str]]:
    """The stored site validation report's rules (status and explanation)."""
    if not report or "rules" not in report:
        return []
    prov = PROVISIONAL_LABEL[0 if lang == "fa" else 1]  # a placeholder threshold: the outcome is provisional
    return [{t("tracker.app.col.rule_status", lang): validation_text(r.get("status"), lang)
             + (f" ({prov})" if r.get("provisional") else ""),
             t("tracker.app.col.rule", lang): r.get("message_fa" if lang == "fa" else "message_en", "")}
            for r in report["rules"]]
