"""Importing a file into a workspace layer, with a row-by-row report.

:func:`prepare_import` checks every row and builds the new workspace in
memory; :func:`import_file` writes it atomically. Bad rows are reported with
their data-row number (1 = first row after the header) and the reason, and
the good rows still import; with ``strict=True`` nothing imports if any row
is bad. Warnings (a repaired polygon, a stated county that disagrees with the
polygon, a population that is not a number) never block an import.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from siting.errors import InputError
from siting.fmt import parse_date
from siting.geo import project_xy
from siting.io.readers import FORMAT_NAMES, RawTable, find_column, is_blank, read_file
from siting.io.reasons import Note, Reason
from siting.rules import Rules, licence_expiry, load_rules
from siting.rules.roads import (
    RoadParams,
    is_not_for_vehicles,
    load_road_params,
    parse_maxspeed,
    parse_oneway,
    parse_road_class,
    parse_surface,
)
from siting.text import clean_text, match_key, parse_number
from siting.vocab import parse_licence_type, parse_office_status, parse_settlement_kind
from siting.workspace import IMPORT_COLUMNS, LAYERS, Workspace, _now, make_layer, resolve_path

DUPLICATE_DISTANCE_M = 10.0

# Column names people use, per layer and field (matched after match_key folding).
FIELD_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "region": {
        "name_fa": ("name_fa", "name", "نام", "نام استان", "استان", "province"),
        "name_en": ("name_en", "english name", "name_latin", "نام لاتین", "نام انگلیسی"),
    },
    "counties": {
        "name_fa": ("name_fa", "name", "county", "county_name", "county_name_fa", "shahrestan", "نام",
                    "شهرستان", "نام شهرستان"),
        "name_en": ("name_en", "english name", "county_name_en", "name_latin", "نام لاتین", "نام انگلیسی"),
        "code": ("code", "county_code", "sci_code", "کد", "کد شهرستان", "کد آماری", "ref"),
        "population": ("population", "pop", "جمعیت", "جمعیت کل", "population_2016", "pop2016", "جمعیت 1395"),
    },
    "settlements": {
        "name_fa": ("name_fa", "name", "نام", "نام فارسی", "نام آبادی", "نام روستا", "نام شهر", "نام سکونتگاه",
                    "آبادی", "settlement", "village", "place"),
        "name_en": ("name_en", "english name", "name_latin", "نام لاتین", "نام انگلیسی"),
        "code": ("code", "id", "geocode", "gnaf_id", "کد", "کد آبادی", "کد آماری", "شناسه", "abadi_code"),
        "kind": ("kind", "type", "settlement_type", "نوع", "نوع سکونتگاه", "نوع آبادی"),
        "population": ("population", "pop", "جمعیت", "جمعیت کل", "population_2016", "pop2016", "جمعیت 1395",
                       "populati"),
        "county": ("county", "county_name", "shahrestan", "شهرستان", "نام شهرستان"),
        "county_code": ("county_code", "کد شهرستان"),
        "source": ("source", "منبع"),
    },
    "offices": {
        "office_id": ("office_id", "id", "code", "کد دفتر", "شناسه دفتر", "کد", "شناسه", "office_code"),
        "name": ("name", "name_fa", "office_name", "نام", "نام دفتر", "عنوان", "عنوان دفتر", "نام مدیر"),
        "licence_type": ("licence_type", "license_type", "licence_ty", "license_ty", "licence", "license", "type",
                         "office_type",
                         "نوع", "نوع مجوز", "نوع پروانه", "نوع دفتر"),
        "status": ("status", "state", "وضعیت", "وضعیت دفتر", "وضعیت پروانه"),
        "licence_number": ("licence_number", "license_number", "licence_nu", "license_nu", "licence_no",
                           "license_no", "permit",
                           "شماره پروانه", "شماره مجوز", "شماره"),
        "issued": ("issued", "issue_date", "issued_on", "date_issued", "تاریخ صدور", "تاریخ صدور پروانه"),
        "expires": ("expires", "expiry", "expiry_date", "valid_until", "تاریخ انقضا", "تاریخ اعتبار",
                    "اعتبار تا"),
        "address": ("address", "نشانی", "آدرس", "نشانی دفتر", "آدرس دفتر"),
        "county": ("county", "county_name", "shahrestan", "شهرستان", "نام شهرستان"),
        "county_code": ("county_code", "کد شهرستان"),
        "settlement": ("settlement", "village", "city", "place", "location_name", "محل", "محل استقرار",
                       "محل دفتر", "آبادی", "نام آبادی", "روستا", "نام روستا", "شهر", "نام شهر", "روستا/شهر"),
        "settlement_code": ("settlement_code", "village_code", "abadi_code", "کد آبادی", "کد روستا", "کد محل"),
        "source": ("source", "منبع"),
    },
    "districts": {
        "name_fa": ("name_fa", "name", "district", "بخش", "نام بخش", "نام"),
        "name_en": ("name_en", "english name", "name_latin", "نام لاتین", "نام انگلیسی"),
        "code": ("code", "district_code", "ref", "کد", "کد بخش"),
        "county": ("county", "county_name", "شهرستان", "نام شهرستان"),
    },
    "rural_districts": {
        "name_fa": ("name_fa", "name", "rural_district", "dehestan", "دهستان", "نام دهستان", "نام"),
        "name_en": ("name_en", "english name", "name_latin", "نام لاتین", "نام انگلیسی"),
        "code": ("code", "rural_district_code", "ref", "کد", "کد دهستان"),
        "county": ("county", "county_name", "شهرستان", "نام شهرستان"),
        "district": ("district", "بخش", "نام بخش"),
    },
    "roads": {
        "code": ("code", "id", "road_id", "ref", "کد", "شناسه", "کد راه"),
        "road_class": ("road_class", "highway", "class", "fclass", "road_type", "type", "kind", "نوع", "نوع راه",
                       "رده", "رده راه", "کلاس", "درجه راه"),
        "name_fa": ("name_fa", "name", "نام", "نام راه", "نام فارسی"),
        "name_en": ("name_en", "english name", "name_latin", "نام لاتین", "نام انگلیسی"),
        "maxspeed": ("maxspeed", "maxspeed_kmh", "max_speed", "speed_limit", "speed", "سرعت مجاز", "حداکثر سرعت",
                     "سرعت"),
        "surface": ("surface", "pavement", "رویه", "نوع رویه", "جنس رویه"),
        "oneway": ("oneway", "one_way", "یکطرفه", "یک طرفه", "یک‌طرفه"),
        "source": ("source", "منبع"),
    },
}


@dataclass(frozen=True)
class ImportOptions:
    """How to read and check a file.

    Attributes
    ----------
    crs
        CRS of a CSV/XLSX's coordinates (or of a Shapefile without .prj).
    strict
        Import nothing if any row is bad.
    fix_swapped
        Swap latitude and longitude back where they were exchanged (reported either way).
    append
        Add to the layer instead of replacing it (points layers only).
    update
        Offices only: update the records the file lists, matched by licence
        number (or office id), and add new ones; fields left blank or absent
        keep their values, and records the file does not list are kept.
        Without it an offices import is a whole new version of the register
        (records it no longer lists are removed). Either way the change is
        reported and the previous versions are kept in the office history.
    as_of
        Offices only: the date this version of the register is valid from
        (default: now), for ``siting history``.
    admin_level
        Polygon layers from an OpenStreetMap extract: the ``admin_level`` to
        take (default :data:`OSM_ADMIN_LEVELS`).
    fields
        Explicit column for a field, e.g. ``{"name_fa": "نام روستا"}``; the rest are detected.
    kind, licence_type
        Default settlement kind / licence type for rows that do not state one.
    source
        Provenance label stored with every row (default: the file name).
    county_lookup
        For settlements: a self-join giving each row's stated county, e.g.
        ``{"field": "gnaf_county_id", "key": "gnaf_id", "name": "name_fa"}``
        (the row whose ``gnaf_id`` equals this row's ``gnaf_county_id``
        names the county).
    """

    crs: str | None = None
    strict: bool = False
    fix_swapped: bool = False
    append: bool = False
    update: bool = False
    as_of: str | None = None
    admin_level: str | None = None
    sheet: str | None = None
    layer_name: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    kind: str | None = None
    licence_type: str | None = None
    source: str | None = None
    county_lookup: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Issue:
    """One reported problem. ``row`` is the data row (1 = first after the header), None for the file.

    ``reason`` is the English sentence (printed by the command line); ``code`` (one of
    :data:`siting.io.reasons.ROW_REASONS`) and ``params`` (the values the sentence names) are what a
    page translates. Every row reason of the importer has a code; ``None`` only for reports that do
    not give one (the census table's).
    """

    row: int | None
    severity: Literal["error", "warning"]
    reason: str
    field: str | None = None
    code: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)


class IssueLog:
    """Errors, warnings and adding an issue, for a report with an ``issues`` list."""

    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        """Issues that rejected their row."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Issues that did not reject their row."""
        return [i for i in self.issues if i.severity == "warning"]

    def add(self, row: int | None, reason: str, *, severity: Literal["error", "warning"] = "error",
            field: str | None = None) -> None:
        """Record one issue (with the code and params of a :class:`~siting.io.reasons.Reason`)."""
        if isinstance(reason, Reason):
            self.issues.append(Issue(row, severity, str(reason), field, reason.code, dict(reason.params)))
        else:
            self.issues.append(Issue(row, severity, reason, field))


@dataclass
class ImportReport(IssueLog):
    """What an import read, kept, rejected and why."""

    file: str
    layer: str
    format: str | None
    rows_read: int = 0
    imported: int = 0
    rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False
    strict: bool = False
    mode: str = "replace"
    workspace: str | None = None
    sample: bool = False
    #: offices: how many were placed approximately at a named settlement, and how many could not be placed
    placement: dict[str, int] = field(default_factory=dict)
    #: offices: what this version of the register changed (:class:`siting.registry.RegisterDiff`)
    changes: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "layer": self.layer,
            "format": self.format,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "rejected": self.rejected,
            "warnings": len(self.warnings),
            "written": self.written,
            "strict": self.strict,
            "mode": self.mode,
            "workspace": self.workspace,
            "sample": self.sample,
            "notes": self.notes,
            "placement": self.placement,
            "changes": self.changes.to_dict() if self.changes is not None else None,
            "rows": [asdict(i) for i in self.issues],
        }

    def summary_line(self) -> str:
        verb = "imported" if self.written else "checked (nothing written)"
        return (f"{self.file}: {verb} {self.imported} of {self.rows_read} rows into '{self.layer}'; "
                f"{self.rejected} rejected, {len(self.warnings)} warnings")


