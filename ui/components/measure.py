"""The distance/time switch shown on the applicant, planner and scenario pages (in the sidebar)."""

from __future__ import annotations

import streamlit as st

from siting.rules import Rules
from siting.workspace import Workspace
from ui import state
from ui.views import travel

from ..i18n import t


def switch(ws: Workspace, rules: Rules, lang: str, page: str) -> str:
    """Draw the switch (key ``<page>.measure``) and return the chosen measure.

    The choice is kept for the session (:data:`ui.state.MEASURE`), so every page starts from it. Without
    a roads layer, or without service times in the rules, the switch is disabled on "distance" and a
    caption says why. Starts at the rules file's measure (when every licence type has the same).
    """
    offer = travel.measure_switch(ws, rules)
    wkey = f"{page}.measure"
    kept = state.measure()
    if not offer.available:
        st.session_state[wkey] = "distance"
    elif wkey not in st.session_state or st.session_state[wkey] not in travel.MEASURES:
        st.session_state[wkey] = kept or offer.default

    def _keep() -> None:
        st.session_state[state.MEASURE] = st.session_state[wkey]

    value = st.radio(t("measure.label", lang), travel.MEASURES, key=wkey, horizontal=True,
                     format_func=lambda m: t(f"measure.{m}", lang), disabled=not offer.available,
                     help=t("measure.help", lang), on_change=_keep)
    if not offer.available:
        st.caption(t(offer.reason or "measure.no_roads", lang))
        return "distance"
    return str(value)


def caption(rules: Rules, measure: str, licence_type: str, lang: str) -> None:
    """One line saying what "covered" means on this page (and, by travel time, what is never covered)."""
    st.caption(t("measure.caption", lang, what=travel.service_text(rules, measure, licence_type, lang)))
    if measure == "time":
        st.caption(t("measure.off_network", lang))
