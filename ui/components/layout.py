"""The frame every page shares: direction and fonts, the language switch, the sample banner,
and showing an error as a sentence instead of a traceback."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from siting import fmt
from siting.errors import InputError
from siting.workspace import Workspace
from ui.views.picking import CandidateError
from ui.views.upload import shown_as_uploaded

from ..i18n import LANGUAGES, file_error_text, isolate, t
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
/* bulleted lists (summary, deficiencies, missing documents) start at the right, bullets inside the
   column or the alert box that holds them */
[data-testid="stMain"] ul, [data-testid="stMain"] ol,
[data-testid="stSidebarUserContent"] ul, [data-testid="stSidebarUserContent"] ol {
  padding-left: 0 !important; margin-left: 0 !important; margin-right: 0 !important;
  padding-right: 1.4em !important;
}
[data-testid="stMain"] li, [data-testid="stSidebarUserContent"] li { margin-left: 0 !important; text-align: right; }
/* "Press Enter to apply" / "Press Ctrl+Enter to submit form": English only, and not needed */
[data-testid="InputInstructions"] { display: none; }
"""
# Both directions: a metric's value (a status such as «عودت‌شده به متقاضی») wraps instead of being cut;
# a collapsed sidebar (the default on a phone) is hidden whole: in a right-to-left page its content
# would otherwise spill over the page from a zero-width column.
_BOTH = """
[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden; border: none; }
[data-testid="stSidebar"][data-collapsed="true"] [data-testid="stSidebarContent"] { display: none; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere; font-size: clamp(1.25rem, 2.2vw, 2.25rem); line-height: 1.3;
}
"""


# The page's language and direction on <html> (Streamlit has no API for them): screen readers read
# Persian with Persian rules. The script runs in the app's own document (st.html with JavaScript).
_LANG_JS = """<script>
(() => {
  const root = window.parent && window.parent.document ? window.parent.document.documentElement
                                                       : document.documentElement;
  for (const el of new Set([root, document.documentElement])) { el.lang = "LANG"; el.dir = "DIR"; }
})();
</script>"""


# Marks <html> with the browser language's direction, for the slider rule above.
_LOCALE_DIR_JS = """<script>
(() => {
  const rtl = /^(fa|ar|he|ur|ps|ckb|dv|yi)(-|$)/i.test(navigator.language || "");
  document.documentElement.setAttribute("data-siting-locale-dir", rtl ? "rtl" : "ltr");
})();
</script>"""


# The file uploader's English words ("Upload", "Drag and drop file here", "5MB per file • PDF") and the
# numbers a slider draws (its value and its ends) said in Persian, with Persian digits: Streamlit has no setting for them and CSS cannot change what a screen reader reads, so the
# text nodes themselves are rewritten, and again whenever Streamlit redraws them (a MutationObserver;
# React's later updates go to the same nodes and are translated again). English mode stops it.
_UPLOADER_JS = """<script>
(() => {
  const w = (window.parent && window.parent.document) ? window.parent : window;
  if (w.__sitingUploaderWords) { w.__sitingUploaderWords.disconnect(); w.__sitingUploaderWords = null; }
  const doc = w.document;
  const originals = w.__sitingUploaderOriginals = w.__sitingUploaderOriginals || new WeakMap();
  const texts = (box) => {
    const out = [], walk = doc.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) out.push(n);
    return out;
  };
  // the uploader's words, and the numbers Streamlit draws itself (a slider's value and its ends)
  const zones = () => doc.querySelectorAll('[data-testid="stFileUploaderDropzone"], [data-testid="stSliderThumbValue"], '
                                          + '[data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"]');
  if ("LANG" !== "fa") {  // English: Streamlit's own words back
    for (const box of zones()) for (const n of texts(box)) if (originals.has(n)) n.nodeValue = originals.get(n);
    return;
  }
  const digits = (s) => s.replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
  const words = (s) => {
    const t = s.trim();
    if (/^(Upload|Browse files)$/.test(t)) return "انتخاب فایل";
    if (/^Drag and drop files? here$/.test(t)) return "فایل را اینجا رها کنید";
    const m = t.match(/^(?:Limit )?([0-9.]+)\\s*([KMG])B per file(?: • (.*))?$/);
    if (m) {
      const unit = {K: "کیلوبایت", M: "مگابایت", G: "گیگابایت"}[m[2]];
      return "حداکثر " + digits(m[1]) + " " + unit + " برای هر فایل" + (m[3] ? " • " + m[3].replace(/, /g, "، ") : "");
    }
    if (/^[-+0-9.,\\s%]+$/.test(t) && /[0-9]/.test(t)) return digits(s).replace(/\\./g, "٫").replace(/,/g, "٬");
    return null;
  };
  const run = () => {
    for (const box of zones()) {
      for (const n of texts(box)) {
        const fa = words(n.nodeValue || "");
        if (fa !== null && fa !== n.nodeValue) { originals.set(n, n.nodeValue); n.nodeValue = fa; }
      }
    }
  };
  run();
  const obs = new MutationObserver(run);
  obs.observe(doc.body, {subtree: true, childList: true, characterData: true});
  w.__sitingUploaderWords = obs;
})();
</script>"""