class _Rows:
    """Per-row bookkeeping: which rows are still good, and their issues."""

    def __init__(self, raw: RawTable, report: ImportReport) -> None:
        self.raw = raw
        self.report = report
        self.ok = np.ones(len(raw), dtype=bool)

    def error(self, i: int, reason: Reason, field: str | None = None) -> None:
        if self.ok[i]:
            self.ok[i] = False
            self.report.add(int(self.raw.rows[i]), reason, field=field)

    def warn(self, i: int, reason: Reason, field: str | None = None) -> None:
        self.report.add(int(self.raw.rows[i]), reason, severity="warning", field=field)

    def row(self, i: int | np.integer) -> int:
        return int(self.raw.rows[i])


def _columns(raw: RawTable, layer: str, options: ImportOptions) -> dict[str, str | None]:
    cols = list(raw.frame.columns)
    used = set(raw.coord_columns)
    out: dict[str, str | None] = {}
    for fld in FIELD_ALIASES[layer]:
        if fld in options.fields:
            name = options.fields[fld]
            if name not in cols:
                raise InputError(f"{raw.path}: column {name!r} given for {fld} is not in the file; columns: {', '.join(cols)}",
                                 source=str(raw.path))
            out[fld] = name
            used.add(name)
    for fld, aliases in FIELD_ALIASES[layer].items():
        if fld in out:
            continue
        col = find_column([c for c in cols if c not in used], aliases)
        out[fld] = col
        if col:
            used.add(col)
    return out


def _values(raw: RawTable, col: str | None) -> list[Any]:
    if col is None:
        return [None] * len(raw)
    return list(raw.frame[col])


def _text(v: Any) -> str | None:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return clean_text(v)


def _populations(raw: RawTable, col: str | None, rows: _Rows) -> list[int | None]:
    """Population per row; a value that is not a non-negative number is a warning and unknown."""
    pops: list[int | None] = [None] * len(raw)
    for i, v in enumerate(_values(raw, col)):
        try:
            p = parse_number(v)
        except ValueError:
            rows.warn(i, Reason("population_not_a_number", f"population {v!r} is not a number; stored as unknown",
                                value=v), "population")
            continue
        if p is not None and p < 0:
            rows.warn(i, Reason("population_negative", f"population {v!r} is negative; stored as unknown", value=v),
                      "population")
            continue
        pops[i] = None if p is None else round(p)
    return pops


# -- points ----------------------------------------------------------------------------------

def _points(raw: RawTable, ws: Workspace, rows: _Rows, options: ImportOptions) -> tuple[np.ndarray, np.ndarray]:
    n = len(raw)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if raw.geometry is not None:
        for i, g in enumerate(raw.geometry):
            if g is None or g.is_empty:
                rows.error(i, Reason("no_geometry", "no geometry"), "geometry")
                continue
            if g.geom_type == "MultiPoint" and len(g.geoms) == 1:
                g = g.geoms[0]
            if g.geom_type == "Point":
                lon[i], lat[i] = g.x, g.y
            elif g.geom_type in ("Polygon", "MultiPolygon"):
                p = g.representative_point()
                lon[i], lat[i] = p.x, p.y
                rows.warn(i, Reason("polygon_for_point", f"a {g.geom_type} where a point is expected; a point inside it "
                                    "is used", geom_type=g.geom_type), "geometry")
            else:
                rows.error(i, Reason("not_a_point", f"a {g.geom_type} where a point is expected", geom_type=g.geom_type),
                           "geometry")
    else:
        lon[:], lat[:] = raw.lon, raw.lat
        for i, reason in raw.coord_errors.items():
            rows.error(i, reason, "coordinates")
    has = rows.ok & ~np.isnan(lon) & ~np.isnan(lat)
    for i in np.flatnonzero(rows.ok & ~has).tolist():
        rows.error(int(i), Reason("missing_coordinates", "missing coordinates"), "coordinates")

    region_name = (ws.region["name_en"].iat[0] or ws.region["name_fa"].iat[0]) if len(ws.region) else None
    rows_in = np.flatnonzero(has)
    valid_all = (np.abs(lon[rows_in]) <= 180) & (np.abs(lat[rows_in]) <= 90)
    inside_all = valid_all.copy()
    if region_name and valid_all.any():
        inside_all[valid_all] = ws.in_region(lon[rows_in][valid_all], lat[rows_in][valid_all])
    for i in rows_in[~inside_all]:
        x, y = lon[i], lat[i]
        valid = -180 <= x <= 180 and -90 <= y <= 90
        swapped_ok = -180 <= y <= 180 and -90 <= x <= 90
        swapped_inside = bool(ws.in_region(y, x)[0]) if (swapped_ok and region_name) else (swapped_ok and not valid)
        if swapped_inside:
            if options.fix_swapped:
                lon[i], lat[i] = y, x
                rows.warn(int(i), Reason("swapped_fixed", f"latitude and longitude were swapped (lat={x}, lon={y}); "
                                         "fixed by --fix-swapped", lat=x, lon=y), "coordinates")
            else:
                rows.error(int(i), Reason("swapped", f"latitude and longitude look swapped: ({y}, {x}) would lie inside "
                                          "the region; fix the file or use --fix-swapped", lat=y, lon=x), "coordinates")
        elif not valid:
            rows.error(int(i), Reason("not_wgs84", f"lon={x} lat={y} is not a WGS84 longitude/latitude (declare the CRS "
                                      "with --crs?)", lon=x, lat=y), "coordinates")
        else:
            rows.error(int(i), Reason("outside_region", f"point (lon {x:.5f}, lat {y:.5f}) lies outside the region "
                                      f"{region_name}", lon=round(float(x), 5), lat=round(float(y), 5),
                                      region=region_name, region_fa=ws.region["name_fa"].iat[0]), "coordinates")
    return lon, lat


def _county_codes(ws: Workspace) -> dict[str, str]:
    out = {}
    for name, code in zip(ws.counties["name_fa"], ws.counties["code"], strict=True):
        if code:
            out[str(code)] = name
    return out


def _resolve_county(ws: Workspace, value: Any) -> str | None:
    key = match_key(value)
    if not key:
        return None
    for fa, en, code in zip(ws.counties["name_fa"], ws.counties["name_en"], ws.counties["code"], strict=True):
        if key in (match_key(fa), match_key(en)) or (code and key == match_key(code)):
            return fa
    return None


