"""AppTest fixtures: every test runs the real app (``app.py``) on its own copy of the sample workspace."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import open_app
from data_page_accounts import PASSWORD, sign_in
from streamlit.testing.v1 import AppTest

from siting.tracker import PasswordPolicy, Tracker, TrackerSettings, init_database
from siting.workspace import Workspace
from ui.components import signin

# the tracker tests' helpers (tracker_helpers: people with valid IDs, worlds, row counts) serve the
# tracker pages' tests too
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tracker"))


@pytest.fixture()
def workspace_copy(sample_workspace_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the sample workspace, which the app opens through ``SITING_WORKSPACE``."""
    path = tmp_path / "workspace.gpkg"
    shutil.copy(sample_workspace_path, path)
    monkeypatch.setenv("SITING_WORKSPACE", str(path))
    return path


@pytest.fixture()
def ws(workspace_copy: Path) -> Workspace:
    return Workspace.load(workspace_copy)


@pytest.fixture()
def open_page(workspace_copy: Path) -> Callable[..., AppTest]:
    """``open_page("applicant")``: the app run once, then switched to ``ui/pages/<page>.py``."""

    def _open(page: str, *, lang: str = "fa") -> AppTest:
        return open_app(page, lang=lang)

    return _open


@pytest.fixture()
def accounts(tmp_path, workspace_copy, monkeypatch):
    """A tracker database (the app opens it through ``DATABASE_URL``) with an administrator ``root``,
    a data steward ``dana``, a directorate expert ``erik`` and an applicant ``alice``; returns the
    library's tracker on it."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url)
    trk = Tracker(TrackerSettings(url=url, files_dir=tmp_path / "files", password_policy=PasswordPolicy.fast()),
                  workspace=Workspace.load(workspace_copy))
    root = trk.bootstrap_admin("root", PASSWORD)
    for name, role in (("dana", "data_steward"), ("erik", "expert"), ("alice", "applicant")):
        trk.create_user(root, name, PASSWORD, role)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SITING_TRACKER_FILES", str(tmp_path / "files"))
    signin._open_tracker.clear()
    yield trk
    trk.close()
    signin._open_tracker.clear()


@pytest.fixture()
def steward_page(open_page, accounts):
    """The Data page with the data steward ``dana`` signed in."""
    return lambda: sign_in(open_page("data"), "dana")
