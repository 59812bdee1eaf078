"""Issue 15 (9): a tracker page with no tracker database neither creates an empty one nor tells the
user to run a command: a Persian explanation of what is missing and who sets it up."""

from __future__ import annotations

import pytest
from apptest_helpers import open_app, texts

PAGES = ("tracker_my_applications", "tracker_queue", "tracker_agenda")


def _all_text(at) -> str:
    return "\n".join(texts(at.warning) + texts(at.error) + texts(at.info) + texts(at.markdown) + texts(at.caption))


@pytest.mark.parametrize("page", PAGES)
def test_no_database_file_is_explained_and_not_created(tmp_path, workspace_copy, monkeypatch, page):
    db = tmp_path / "nowhere" / "tracker.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    at = open_app(page)
    shown = _all_text(at)
    assert "پایگاه دادهٔ ردیاب درخواست‌ها هنوز راه‌اندازی نشده است" in shown
    assert "کارشناس فناوری اطلاعات ادارهٔ کل" in shown  # who sets it up
    assert "siting tracker" not in shown and "migrate" not in shown  # no command for the user to run
    assert not db.exists() and not db.parent.exists()  # nothing created
    assert not at.text_input  # no sign-in form for a tracker that does not exist


def test_a_database_without_tables_is_explained_in_english_too(tmp_path, workspace_copy, monkeypatch):
    db = tmp_path / "tracker.db"
    db.touch()  # a file, but no tracker tables
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    at = open_app("tracker_my_applications", lang="en")
    shown = _all_text(at)
    assert "has not been set up yet" in shown and "IT staff" in shown
    assert "siting tracker" not in shown
