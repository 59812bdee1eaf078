"""AppTest fixtures: every test runs the real app (``app.py``) on its own copy of the sample workspace."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import assert_clean
from streamlit.testing.v1 import AppTest

from siting.workspace import Workspace

APP = Path(__file__).resolve().parents[2] / "app.py"


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
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        if lang != "fa":
            at.radio(key="lang").set_value(lang).run()
        at.switch_page(f"ui/pages/{page}.py").run()
        assert_clean(at)
        return at

    return _open
