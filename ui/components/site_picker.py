"""Choosing the candidate site: map picks, typed coordinates, settlement names.

The component owns its session keys (prefix ``applicant.``). The map's
``on_select`` handler, :func:`on_map_select`, turns the picked object (an H3
cell or a settlement) into the candidate through
:func:`ui.views.picking.candidate_from_selection`; the forms use
:func:`ui.views.picking.candidate_from_text` and

:func:`ui.views.picking.candidate_from_settlement`. Refused input leaves a message
(shown by :func:`show_error`) and clears the previous candidate, so that the previous site's report is
never shown as if it answered the refused input (issue 15).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import streamlit as st

from siting import fmt
from siting.workspace import Workspace
from ui.views import picking
from ui.views.picking import Candidate, CandidateError

from ..i18n import t
from ..state import DataKey, lang
from .layout import candidate_error_text

CANDIDATE_KEY = "applicant.candidate"
ERROR_KEY = "applicant.pick_error"
MAP_GENERATIONS_KEY = "applicant.map_generations"  # pickable layer id -> its generation (mark_generation)
VIEW_KEY = "applicant.view"  # (bounds shown, whether they are a site's surroundings): view_bounds
LAT_KEY = "applicant.lat"
LON_KEY = "applicant.lon"
SETTLEMENT_KEY = "applicant.settlement"
#: The site carried from the site checker into the new-request form: {"lon", "lat", "licence_type", "label"}.
CARRIED_KEY = "applicant.carried_site"
REQUEST_PAGE = "ui/pages/tracker_my_applications.py"


MAP_KEY = "applicant.map"


def map_key() -> str:
    """The map widget's key: the same on every rerun, so that the browser keeps its map and deck.gl
    the layers whose data did not change (a new key made a new map: every layer built again)."""
    return MAP_KEY


def mark_generation(layers: list) -> list:
    """The ids of the pickable layers that held the map's pick when the candidate was last set another way
    (a search, typed coordinates), with their generation (:data:`ui.views.picking.GENERATION_MARK`): the
    map's previous pick is left behind, and clicking that object again is a new pick. Only those layers
    are renamed: deck.gl builds a renamed layer again (the coarse grid: another frame, 0.3-0.5 s in a
    browser without a GPU), and the others hold no pick to leave behind."""
    generations: Mapping[str, int] = st.session_state.get(MAP_GENERATIONS_KEY, {})
    for layer in layers:
        gen = generations.get(layer.id)
        if gen and layer.id in picking.PICK_LAYERS:
            layer.id = f"{layer.id}{picking.GENERATION_MARK}{gen}"
    return layers


def _leave_pick_behind() -> None:
    """A new generation for each layer holding the map's current pick (:func:`mark_generation`)."""
    event = st.session_state.get(MAP_KEY)
    selection = (event.get("selection") if isinstance(event, Mapping) else None) or {}
    held = {picking.base_layer(k) for k, v in (selection.get("indices") or {}).items() if v}
    generations = dict(st.session_state.get(MAP_GENERATIONS_KEY, {}))
    for layer in held & set(picking.PICK_LAYERS):
        generations[layer] = generations.get(layer, 0) + 1
    st.session_state[MAP_GENERATIONS_KEY] = generations


def view_bounds(cand: Candidate | None, fitted: tuple[float, float, float, float]) -> tuple[float, ...]:
    """The extent the map shows: ``fitted`` (the site and the places around it, or the province), except
    after a pick on the map inside the surroundings of a site already shown, which stay: the map does not
    jump under the pointer, and deck.gl draws once instead of twice (a new view is another frame,
    0.3-0.7 s in a browser without a GPU). A site set another way (a search, typed coordinates) is
    always fitted (:func:`_set` forgets the view)."""
    shown = st.session_state.get(VIEW_KEY)
    if cand is not None and shown is not None and shown[1]:
        x0, y0, x1, y1 = shown[0]
        mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        if x0 + mx <= cand.lon <= x1 - mx and y0 + my <= cand.lat <= y1 - my:
            return tuple(shown[0])
    st.session_state[VIEW_KEY] = (tuple(float(v) for v in fitted), cand is not None)
    return tuple(fitted)


def current() -> Candidate | None:
    value = st.session_state.get(CANDIDATE_KEY)
    return value if isinstance(value, Candidate) else None


def apply_selection(ws: Workspace, selection: Mapping[str, Any] | None, state: MutableMapping[str, Any],
                    lang_: str) -> Candidate | None:
    """Set ``state``'s candidate from a pydeck selection (``{"indices": ..., "objects": ...}``).

    Returns the new candidate, or ``None`` when the pick designates no site
    (an office, a gap polygon, a deselection): the candidate is then kept.
    A bad pick stores a message under :data:`ERROR_KEY`.
    """
    objects = (selection or {}).get("objects") or {}
    try:
        cand = picking.candidate_from_selection(ws, objects)
    except CandidateError as exc:
        state[ERROR_KEY] = candidate_error_text(exc, lang_)
        state.pop(CANDIDATE_KEY, None)  # the previous site's report must not stand for the refused pick
        return None
    if cand is not None:
        state[CANDIDATE_KEY] = cand
        state.pop(ERROR_KEY, None)
    return cand


