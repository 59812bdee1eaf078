"""The router: navigation, language and direction, the workspace switch, every string translated."""

from __future__ import annotations

import re
from pathlib import Path

from apptest_helpers import assert_clean, texts
from streamlit.testing.v1 import AppTest

from ui.i18n import STRINGS, t
from ui.navigation import PAGES, SECTIONS, sections

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


def test_default_page_navigation_and_rtl(workspace_copy):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert_clean(at)
    assert at.title[0].value == t("page.applicant", "fa")  # the applicant page is the default
    css = [v for v in texts(at.markdown) if "<style>" in v]
    assert css and "direction: rtl" in css[0] and "Noto Sans Arabic" in css[0]
    assert "http" not in css[0]  # no web font
    assert at.radio(key="lang").value == "fa"
    at.radio(key="lang").set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == "Choose and check a site"
    assert "direction: rtl" not in next(v for v in texts(at.markdown) if "<style>" in v)


def test_every_page_runs_in_both_languages(workspace_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")  # the tracker pages: not data/
    for lang in ("fa", "en"):
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        at.radio(key="lang").set_value(lang).run()
        for spec in PAGES:
            at.switch_page(f"ui/pages/{spec.name}.py").run()
            assert_clean(at)
            assert at.title[0].value == t(f"page.{spec.name}", lang)


def test_sections_hold_only_existing_pages():
    nav = sections("fa")
    assert list(nav) == [t(f"nav.{s}", "fa") for s in SECTIONS if any(p.section == s for p in PAGES)]
    assert all(p.path.exists() for p in PAGES)
    assert [p.url_path for p in PAGES] == ["applicant", "my-applications", "working-group", "agenda", "queue",
                                           "planner", "scenarios", "data"]
    assert not (ROOT / "pages").exists()  # no legacy auto-discovered pages folder


def test_missing_workspace_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("SITING_WORKSPACE", str(tmp_path / "nowhere.gpkg"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert_clean(at)
    assert t("app.workspace_missing", "fa") in texts(at.error)
    assert any("nowhere.gpkg" in c for c in texts(at.caption))


def test_every_string_used_is_translated():
    used = set()
    for path in [APP, *(ROOT / "ui").rglob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.\-]+)["']""", path.read_text(encoding="utf-8")))
    missing = used - set(STRINGS)
    assert not missing, missing
    for key, (fa, en) in STRINGS.items():
        assert fa.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", fa)) == set(re.findall(r"{(\w+)}", en)), key
