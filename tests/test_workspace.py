import hashlib
import os

import pandas as pd
import pytest

from siting.errors import WorkspaceError
from siting.samples.hand import hand_workspace
from siting.workspace import LAYERS, Workspace, resolve_path


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_round_trip_keeps_every_layer_and_the_metadata(tmp_path):
    ws = hand_workspace()
    path = ws.save(tmp_path / "ws.gpkg")
    back = Workspace.load(path)
    for layer in LAYERS:
        a, b = getattr(ws, layer), getattr(back, layer)
        assert list(a.columns) == list(b.columns)
        pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
        assert all(x.equals_exact(y, 1e-9) for x, y in zip(a.geometry, b.geometry, strict=True))
        assert b.crs.to_epsg() == 4326
    assert back.is_sample is True
    assert back.meta["metric_crs"]["distance"].startswith("+proj=lcc")
    assert back.settlements["population"].dtype == "Int64"
    assert back.settlements["population"].isna().sum() == 1


def test_failed_save_leaves_the_previous_file_byte_identical(tmp_path, monkeypatch):
    path = hand_workspace().save(tmp_path / "ws.gpkg")
    before = _sha(path)
    import pyogrio

    real = pyogrio.write_dataframe
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # fail half-way through writing the layers
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    ws = hand_workspace()
    with pytest.raises(OSError, match="disk full"):
        ws.save(path)
    assert _sha(path) == before
    # the lock file (siting.wslock) stays: removing it would race with a writer that has it open
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ws.gpkg.lock", "ws.gpkg"], "no temporary file left behind"


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(WorkspaceError, match="workspace not found; build one with `siting init`"):
        Workspace.load(tmp_path / "missing.gpkg")
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(WorkspaceError, match="bad.gpkg: not a GeoPackage workspace"):
        Workspace.load(bad)


def test_workspace_path_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("SITING_WORKSPACE", raising=False)
    assert str(resolve_path(None)) == os.path.join("data", "workspace.gpkg")
    monkeypatch.setenv("SITING_WORKSPACE", str(tmp_path / "x.gpkg"))
    assert resolve_path(None) == tmp_path / "x.gpkg"
    assert resolve_path("other.gpkg").name == "other.gpkg"


def test_county_lookup_and_region_test():
    ws = hand_workspace()
    assert list(ws.county_of([59.5, 58.5, 61.0], [33.0, 33.0, 33.0])) == ["بیرجند", "خوسف", None]
    assert list(ws.in_region([59.5, 61.0], [33.0, 33.0])) == [True, False]