def apply_direction(lang_: str) -> None:
    """Right-to-left layout and the Persian font stack for Persian; left-to-right for English."""
    css = _CSS.replace("FONTS", FONT_STACK).replace("DIRECTION_RULES", (_RTL if lang_ == "fa" else "") + _BOTH)
    st.markdown(css, unsafe_allow_html=True)
    st.html(_LOCALE_DIR_JS, unsafe_allow_javascript=True)
    st.html(_LANG_JS.replace("LANG", lang_).replace("DIR", "rtl" if lang_ == "fa" else "ltr"),
            unsafe_allow_javascript=True)
    st.html(_UPLOADER_JS.replace("LANG", lang_), unsafe_allow_javascript=True)


def run_page(page: StreamlitPage, lang_: str) -> None:
    """Run the page ``st.navigation`` chose; anything that escapes it becomes a message, never Streamlit's box.

    The visitor sees a sentence in ``lang_`` with a reference id; the traceback is
    logged (logger ``siting.ui``) under the same id, so support can find it. Streamlit's
    own control flow (``st.rerun``, ``st.stop``, ``st.switch_page``) derives from
    ``BaseException`` and passes through untouched.
    """
    try:
        page.run()
    except Exception:
        ref = error_reference()
        log.exception("error reference %s: an exception escaped the page %r", ref, page.url_path)
        st.error(t("app.crashed", lang_, ref=ref), icon=":material/error:")


def error_reference() -> str:
    """A short id that ties the message a visitor sees to the traceback in the log."""
    return uuid.uuid4().hex[:8].upper()


def upload_limit_mb(max_bytes: int) -> int:
    """The per-file limit in whole MB for ``st.file_uploader(max_upload_size=...)``: the browser refuses a
    larger file before sending it, and the limit it shows is the real one (the page checks again)."""
    return max(1, -(-int(max_bytes) // 1_048_576))


def limit_label(label: str, max_bytes: int, lang_: str) -> str:
    """An uploader's label with its real limit, in ``lang_`` (the browser's own limit text is hidden in Persian)."""
    return t("upload.with_limit", lang_, label=label, mb=fmt.number(upload_limit_mb(max_bytes), lang_))


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
        source = getattr(exc, "source", None)
        said = file_error_text(exc, lang_, file=shown_as_uploaded(source, uploads or {}) if source else None)
        if said is not None:  # a whole file's refusal with a machine code: said in the page's language
            st.caption(t("app.detail", lang_, detail=said))
        else:
            # the library's sentence is English: said as such in Persian, isolated so that its order survives
            st.caption(t("app.detail_library", lang_, detail=isolate(shown_as_uploaded(str(exc), uploads or {}))))
    except Exception:
        log.exception("unexpected error in the dashboard")
        st.error(t("app.unexpected", lang_))
