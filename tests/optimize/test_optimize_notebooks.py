"""The planner notebooks run top to bottom on the reference data (any failing cell fails the build),
and are committed without outputs (nothing derived from the reference data enters the project). The
travel-time and more-models notebooks run on the bundled SAMPLE workspace, so they need no reference data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SAMPLE_NOTEBOOKS = ("04_travel_time", "05_more_models")  # run on the bundled sample workspace
REFERENCE_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem not in SAMPLE_NOTEBOOKS]


def test_the_planner_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == ["01_coverage_overview", "02_gap_analysis", "03_siting_scenarios",
                                           "04_travel_time", "05_more_models"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip the outputs"


def _execute(path: Path, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} shows no plot"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    return nb


@pytest.mark.reference
@pytest.mark.slow
@pytest.mark.parametrize("path", REFERENCE_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, reference_dir, monkeypatch):
    monkeypatch.setenv("SITING_REFERENCE_DIR", str(reference_dir))
    _execute(path, monkeypatch)


@pytest.mark.slow
def test_travel_time_notebook_runs_on_the_sample(monkeypatch):
    """It runs top to bottom and finds the villages the sample's road generator left off the network
    (named in roads.geojson's note) and the stranded ones (a network component of their own)."""
    import json

    import networkx as nx

    nb = _execute(ROOT / "notebooks" / "04_travel_time.ipynb", monkeypatch)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    fc = json.loads((ROOT / "data" / "sample" / "roads.geojson").read_text(encoding="utf-8"))
    villages = {(r["lon"], r["lat"]): r["name_en"] for r in _csv_rows(ROOT / "data" / "sample" / "villages.csv")}
    g = nx.Graph([tuple(tuple(c) for c in f["geometry"]["coordinates"]) for f in fc["features"]])
    small = min(nx.connected_components(g), key=len)
    stranded = sorted(villages[n] for n in small)
    on_roads = {villages[n] for n in g.nodes if n in villages}
    roadless = sorted(v for v in villages.values() if v not in on_roads)
    assert f"off the network: {roadless}" in text
    assert f"stranded: {stranded}" in text


@pytest.mark.slow
def test_more_models_notebook_runs_on_the_sample(monkeypatch):
    """It runs top to bottom on the sample, says so, and its own checks hold (p-center never worse than
    p-median on the worst distance; every county at its floor)."""
    nb = _execute(ROOT / "notebooks" / "05_more_models.ipynb", monkeypatch)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "sample (synthetic) data, not official" in text
    assert "County floors: covered share after" in text and "refused: county floor" in text
    intro = nb.cells[0].source
    assert "SAMPLE (synthetic) data" in intro and "not official" in intro


def _csv_rows(path: Path) -> list[dict]:
    import csv

    with path.open(encoding="utf-8") as f:
        return [{**r, "lon": float(r["lon"]), "lat": float(r["lat"])} for r in csv.DictReader(f)]
