"""Issue 15 (U1): no Streamlit error box reaches a visitor; the library's machine codes are said in words."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from apptest_helpers import texts
from streamlit.testing.v1 import AppTest

from ui import state
from ui.i18n import t

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_an_exception_escaping_a_page_is_a_message_with_a_reference_logged_with_its_traceback(
        workspace_copy, monkeypatch, caplog, lang):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    if lang != "fa":
        at.radio(key="lang").set_value(lang).run()

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure 7d1f")

    monkeypatch.setattr(state, "current", broken)  # the default (applicant) page reads the workspace through it
    with caplog.at_level(logging.ERROR, logger="siting.ui"):
        at.run()
    assert not at.exception  # Streamlit's own error box never appears
    errors = texts(at.error)
    assert len(errors) == 1
    ref = re.search(r"`([0-9A-F]{8})`", errors[0])
    assert ref, errors
    assert errors[0] == t("app.crashed", lang, ref=ref.group(1))
    assert "injected failure" not in errors[0]  # the details are for the log, not the visitor
    logged = [r for r in caplog.records if ref.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info and "injected failure 7d1f" in str(logged[0].exc_info[1])
    # the sidebar (language switch, navigation) still works after the failure
    assert at.radio(key="lang").value == lang
