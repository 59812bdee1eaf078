"""Signing in to the application tracker, shared by every tracker page.

A tracker page starts with::

    session = signin.require_user(("expert", "admin"))
    if session is None:
        st.stop()
    tracker, me = session

:func:`require_user` shows the sign-in form when nobody is signed in, a
refusal naming the roles the page is for when the signed-in role is not
among them, and otherwise returns the shared :class:`~siting.tracker.Tracker`
and the person's :class:`~siting.tracker.Identity`. Every check of what that
person may see or do is made again by the library on each call; the page
only chooses what to offer.

The tracker is opened once per server (``st.cache_resource``) on
``$DATABASE_URL`` (else ``data/tracker.db``), with site validation running on
the dashboard's workspace. An identity is bound to the tracker instance that
issued it, so a server restart asks everyone to sign in again.
"""

from __future__ import annotations

import streamlit as st

from siting.tracker import AuthenticationError, Identity, Tracker, TrackerError, TrackerSettings
from siting.tracker.db import resolve_url

from .. import state
from ..i18n import t

IDENTITY_KEY = "tracker.identity"


@st.cache_resource(max_entries=2, show_spinner=False)
def _open_tracker(url: str, ws_key: state.WorkspaceKey) -> Tracker:
    return Tracker(TrackerSettings(url=url), workspace=state.load_workspace(ws_key))


def tracker() -> Tracker | None:
    """The tracker of this server, or ``None`` after showing why it cannot be opened."""
    lang = state.lang()
    try:
        return _open_tracker(resolve_url(), state.workspace_key())
    except TrackerError as exc:
        st.error(t("tracker.unavailable", lang, detail=exc.message(lang)))
    except Exception as exc:  # a database that does not answer: a sentence, not a traceback
        st.error(t("tracker.unavailable", lang, detail=type(exc).__name__))
    return None


def current() -> Identity | None:
    """The signed-in identity of this browser session, if any."""
    who = st.session_state.get(IDENTITY_KEY)
    return who if isinstance(who, Identity) else None


def sign_out() -> None:
    st.session_state.pop(IDENTITY_KEY, None)


def _form(trk: Tracker, lang: str) -> None:
    st.info(t("tracker.signin_needed", lang))
    with st.form("tracker.signin"):
        username = st.text_input(t("tracker.username", lang), key="tracker.signin.username")
        password = st.text_input(t("tracker.password", lang), type="password", key="tracker.signin.password")
        submitted = st.form_submit_button(t("tracker.signin", lang))
    if submitted:
        try:
            st.session_state[IDENTITY_KEY] = trk.authenticate(username, password)
        except AuthenticationError as exc:
            st.error(exc.message(lang))
            return
        st.rerun()


def _sidebar(who: Identity, lang: str) -> None:
    with st.sidebar:
        st.caption(t("tracker.signed_in_as", lang, name=who.display_name or who.username,
                     role=t(f"role.{who.role}", lang)))
        st.button(t("tracker.signout", lang), key="tracker.signout", on_click=sign_out)


def require_user(roles: tuple[str, ...]) -> tuple[Tracker, Identity] | None:
    """The tracker and the signed-in person when their role is in ``roles``; else show why not.

    Returns ``None`` after rendering the sign-in form (nobody signed in), a
    refusal (a role the page is not for) or the reason the tracker cannot be
    opened; the page then stops.
    """
    lang = state.lang()
    trk = tracker()
    if trk is None:
        return None
    who = current()
    if who is None:
        _form(trk, lang)
        return None
    _sidebar(who, lang)
    if who.role not in roles:
        st.warning(t("tracker.wrong_role", lang, role=t(f"role.{who.role}", lang),
                     roles="، ".join(t(f"role.{r}", lang) for r in roles) if lang == "fa"
                     else ", ".join(t(f"role.{r}", lang) for r in roles)))
        return None
    return trk, who
