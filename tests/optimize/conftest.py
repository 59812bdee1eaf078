"""Fixtures of the optimisation tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sample_ws_path(tmp_path_factory):
    """The bundled SAMPLE workspace (synthetic; data/sample), built once per test session."""
    from siting.manifest import init_workspace

    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    init_workspace("data/sources/sample.yaml", workspace=path)
    return path


@pytest.fixture(scope="session")
def sample_ws(sample_ws_path):
    from siting.workspace import Workspace

    return Workspace.load(sample_ws_path)
