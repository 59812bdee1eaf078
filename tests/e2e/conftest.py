"""Fixtures of the browser tests: the dashboard served by ``streamlit run app.py`` on 127.0.0.1 (a free port)
with a temporary copy of the sample workspace, one per test module (``app``; ``tracker_app`` adds a temporary
SAMPLE tracker database), and Debian's Chromium through Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from siting.samples.tracker import SampleTracker, build_sample_tracker
from ui.devserver import CHROMIUM, launch_browser, new_page, running_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # git-ignored: screenshots and server logs


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-env.sh (Debian's chromium package)")
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture(scope="module")
def app(request, sample_workspace_path, tmp_path_factory):
    """``(url, workspace path)`` of a server on this module's own copy of the sample workspace."""
    _need_chromium()
    name = request.module.__name__.rpartition(".")[2]
    ws_path = tmp_path_factory.mktemp(name) / "workspace.gpkg"
    shutil.copy(sample_workspace_path, ws_path)
    with running_app(ws_path, log=ARTIFACTS / f"{name}-streamlit.log") as url:
        yield url, ws_path


@dataclass(frozen=True)
class TrackerApp:
    """A server on a module's own copy of the sample workspace and its own SAMPLE tracker database."""

    url: str  # http://127.0.0.1:<port>
    db_url: str  # sqlite:///<folder>/tracker.db
    ws_path: Path  # <folder>/workspace.gpkg
    files: Path  # <folder>/files: the tracker's uploaded files
    folder: Path  # the module's temporary folder
    sample: SampleTracker  # what build_sample_tracker made (application ids by role)


@pytest.fixture(scope="module")
def tracker_app(request, sample_workspace_path, tmp_path_factory) -> Iterator[TrackerApp]:
    """The dashboard on this module's copy of the sample workspace and a SAMPLE tracker database built
    from it (``DATABASE_URL``, ``SITING_TRACKER_FILES``); the server's log in ``test-artifacts/``.
    The app reads the database on every run: a module may add records through the library after
    the server has started."""
    _need_chromium()
    name = request.module.__name__.rpartition(".")[2]
    folder = tmp_path_factory.mktemp(name)
    ws_path = folder / "workspace.gpkg"
    shutil.copy(sample_workspace_path, ws_path)
    db_url, files = f"sqlite:///{folder / 'tracker.db'}", folder / "files"
    sample = build_sample_tracker(db_url, ws_path, files_dir=files)
    env = {"DATABASE_URL": db_url, "SITING_TRACKER_FILES": str(files)}
    with running_app(ws_path, env=env, log=ARTIFACTS / f"{name}-streamlit.log") as url:
        yield TrackerApp(url, db_url, ws_path, files, folder, sample)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh page (Persian locale); ``page.external`` lists every request that left 127.0.0.1."""
    pg = new_page(browser)
    yield pg
    pg.context.close()
