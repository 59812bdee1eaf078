"""The dashboard's one caching module, and its session keys.

* ``st.cache_resource`` holds the read-only shared objects: the
  :class:`~siting.workspace.Workspace` keyed on its file's path, modification
  time and size (an import that saves the file changes the key, so every
  session sees the new data on its next run), and the rules keyed on the rules
  file's path and modification time.
* ``st.cache_data`` holds derived results keyed on frozen parameters: the
  workspace key, :class:`~ui.views.planning.RuleOverrides` (the planner's
  sliders), the licence type, the county, the language of the map labels.

Nothing here is module-level mutable state: a Streamlit server shares modules
between all sessions, so per-person state lives in ``st.session_state`` only.
The cached functions call :mod:`siting` and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from siting import gaps as _gaps
from siting.errors import InputError, WorkspaceError
from siting.io.importer import ImportReport
from siting.optimize import Scenario, SitingProblem, SitingResult, read_cost_matrix
from siting.optimize import scenarios as _scenarios
from siting.optimize.candidates import file_candidates
from siting.reports import export as _export
from siting.rules import DEFAULT_RULES_PATH, Rules, load_rules
from siting.rules.validate import ValidationReport, validate_many, validate_site
from siting.workspace import Workspace, resolve_path
from siting.wslock import read_stamp
from ui.views import mapdata, picking, planning, travel
from ui.views.upload import kept, read_uploaded_proposals

from .i18n import DEFAULT_LANGUAGE, t

LANG_KEY = "lang"


@dataclass(frozen=True)
class WorkspaceKey:
    """Identity of a workspace file's content: path, modification time (ns), size and generation.

    The generation (:mod:`siting.wslock`) rises with every save, by any process: a session whose
    key changes loads the new workspace on its next run. Sign-in does not depend on this key
    (:mod:`ui.components.signin`), so nobody is signed out by a workspace change, and widget
    values (what a person typed) are kept by their keys, which do not include it.
    """

    path: str
    mtime_ns: int
    size: int
    generation: int = 0
    write_id: str | None = None


def lang() -> str:
    """The session's language ('fa' unless the person switched to English)."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return value if value in ("fa", "en") else DEFAULT_LANGUAGE


def workspace_key(path: str | os.PathLike[str] | None = None) -> WorkspaceKey:
    """The key of the workspace file (``$SITING_WORKSPACE`` or data/workspace.gpkg)."""
    p = resolve_path(path).resolve()
    try:
        stat = p.stat()
    except OSError:
        raise WorkspaceError(f"{p}: workspace not found; build one with `make run` or `siting init`") from None
    stamp = read_stamp(p)
    return WorkspaceKey(str(p), stat.st_mtime_ns, stat.st_size, stamp.generation if stamp else 0,
                        stamp.write_id if stamp else None)


@st.cache_resource(max_entries=4, show_spinner=False)
def load_workspace(key: WorkspaceKey) -> Workspace:
    """The workspace of ``key``, with its spatial index built (shared by all sessions)."""
    ws = Workspace.load(key.path)
    idx = ws.index  # built on first use: build the parts every page needs once, here
    for part in ("office_trees", "settlement_tree", "city_tree", "village_tree", "region", "county_tree"):
        getattr(idx, part)
    return ws


@st.cache_resource(max_entries=4, show_spinner=False)
def load_rules_file(path: str, mtime_ns: int) -> Rules:
    """The rules of the rules file at ``path`` as it was at ``mtime_ns``."""
    return load_rules(path)


@dataclass(frozen=True)
class DataKey:
    """What every derived result depends on: the workspace file and the rules file."""

    workspace: WorkspaceKey
    rules_path: str
    rules_mtime_ns: int

    def ws(self) -> Workspace:
        return load_workspace(self.workspace)

    def rules(self) -> Rules:
        return load_rules_file(self.rules_path, self.rules_mtime_ns)


def data_key() -> DataKey:
    """The key of the current workspace (``$SITING_WORKSPACE``) and rules (``$SITING_RULES``) files."""
    rules_path = Path(os.environ.get("SITING_RULES") or DEFAULT_RULES_PATH).resolve()
    return DataKey(workspace_key(), str(rules_path), rules_path.stat().st_mtime_ns)


