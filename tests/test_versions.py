"""Earlier versions of the workspace (siting.versions): kept on every checked save, restored whole,
bounded, authorised, under the lock and recorded (issue 15, the Data page's undo)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace

import pytest

from siting import permissions
from siting.errors import InputError
from siting.permissions import LOCAL_OPERATOR, VISITOR, PermissionDenied
from siting.versions import KEEP, list_versions, restore_version, versions_dir
from siting.workspace import Workspace


def _sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture()
def ws_path(sample_workspace_path, tmp_path):
    p = tmp_path / "workspace.gpkg"
    shutil.copy(sample_workspace_path, p)
    return p


def _without_offices(p):
    ws = Workspace.load(p)
    return replace(ws, offices=ws.offices.iloc[:3].copy())


def test_a_checked_save_keeps_the_previous_file_and_restore_puts_it_back(ws_path):
    before_sha, before_offices = _sha(ws_path), len(Workspace.load(ws_path).offices)
    permissions.save_workspace(LOCAL_OPERATOR, _without_offices(ws_path), ws_path)
    assert len(Workspace.load(ws_path).offices) == 3
    [kept] = list_versions(ws_path)
    assert _sha(kept.path) == before_sha  # byte for byte the file as it was
    restored = permissions.restore_workspace(LOCAL_OPERATOR, ws_path)
    assert len(restored.offices) == before_offices == len(Workspace.load(ws_path).offices)
    log = Workspace.load(ws_path).imports
    assert log.iloc[-1]["mode"] == "restore" and log.iloc[-1]["file"] == kept.name
    assert log.iloc[-1]["source"] == "local-operator"
    # the restore itself can be undone: the 3-office file is now the newest version
    newest = list_versions(ws_path)[0]
    assert len(Workspace.load(newest.path).offices) == 3


def test_restore_is_refused_to_a_visitor_and_writes_nothing(ws_path):
    permissions.save_workspace(LOCAL_OPERATOR, _without_offices(ws_path), ws_path)
    sha, n = _sha(ws_path), len(list_versions(ws_path))
    with pytest.raises(PermissionDenied):
        permissions.restore_workspace(VISITOR, ws_path)
    with pytest.raises(PermissionDenied):
        permissions.restore_workspace(LOCAL_OPERATOR, ws_path, check=lambda: permissions.require(VISITOR, "import_workspace"))
    assert _sha(ws_path) == sha and len(list_versions(ws_path)) == n


def test_no_version_a_made_up_name_or_a_broken_file_writes_nothing(ws_path):
    sha = _sha(ws_path)
    with pytest.raises(InputError, match="no earlier version"):
        restore_version(ws_path)
    permissions.save_workspace(LOCAL_OPERATOR, _without_offices(ws_path), ws_path)
    sha = _sha(ws_path)
    with pytest.raises(InputError, match="no earlier version"):
        restore_version(ws_path, "../workspace.gpkg")  # only files in the versions folder
    [kept] = list_versions(ws_path)
    kept.path.write_bytes(b"not a geopackage")
    with pytest.raises(InputError, match="does not open as a workspace"):
        restore_version(ws_path, kept.name)
    assert _sha(ws_path) == sha and len(list_versions(ws_path)) == 1


def test_versions_are_bounded(ws_path):
    for _ in range(KEEP + 2):
        permissions.save_workspace(LOCAL_OPERATOR, Workspace.load(ws_path), ws_path)
    assert len(list_versions(ws_path)) == KEEP == len(list(versions_dir(ws_path).glob("*.gpkg")))
    gens = [v.generation for v in list_versions(ws_path)]
    assert gens == sorted(gens, reverse=True)  # newest first, the oldest were dropped


def test_a_failed_save_keeps_no_version(ws_path):
    stale = Workspace.load(ws_path)
    permissions.save_workspace(LOCAL_OPERATOR, Workspace.load(ws_path), ws_path)  # someone else saved
    n = len(list_versions(ws_path))
    with pytest.raises(OSError):
        permissions.save_workspace(LOCAL_OPERATOR, stale, ws_path)
    assert len(list_versions(ws_path)) == n
