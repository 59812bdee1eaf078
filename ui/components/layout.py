"""The frame every page shares: direction and fonts, the language switch, the sample banner,
and showing an error as a sentence instead of a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import streamlit as st

from siting import fmt
from siting.errors import InputError
from siting.workspace import Workspace
from ui.views.picking import CandidateError
from ui.views.upload import shown_as_uploaded

from ..i18n import LANGUAGES, t
from ..state import LANG_KEY, lang

log = logging.getLogger("siting.ui")

# Fonts installed on the machine (Vazirmatn when present, else Noto from Debian's
# fonts-noto-core): nothing is fetched from a CDN.
FONT_STACK = '"Vazirmatn", "Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans", Tahoma, sans-serif'

_CSS = """
<style>
html, body, .stApp, .stMarkdown, .stMarkdown p, .stMarkdown li, label, input, textarea, button,
h1, h2, h3, h4, h5, h6, [data-testid="stMetricValue"], [data-testid="stMetricLabel"],
[data-testid="stAlertContentWarning"], [data-testid="stAlertContentError"],
[data-testid="stAlertContentSuccess"], [data-testid="stAlertContentInfo"], [data-testid="stCaptionContainer"] {
  font-family: FONTS;
}
[data-testid="stIconMaterial"], .material-symbols-rounded { font-family: "Material Symbols Rounded" !important; }
/* A slider's thumb is placed right-to-left when the BROWSER's language is (react-aria follows
   navigator.language: minimum at the right) but its coloured fill is always drawn left-to-right;
   in such a browser mirror the fill and the min/max labels so that the whole slider reads
   right-to-left and agrees with the thumb and the pointer (see _LOCALE_DIR_JS). */
html[data-siting-locale-dir="rtl"] [data-testid="stSlider"] [role="group"] > [data-orientation="horizontal"] > div:first-child {
  transform: scaleX(-1);
}
html[data-siting-locale-dir="rtl"] [data-testid="stSliderTickBar"] { flex-direction: row-reverse; }
DIRECTION_RULES
</style>
"""
_RTL = """
[data-testid="stMain"], [data-testid="stSidebarUserContent"], [data-testid="stSidebarNav"] {
  direction: rtl; text-align: right;
}
[data-testid="stDeckGlJsonChart"], [data-testid="stDeckGlJsonChart"] * { direction: ltr; }
[data-testid="stNumberInput"] input, [data-testid="stTextInput"] input { direction: rtl; }
.deck-tooltip { direction: rtl; text-align: right; }
[data-testid="stMain"] code { direction: ltr; unicode-bidi: embed; }
[data-testid="stSlider"] { direction: ltr; }
[data-testid="stSlider"] [data-testid="stWidgetLabel"] { direction: rtl; text-align: right; }
"""


# Marks <html> with the browser language's direction, for the slider rule above.
_LOCALE_DIR_JS = """<script>
(() => {
  const rtl = /^(fa|ar|he|ur|ps|ckb|dv|yi)(-|$)/i.test(navigator.language || "");
  document.documentElement.setAttribute("data-siting-locale-dir", rtl ? "rtl" : "ltr");
})();
</script>"""


def apply_direction(lang_: str) -> None:
    """Right-to-left layout and the Persian font stack for Persian; left-to-right for English."""
    css = _CSS.replace("FONTS", FONT_STACK).replace("DIRECTION_RULES", _RTL if lang_ == "fa" else "")
    st.markdown(css, unsafe_allow_html=True)
    st.html(_LOCALE_DIR_JS, unsafe_allow_javascript=True)


def language_switch() -> str:
    """The sidebar's language switch (Persian by default); returns the chosen language."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = "fa"
    st.sidebar.radio(
        t("app.language", lang()),
        LANGUAGES,
        key=LANG_KEY,
        format_func=lambda code: {"fa": "فارسی", "en": "English"}[code],
        horizontal=True,
    )
    return lang()


def page_header(ws: Workspace, title_key: str, intro_key: str | None = None) -> None:
    """Title, the sample-data banner when the workspace holds sample data, and an introduction."""
    lang_ = lang()
    st.title(t(title_key, lang_))
    sample_banner(ws)
    name = ws.meta.get("name_fa") if lang_ == "fa" else ws.meta.get("name")
    st.caption(t("app.workspace_caption", lang_, name=name or ws.meta.get("name") or ws.path))
    if intro_key:
        st.markdown(t(intro_key, lang_))


def sample_banner(ws: Workspace) -> None:
    """A warning that the data is sample data, on every page that shows the workspace's data."""
    if ws.is_sample:
        st.warning(t("app.sample_banner", lang()), icon=":material/warning:")


def candidate_error_text(exc: CandidateError, lang_: str) -> str:
    """A :class:`CandidateError` said in the page's language."""
    key = f"error.{exc.code}"
    params = dict(exc.params)
    if params.get("field"):
        params["field"] = t(f"field.{params['field']}", lang_)
    for name in ("lat", "lon", "value", "a", "b"):
        if isinstance(params.get(name), float):
            params[name] = fmt.number(params[name], lang_, decimals=4).replace("٬", "").replace(",", "")
    try:
        return t(key, lang_, **params)
    except KeyError:
        return str(exc)


@contextmanager
def errors_shown(headline_key: str = "error.input", uploads: Mapping[str, str] | None = None) -> Iterator[None]:
    """Show bad input as a clear message (never a traceback) and stop what the block was doing.

    :class:`InputError` (and ``ValueError``/``OSError`` from reading a file) show
    ``headline_key`` and the library's message naming the file, row or field
    (a kept upload's path said as the name it was uploaded as: ``uploads``
    maps one to the other); anything else shows a generic sentence and is
    logged with its traceback.
    """
    lang_ = lang()
    try:
        yield
    except CandidateError as exc:
        st.error(candidate_error_text(exc, lang_))
    except (InputError, ValueError, OSError) as exc:
        st.error(t(headline_key, lang_))
        st.caption(t("app.detail", lang_, detail=shown_as_uploaded(str(exc), uploads or {})))
    except Exception:
        log.exception("unexpected error in the dashboard")
        st.error(t("app.unexpected", lang_))
