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
the dashboard's workspace (its current generation, handed over on every run:
a workspace change by any process neither reopens the tracker nor signs anyone
out). An identity is bound to the tracker instance that issued it, so a server
restart asks everyone to sign in again.

On the SAMPLE tracker database (``make run``; :func:`siting.samples.tracker.is_sample_tracker`)
:func:`require_user` shows the SAMPLE banner on every tracker page, and the
sign-in form lists the demo accounts. Pages need not show it again.

Single sign-on: when ``SITING_SSO_ISSUERS`` is set (see
:func:`siting.tracker.access.sso_policy_from_env` and docs/tracker.md) and
Streamlit's OIDC login is configured in ``.streamlit/secrets.toml``, a person
signed in through ``st.login`` (``st.user.is_logged_in``) is signed in to the
tracker with ``tracker.sign_in_external(ExternalIdentity.from_claims(st.user.to_dict()))``;
the policy decides their role. Local accounts keep working beside it.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from siting.samples.tracker import DEMO_ACCOUNTS, is_sample_tracker
from siting.tracker import (
    AuthenticationError,
    ExternalIdentity,
    Identity,
    SsoPolicy,
    Tracker,
    TrackerError,
    TrackerSettings,
)
from siting.tracker.access import sso_groups_claim, sso_policy_from_env
from siting.tracker.db import missing_sqlite_file, resolve_url
from siting.tracker.errors import TrackerNotReady

from .. import state
from ..i18n import error_text, t

IDENTITY_KEY = "tracker.identity"


@st.cache_resource(max_entries=2, show_spinner=False)
def _open_tracker(url: str, sso: SsoPolicy | None) -> Tracker:
    # Not keyed on the workspace: the identities a tracker issues are bound to that instance, so
    # reopening it on every workspace change signed everybody out (issue 9, item 2).
    return Tracker(TrackerSettings(url=url, sso=sso))


def sso_policy() -> SsoPolicy | None:
    """The single sign-on policy of this server, from the environment (``SITING_SSO_*``)."""
    return sso_policy_from_env(os.environ)


def tracker() -> Tracker | None:
    """The tracker of this server, or ``None`` after showing why it cannot be opened."""
    lang = state.lang()
    try:
        if missing_sqlite_file(resolve_url()) is not None:  # opening it would create an empty database
            not_set_up(lang)
            return None
        trk = _open_tracker(resolve_url(), sso_policy())
        trk.use_workspace(state.load_workspace(state.workspace_key()))  # the current generation
        return trk
    except TrackerNotReady:  # a database without the tracker's tables: not the user's to fix
        not_set_up(lang)
    except TrackerError as exc:
        st.error(t("tracker.unavailable", lang, detail=error_text(exc, lang)))
    except Exception as exc:  # a database that does not answer: a sentence, not a traceback
        st.error(t("tracker.unavailable", lang, detail=type(exc).__name__))
    return None


def not_set_up(lang: str) -> None:
    """What is missing and who sets it up, for a tracker with no database yet (nothing is created)."""
    st.warning(t("tracker.not_set_up", lang), icon=":material/construction:")
    st.caption(t("tracker.not_set_up_meanwhile", lang))


def current() -> Identity | None:
    """The signed-in identity of this browser session, if any."""
    who = st.session_state.get(IDENTITY_KEY)
    return who if isinstance(who, Identity) else None


def sign_out() -> None:
    st.session_state.pop(IDENTITY_KEY, None)


def is_sample(trk: Tracker) -> bool:
    """Whether ``trk`` is the SAMPLE tracker database (demo accounts, sample applications)."""
    return is_sample_tracker(trk)


def sample_banner(trk: Tracker) -> None:
    """The SAMPLE warning for the tracker's data (shown by :func:`require_user` on every tracker page)."""
    if is_sample(trk):
        st.warning(t("tracker.sample_banner", state.lang()), icon=":material/warning:")


def _demo_accounts(lang: str) -> None:
    rows = [{t("tracker.username", lang): a.username, t("tracker.password", lang): a.password,
             t("tracker.demo_role", lang): t(f"role.{a.role}", lang),
             t("tracker.demo_what", lang): a.what_fa if lang == "fa" else a.what_en} for a in DEMO_ACCOUNTS]
    with st.expander(t("tracker.demo_accounts", lang), expanded=True):
        st.caption(t("tracker.demo_hint", lang))
        st.table(rows)


def _sso_claims() -> dict[str, Any] | None:
    """The claims of the person signed in through Streamlit's OIDC login, if any."""
    try:
        if st.user.is_logged_in:
            return dict(st.user.to_dict())
    except Exception:  # no [auth] section in secrets.toml: no SSO here
        return None
    return None


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml
        return False