def _check_counties(ws: Workspace, rows: _Rows, lon, lat, stated: list[Any], stated_codes: list[Any]) -> np.ndarray:
    """County by polygon for good rows; warn where the file states another."""
    county = np.full(len(lon), None, dtype=object)
    good = np.flatnonzero(rows.ok)
    if not len(ws.counties) or not len(good):
        return county
    county[good] = ws.county_of(lon[good], lat[good])
    for i in good:
        said = None if is_blank(stated[i]) else stated[i]
        said_code = None if is_blank(stated_codes[i]) else stated_codes[i]
        for value, what in ((said, "county"), (said_code, "county code")):
            if value is None:
                continue
            resolved = _resolve_county(ws, value)
            code = f"stated_{what.replace(' ', '_')}"
            if resolved is None:
                rows.warn(int(i), Reason(code + ("_unknown" if county[i] else "_unknown_nowhere"),
                                         f"stated {what} {_text(value)!r} is not a county of the workspace; "
                                         f"the point lies in {county[i] or 'no county'}", value=_text(value),
                                         **({"county": county[i]} if county[i] else {})), what.replace(" ", "_"))
            elif county[i] is not None and resolved != county[i]:
                rows.warn(int(i), Reason(code + "_disagrees", f"stated {what} {_text(value)!r} ({resolved}) disagrees "
                                         f"with the polygon the point falls in ({county[i]})", value=_text(value),
                                         stated=resolved, county=county[i]), what.replace(" ", "_"))
    return county


def _near_duplicates(xy: np.ndarray, groups: np.ndarray, existing_xy: np.ndarray, existing_groups: np.ndarray,
                     ok: np.ndarray) -> dict[int, tuple[str, int]]:
    """Row -> ('row', j) or ('existing', j) for points within 10 m of an earlier one of the same group."""
    out: dict[int, tuple[str, int]] = {}
    idx = np.flatnonzero(ok)
    if len(existing_xy):
        tree = cKDTree(existing_xy)
        for i in idx.tolist():
            for j in tree.query_ball_point(xy[i], DUPLICATE_DISTANCE_M):
                if existing_groups[j] == groups[i]:
                    out[int(i)] = ("existing", int(j))
                    break
    if len(idx) > 1:
        tree = cKDTree(xy[idx])
        for a, b in sorted(tree.query_pairs(DUPLICATE_DISTANCE_M)):
            i, j = int(idx[a]), int(idx[b])
            if groups[i] == groups[j] and j not in out and i not in out:
                out[j] = ("row", i)
    return out


def _settlements(ws: Workspace, raw: RawTable, rows: _Rows, options: ImportOptions) -> tuple[pd.DataFrame, list]:
    cols = _columns(raw, "settlements", options)
    lon, lat = _points(raw, ws, rows, options)
    names = [_text(v) for v in _values(raw, cols["name_fa"])]
    names_en = [_text(v) for v in _values(raw, cols["name_en"])]
    codes = [_text(v) for v in _values(raw, cols["code"])]
    kinds: list[str | None] = [None] * len(raw)
    if cols["kind"] is None and options.kind is None:
        raise InputError(f"{raw.path}: no settlement kind column (kind / نوع: شهر or روستا); add one or give --kind",
                         source=str(raw.path), code="no_kind_column",
                         params={"found": ", ".join(map(str, raw.frame.columns))})
    for i, v in enumerate(_values(raw, cols["kind"])):
        if is_blank(v) and options.kind:
            kinds[i] = parse_settlement_kind(options.kind)
            continue
        try:
            kinds[i] = parse_settlement_kind(v)
        except ValueError as exc:
            rows.error(i, Reason("unknown_kind", str(exc), value=_text(v), detail=str(exc)), "kind")
    pops = _populations(raw, cols["population"], rows)
    for i in range(len(raw)):
        if not names[i] and not names_en[i]:
            rows.error(i, Reason("no_name", "no name"), "name_fa")
    stated = _values(raw, cols["county"])
    if options.county_lookup:
        lk = options.county_lookup
        for k in ("field", "key", "name"):
            if lk.get(k) not in raw.frame.columns:
                raise InputError(f"{raw.path}: county lookup column {lk.get(k)!r} is not in the file", source=str(raw.path))
        table = {_text(k): _text(n) for k, n in zip(raw.frame[lk["key"]], raw.frame[lk["name"]], strict=True)}
        stated = [table.get(_text(v)) for v in raw.frame[lk["field"]]]
    county = _check_counties(ws, rows, lon, lat, stated, _values(raw, cols["county_code"]))

    # duplicates: same code, or same name within 10 m
    existing = ws.settlements if options.append else ws.settlements.iloc[0:0]
    seen_codes = {c: ("existing", j) for j, c in enumerate(existing["code"]) if c}
    for i in np.flatnonzero(rows.ok).tolist():
        c = codes[i]
        if c is None:
            continue
        if c in seen_codes:
            where, j = seen_codes[c]
            if where == "existing":
                rows.error(int(i), Reason("duplicate_code_existing", f"duplicate code {c!r}: already in the workspace",
                                          code=c), "code")
            else:
                rows.error(int(i), Reason("duplicate_code", f"duplicate code {c!r}: same as row {rows.row(j)}", code=c,
                                          row=rows.row(j)), "code")
        else:
            seen_codes[c] = ("row", int(i))
    crs = ws.metric_crs.distance
    xy = np.column_stack(project_xy(np.nan_to_num(lon), np.nan_to_num(lat), crs))
    groups = np.array([match_key(n or e) for n, e in zip(names, names_en, strict=True)], dtype=object)
    exy = np.column_stack(project_xy(existing.geometry.x, existing.geometry.y, crs)) if len(existing) else np.empty((0, 2))
    eg = np.array([match_key(n or e) for n, e in zip(existing["name_fa"], existing["name_en"], strict=True)], dtype=object)
    for i, (where, j) in _near_duplicates(xy, groups, exy, eg, rows.ok).items():
        text = "duplicate: a settlement of the same name within 10 m "
        if where == "existing":
            rows.error(i, Reason("duplicate_settlement_existing", text + "is already in the workspace"), "coordinates")
        else:
            rows.error(i, Reason("duplicate_settlement", text + f"at row {rows.row(j)}", row=rows.row(j)), "coordinates")

    source = options.source or raw.path.name
    srcs = _values(raw, cols["source"])
    osm_ids = [_text(v) for v in _values(raw, "osm_id" if "osm_id" in raw.frame.columns else None)]
    keep = np.flatnonzero(rows.ok)
    attrs = pd.DataFrame({
        "code": [codes[i] or (f"osm-{osm_ids[i]}" if osm_ids[i] else f"{raw.path.stem}-{rows.row(i)}") for i in keep],
        "name_fa": [names[i] or names_en[i] for i in keep],
        "name_en": [names_en[i] for i in keep],
        "kind": [kinds[i] for i in keep],
        "population": [pops[i] for i in keep],
        "population_source": [source if pops[i] is not None else None for i in keep],
        "county": [county[i] for i in keep],
        "source": [_text(srcs[i]) or source for i in keep],
    })
    return attrs, list(shapely.points(lon[keep], lat[keep]))


# Words that precede a settlement's name in a register or an address ("روستای حسین‌آباد"), removed before matching.
_PLACE_WORDS = ("روستای", "روستا", "آبادی", "قریه", "ده", "شهر", "village", "city", "town")
_ADDRESS_SPLIT = re.compile(r"[،,؛;|/\\\-–—()\[\]]+")


def _strip_place_word(name: str) -> str:
    text = clean_text(name) or ""
    for w in _PLACE_WORDS:
        if text.casefold().startswith(w + " "):
            return text[len(w) + 1:]
    return text


