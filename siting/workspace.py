"""The workspace: one GeoPackage holding region, counties, settlements and offices.

Layers (all stored in WGS84, EPSG:4326):

``region``       the outline the analysis covers (one row)
``counties``     county polygons with Persian and English names, official code, census population
``settlements``  points: cities and villages with population (or null) and county
``offices``      points: existing Pishkhan (urban) and rural ICT offices; an office placed at the
                 settlement its register names (no coordinates given) has ``location`` "approximate"
``districts``, ``rural_districts``  optional polygons (بخش, دهستان) for per-unit tables and the census join
``roads``        optional lines: the road network travel time is computed on (:mod:`siting.network`), with
                 the normalised class, maxspeed, surface, one-way flag and the speed used

plus three attribute tables: ``siting_metadata`` (key/JSON value: name,
whether the data is sample data, the metric CRS, population notes),
``siting_imports`` (one row per import: when, which file and its sha256,
counts) and ``siting_office_history`` (every version of every office record,
valid from the import that brought it until the one that changed or removed
it: :mod:`siting.registry`). A workspace written before the optional layers
and the history existed loads with them empty.

Writes are atomic: the whole workspace is written to a temporary file next
to the target, flushed to disk and renamed over it, so a failed import
leaves the previous file byte-identical.

One writer at a time (:mod:`siting.wslock`): a save holds the workspace's
cross-process lock, removes temporary files a killed save left behind, and
refuses (:class:`~siting.wslock.StaleWorkspaceError`) when the file on disk
is no longer the generation this workspace was loaded from. Each save raises
the generation stored in ``siting_metadata`` by one. A read-only workspace
file is never replaced, and a missing folder is never created.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from scipy.spatial import cKDTree

from siting.errors import InputError, WorkspaceError
from siting.geo import WGS84, MetricCRS, project_xy
from siting.wslock import (
    StaleWorkspaceError,
    Stamp,
    clean_temp_files,
    read_stamp,
    stamp_of,
    workspace_lock,
)

DEFAULT_WORKSPACE = Path("data") / "workspace.gpkg"

# column -> kind; kinds: str, int (nullable), float, bool, date (ISO text)
SCHEMA: dict[str, dict[str, str]] = {
    "region": {"name_fa": "str", "name_en": "str", "source": "str"},
    "counties": {
        "code": "str",
        "name_fa": "str",
        "name_en": "str",
        "population": "int",
        "population_year": "int",
        "census_unit": "str",
        "population_note": "str",
        "source": "str",
    },
    "settlements": {
        "code": "str",
        "name_fa": "str",
        "name_en": "str",
        "kind": "str",
        "population": "int",
        "population_source": "str",
        "county": "str",
        "district": "str",
        "rural_district": "str",
        "households": "int",
        "source": "str",
    },
    "offices": {
        "office_id": "str",
        "name": "str",
        "licence_type": "str",
        "status": "str",
        "licence_number": "str",
        "issued": "date",
        "expires": "date",
        "county": "str",
        "address": "str",
        "location": "str",
        "located_at": "str",
        "source": "str",
    },
    "districts": {"code": "str", "name_fa": "str", "name_en": "str", "county": "str", "source": "str"},
    "rural_districts": {"code": "str", "name_fa": "str", "name_en": "str", "county": "str", "district": "str",
                        "source": "str"},
    "roads": {"code": "str", "road_class": "str", "name_fa": "str", "name_en": "str", "maxspeed_kmh": "int",
              "surface": "str", "oneway": "bool", "speed_kmh": "float", "source": "str"},
}
GEOMETRY_TYPES = {"region": "MultiPolygon", "counties": "MultiPolygon", "settlements": "Point", "offices": "Point",
                  "districts": "MultiPolygon", "rural_districts": "MultiPolygon", "roads": "MultiLineString"}
LAYERS = tuple(SCHEMA)
#: Layers every workspace file holds; the others load empty from a file written before they existed.
REQUIRED_LAYERS = ("region", "counties", "settlements", "offices")
#: How an office's point was obtained: from coordinates in its file, or at the settlement its register names.
LOCATION_EXACT, LOCATION_APPROXIMATE = "exact", "approximate"
# Office statuses that serve the public and so count for coverage and distance rules.
SERVING_STATUSES = ("active",)


def resolve_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Workspace path: the argument, else ``$SITING_WORKSPACE``, else ``data/workspace.gpkg``."""
    return Path(path or os.environ.get("SITING_WORKSPACE") or DEFAULT_WORKSPACE)