def current() -> tuple[DataKey, Workspace, Rules]:
    """The current data key, workspace and rules; shows the reason and stops the page when they cannot load."""
    try:
        key = data_key()
        return key, key.ws(), key.rules()
    except (WorkspaceError, InputError, OSError) as exc:
        st.error(t("app.workspace_missing", lang()))
        st.caption(t("app.detail", lang(), detail=str(exc)))
        st.stop()
        raise  # unreachable: st.stop() raises


# -- derived results (st.cache_data: keyed on frozen parameters) ---------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def gaps(key: DataKey, overrides: planning.RuleOverrides, licence_type: str,
         measure: str | None = None) -> gpd.GeoDataFrame:
    return _gaps.compute_gaps(key.ws(), rules_for(key, overrides, measure), licence_type=licence_type)


@st.cache_data(max_entries=64, show_spinner=False)
def planner_view(key: DataKey, overrides: planning.RuleOverrides, licence_type: str,
                 resolution: int = 6, measure: str | None = None) -> planning.PlannerView:
    return planning.planner_view(key.ws(), rules_for(key, overrides, measure), licence_type=licence_type,
                                 resolution=resolution)


@st.cache_data(max_entries=16, show_spinner=False)
def planner_exports(key: DataKey, overrides: planning.RuleOverrides, licence_type: str,
                    measure: str | None = None) -> dict[str, bytes]:
    """The planner's six export files (name -> bytes) for :func:`planner_view` of the same arguments.

    Computed in the run that draws the download buttons (not on click): a download whose data is a
    callable is a "deferred file" that a rerun replaces while the browser may still be asking for it
    ("Deferred file … not found": no file). Plain bytes get an id from their content, which a rerun
    keeps; cached here, a rerun costs nothing.
    """
    view = planner_view(key, overrides, licence_type, measure=measure)
    ws = key.ws()
    sample = ws.is_sample
    layers_out = _export.coverage_layers(ws, view.coverage, view.gaps)
    return {
        "gaps.geojson": _export.geojson_bytes(view.gaps, sample=sample),
        "counties.geojson": _export.geojson_bytes(layers_out["counties_coverage"], sample=sample),
        "coverage.gpkg": _export.gpkg_bytes(layers_out, sample=sample),
        "counties.csv": _export.csv_bytes(view.coverage.by_county, sample=sample),
        "settlements.csv": _export.csv_bytes(view.coverage.settlements, sample=sample),
        "gaps.csv": _export.csv_bytes(view.gaps, sample=sample),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def validation(key: DataKey, candidate: picking.Candidate, licence_type: str,
               applicant_type: str | None, measure: str | None = None) -> ValidationReport:
    return validate_site(key.ws(), rules_for(key, None, measure), licence_type=licence_type, lon=candidate.lon,
                         lat=candidate.lat, applicant_type=applicant_type or None)


@dataclass(frozen=True)
class ProposalsResult:
    """Proposals read from a file, their read report and one validation report each."""

    name: str
    sites: pd.DataFrame
    read_report: ImportReport
    reports: tuple[ValidationReport, ...]


@st.cache_data(max_entries=16, show_spinner=False)
def proposals(key: DataKey, name: str, digest: str, _data: bytes) -> ProposalsResult:
    """Read and validate proposals from uploaded bytes (``digest`` = their sha256, the cache key)."""
    ws = key.ws()
    sites, report = read_uploaded_proposals(ws, name, _data)
    reports = validate_many(ws, key.rules(), sites) if len(sites) else []
    return ProposalsResult(name, sites, report, tuple(reports))


@st.cache_data(max_entries=16, show_spinner=False)
def proposals_from_frame(key: DataKey, name: str, digest: str, _sites: gpd.GeoDataFrame) -> ProposalsResult:
    """Validate a proposals frame built by the library (e.g. the tracker's agenda,
    :func:`siting.tracker.staff.agenda_proposals`); ``digest`` identifies its content (the cache key)."""
    reports = validate_many(key.ws(), key.rules(), _sites) if len(_sites) else []
    read = ImportReport(file=name, layer="proposals", format="tracker", rows_read=len(_sites), imported=len(_sites))
    return ProposalsResult(name, _sites, read, tuple(reports))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- map data --------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def base_map_data(key: DataKey, lang_: str, county: str | None, licence_type: str) -> dict[str, Any]:
    """Region, counties, settlements and offices as map records, and the bounds to show."""
    ws = key.ws()
    bounds = ws.region.total_bounds if len(ws.region) else ws.counties.total_bounds
    if county and (ws.counties["name_fa"] == county).any():
        bounds = ws.counties[ws.counties["name_fa"] == county].total_bounds
    return {
        "region": mapdata.region_features(ws, lang_),
        "counties": mapdata.county_features(ws, lang_, highlight=county),
        "settlements": mapdata.settlement_records(ws, lang_, county=county),
        "offices": mapdata.office_records(ws, lang_, licence_type=licence_type, county=county),
        "labels": mapdata.label_records(ws, lang_, county=county),
        "bounds": tuple(float(b) for b in bounds),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def site_context(key: DataKey, lang_: str, county: str | None, lon: float, lat: float) -> dict[str, Any]:
    """What the map shows around a chosen site: the extent to fit (the site and its nearest
    settlements, :func:`ui.views.mapdata.context_bounds`) and the place names, every village near it."""
    ws = key.ws()
    bounds = mapdata.context_bounds(ws, lon, lat)
    half_km = max((bounds[2] - bounds[0]) * 111.32, (bounds[3] - bounds[1]) * 110.57)
    return {"bounds": bounds, "labels": mapdata.label_records(ws, lang_, county=county, near=(lon, lat, half_km))}


@st.cache_data(max_entries=64, show_spinner=False)
def gap_map_data(key: DataKey, overrides: planning.RuleOverrides, licence_type: str, lang_: str,
                 county: str | None, measure: str | None = None) -> dict[str, Any]:
    return mapdata.gap_features(gaps(key, overrides, licence_type, measure), lang_, county=county)


@st.cache_data(max_entries=64, show_spinner=False)
def pick_cell_records(key: DataKey, licence_type: str, county: str | None, lang_: str,
                      measure: str | None = None) -> list[dict[str, Any]]:
    cells = picking.pick_cells(key.ws(), rules_for(key, None, measure), licence_type=licence_type, county=county)
    return mapdata.cell_records(cells, lang_)


@st.cache_data(max_entries=64, show_spinner=False)
def fine_cell_records(key: DataKey, cell: str, lang_: str, measure: str | None = None) -> list[dict[str, Any]]:
    cells = picking.fine_cells(key.ws(), rules_for(key, None, measure), cell=cell)
    return mapdata.cell_records(cells, lang_)


# -- the distance/time switch (ui.views.travel) -----------------------------------------------------
# Session key: the measure last chosen on any page (kept as a value, because Streamlit drops a page's
# widget state when another page is shown); None until a person chooses one (the rules file decides).
MEASURE = "service.measure"


def measure() -> str | None:
    """The service measure chosen in this session ("distance" or "time"; None: as the rules file says)."""
    value = st.session_state.get(MEASURE)
    return value if value in travel.MEASURES else None


def rules_for(key: DataKey, overrides: planning.RuleOverrides | None, measure: str | None) -> Rules:
    """The rules of ``key`` with the planner's ``overrides`` and the switch's ``measure`` applied."""
    rules = overrides.apply(key.rules()) if overrides is not None else key.rules()
    return travel.apply_measure(rules, measure)


@st.cache_data(max_entries=32, show_spinner=False)
def isochrone_map_data(key: DataKey, overrides: planning.RuleOverrides, licence_type: str, lang_: str,
                       county: str | None = None) -> dict[str, Any]:
    """The service area (travel time) of every serving office of ``licence_type``, as GeoJSON."""
    return travel.office_isochrones(key.ws(), rules_for(key, overrides, None), licence_type, lang_, county=county)


@st.cache_data(max_entries=32, show_spinner=False)
def site_isochrone(key: DataKey, licence_type: str, lon: float, lat: float, lang_: str) -> dict[str, Any]:
    """The travel-time service area a new office at (lon, lat) would have, as GeoJSON."""
    return travel.site_isochrone(key.ws(), key.rules(), licence_type, lon, lat, lang_)


# -- scenario runner --------------------------------------------------------------------------------
# Session keys: the planner page's rule changes (kept as a value, because Streamlit drops a page's
# widget state when another page is shown), and the runs of this session's scenario table.
PLANNER_OVERRIDES = "planner.overrides"
SCENARIO_RUNS = "scenario.runs"


def planner_overrides() -> planning.RuleOverrides:
    """The rule changes last set on the planner page in this session (none by default)."""
    value = st.session_state.get(PLANNER_OVERRIDES)
    return value if isinstance(value, planning.RuleOverrides) else planning.RuleOverrides()


@st.cache_resource(show_spinner=False)
def upload_folder() -> tempfile.TemporaryDirectory:
    """A private folder (mode 0700) for uploads that cached results refer to by path; removed at exit."""
    return tempfile.TemporaryDirectory(prefix="siting-scenario-uploads-")


def keep_upload(name: str, data: bytes, extensions: tuple[str, ...]) -> str:
    """Keep uploaded bytes under their sha256 (:func:`ui.views.upload.kept`); the path is a cache key."""
    return str(kept(upload_folder().name, name, data, extensions=extensions))


@st.cache_resource(max_entries=8, show_spinner=False)
def scenario_problem(key: DataKey, overrides: planning.RuleOverrides, instance: tuple,
                     _scenario: Scenario, measure: str | None = None) -> SitingProblem:
    """The prepared instance shared by scenarios with the same ``instance`` key
    (:meth:`Scenario.instance_key`: licence type, radius, candidates, cost matrix); read-only."""
    return _scenarios.prepare(key.ws(), _scenario, rules_for(key, overrides, measure))


@st.cache_data(max_entries=64, show_spinner=False)
def scenario_result(key: DataKey, overrides: planning.RuleOverrides, scenario: Scenario,
                    measure: str | None = None) -> SitingResult:
    """:func:`siting.optimize.run_scenario` of ``scenario`` on the workspace and rules of ``key`` with the
    planner's ``overrides``: solved once per distinct input (a rerun is served from the cache)."""
    problem = scenario_problem(key, overrides, scenario.instance_key(), scenario, measure)
    return _scenarios.solve_scenario(problem, scenario)


@st.cache_data(max_entries=16, show_spinner=False)
def cost_matrix_summary(path: str) -> dict[str, Any]:
    """Layout and size of a kept cost-matrix upload (read by :func:`siting.optimize.read_cost_matrix`)."""
    m = read_cost_matrix(path)
    return {"layout": m.layout, "origins": len(m.origins), "destinations": len(m.destinations), "pairs": len(m)}


@st.cache_data(max_entries=16, show_spinner=False)
def candidate_file_count(key: DataKey, path: str) -> int:
    """Points in a kept candidate-file upload (read by :func:`siting.optimize.candidates.file_candidates`)."""
    return len(file_candidates(key.ws(), path))


@dataclass(frozen=True)
class ScenarioRun:
    """One row of the session's scenario table: what was run, on what, and its result."""

    number: int
    data: DataKey
    overrides: planning.RuleOverrides
    scenario: Scenario
    result: SitingResult
    uploads: tuple[tuple[str, str], ...] = ()  # (kept path, name it was uploaded as)
    measure: str | None = None  # the distance/time switch when it ran (None: as the rules file says)

    def same_inputs(self, data: DataKey, overrides: planning.RuleOverrides, scenario: Scenario,
                    measure: str | None = None) -> bool:
        return (self.data, self.overrides, self.scenario, self.measure) == (data, overrides, scenario, measure)


def scenario_runs() -> tuple[ScenarioRun, ...]:
    """The runs of this session's scenario table, oldest first."""
    return tuple(st.session_state.get(SCENARIO_RUNS, ()))


def set_scenario_runs(runs: tuple[ScenarioRun, ...]) -> None:
    st.session_state[SCENARIO_RUNS] = tuple(runs)


__all__ = [
    "LANG_KEY",
    "MEASURE",
    "PLANNER_OVERRIDES",
    "SCENARIO_RUNS",
    "DataKey",
    "ProposalsResult",
    "ScenarioRun",
    "WorkspaceKey",
    "base_map_data",
    "candidate_file_count",
    "cost_matrix_summary",
    "current",
    "data_key",
    "digest",
    "fine_cell_records",
    "gap_map_data",
    "gaps",
    "isochrone_map_data",
    "keep_upload",
    "lang",
    "load_rules_file",
    "load_workspace",
    "measure",
    "pick_cell_records",
    "planner_exports",
    "planner_overrides",
    "planner_view",
    "proposals",
    "proposals_from_frame",
    "rules_for",
    "scenario_problem",
    "scenario_result",
    "scenario_runs",
    "set_scenario_runs",
    "site_context",
    "site_isochrone",
    "upload_folder",
    "validation",
    "workspace_key",
]


@st.cache_data(show_spinner=False, max_entries=16)
def kept_version_summary(path: str, mtime_ns: int) -> dict[str, int]:
    """Offices and settlements in a kept workspace version (cached on its path and modification time)."""
    ws = Workspace.load(path)
    return {"offices": len(ws.offices), "settlements": len(ws.settlements)}