class _SettlementFinder:
    """Places an office at the settlement its register names: by code, by name in its county, or from the address."""

    def __init__(self, ws: Workspace) -> None:
        s = ws.settlements
        self.ws = ws
        self.codes = {str(c): i for i, c in enumerate(s["code"]) if c}
        self.names: dict[str, list[int]] = {}
        for i, (fa, en) in enumerate(zip(s["name_fa"], s["name_en"], strict=True)):
            for key in {match_key(fa), match_key(en)} - {""}:
                self.names.setdefault(key, []).append(i)
        self.county = s["county"].to_numpy(dtype=object)

    def describe(self, i: int) -> str:
        s = self.ws.settlements
        return f"{s['name_fa'].iat[i]} (code {s['code'].iat[i]}, {s['county'].iat[i] or 'no county'})"

    def placed(self, i: int) -> dict[str, Any]:
        """The params naming settlement ``i`` in a reason."""
        s = self.ws.settlements
        return {"settlement": s["name_fa"].iat[i], "settlement_code": s["code"].iat[i]}

    def find(self, code: str | None, name: str | None, county: str | None, address: str | None
             ) -> tuple[int | None, Reason]:
        """(settlement row, how it was found) or (None, why not); the reason's text completes the report's
        sentence ("placed at ... <how>", "not placed: <why>")."""
        if code:
            i = self.codes.get(code)
            if i is not None:
                return i, Reason("placed_by_code", f"by settlement code {code}", code=code, **self.placed(i))
            if not name and not address:
                return None, Reason("not_placed_code_unknown",
                                    f"settlement code {code!r} is not in the workspace's settlements", code=code)
        where = None
        if county:
            where = _resolve_county(self.ws, county)
            if where is None:
                return None, Reason("not_placed_county_unknown",
                                    f"stated county {county!r} is not a county of the workspace", county=county)
        if name:
            return self._by_names([name, _strip_place_word(name)], where, f"settlement {name!r}", name)
        if address:
            parts = [p for x in _ADDRESS_SPLIT.split(address) for p in (x, _strip_place_word(x)) if p.strip()]
            return self._by_names(parts, where, f"address {address!r}", address)
        return None, Reason("not_placed_no_place", "no coordinates and no settlement (name or code) to place the office at")

    def _by_names(self, names: list[str], county: str | None, what: str, value: str) -> tuple[int | None, Reason]:
        found: list[int] = []
        elsewhere: list[int] = []
        for name in dict.fromkeys(match_key(n) for n in names):
            for i in self.names.get(name, []):
                if county is None or self.county[i] == county:
                    if i not in found:
                        found.append(i)
                elif i not in elsewhere:
                    elsewhere.append(i)
        scope = f"county {county}" if county else "the workspace (no county stated)"
        in_county = {"county": county} if county else {}
        if len(found) == 1:
            if county:
                return found[0], Reason("placed_by_name", f"by name in {scope}", county=county, **self.placed(found[0]))
            return found[0], Reason("placed_by_name_alone", "by name alone: no county stated, the only one of that name",
                                    **self.placed(found[0]))
        if len(found) > 1:
            matches = "; ".join(self.describe(i) for i in found)
            return None, Reason("not_placed_several" if county else "not_placed_several_anywhere",
                                f"{what}: {len(found)} settlements match in {scope}: {matches} (state the settlement code)",
                                value=value, count=len(found), matches=matches, **in_county)
        shown = "; ".join(self.describe(i) for i in elsewhere[:3])
        hint = f"; there is {shown} elsewhere" if elsewhere else ""
        return None, Reason("not_placed_none" if county else "not_placed_none_anywhere",
                            f"{what}: no settlement of that name in {scope}{hint}", value=value, **in_county,
                            **({"elsewhere": shown} if elsewhere else {}))


def _missing_point(raw: RawTable, i: int) -> bool:
    if raw.geometry is not None:
        g = raw.geometry.iat[i]
        return g is None or g.is_empty
    assert raw.lon is not None and raw.lat is not None
    reason = raw.coord_errors.get(i)
    if reason is not None:
        return reason.code in ("missing_coordinates", "pair_missing")
    return bool(np.isnan(raw.lon[i]) or np.isnan(raw.lat[i]))


def _set_point(raw: RawTable, i: int, lon: float, lat: float) -> None:
    if raw.geometry is not None:
        raw.geometry.iat[i] = shapely.Point(lon, lat)
    else:
        assert raw.lon is not None and raw.lat is not None
        raw.lon[i], raw.lat[i] = lon, lat
        raw.coord_errors.pop(i, None)


def _offices(ws: Workspace, raw: RawTable, rows: _Rows, options: ImportOptions, rules: Rules
             ) -> tuple[pd.DataFrame, list, list[int]]:
    """The office rows of the file, and for each kept row the position of the record it updates (-1: new)."""
    from siting.registry import record_keys

    cols = _columns(raw, "offices", options)
    n = len(raw)
    old = ws.offices
    if (raw.geometry is None and not raw.coord_columns and not options.update
            and not any(cols[f] for f in ("settlement", "settlement_code", "address"))):
        raise InputError(
            f"{raw.path}: no coordinate columns (lat/lon, عرض/طول جغرافیایی) and no settlement column to place the "
            "offices at (settlement / روستا / کد آبادی, or an address naming the settlement); found: "
            + ", ".join(map(str, raw.frame.columns)), source=str(raw.path), code="no_office_place_columns",
            params={"found": ", ".join(map(str, raw.frame.columns))})
    numbers = [_text(v) for v in _values(raw, cols["licence_number"])]
    ids = [_text(v) for v in _values(raw, cols["office_id"])]
    keys = [numbers[i] or ids[i] for i in range(n)]
    # the record each row continues (matched by licence number, else office id): in a new version of the register
    # a column the file lacks keeps the record's values; with --update a blank cell does too
    target = [-1] * n
    if not options.append:
        at = {k: j for j, k in enumerate(record_keys(old)) if k}
        for i in range(n):
            key = keys[i]
            if key:
                target[i] = at.get(key, -1)
            elif options.update:
                rows.error(i, Reason("update_needs_key", "no licence number or office id: --update matches records by them"),
                       "licence_number")
    if cols["licence_type"] is None and options.licence_type is None and not options.update:
        raise InputError(
            f"{raw.path}: no licence type column (licence_type / نوع مجوز: شهری or روستایی); add one or give --licence-type",
            source=str(raw.path), code="no_licence_type_column", params={"found": ", ".join(map(str, raw.frame.columns))})

    def kept(fld: str, i: int, value: Any) -> Any:
        """The record's own value where the file has no column for ``fld`` (or, with --update, a blank cell)."""
        if target[i] < 0:
            return value
        absent = fld in cols and cols[fld] is None
        blank = value is None or (isinstance(value, str) and not value)
        if absent or (options.update and blank):
            return _value_of(old[fld].iat[target[i]])
        return value

    # offices without coordinates: at the settlement they name (located approximately)
    location = ["exact"] * n
    located_at: list[str | None] = [None] * n
    finder = _SettlementFinder(ws)
    s_names = _values(raw, cols["settlement"])
    s_codes = _values(raw, cols["settlement_code"])
    stated_county = _values(raw, cols["county"])
    addresses = _values(raw, cols["address"])
    placed = 0
    for i in range(n):
        if not rows.ok[i] or not _missing_point(raw, i):
            continue
        code, name = _text(s_codes[i]), _text(s_names[i])
        if target[i] >= 0 and not code and not name:
            g = old.geometry.iat[target[i]]
            _set_point(raw, i, g.x, g.y)
            location[i] = _value_of(old["location"].iat[target[i]]) or "exact"
            located_at[i] = _value_of(old["located_at"].iat[target[i]])
            continue
        if len(ws.settlements) == 0:
            if code or name:
                rows.error(i, Reason("no_settlements_to_place", "no coordinates, and the workspace has no settlements to "
                                     f"place the office at the settlement it names ({name or code}); import "
                                     "settlements first", place=name or code), "coordinates")
            continue
        county_i = _text(stated_county[i])
        if target[i] >= 0 and not county_i:
            county_i = _value_of(old["county"].iat[target[i]])
        address = _text(addresses[i]) if not (code or name) else None
        if not (code or name or address):
            continue  # nothing to place it at: reported as missing coordinates
        j, how = finder.find(code, name, county_i, address)
        if j is None:
            rows.error(i, Reason(how.code, f"no coordinates and not placed: {how}", **how.params), "settlement")
            continue
        g = ws.settlements.geometry.iat[j]
        _set_point(raw, i, g.x, g.y)
        location[i] = "approximate"
        located_at[i] = ws.settlements["code"].iat[j]
        placed += 1
        rows.warn(i, Reason(how.code, f"no coordinates: placed at {finder.describe(j)} {how}; located approximately",
                            **how.params), "settlement")
    if placed:
        rows.report.placement["approximate"] = placed
    lon, lat = _points(raw, ws, rows, options)
    rows.report.placement["not_placed"] = sum(1 for x in rows.report.errors if x.field == "settlement")

    types: list[str | None] = [None] * n
    for i, v in enumerate(_values(raw, cols["licence_type"])):
        if is_blank(v) and options.licence_type:
            v = options.licence_type
        if is_blank(v) and target[i] >= 0 and (options.update or cols["licence_type"] is None):
            types[i] = old["licence_type"].iat[target[i]]
            continue
        try:
            types[i] = parse_licence_type(v)
        except ValueError as exc:
            rows.error(i, Reason("unknown_licence_type", str(exc), value=_text(v), detail=str(exc)), "licence_type")
    status: list[str | None] = ["active"] * n
    for i, v in enumerate(_values(raw, cols["status"])):
        if is_blank(v):
            status[i] = kept("status", i, None) or "active"
            continue
        try:
            status[i] = parse_office_status(v)
        except ValueError as exc:
            rows.error(i, Reason("unknown_status", str(exc), value=_text(v), detail=str(exc)), "status")
    issued: list[str | None] = [None] * n
    expires: list[str | None] = [None] * n
    for fld, out in (("issued", issued), ("expires", expires)):
        for i, v in enumerate(_values(raw, cols[fld])):
            try:
                d = parse_date(v)
            except ValueError as exc:
                rows.warn(i, Reason("bad_date", f"{fld}: {exc}; stored as unknown", field=fld, value=_text(v),
                                    detail=str(exc)), fld)
                continue
            out[i] = kept(fld, i, d.isoformat() if d else None)
    for i in range(n):
        issued_on = issued[i]
        if issued_on and not expires[i]:
            from datetime import date

            expires[i] = licence_expiry(date.fromisoformat(issued_on), rules).isoformat()
    names = [kept("name", i, _text(v)) for i, v in enumerate(_values(raw, cols["name"]))]
    county = _check_counties(ws, rows, lon, lat, stated_county, _values(raw, cols["county_code"]))

    existing = ws.offices if options.append else ws.offices.iloc[0:0]
    seen = {str(v): ("existing", j) for j, v in enumerate(existing["licence_number"]) if v}
    for i in np.flatnonzero(rows.ok).tolist():
        num = numbers[i]
        if not num:
            continue
        if num in seen:
            where, j = seen[num]
            if where == "existing":
                rows.error(int(i), Reason("duplicate_licence_number_existing", f"duplicate licence number {num!r}: "
                                          "already in the workspace", number=num), "licence_number")
            else:
                rows.error(int(i), Reason("duplicate_licence_number", f"duplicate licence number {num!r}: same as row "
                                          f"{rows.row(j)}", number=num, row=rows.row(j)), "licence_number")
        else:
            seen[num] = ("row", int(i))
    seen_ids = {str(v): j for j, v in enumerate(existing["office_id"]) if v}
    for i in np.flatnonzero(rows.ok).tolist():
        office_id = ids[i]
        if office_id and office_id in seen_ids:
            rows.error(i, Reason("duplicate_office_id", f"duplicate office id {office_id!r}", id=office_id), "office_id")
        elif office_id:
            seen_ids[office_id] = i
    crs = ws.metric_crs.distance
    xy = np.column_stack(project_xy(np.nan_to_num(lon), np.nan_to_num(lat), crs))
    exy = np.column_stack(project_xy(existing.geometry.x, existing.geometry.y, crs)) if len(existing) else np.empty((0, 2))
    # offices placed at a settlement share its point: only points given in the file are checked for near-duplicates
    exact = rows.ok & np.array([loc == "exact" and target[i] < 0 for i, loc in enumerate(location)], dtype=bool)
    ex_exact = (existing["location"].fillna("exact") == "exact").to_numpy() if len(existing) else np.zeros(0, bool)
    for i, (where, j) in _near_duplicates(xy, np.array(types, dtype=object), exy[ex_exact] if len(exy) else exy,
                                          existing["licence_type"].to_numpy(dtype=object)[ex_exact], exact).items():
        text = f"duplicate: an office of the same type ({types[i]}) within 10 m "
        if where == "existing":
            rows.error(i, Reason("duplicate_office_existing", text + "is already in the workspace",
                                 licence_type=types[i]), "coordinates")
        else:
            rows.error(i, Reason("duplicate_office", text + f"at row {rows.row(j)}", licence_type=types[i],
                                 row=rows.row(j)), "coordinates")

    source = options.source or raw.path.name
    srcs = _values(raw, cols["source"])
    keep = np.flatnonzero(rows.ok).tolist()
    attrs = pd.DataFrame({
        "office_id": [kept("office_id", i, ids[i]) or numbers[i] or f"{raw.path.stem}-{rows.row(i)}" for i in keep],
        "name": [names[i] for i in keep],
        "licence_type": [types[i] for i in keep],
        "status": [status[i] for i in keep],
        "licence_number": [kept("licence_number", i, numbers[i]) for i in keep],
        "issued": [issued[i] for i in keep],
        "expires": [expires[i] for i in keep],
        "county": [county[i] for i in keep],
        "address": [kept("address", i, _text(addresses[i])) for i in keep],
        "location": [location[i] for i in keep],
        "located_at": [located_at[i] for i in keep],
        "source": [_text(srcs[i]) or source for i in keep],
    })
    return attrs, list(shapely.points(lon[keep], lat[keep])), [target[i] for i in keep]


