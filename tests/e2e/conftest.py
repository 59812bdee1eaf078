"""Fixtures of the browser tests: the dashboard served by ``streamlit run app.py`` on 127.0.0.1 (a free port)
with a temporary copy of the sample workspace, one per test module, and Debian's Chromium through Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ui.devserver import CHROMIUM, launch_browser, new_page, running_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # git-ignored: screenshots and server logs


@pytest.fixture(scope="module")
def app(request, sample_workspace_path, tmp_path_factory):
    """``(url, workspace path)`` of a server on this module's own copy of the sample workspace."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-env.sh (Debian's chromium package)")
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.module.__name__.rpartition(".")[2]
    ws_path = tmp_path_factory.mktemp(name) / "workspace.gpkg"
    shutil.copy(sample_workspace_path, ws_path)
    with running_app(ws_path, log=ARTIFACTS / f"{name}-streamlit.log") as url:
        yield url, ws_path


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
