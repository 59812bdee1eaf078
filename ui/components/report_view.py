"""Showing a :class:`~siting.rules.validate.ValidationReport`: result, each rule with its Persian
explanation, value and threshold, nearest offices, population newly covered, conflicts, downloads."""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
import streamlit as st

from siting import fmt
from siting.reports.html import (
    format_threshold,
    format_value,
    provisional_note,
    report_html,
    report_json,
    status_label,
)
from siting.rules.validate import ValidationReport
from siting.vocab import label

from ..i18n import t

# Marks drawn by the installed fonts (DejaVu/Noto) for tables, material icons for alerts: no emoji font needed.
MARKS = MappingProxyType({"pass": "✓", "fail": "✗", "warn": "⚠", "unknown": "?"})
ICONS = MappingProxyType({"pass": ":material/check_circle:", "fail": ":material/cancel:", "warn": ":material/warning:",
                          "unknown": ":material/help:"})


def rules_frame(report: ValidationReport, lang: str) -> pd.DataFrame:
    """One row per rule: title, result, measured value, threshold, explanation (display text)."""
    return pd.DataFrame([{
        t("report.col.rule", lang): (r.title_fa if lang == "fa" else r.title_en) or r.id,
        t("report.col.status", lang): f"{MARKS.get(r.status, '')} {status_label(r.status, lang)}",
        t("report.col.value", lang): format_value(r.value, r.unit, lang),
        t("report.col.threshold", lang): format_threshold(r, lang),
        t("report.col.explanation", lang): r.message_fa if lang == "fa" else r.message_en,
    } for r in report.rules])


def show(report: ValidationReport, *, lang: str, workspace_name: str | None, key: str) -> None:
    """The whole report, with HTML (printable) and JSON downloads."""
    st.subheader(t("report.title", lang))
    box = {"pass": st.success, "warn": st.warning, "fail": st.error, "unknown": st.warning}[report.status]
    box(t(f"report.status.{report.status}", lang), icon=ICONS[report.status])
    c1, c2, c3 = st.columns(3)
    c1.metric(t("report.county", lang), report.county or "—")
    c2.metric(t("report.newly_covered", lang), format_value(report.newly_covered_population, "people", lang))
    nearest = report.nearest_offices[0] if report.nearest_offices else None
    c3.metric(t("report.nearest_office", lang), fmt.distance(nearest.distance_m, lang) if nearest else "—")
    st.table(rules_frame(report, lang).set_index(t("report.col.rule", lang)))
    note = provisional_note(report, lang)
    if note:
        st.caption(note)
    if report.conflicts:
        st.markdown(f"**{t('report.conflicts_title', lang)}**")
        st.table(pd.DataFrame([{
            t("report.col.office", lang): f"{c.proposal_id} ({c.name or '—'})",
            t("report.col.type", lang): label(c.licence_type, lang),
            t("report.col.distance", lang): fmt.distance(c.distance_m, lang),
            t("report.col.threshold", lang): fmt.distance(c.threshold_m, lang),
        } for c in report.conflicts]))
    with st.expander(t("report.nearest_title", lang)):
        st.table(pd.DataFrame([{
            t("report.col.office", lang): o.name or o.office_id,
            t("report.col.type", lang): label(o.licence_type, lang),
            t("report.col.distance", lang): fmt.distance(o.distance_m, lang),
            t("report.county", lang): o.county or "—",
            t("report.col.location", lang): t(f"report.location.{o.location}", lang),
        } for o in report.nearest_offices]))
    if report.newly_covered_settlements:
        with st.expander(t("report.newly_title", lang)):
            st.table(pd.DataFrame([{
                t("word.settlements", lang): s.get("name_fa"),
                t("report.col.type", lang): label(s.get("kind") or "", lang),
                t("word.population", lang): format_value(s.get("population"), "people", lang),
            } for s in report.newly_covered_settlements]))
    c1, c2 = st.columns(2)
    c1.download_button(t("report.download_html", lang),
                       report_html(report, lang=lang, workspace_name=workspace_name).encode("utf-8"),
                       file_name="site-report.html", mime="text/html", key=f"{key}.html", on_click="ignore")
    c2.download_button(t("report.download_json", lang),
                       report_json(report, workspace_name=workspace_name).encode("utf-8"),
                       file_name="site-report.json", mime="application/json", key=f"{key}.json", on_click="ignore")
    st.caption(t("report.print_hint", lang))