def _value_of(v: Any) -> Any:
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


# -- polygons --------------------------------------------------------------------------------

def _polygons(raw: RawTable, rows: _Rows) -> list:
    if raw.geometry is None:
        raise InputError(f"{raw.path}: a {FORMAT_NAMES[raw.format]} has no polygons; boundaries must come as "
                         "GeoJSON, GeoPackage or a zipped Shapefile", source=str(raw.path), code="no_polygons",
                         params={"format": raw.format})
    out: list = [None] * len(raw)
    for i, g in enumerate(raw.geometry):
        if g is None or g.is_empty:
            # an OpenStreetMap boundary the reader could not assemble says why
            rows.error(i, raw.coord_errors.get(i, Reason("no_geometry", "no geometry")), "geometry")
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            rows.error(i, Reason("not_a_polygon", f"a {g.geom_type} where a polygon is expected", geom_type=g.geom_type),
                       "geometry")
            continue
        if not g.is_valid:
            reason = shapely.is_valid_reason(g)
            fixed = shapely.make_valid(g)
            parts = [p for p in getattr(fixed, "geoms", [fixed]) if p.geom_type in ("Polygon", "MultiPolygon")]
            fixed = shapely.union_all(parts) if parts else None
            if fixed is None or fixed.is_empty:
                rows.error(i, Reason("invalid_polygon", f"invalid polygon ({reason}) that cannot be repaired",
                                     detail=reason), "geometry")
                continue
            rows.warn(i, Reason("polygon_repaired", f"invalid polygon ({reason}); repaired with make_valid",
                                detail=reason), "geometry")
            g = fixed
        out[i] = g
    return out


def _counties(ws: Workspace, raw: RawTable, rows: _Rows, options: ImportOptions) -> tuple[pd.DataFrame, list]:
    cols = _columns(raw, "counties", options)
    geoms = _polygons(raw, rows)
    names = [_text(v) for v in _values(raw, cols["name_fa"])]
    names_en = [_text(v) for v in _values(raw, cols["name_en"])]
    codes = [_text(v) for v in _values(raw, cols["code"])]
    pops = _populations(raw, cols["population"], rows)
    seen: dict[str, int] = {}
    for i in range(len(raw)):
        if not (names[i] or names_en[i]):
            rows.error(i, Reason("no_county_name", "no county name"), "name_fa")
            continue
        key = match_key(names[i] or names_en[i])
        if rows.ok[i] and key in seen:
            rows.error(i, Reason("duplicate_county", f"duplicate county {names[i] or names_en[i]!r}: same as row "
                                 f"{rows.row(seen[key])}", name=names[i] or names_en[i], row=rows.row(seen[key])),
                       "name_fa")
        elif rows.ok[i]:
            seen[key] = i
    keep = np.flatnonzero(rows.ok)
    source = options.source or raw.path.name
    attrs = pd.DataFrame({
        "code": [codes[i] for i in keep],
        "name_fa": [names[i] or names_en[i] for i in keep],
        "name_en": [names_en[i] for i in keep],
        "population": [pops[i] for i in keep],
        "population_year": [None] * len(keep),
        "census_unit": [None] * len(keep),
        "population_note": [None] * len(keep),
        "source": [source] * len(keep),
    })
    return attrs, [geoms[i] for i in keep]


def _region(ws: Workspace, raw: RawTable, rows: _Rows, options: ImportOptions) -> tuple[pd.DataFrame, list]:
    cols = _columns(raw, "region", options)
    geoms = _polygons(raw, rows)
    keep = np.flatnonzero(rows.ok)
    if not len(keep):
        return pd.DataFrame(), []
    names = _values(raw, cols["name_fa"])
    names_en = _values(raw, cols["name_en"])
    union = shapely.union_all([geoms[i] for i in keep])
    attrs = pd.DataFrame({"name_fa": [_text(names[keep[0]])], "name_en": [_text(names_en[keep[0]])],
                          "source": [options.source or raw.path.name]})
    if len(keep) > 1:
        rows.report.notes.append(Note("region_dissolved", f"{len(keep)} polygons dissolved into one region outline",
                                        count=len(keep)))
    return attrs, [union]