def _coerce(df: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Give a layer exactly its schema's columns and dtypes (missing columns become null)."""
    out = {}
    n = len(df)
    for col, kind in SCHEMA[layer].items():
        s = df[col] if col in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        if kind == "int":
            out[col] = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif kind == "float":
            out[col] = pd.to_numeric(s, errors="coerce").astype(float)
        elif kind == "bool":
            out[col] = s.astype("boolean")
        else:  # str, date
            out[col] = pd.Series([None if _isna(v) else str(v) for v in s], index=df.index, dtype=object)
    return pd.DataFrame(out, index=df.index)


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False


def empty_layer(layer: str) -> gpd.GeoDataFrame:
    """An empty GeoDataFrame with the layer's schema."""
    return make_layer(layer, pd.DataFrame(), [])


def make_layer(layer: str, attrs: pd.DataFrame | Mapping[str, Any], geometry) -> gpd.GeoDataFrame:
    """Build a layer from attributes and WGS84 geometries, coerced to the schema."""
    attrs = pd.DataFrame(attrs)
    geoms = gpd.GeoSeries(list(geometry), crs=WGS84)
    if len(attrs) == 0 and len(geoms):
        attrs = pd.DataFrame(index=range(len(geoms)))
    attrs = attrs.reset_index(drop=True)
    if GEOMETRY_TYPES[layer] == "MultiPolygon" and len(geoms):
        geoms = gpd.GeoSeries(
            [g if g is None or g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms],
            crs=WGS84,
        )
    if GEOMETRY_TYPES[layer] == "MultiLineString" and len(geoms):
        geoms = gpd.GeoSeries(
            [g if g is None or g.geom_type == "MultiLineString" else shapely.MultiLineString([g]) for g in geoms],
            crs=WGS84,
        )
    attrs = _coerce(attrs, layer)
    if layer == "offices" and len(attrs):
        # an office layer from before locations were recorded: its points came from coordinates
        attrs["location"] = attrs["location"].where(attrs["location"].notna(), LOCATION_EXACT)
    return gpd.GeoDataFrame(attrs, geometry=geoms.values, crs=WGS84)


class SpatialIndex:
    """Derived, read-only structures for fast queries, each built on first use.

    Coordinates are in the workspace's distance CRS (metres). Offices that
    count ("serving") are those with status active. A Streamlit server may
    build a part twice from two sessions at once; that is harmless (every
    part is a pure function of the workspace).
    """

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.crs: MetricCRS = ws.metric_crs

    @cached_property
    def settlement_xy(self) -> np.ndarray:
        return _projected(self._ws.settlements, self.crs)

    @cached_property
    def office_xy(self) -> np.ndarray:
        return _projected(self._ws.offices, self.crs)

    @cached_property
    def office_rows(self) -> dict[str, np.ndarray]:
        """Licence type or 'any' -> row positions of the serving offices."""
        o = self._ws.offices
        serving = o["status"].isin(SERVING_STATUSES).to_numpy()
        rows = {t: np.flatnonzero(serving & (o["licence_type"] == t).to_numpy()) for t in ("urban", "rural")}
        rows["any"] = np.flatnonzero(serving)
        return rows

    @cached_property
    def office_trees(self) -> dict[str, cKDTree | None]:
        return {k: _tree(self.office_xy[v]) for k, v in self.office_rows.items()}

    @cached_property
    def city_rows(self) -> np.ndarray:
        return np.flatnonzero(self._ws.settlements["kind"].to_numpy() == "city")

    @cached_property
    def village_rows(self) -> np.ndarray:
        return np.flatnonzero(self._ws.settlements["kind"].to_numpy() == "village")

    @cached_property
    def city_tree(self) -> cKDTree | None:
        return _tree(self.settlement_xy[self.city_rows])

    @cached_property
    def village_tree(self) -> cKDTree | None:
        return _tree(self.settlement_xy[self.village_rows])

    @cached_property
    def settlement_tree(self) -> cKDTree | None:
        return _tree(self.settlement_xy)

    @cached_property
    def region(self) -> Any:
        """The region outline (lon/lat), prepared for point tests; None without a region."""
        if not len(self._ws.region):
            return None
        region = self._ws.region.geometry.union_all()
        shapely.prepare(region)
        return region

    @cached_property
    def county_geoms(self) -> np.ndarray:
        return self._ws.counties.geometry.to_numpy()

    @cached_property
    def county_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.county_geoms)

    @cached_property
    def settlement_county(self) -> np.ndarray:
        """Row of each settlement's county in ``counties`` (``len(counties)`` when none matches)."""
        return _positions(self._ws.counties["name_fa"], self._ws.settlements["county"])

    @cached_property
    def office_county(self) -> np.ndarray:
        return _positions(self._ws.counties["name_fa"], self._ws.offices["county"])


