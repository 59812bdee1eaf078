"""AppTest fixtures: every test runs the real app (``app.py``) on its own copy of the sample workspace."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import open_app
from streamlit.testing.v1 import AppTest

from siting.workspace import Workspace

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