def _units(ws: Workspace, raw: RawTable, rows: _Rows, options: ImportOptions, layer: str
           ) -> tuple[pd.DataFrame, list]:
    """Districts (بخش) or rural districts (دهستان): polygons with a name, a code and their county."""
    cols = _columns(raw, layer, options)
    geoms = _polygons(raw, rows)
    names = [_text(v) for v in _values(raw, cols["name_fa"])]
    names_en = [_text(v) for v in _values(raw, cols["name_en"])]
    codes = [_text(v) for v in _values(raw, cols["code"])]
    what = "district" if layer == "districts" else "rural district"
    for i in range(len(raw)):
        if not (names[i] or names_en[i]):
            rows.error(i, Reason(f"no_{layer[:-1]}_name", f"no {what} name"), "name_fa")
    # the county each unit lies in: the county polygon holding a point inside it
    county: list[str | None] = [None] * len(raw)
    good = np.flatnonzero(rows.ok).tolist()
    if len(ws.counties) and good:
        pts = [geoms[i].representative_point() for i in good]
        found = ws.county_of([p.x for p in pts], [p.y for p in pts])
        for i, c in zip(good, found, strict=True):
            county[i] = c
    stated = _values(raw, cols["county"])
    for i in good:
        said = _resolve_county(ws, stated[i]) if not is_blank(stated[i]) else None
        if county[i] is None:
            county[i] = said
    district: list[str | None] = [None] * len(raw)
    if layer == "rural_districts":
        stated_d = _values(raw, cols["district"])
        if len(ws.districts) and good:
            pts = [geoms[i].representative_point() for i in good]
            tree = shapely.STRtree(ws.districts.geometry.to_numpy())
            pi, di = tree.query(pts, predicate="within")
            for p, d in zip(pi, di, strict=True):
                district[good[p]] = ws.districts["name_fa"].iat[d]
        for i in good:
            district[i] = district[i] or _text(stated_d[i])
    seen: dict[tuple[str, str], int] = {}
    for i in np.flatnonzero(rows.ok).tolist():
        key = (match_key(names[i] or names_en[i]), str(county[i]))
        if key in seen:
            rows.error(i, Reason(f"duplicate_{layer[:-1]}", f"duplicate {what} {names[i] or names_en[i]!r} in county "
                                 f"{county[i]}: same as row {rows.row(seen[key])}", name=names[i] or names_en[i],
                                 county=county[i], row=rows.row(seen[key])), "name_fa")
        else:
            seen[key] = i
    keep = np.flatnonzero(rows.ok)
    source = options.source or raw.path.name
    attrs = pd.DataFrame({
        "code": [codes[i] for i in keep],
        "name_fa": [names[i] or names_en[i] for i in keep],
        "name_en": [names_en[i] for i in keep],
        "county": [county[i] for i in keep],
        "district": [district[i] for i in keep],
        "source": [source] * len(keep),
    })
    return attrs, [geoms[i] for i in keep]