def _positions(names: pd.Series, values: pd.Series) -> np.ndarray:
    pos = pd.Index(names.astype(object)).get_indexer(values.astype(object))
    return np.where(pos < 0, len(names), pos)


def _projected(gdf: gpd.GeoDataFrame, crs: MetricCRS) -> np.ndarray:
    if not len(gdf):
        return np.empty((0, 2))
    lonlat = shapely.get_coordinates(np.asarray(gdf.geometry.array))
    return np.column_stack(project_xy(lonlat[:, 0], lonlat[:, 1], crs.distance))


def _tree(xy: np.ndarray) -> cKDTree | None:
    return cKDTree(xy, balanced_tree=False, compact_nodes=False) if len(xy) else None


@dataclass(frozen=True)
class Workspace:
    """All layers of a workspace in memory, plus its metadata.

    A workspace is a value: importing builds a new one and :meth:`save`
    writes it atomically. Derived state (projected coordinates, trees) is
    built on first use and cached on the instance.
    """

    region: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    offices: gpd.GeoDataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)
    imports: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=IMPORT_COLUMNS))
    path: Path | None = None
    districts: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("districts"))
    rural_districts: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("rural_districts"))
    #: The road network (:mod:`siting.network`); empty until roads are imported.
    roads: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("roads"))
    #: Every version of every office record (:mod:`siting.registry`); empty until a register is imported.
    office_history: pd.DataFrame = field(default_factory=lambda: empty_history())
    #: The stamp of the file this workspace was loaded from (None for a workspace built in memory).
    base: Stamp | None = field(default=None, compare=False)

    # -- construction -----------------------------------------------------
    @classmethod
    def empty(cls, **meta: Any) -> Workspace:
        region, counties, settlements, offices = (empty_layer(layer) for layer in REQUIRED_LAYERS)
        return cls(region, counties, settlements, offices, meta={"created": _now(), **meta})

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Workspace:
        """Read a workspace file; raises :class:`WorkspaceError` with the reason."""
        path = resolve_path(path)
        if not path.exists():
            raise WorkspaceError(
                f"{path}: workspace not found; build one with `siting init` (see README, Quick start)"
            )
        try:
            names = {row[0] for row in pyogrio.list_layers(path)}
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            raise WorkspaceError(f"{path}: not a GeoPackage workspace ({exc})") from None
        missing = [n for n in (*REQUIRED_LAYERS, "siting_metadata") if n not in names]
        if missing:
            raise WorkspaceError(f"{path}: not a siting workspace, layers missing: {', '.join(missing)}")
        layers = {}
        for layer in LAYERS:
            if layer not in names:
                layers[layer] = empty_layer(layer)
                continue
            df = pyogrio.read_dataframe(path, layer=layer)
            if df.crs is None or not df.crs.equals("EPSG:4326"):
                raise WorkspaceError(f"{path}: layer {layer} is not stored in EPSG:4326")
            layers[layer] = make_layer(layer, pd.DataFrame(df.drop(columns="geometry")), df.geometry)
        meta_df = pyogrio.read_dataframe(path, layer="siting_metadata")
        meta = {str(k): json.loads(v) for k, v in zip(meta_df["key"], meta_df["value"], strict=True)}
        imports = (
            pd.DataFrame(pyogrio.read_dataframe(path, layer="siting_imports"))
            if "siting_imports" in names
            else pd.DataFrame(columns=IMPORT_COLUMNS)
        )
        history = (
            pd.DataFrame(pyogrio.read_dataframe(path, layer=HISTORY_TABLE))
            if HISTORY_TABLE in names
            else empty_history()
        )
        return cls(**layers, meta=meta, imports=imports, office_history=_history_types(history), path=path,
                   base=stamp_of(meta))

    @property
    def generation(self) -> int:
        """How many times the file this workspace was loaded from had been saved (0 if built in memory)."""
        return self.base.generation if self.base else 0

    # -- persistence ------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None, *, replace_existing: bool = False) -> Path:
        """Write every layer to ``path`` atomically, under the workspace lock, and return the path.

        The file is first written in full to a temporary file in the same
        folder, flushed, and renamed over the target: readers see the old
        workspace or the new one, never a mixture, and a failure leaves the
        old file as it was.

        Refused with :class:`~siting.errors.WorkspaceError` (nothing written)
        when the folder does not exist, when the existing file is read-only,
        and (:class:`~siting.wslock.StaleWorkspaceError`) when this workspace
        was loaded from ``path`` and the file has been saved by someone else
        since; ``replace_existing`` skips that last check (``siting init --force``).
        A workspace built in memory replaces the file at ``path``.
        """
        path = resolve_path(path or self.path)
        folder = path.parent
        if not folder.is_dir():
            raise WorkspaceError(f"{path}: folder {folder} does not exist; create it first (nothing was written)")
        same_file = self.path is not None and _same(Path(self.path), path)
        with workspace_lock(path):
            clean_temp_files(path)
            old_mode = None
            if path.exists():
                st_ = path.stat()
                old_mode = stat.S_IMODE(st_.st_mode)
                if not old_mode & 0o222 or not os.access(path, os.W_OK):
                    raise WorkspaceError(f"{path}: the workspace file is read-only; refusing to replace it "
                                         "(nothing was written)")
            disk = read_stamp(path)
            if same_file and not replace_existing and self.base is not None and disk is not None and disk != self.base:
                raise StaleWorkspaceError(
                    f"{path}: the workspace was changed by someone else since it was read (it was at generation "
                    f"{self.base.generation}, it is now at {disk.generation}); nothing was written: load it again "
                    "and repeat the change")
            new_stamp = Stamp((disk.generation if disk else 0) + 1, uuid.uuid4().hex)
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.gpkg", dir=folder)
            except OSError as exc:
                raise WorkspaceError(f"{path}: cannot write in folder {folder} ({exc.strerror})") from None
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                tmp.unlink()
                for layer in LAYERS:
                    gdf = getattr(self, layer)
                    pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG",
                                            geometry_type=GEOMETRY_TYPES[layer], promote_to_multi=False)
                meta = {**self.meta, "metric_crs": self.metric_crs.to_dict(), "saved": _now(),
                        "generation": new_stamp.generation, "write_id": new_stamp.write_id}
                meta_df = pd.DataFrame(
                    {"key": list(meta), "value": [json.dumps(v, ensure_ascii=False, default=str) for v in meta.values()]}
                )
                pyogrio.write_dataframe(meta_df, tmp, layer="siting_metadata", driver="GPKG")
                imports = self.imports if len(self.imports) else pd.DataFrame({c: pd.Series([], dtype=object) for c in IMPORT_COLUMNS})
                pyogrio.write_dataframe(imports.astype(object).astype(str) if len(imports) else imports, tmp,
                                        layer="siting_imports", driver="GPKG")
                pyogrio.write_dataframe(_history_for_file(self.office_history), tmp, layer=HISTORY_TABLE,
                                        driver="GPKG")
                if old_mode is not None:
                    os.chmod(tmp, old_mode)
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
                try:
                    dir_fd = os.open(folder, os.O_RDONLY)
                    os.fsync(dir_fd)
                    os.close(dir_fd)
                except OSError:
                    pass
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        if same_file or self.path is None:
            # this value is now what the file holds: a second save of it is not a lost update
            object.__setattr__(self, "base", new_stamp)
        return path

    # -- derived ----------------------------------------------------------
    @property
    def is_sample(self) -> bool:
        """True when any of the workspace's data is sample (synthetic) data."""
        return bool(self.meta.get("sample", False))

    def with_layer(self, layer: str, gdf: gpd.GeoDataFrame, **meta: Any) -> Workspace:
        """A copy with one layer replaced (and metadata updated)."""
        if layer not in LAYERS:
            raise InputError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
        return replace(self, **{layer: gdf}, meta={**self.meta, **meta})

    @cached_property
    def metric_crs(self) -> MetricCRS:
        """Projections fitted to the region (or to all data when there is no region yet)."""
        if len(self.region):
            bounds = self.region.total_bounds
        else:
            frames = [g for g in (self.counties, self.settlements, self.offices) if len(g)]
            if not frames:
                bounds = (44.0, 25.0, 63.5, 39.8)  # Iran; refitted once data arrives
            else:
                bounds = np.array([f.total_bounds for f in frames])
                bounds = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
        minx, miny, maxx, maxy = bounds
        if maxx - minx < 0.1 or maxy - miny < 0.1:  # a single point or a tiny box
            cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
            minx, maxx, miny, maxy = cx - 0.5, cx + 0.5, cy - 0.5, cy + 0.5
        return MetricCRS.fitted((minx, miny, maxx, maxy))

    def serving_offices(self) -> gpd.GeoDataFrame:
        """Offices that count for coverage and distance rules (status active)."""
        return self.offices[self.offices["status"].isin(SERVING_STATUSES)]

    @cached_property
    def index(self) -> SpatialIndex:
        return SpatialIndex(self)

    def county_of(self, lon, lat) -> np.ndarray:
        """County ``name_fa`` of each lon/lat point (``None`` outside every county)."""
        lon = np.atleast_1d(np.asarray(lon, float))
        lat = np.atleast_1d(np.asarray(lat, float))
        out = np.full(len(lon), None, dtype=object)
        if not len(self.counties) or not len(lon):
            return out
        pts = shapely.points(lon, lat)
        pi, ci = self.index.county_tree.query(pts, predicate="within")
        names = self.counties["name_fa"].to_numpy()
        # first county wins where polygons overlap
        order = np.lexsort((ci, pi))
        pi, ci = pi[order], ci[order]
        first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.array([], bool)
        out[pi[first]] = names[ci[first]]
        return out

    def unit_of(self, layer: str, lon, lat) -> np.ndarray:
        """Name of the ``districts`` or ``rural_districts`` polygon each lon/lat point lies in (``None`` outside)."""
        units = getattr(self, layer)
        lon = np.atleast_1d(np.asarray(lon, float))
        lat = np.atleast_1d(np.asarray(lat, float))
        out = np.full(len(lon), None, dtype=object)
        if not len(units) or not len(lon):
            return out
        tree = shapely.STRtree(units.geometry.to_numpy())
        pi, ui = tree.query(shapely.points(lon, lat), predicate="within")
        order = np.lexsort((ui, pi))
        pi, ui = pi[order], ui[order]
        first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.array([], bool)
        out[pi[first]] = units["name_fa"].to_numpy(dtype=object)[ui[first]]
        return out

    def in_region(self, lon, lat) -> np.ndarray:
        """Whether each lon/lat point lies inside the region (boundary counts as inside)."""
        lon = np.atleast_1d(np.asarray(lon, float))
        lat = np.atleast_1d(np.asarray(lat, float))
        region = self.index.region
        if region is None:
            return np.ones(len(lon), bool)
        return shapely.intersects_xy(region, lon, lat)

    def summary(self) -> dict[str, Any]:
        """Counts and metadata, for `siting info` and the dashboard's data page."""
        o = self.offices
        return {
            "path": str(self.path) if self.path else None,
            "name": self.meta.get("name"),
            "sample": self.is_sample,
            "counties": len(self.counties),
            "settlements": len(self.settlements),
            "cities": int((self.settlements["kind"] == "city").sum()),
            "villages": int((self.settlements["kind"] == "village").sum()),
            "offices": len(o),
            "offices_by_type": {t: int((o["licence_type"] == t).sum()) for t in ("urban", "rural")},
            "serving_offices": len(self.serving_offices()),
            "offices_located_approximately": int((o["location"] == LOCATION_APPROXIMATE).sum()),
            "districts": len(self.districts),
            "rural_districts": len(self.rural_districts),
            "roads": len(self.roads),
            "office_history_rows": len(self.office_history),
            "population_notes": self.meta.get("population_notes", []),
            "sources": self.meta.get("sources", []),
            "metric_crs": self.metric_crs.distance,
        }