def _sso_sign_in(trk: Tracker, lang: str) -> Identity | None:
    """Sign in the person the SSO authenticated (the plug-in point); ``None`` if there is none or
    the tracker refuses them (the refusal is shown)."""
    if trk.settings.sso is None:
        return None
    claims = _sso_claims()
    if claims is None:
        return None
    try:
        who = trk.sign_in_external(ExternalIdentity.from_claims(claims, groups_claim=sso_groups_claim(os.environ)))
    except AuthenticationError as exc:
        st.error(error_text(exc, lang))
        return None
    st.session_state[IDENTITY_KEY] = who
    return who


def _signup(trk: Tracker, lang: str) -> None:
    """Self-registration of a new applicant (the library checks every field, throttles, and never says
    whether the national ID had an account: the page says one sentence either way)."""
    from .tracker_views import show_error

    with st.expander(t("tracker.signup_title", lang), icon=":material/person_add:"):
        st.caption(t("tracker.signup_intro", lang))
        with st.form("tracker.signup", clear_on_submit=False):
            full_name = st.text_input(t("tracker.signup.full_name", lang), key="tracker.signup.full_name")
            national_id = st.text_input(t("tracker.signup.national_id", lang), key="tracker.signup.national_id")
            mobile = st.text_input(t("tracker.signup.mobile", lang), key="tracker.signup.mobile",
                                   placeholder="۰۹۱۲۳۴۵۶۷۸۹")
            password = st.text_input(t("tracker.signup.password", lang), type="password", key="tracker.signup.password")
            again = st.text_input(t("tracker.signup.password2", lang), type="password", key="tracker.signup.password2")
            submitted = st.form_submit_button(t("tracker.signup.submit", lang))
        if not submitted:
            return
        if password != again:
            st.error(t("tracker.signup.mismatch", lang))
            return
        try:
            trk.register_applicant(full_name=full_name, national_id=national_id, mobile=mobile, password=password,
                                   client=_client_key())
        except TrackerError as exc:
            show_error(exc, lang)
            return
        st.success(t("tracker.signup.done", lang))


def _form(trk: Tracker, lang: str, *, signup: bool = False) -> None:
    st.info(t("tracker.signin_needed", lang))
    if trk.settings.sso is not None and _sso_configured() and _sso_claims() is None:
        st.button(t("tracker.sso_signin", lang), key="tracker.sso", on_click=st.login)
    if is_sample(trk):
        _demo_accounts(lang)
    with st.form("tracker.signin"):
        username = st.text_input(t("tracker.username", lang), key="tracker.signin.username")
        password = st.text_input(t("tracker.password", lang), type="password", key="tracker.signin.password")
        submitted = st.form_submit_button(t("tracker.signin", lang))
    if submitted:
        try:
            st.session_state[IDENTITY_KEY] = trk.authenticate(username, password, client=_client_key())
        except AuthenticationError as exc:
            st.error(error_text(exc, lang))
            return
        st.rerun()
    if signup:
        _signup(trk, lang)


def _client_key() -> str | None:
    """Who is signing in, for the tracker's per-client lockout: the browser's IP address."""
    try:
        ip = st.context.ip_address
    except Exception:  # outside a browser session (AppTest): no per-client lockout
        return None
    return f"ip:{ip}" if ip else None


def _sign_out_everywhere() -> None:
    who = current()
    sign_out()
    if who is not None and who.method == "sso":
        st.logout()  # else the SSO session would sign the person in again at once


def _sidebar(who: Identity, lang: str) -> None:
    with st.sidebar:
        st.caption(t("tracker.signed_in_as", lang, name=who.display_name or who.username,
                     role=t(f"role.{who.role}", lang)))
        st.button(t("tracker.signout", lang), key="tracker.signout", on_click=_sign_out_everywhere)


def require_user(roles: tuple[str, ...]) -> tuple[Tracker, Identity] | None:
    """The tracker and the signed-in person when their role is in ``roles``; else show why not.

    Returns ``None`` after rendering the sign-in form (nobody signed in), a
    refusal (a role the page is not for) or the reason the tracker cannot be
    opened; the page then stops.
    """
    lang = state.lang()
    trk = tracker()  # bad SITING_SSO_* settings are shown there, naming the variable
    if trk is None:
        return None
    sample_banner(trk)
    who = current() or _sso_sign_in(trk, lang)
    if who is None:
        _form(trk, lang, signup="applicant" in roles)
        return None
    _sidebar(who, lang)
    if who.role not in roles:
        st.warning(t("tracker.wrong_role", lang, role=t(f"role.{who.role}", lang),
                     roles="، ".join(t(f"role.{r}", lang) for r in roles) if lang == "fa"
                     else ", ".join(t(f"role.{r}", lang) for r in roles)))
        return None
    return trk, who