def reassign_counties(ws: Workspace) -> Workspace:
    """Recompute the county of every settlement and office from the county polygons."""
    out = ws
    for layer in ("settlements", "offices"):
        gdf = getattr(ws, layer)
        if not len(gdf):
            continue
        gdf = gdf.copy()
        gdf["county"] = ws.county_of(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
        out = out.with_layer(layer, gdf)
    return out


def assign_units(ws: Workspace) -> Workspace:
    """Set each settlement's district and rural district from the polygon layers that are present.

    Where a layer is absent the attribute is left as it is (a census join may have set it). Cities
    belong to their district and to no rural district, as in the census.
    """
    s = ws.settlements
    if not len(s) or not (len(ws.districts) or len(ws.rural_districts)):
        return ws
    s = s.copy()
    lon, lat = s.geometry.x.to_numpy(), s.geometry.y.to_numpy()
    for layer, col in (("districts", "district"), ("rural_districts", "rural_district")):
        if len(getattr(ws, layer)):
            s[col] = ws.unit_of(layer, lon, lat)
    if len(ws.rural_districts):
        # a district is divided into rural districts and cities: a city belongs to no rural district
        s.loc[s["kind"] == "city", "rural_district"] = None
    return ws.with_layer("settlements", s)


# -- roads -----------------------------------------------------------------------------------

def _read_roads(path: Path, options: ImportOptions, ws: Workspace | None) -> RawTable:
    """A road file: GeoJSON/GeoPackage/zipped Shapefile, or the ``highway`` ways of an OpenStreetMap extract.

    From an extract, ways outside the region (when the workspace has one) are dropped with a note, as
    are paths, platforms and roads not open to traffic (``highway=footway``, ``construction``, ...),
    counted by value.
    """
    from siting.io import osm

    if osm.is_osm_file(path):
        clip = ws.region.geometry.union_all() if ws is not None and len(ws.region) else None
        raw = osm.read_osm_lines(path, key="highway", clip=clip)
        skip = np.array([is_not_for_vehicles(v) for v in raw.frame["highway"]], dtype=bool)
        if skip.any():
            counts = raw.frame.loc[skip, "highway"].value_counts()
            raw.notes.append("ways that are not roads for motor vehicles skipped: "
                             + ", ".join(f"{k} {v}" for k, v in counts.items()))
            keep = np.flatnonzero(~skip)
            errors = {int(np.searchsorted(keep, i)): r for i, r in raw.coord_errors.items() if not skip[i]}
            raw = RawTable(raw.path, raw.format, raw.frame.iloc[keep].reset_index(drop=True),
                           geometry=raw.geometry.iloc[keep].reset_index(drop=True) if raw.geometry is not None
                           else None, coord_errors=errors, source_crs=raw.source_crs, notes=raw.notes,
                           rows=raw.rows[keep])
        if not len(raw):
            raise InputError(f"{path}: no roads (ways tagged highway) in the OpenStreetMap extract"
                             + (" inside the region" if clip is not None else ""), source=str(path))
        raw.notes.append("roads: ways tagged highway from the OpenStreetMap extract")
        return raw
    if options.admin_level:
        raise InputError("--admin-level chooses the boundaries of an OpenStreetMap extract for a polygon layer "
                         "(region, counties, districts, rural_districts), not for 'roads'", source="--admin-level")
    return read_file(path, crs=options.crs, layer=options.layer_name, sheet=options.sheet, coordinates=False)


def _road_line(g: Any) -> tuple[Any, Reason | None, Reason | None]:
    """(the usable line, the error, a warning) of one road geometry."""
    if g is None or g.is_empty:
        return None, Reason("no_geometry", "no geometry"), None
    if g.geom_type not in ("LineString", "MultiLineString"):
        return None, Reason("not_a_line", f"a {g.geom_type} where a line is expected", geom_type=g.geom_type), None
    xy = shapely.get_coordinates(g)
    if not np.isfinite(xy).all():
        return None, Reason("coordinate_not_a_number", "a coordinate that is not a number"), None
    if (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        x, y = f"{xy[0, 0]:.6g}", f"{xy[0, 1]:.6g}"
        return None, Reason("line_not_wgs84", f"coordinates such as ({x}, {y}) are not WGS84 longitude/latitude "
                            "(declare the file's CRS)", lon=float(x), lat=float(y)), None
    parts = list(getattr(g, "geoms", [g]))
    good = [p for p in parts if len(p.coords) >= 2 and p.length > 0]
    if not good:
        return None, Reason("zero_length_line", "a line of zero length (fewer than two distinct points)"), None
    warn = None
    if len(good) < len(parts):
        warn = Reason("zero_length_parts", f"{len(parts) - len(good)} of {len(parts)} parts of zero length left out",
                      dropped=len(parts) - len(good), parts=len(parts))
    line = good[0] if len(good) == 1 else shapely.MultiLineString(good)
    return line, None, warn


def _roads(ws: Workspace, raw: RawTable, rows: _Rows, options: ImportOptions, params: RoadParams
           ) -> tuple[pd.DataFrame, list]:
    """Roads: lines with a normalised class, maxspeed, surface, one-way flag and the speed used.

    Per row, an error (the row is not imported): no geometry, not a line, a coordinate that is not
    a number or not lon/lat, zero length, a line wholly outside the region, a path or a road not
    open to traffic (``footway``, ``construction``), a duplicate code. A warning (the row imports):
    an unknown or missing class (the default speed is used), a maxspeed, surface or oneway value
    that cannot be read (ignored: the class speed, an unknown surface, two-way).
    """
    if raw.geometry is None:
        raise InputError(f"{raw.path}: a {FORMAT_NAMES[raw.format]} has no lines; roads must come as GeoJSON, "
                         "GeoPackage, a zipped Shapefile or an OpenStreetMap extract", source=str(raw.path))
    cols = _columns(raw, "roads", options)
    n = len(raw)
    lines: list[Any] = [None] * n
    for i, g in enumerate(raw.geometry):
        line, err, warn = _road_line(g)
        if err:
            reason = raw.coord_errors.get(i, err) if g is None else err
            rows.error(i, reason, "geometry")
            continue
        if warn:
            rows.warn(i, warn, "geometry")
        lines[i] = line
    good = np.flatnonzero(rows.ok)
    if len(ws.region) and len(good):
        region = ws.index.region
        arr = np.empty(len(good), dtype=object)
        arr[:] = [lines[i] for i in good]
        inside = shapely.intersects(region, arr)
        name = ws.region["name_en"].iat[0] or ws.region["name_fa"].iat[0]
        for i in good[~inside].tolist():
            rows.error(i, Reason("line_outside_region", f"the line lies wholly outside the region {name}", region=name,
                                 region_fa=ws.region["name_fa"].iat[0]), "geometry")
    classes: list[str | None] = [None] * n
    for i, v in enumerate(_values(raw, cols["road_class"])):
        if not rows.ok[i]:
            continue
        try:
            classes[i] = parse_road_class(v)
        except InputError as exc:
            if "not a road for motor vehicles" in str(exc):
                rows.error(i, Reason("road_not_for_vehicles", f"{exc}; not imported", value=_text(v), detail=str(exc)),
                           "road_class")
            else:
                rows.warn(i, Reason("unknown_road_class", f"{exc}; the default speed {params.default_speed_kmh:g} km/h "
                                    "is used", value=_text(v), detail=str(exc), speed=params.default_speed_kmh),
                          "road_class")
            continue
        if classes[i] is None:
            rows.warn(i, Reason("no_road_class", f"no road class; the default speed {params.default_speed_kmh:g} km/h "
                                "is used", speed=params.default_speed_kmh), "road_class")
    maxspeed: list[int | None] = [None] * n
    for i, v in enumerate(_values(raw, cols["maxspeed"])):
        try:
            maxspeed[i] = parse_maxspeed(v)
        except InputError as exc:
            if rows.ok[i]:
                rows.warn(i, Reason("bad_maxspeed", f"{exc}; the class speed is used", value=_text(v),
                                    detail=str(exc)), "maxspeed")
    surface: list[str | None] = [None] * n
    for i, v in enumerate(_values(raw, cols["surface"])):
        try:
            surface[i] = parse_surface(v)
        except InputError as exc:
            if rows.ok[i]:
                rows.warn(i, Reason("unknown_surface", f"{exc}; stored as unknown", value=_text(v), detail=str(exc)),
                          "surface")
    oneway = [False] * n
    for i, v in enumerate(_values(raw, cols["oneway"])):
        try:
            oneway[i], backwards = parse_oneway(v)
        except InputError as exc:
            if rows.ok[i]:
                rows.warn(i, Reason("unknown_oneway", f"{exc}; the road is taken as two-way", value=_text(v),
                                    detail=str(exc)), "oneway")
            continue
        if backwards and lines[i] is not None:
            lines[i] = shapely.reverse(lines[i])  # one-way against the drawing: drawn the way it is travelled
    codes = [_text(v) for v in _values(raw, cols["code"])]
    osm_ids = [_text(v) for v in _values(raw, "osm_id" if "osm_id" in raw.frame.columns else None)]
    seen: dict[str, int] = {}
    for i in np.flatnonzero(rows.ok).tolist():
        code = codes[i] or (f"osm-{osm_ids[i]}" if osm_ids[i] else None)
        codes[i] = code
        if code is None:
            continue
        if code in seen:
            rows.error(i, Reason("duplicate_road_code", f"duplicate road code {code!r}: same as row "
                                 f"{rows.row(seen[code])}", code=code, row=rows.row(seen[code])), "code")
        else:
            seen[code] = i
    keep = np.flatnonzero(rows.ok).tolist()
    source = options.source or raw.path.name
    srcs = _values(raw, cols["source"])
    names, names_en = _values(raw, cols["name_fa"]), _values(raw, cols["name_en"])

    def speed(i: int) -> float:
        given = maxspeed[i]
        return float(given) if given is not None else params.class_speed(classes[i], surface[i])

    attrs = pd.DataFrame({
        "code": [codes[i] or f"{raw.path.stem}-{rows.row(i)}" for i in keep],
        "road_class": [classes[i] for i in keep],
        "name_fa": [_text(names[i]) for i in keep],
        "name_en": [_text(names_en[i]) for i in keep],
        "maxspeed_kmh": [maxspeed[i] for i in keep],
        "surface": [surface[i] for i in keep],
        "oneway": [oneway[i] for i in keep],
        "speed_kmh": [speed(i) for i in keep],
        "source": [_text(srcs[i]) or source for i in keep],
    })
    return attrs, [lines[i] for i in keep]


def _network_notes(ws: Workspace, params: RoadParams) -> list[str]:
    """What the imported roads make as a network: its pieces, and the settlements off it or stranded."""
    from siting.network import attach, build_graph

    graph = build_graph(ws, params)
    s = ws.settlements
    places = attach(graph, s.geometry.x.to_numpy(), s.geometry.y.to_numpy()) if len(s) else None
    rep = graph.report(places, names=list(s["name_fa"]) if len(s) else None)
    notes = [f"road network: {rep.nodes:,} nodes, {rep.edges:,} edges, {rep.length_km:,.1f} km in "
             f"{len(rep.components):,} piece(s); the largest holds {rep.largest_share:.1%} of the length"]
    for comp in rep.components[1:6]:
        named = ", ".join(rep.names[i] for i in comp.places[:5]) if rep.names else ""
        notes.append(f"a piece of {comp.length_km:,.2f} km ({comp.edges} edges) is not joined to the largest"
                     + (f"; settlements stranded on it: {named}" + (" …" if len(comp.places) > 5 else "")
                        if comp.places else ""))
    if len(rep.components) > 6:
        notes.append(f"… and {len(rep.components) - 6} more pieces not joined to the largest")
    if places is not None:
        notes.append(f"{len(rep.off_network)} settlement(s) farther than {params.max_offroad_m:g} m from every road "
                     f"(off the network); {len(rep.stranded)} stranded on pieces not joined to the largest")
    notes.extend(graph.notes)
    return notes


#: OpenStreetMap ``admin_level`` of each polygon layer in Iran (province 4, county 5, district 7, rural
#: district 8: the 2016 boundaries import, wiki.openstreetmap.org/wiki/Iran/Iran_boundaries_import).
OSM_ADMIN_LEVELS = {"region": "4", "counties": "5", "districts": "7", "rural_districts": "8"}


def _read(path: Path, layer: str, options: ImportOptions, ws: Workspace | None = None) -> RawTable:
    if layer == "roads":
        return _read_roads(path, options, ws)
    if layer in OSM_ADMIN_LEVELS:
        from siting.io import osm

        if osm.is_osm_file(path):
            level = options.admin_level or OSM_ADMIN_LEVELS[layer]
            raw = osm.read_osm_boundaries(path, admin_levels=(str(level),))
            raw.notes.append(Note("osm_admin_level", f"boundaries with admin_level={level} from the OpenStreetMap extract",
                                  level=str(level)))
            return raw
    elif options.admin_level:
        raise InputError("--admin-level chooses the boundaries of an OpenStreetMap extract for a polygon layer "
                         f"(region, counties, districts, rural_districts), not for '{layer}'", source="--admin-level")
    coords: bool | str = "optional" if layer == "offices" else True
    return read_file(path, crs=options.crs, layer=options.layer_name, sheet=options.sheet, coordinates=coords)


def prepare_import(ws: Workspace, layer: str, path: str | Path, options: ImportOptions | None = None,
                   *, rules: Rules | None = None, road_params: RoadParams | None = None
                   ) -> tuple[Workspace, ImportReport]:
    """Check a file and build the workspace it would produce, without writing anything.

    Returns the new workspace (the old one when nothing is importable) and
    the report. File-level problems (unreadable, empty, wrong content for
    the extension, no coordinate columns) raise :class:`InputError`.
    """
    from siting.registry import diff_registers, update_history, version_time

    options = options or ImportOptions()
    if layer not in LAYERS:
        raise InputError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    if options.append and layer not in ("settlements", "offices"):
        raise InputError(f"--append is for point layers; '{layer}' is always replaced")
    if options.update and layer != "offices":
        raise InputError(f"--update is for the offices register; '{layer}' is replaced or appended to")
    if options.update and options.append:
        raise InputError("--update and --append: choose one (--update also adds the records that are new)")
    if options.as_of and layer != "offices":
        raise InputError("--as-of dates a version of the offices register; it does not apply to "
                         f"'{layer}'", source="--as-of")
    unknown = sorted(set(options.fields) - set(FIELD_ALIASES[layer]))
    if unknown:
        raise InputError(f"--field {unknown[0]}: not a field of the '{layer}' layer; its fields: "
                         f"{', '.join(FIELD_ALIASES[layer])}", source="--field")
    path = Path(path)
    now = _now()
    valid_from = version_time(options.as_of, now) if layer == "offices" else now
    report = ImportReport(file=str(path), layer=layer, format=None, strict=options.strict,
                          mode="update" if options.update else "append" if options.append else "replace")
    raw = _read(path, layer, options, ws)
    report.format = raw.format
    report.rows_read = len(raw)
    report.notes.extend(raw.notes)
    rows = _Rows(raw, report)
    if layer in ("settlements", "offices") and not len(ws.region):
        report.notes.append(Note("no_region_yet", "the workspace has no region yet: points are not checked against it"))
    targets: list[int] = []
    if layer == "settlements":
        attrs, geoms = _settlements(ws, raw, rows, options)
    elif layer == "offices":
        attrs, geoms, targets = _offices(ws, raw, rows, options, rules or load_rules())
    elif layer == "counties":
        attrs, geoms = _counties(ws, raw, rows, options)
    elif layer in ("districts", "rural_districts"):
        attrs, geoms = _units(ws, raw, rows, options, layer)
    elif layer == "roads":
        attrs, geoms = _roads(ws, raw, rows, options, road_params or load_road_params())
    else:
        attrs, geoms = _region(ws, raw, rows, options)
    report.issues.sort(key=lambda i: (i.row or 0, i.severity != "error"))
    report.rejected = int((~rows.ok).sum())
    report.imported = len(geoms) if layer != "region" else int(rows.ok.sum())
    if (options.strict and report.errors) or not len(geoms):
        report.imported = 0
        if not len(geoms):
            report.notes.append(Note("nothing_importable", "no row could be imported"))
        return ws, report
    new = make_layer(layer, attrs, geoms)
    old = getattr(ws, layer)
    if options.update:
        updated = [t for t in targets if t >= 0]
        merged = pd.DataFrame(old.drop(columns="geometry")).reset_index(drop=True)
        merged_geoms = list(old.geometry)
        fresh = [k for k, t in enumerate(targets) if t < 0]
        for k, t in enumerate(targets):
            if t >= 0:
                merged.iloc[t] = new.drop(columns="geometry").iloc[k].to_numpy(dtype=object)
                merged_geoms[t] = new.geometry.iat[k]
        new = make_layer(layer, pd.concat([merged, pd.DataFrame(new.drop(columns="geometry")).iloc[fresh]],
                                          ignore_index=True),
                         [*merged_geoms, *(new.geometry.iat[k] for k in fresh)])
        report.notes.append(Note("updated_added", f"{len(updated)} records updated, {len(fresh)} added; records not in "
                                 "the file are kept", updated=len(updated), added=len(fresh)))
    elif options.append:
        new = make_layer(layer, pd.concat([pd.DataFrame(old.drop(columns="geometry")),
                                           pd.DataFrame(new.drop(columns="geometry"))], ignore_index=True),
                         [*old.geometry, *new.geometry])
    out = ws.with_layer(layer, new)
    if layer == "offices":
        diff = diff_registers(old, new, full=not (options.update or options.append))
        report.changes = diff
        history = update_history(ws, new, diff, valid_from=valid_from, import_file=options.source or path.name)
        out = replace(out, office_history=history)
    if layer in ("counties", "region", "districts", "rural_districts"):
        out = replace(out, meta={**out.meta})  # new instance: cached indexes are rebuilt
        if layer == "counties":
            out = reassign_counties(out)
    if layer in ("settlements", "districts", "rural_districts"):
        out = assign_units(out)
    if layer == "roads":
        report.notes.extend(_network_notes(out, road_params or load_road_params()))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    entry = {"time": now, "layer": layer, "file": str(path), "sha256": sha, "rows_read": report.rows_read,
             "rows_imported": report.imported, "rows_rejected": report.rejected, "warnings": len(report.warnings),
             "mode": report.mode, "source": options.source or path.name}
    imports = pd.concat([ws.imports, pd.DataFrame([entry], columns=IMPORT_COLUMNS)], ignore_index=True)
    out = replace(out, imports=imports)
    report.sample = out.is_sample
    return out, report


def import_file(workspace: str | Path | None, layer: str, path: str | Path,
                options: ImportOptions | None = None, *, rules: Rules | None = None,
                create: bool = False) -> ImportReport:
    """Import ``path`` into ``layer`` of the workspace file and write it atomically.

    The workspace file is written only when at least one row imports (and,
    with ``strict``, no row is bad); otherwise it is left byte-identical.
    ``create`` starts a new workspace when the file does not exist.
    """
    from siting.wslock import workspace_lock

    wpath = resolve_path(workspace)
    # the whole read-modify-write holds the workspace lock: a concurrent import waits and then
    # applies its rows on top of this one's, so neither is lost
    with workspace_lock(wpath):
        ws = Workspace.empty() if (create and not wpath.exists()) else Workspace.load(wpath)
        new, report = prepare_import(ws, layer, path, options, rules=rules)
        report.workspace = str(wpath)
        if new is not ws:
            new.save(wpath)
            report.written = True
    return report


def read_proposals(ws: Workspace, path: str | Path, options: ImportOptions | None = None
                   ) -> tuple[pd.DataFrame, ImportReport]:
    """Read pending proposals (CSV/XLSX/GeoJSON/...) with the same checks as an import.

    Columns: ``proposal_id`` (or id/کد), ``name``, ``licence_type``,
    optional ``applicant_type``, and coordinates. Returns a GeoDataFrame of
    the good rows and the report (bad rows are reported, not returned).
    """
    import geopandas as gpd

    from siting.vocab import parse_applicant_type

    options = options or ImportOptions()
    path = Path(path)
    report = ImportReport(file=str(path), layer="proposals", format=None)
    raw = read_file(path, crs=options.crs, layer=options.layer_name, sheet=options.sheet)
    report.format, report.rows_read = raw.format, len(raw)
    rows = _Rows(raw, report)
    lon, lat = _points(raw, ws, rows, options)
    cols = list(raw.frame.columns)
    pid_col = find_column(cols, ("proposal_id", "id", "code", "کد", "شناسه", "شماره درخواست", "request_id"))
    name_col = find_column(cols, ("name", "applicant", "نام", "نام متقاضی", "متقاضی"))
    type_col = find_column(cols, FIELD_ALIASES["offices"]["licence_type"])
    app_col = find_column(cols, ("applicant_type", "نوع متقاضی", "person_type", "شخصیت"))
    if type_col is None and options.licence_type is None:
        raise InputError(f"{path}: no licence type column (licence_type / نوع مجوز)", source=str(path))
    types: list[str | None] = [None] * len(raw)
    apps: list[str | None] = [None] * len(raw)
    for i in range(len(raw)):
        v = raw.frame[type_col].iat[i] if type_col else options.licence_type
        try:
            types[i] = parse_licence_type(options.licence_type if is_blank(v) else v)
        except ValueError as exc:
            rows.error(i, Reason("unknown_licence_type", str(exc), value=_text(v), detail=str(exc)), "licence_type")
        if app_col and not is_blank(raw.frame[app_col].iat[i]):
            try:
                apps[i] = parse_applicant_type(raw.frame[app_col].iat[i])
            except ValueError as exc:
                rows.error(i, Reason("unknown_applicant_type", str(exc), value=_text(raw.frame[app_col].iat[i]),
                                     detail=str(exc)), "applicant_type")
    ids = [_text(raw.frame[pid_col].iat[i]) if pid_col else None for i in range(len(raw))]
    seen: dict[str, int] = {}
    for i in np.flatnonzero(rows.ok).tolist():
        pid = ids[i] or f"P{rows.row(i)}"
        if pid in seen:
            rows.error(int(i), Reason("duplicate_proposal_id", f"duplicate proposal id {pid!r}: same as row "
                                      f"{rows.row(seen[pid])}", id=pid, row=rows.row(seen[pid])), "proposal_id")
        else:
            seen[pid] = int(i)
    keep = np.flatnonzero(rows.ok)
    report.rejected = int((~rows.ok).sum())
    report.imported = len(keep)
    gdf = gpd.GeoDataFrame({
        "proposal_id": [ids[i] or f"P{rows.row(i)}" for i in keep],
        "name": [_text(raw.frame[name_col].iat[i]) if name_col else None for i in keep],
        "licence_type": [types[i] for i in keep],
        "applicant_type": [apps[i] for i in keep],
        "row": [rows.row(i) for i in keep],
    }, geometry=shapely.points(lon[keep], lat[keep]), crs="EPSG:4326")
    return gdf, report