def on_map_select(key: DataKey, widget_key: str) -> None:
    """The map's ``on_select`` callback: read the chart's selection state and apply it."""
    event = st.session_state.get(widget_key)
    selection = event.get("selection") if event else None
    apply_selection(key.ws(), selection, st.session_state, lang())


def _set(cand: Candidate | None) -> None:
    if cand is None:
        st.session_state.pop(CANDIDATE_KEY, None)
    else:
        st.session_state[CANDIDATE_KEY] = cand
    st.session_state.pop(ERROR_KEY, None)
    st.session_state.pop(VIEW_KEY, None)
    _leave_pick_behind()


def _refuse(exc: CandidateError) -> None:
    """Refused input: say why, and clear the previous candidate (and with it its report)."""
    _set(None)
    st.session_state[ERROR_KEY] = candidate_error_text(exc, lang())


def _on_coordinates(key: DataKey) -> None:
    try:
        _set(picking.candidate_from_text(key.ws(), st.session_state.get(LAT_KEY), st.session_state.get(LON_KEY)))
    except CandidateError as exc:
        _refuse(exc)


def _on_settlement(key: DataKey) -> None:
    try:
        _set(picking.candidate_from_settlement(key.ws(), st.session_state.get(SETTLEMENT_KEY, "")))
    except CandidateError as exc:
        _refuse(exc)


MAP_SEARCH_KEY = "applicant.map_search"


def _on_map_search(key: DataKey) -> None:
    try:
        _set(picking.candidate_from_settlement(key.ws(), st.session_state.get(MAP_SEARCH_KEY, "")))
    except CandidateError as exc:
        st.session_state[ERROR_KEY] = candidate_error_text(exc, lang())


def map_search(key: DataKey) -> None:
    """A place search on the map itself (above it): a city or village name, Enter or the button,
    and the map shows the place as the chosen site (the same search as the settlement tab)."""
    lang_ = lang()
    with st.form("applicant.map_search_form", border=False):
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        c1.text_input(t("map.search", lang_), key=MAP_SEARCH_KEY, placeholder=t("map.search_placeholder", lang_))
        c2.form_submit_button(t("map.search_go", lang_), on_click=_on_map_search, args=(key,),
                              width="stretch")


def inputs(key: DataKey) -> None:
    """The three ways to choose a site, as tabs."""
    lang_ = lang()
    tab_map, tab_coords, tab_settlement = st.tabs(
        [t("applicant.tab_map", lang_), t("applicant.tab_coords", lang_), t("applicant.tab_settlement", lang_)])
    with tab_map:
        st.info(t("applicant.map_help", lang_))
    with tab_coords, st.form("applicant.coords_form", border=False):
        st.text_input(t("applicant.lat", lang_), key=LAT_KEY, help=t("applicant.pair_help", lang_))
        st.text_input(t("applicant.lon", lang_), key=LON_KEY)
        st.form_submit_button(t("applicant.check_point", lang_), on_click=_on_coordinates, args=(key,),
                              type="primary")
    with tab_settlement, st.form("applicant.settlement_form", border=False):
        st.text_input(t("applicant.settlement", lang_), key=SETTLEMENT_KEY)
        st.form_submit_button(t("applicant.find_settlement", lang_), on_click=_on_settlement, args=(key,),
                              type="primary")


def start_request_button(cand: Candidate, licence_type: str) -> None:
    """"Start a request at this site": opens the new-request form with this site and licence type."""
    lang_ = lang()
    if st.button(t("applicant.start_request", lang_), key="applicant.start_request", type="primary",
                 icon=":material/post_add:"):
        st.session_state[CARRIED_KEY] = {"lon": cand.lon, "lat": cand.lat, "licence_type": licence_type,
                                         "label": describe(cand, lang_)}
        st.switch_page(REQUEST_PAGE)


def carried_site() -> dict[str, Any] | None:
    """The site carried from the site checker, if any (kept until a request is created or it is dropped)."""
    value = st.session_state.get(CARRIED_KEY)
    return value if isinstance(value, dict) else None


def drop_carried_site() -> None:
    st.session_state.pop(CARRIED_KEY, None)


def show_error() -> None:
    """The message of the last bad pick or entry, if any."""
    message = st.session_state.get(ERROR_KEY)
    if message:
        st.error(message)


def describe(cand: Candidate, lang_: str) -> str:
    """'Candidate site: <label> (lat …, lon …)' in the page's language."""
    def coord(v: float) -> str:
        return fmt.number(v, lang_, decimals=5).replace("٬", "").replace(",", "")

    label = cand.label if cand.source != "cell" else t("applicant.source.cell", lang_)
    if cand.source == "fine-cell":
        label = t("applicant.source.fine-cell", lang_)
    elif cand.source == "typed":
        label = t("applicant.source.typed", lang_)
    return t("applicant.candidate", lang_, label=label, lat=coord(cand.lat), lon=coord(cand.lon))


def panel() -> Candidate | None:
    """The current candidate with a button to clear it; returns it."""
    lang_ = lang()
    cand = current()
    show_error()
    if cand is None:
        st.caption(t("applicant.no_candidate", lang_))
        return None
    st.markdown(f"**{describe(cand, lang_)}**")
    st.button(t("applicant.clear", lang_), on_click=_set, args=(None,), key="applicant.clear")
    return cand
