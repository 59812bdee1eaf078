"""The applicant's tracker page on PostgreSQL: the SAMPLE tracker built on the test server, the page
run through AppTest with ``DATABASE_URL`` pointing at it (the SQLite runs are in
tests/ui/test_tracker_applicant_page.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tracker_helpers import row_counts

from siting import fmt
from siting.samples.tracker import build_sample_tracker, demo_account
from siting.tracker import PasswordPolicy, Tracker, TrackerSettings
from siting.workspace import Workspace
from ui.i18n import t

APP = Path(__file__).resolve().parents[2] / "app.py"

pytestmark = pytest.mark.postgres


def _submit(at: AppTest, form_key: str) -> None:
    next(b for b in at.get("form_submit_button") if b.form_id == form_key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_applicant_page_on_postgresql(pg_server, sample_workspace_path, tmp_path, monkeypatch):
    url = pg_server.create("siting_page")
    ws = Workspace.load(sample_workspace_path)
    made = build_sample_tracker(url, ws, files_dir=tmp_path / "files", now=datetime.now(UTC),
                                password_policy=PasswordPolicy.fast())
    monkeypatch.setenv("SITING_WORKSPACE", str(sample_workspace_path))  # read only
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SITING_TRACKER_FILES", str(tmp_path / "files"))

    at = AppTest.from_file(str(APP), default_timeout=90).run()
    at.switch_page("ui/pages/tracker_my_applications.py").run()
    acc = demo_account("demo-zahra")
    at.text_input(key="tracker.signin.username").set_value(acc.username)
    at.text_input(key="tracker.signin.password").set_value(acc.password)
    _submit(at, "tracker.signin")

    lib = Tracker(TrackerSettings(url=url, files_dir=tmp_path / "files"), workspace=ws)
    try:
        mine = lib.my_applications(lib.authenticate(acc.username, acc.password))
        ids = list(at.dataframe[0].value[t("tracker.app.col.id", "fa")])
        assert ids == [fmt.number(m.application.id) for m in mine]
        assert made.applications["returned"] in {m.application.id for m in mine}
        # a profile with a bad national ID: the field is named, nothing is written
        before = row_counts(url)
        at.text_input(key="tracker.app.p.name").set_value("علی آزمون")
        at.text_input(key="tracker.app.p.nid").set_value("12345")
        _submit(at, "tracker.app.profile_form")
        assert any("کد ملی" in c.value and "12345" in c.value for c in at.caption), [c.value for c in at.caption]
        assert row_counts(url) == before
    finally:
        lib.close()
