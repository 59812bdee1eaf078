"""Shared fixtures.

Tests on the reference data read ``../shared/data/south-khorasan/`` (relative
to the project root, or ``$SITING_REFERENCE_DIR``). Without that folder they
skip with a message naming it; with ``SITING_REQUIRE_REFERENCE=1`` (set by
``.ci/run``) they fail instead, so CI never passes by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from siting.rules import load_rules
from siting.samples.hand import hand_workspace

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = Path(
    os.environ.get("SITING_REFERENCE_DIR") or PROJECT_ROOT.parent / "shared" / "data" / "south-khorasan"
)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not (REFERENCE_DIR / "counties.geojson").exists():
        msg = f"reference data folder {REFERENCE_DIR} not found (expected ../shared/data/south-khorasan)"
        if os.environ.get("SITING_REQUIRE_REFERENCE"):
            pytest.fail(msg)
        pytest.skip(msg)
    return REFERENCE_DIR


@pytest.fixture()
def rules():
    return load_rules()


@pytest.fixture()
def hand_ws():
    return hand_workspace()


@pytest.fixture(scope="session")
def sample_workspace_path(tmp_path_factory) -> Path:
    """The bundled SAMPLE workspace, built once per session from data/sources/sample.yaml.

    Shared by every test of the session: treat it as read-only and copy it
    (``shutil.copy``) before anything writes to it.
    """
    from siting.io.manifest import init_workspace

    path = tmp_path_factory.mktemp("sample-workspace") / "workspace.gpkg"
    init_workspace(PROJECT_ROOT / "data" / "sources" / "sample.yaml", workspace=path)
    return path


@pytest.fixture(scope="session")
def sample_ws_path(sample_workspace_path) -> Path:
    """The bundled SAMPLE workspace's path (read-only; see ``sample_workspace_path``)."""
    return sample_workspace_path


@pytest.fixture(scope="session")
def sample_ws(sample_workspace_path):
    """The bundled SAMPLE workspace, loaded once per session (read-only)."""
    from siting.workspace import Workspace

    return Workspace.load(sample_workspace_path)