HISTORY_TABLE = "siting_office_history"
#: The history's own columns; then every office attribute, and lon/lat of the version's point.
HISTORY_KEYS: list[str] = ["record", "valid_from", "valid_to", "import_file", "change"]
HISTORY_COLUMNS: list[str] = [*HISTORY_KEYS, *SCHEMA["offices"], "lon", "lat"]


def empty_history() -> pd.DataFrame:
    """An empty office-history table with its columns."""
    return _history_types(pd.DataFrame({c: pd.Series([], dtype=object) for c in HISTORY_COLUMNS}))


def _history_types(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in HISTORY_COLUMNS:
        s = df[c] if c in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)
        if c in ("lon", "lat"):
            out[c] = pd.to_numeric(s, errors="coerce").astype(float)
        else:
            out[c] = pd.Series([None if _isna(v) or v == "" else str(v) for v in s], index=df.index, dtype=object)
    return pd.DataFrame(out).reset_index(drop=True)


def _history_for_file(df: pd.DataFrame) -> pd.DataFrame:
    """The history as GeoPackage attribute columns (text, and lon/lat as reals)."""
    df = _history_types(df)
    if not len(df):
        return pd.DataFrame({c: pd.Series([], dtype=float if c in ("lon", "lat") else str) for c in HISTORY_COLUMNS})
    return df


IMPORT_COLUMNS: list[str] = ["time", "layer", "file", "sha256", "rows_read", "rows_imported", "rows_rejected",
                  "warnings", "mode", "source"]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a.absolute() == b.absolute()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
