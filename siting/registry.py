"""The office register over time: what a new version changed, and what the layer was on a date.

The directorate's register arrives again every few months. Each import of
the ``offices`` layer is compared with the layer it replaces, record by
record, matched by licence number (or office id where a record has none):

``added``    in the new version only
``removed``  in the old version only (a full register version that no longer lists it)
``moved``    the point changed (the distance is given)
``changed``  other fields changed (each field with its old and new value)

Every version of every record is kept in the workspace's office history
(``siting_office_history``): valid from the import (or the register date
given with ``--as-of``) that brought it until the one that changed or
removed it. :func:`offices_at` rebuilds the office layer as it stood at the
end of a given day, so coverage can be compared between two dates
(``siting history --compare``).

>>> from siting.samples.hand import hand_workspace
>>> ws = hand_workspace()
>>> d = diff_registers(ws.offices, ws.offices.iloc[1:])
>>> d.counts()["removed"], d.counts()["unchanged"]
(1, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from siting.errors import InputError
from siting.fmt import parse_date
from siting.workspace import (
    HISTORY_COLUMNS,
    SCHEMA,
    Workspace,
    _history_types,
    empty_history,
    make_layer,
)

#: Office fields compared between versions (the key, the point and provenance aside).
COMPARED_FIELDS = tuple(f for f in SCHEMA["offices"] if f not in ("source",))
#: A point that moved less than this is the same point (coordinates rounded in a spreadsheet).
MOVE_TOLERANCE_M = 1.0
_GEOD = pyproj.Geod(ellps="WGS84")


def record_keys(offices: pd.DataFrame) -> list[str | None]:
    """Each record's key: its licence number, else its office id (None when it has neither)."""
    out: list[str | None] = []
    for num, oid in zip(offices["licence_number"], offices["office_id"], strict=True):
        key = num if isinstance(num, str) and num else (oid if isinstance(oid, str) and oid else None)
        out.append(key)
    return out


@dataclass
class RegisterDiff:
    """What a new version of the office register changed, record by record."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: (key, distance in metres, (lon, lat) before, (lon, lat) after)
    moved: list[tuple[str, float, tuple[float, float], tuple[float, float]]] = field(default_factory=list)
    #: (key, field, old value, new value)
    changed: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    unchanged: int = 0
    names: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "moved": len(self.moved),
                "changed": len({k for k, *_ in self.changed}), "unchanged": self.unchanged}

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "added": self.added,
            "removed": self.removed,
            "moved": [{"record": k, "distance_m": round(d, 1), "from": a, "to": b} for k, d, a, b in self.moved],
            "changed": [{"record": k, "field": f, "old": o, "new": n} for k, f, o, n in self.changed],
        }

    def lines(self, limit: int | None = 25) -> list[str]:
        """One line per change, in English, for the import report (at most ``limit`` per kind)."""
        def who(k: str) -> str:
            name = self.names.get(k)
            return f"{k} ({name})" if name else k

        def capped(kind: str, items: list[str]) -> list[str]:
            if limit is None or len(items) <= limit:
                return items
            return [*items[:limit], f"… and {len(items) - limit} more {kind} (--json lists every one)"]
        out = capped("added", [f"added: {who(k)}" for k in self.added])
        out += capped("removed", [f"removed: {who(k)} (not in this version of the register)" for k in self.removed])
        out += capped("moved", [f"moved: {who(k)} by {d:,.0f} m" for k, d, _, _ in self.moved])
        out += capped("changed", [f"changed: {who(k)}: {f} {_show(o)} → {_show(n)}" for k, f, o, n in self.changed])
        return out


def _show(v: Any) -> str:
    return "—" if v is None else repr(v)


def _value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if isinstance(v, np.integer):
        return int(v)
    return v


def diff_registers(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, *, full: bool = True) -> RegisterDiff:
    """Compare two versions of the office layer, matched by :func:`record_keys`.

    ``full``: the new version is the whole register, so a record missing
    from it is removed; otherwise (an update of some records) it is kept.
    """
    diff = RegisterDiff()
    old_keys, new_keys = record_keys(old), record_keys(new)
    old_at = {k: i for i, k in enumerate(old_keys) if k}
    new_at = {k: i for i, k in enumerate(new_keys) if k}
    for k, i in new_at.items():
        diff.names[k] = new["name"].iat[i] or ""
    for k, i in old_at.items():
        diff.names.setdefault(k, old["name"].iat[i] or "")
    for k, j in new_at.items():
        found = old_at.get(k)
        if found is None:
            diff.added.append(k)
            continue
        i = found
        a, b = old.geometry.iat[i], new.geometry.iat[j]
        moved = False
        if a is not None and b is not None:
            _, _, d = _GEOD.inv(a.x, a.y, b.x, b.y)
            if d > MOVE_TOLERANCE_M:
                diff.moved.append((k, float(d), (a.x, a.y), (b.x, b.y)))
                moved = True
        fields = [(f, _value(old[f].iat[i]), _value(new[f].iat[j])) for f in COMPARED_FIELDS]
        changes = [(k, f, o, n) for f, o, n in fields if o != n]
        diff.changed.extend(changes)
        if not changes and not moved:
            diff.unchanged += 1
    if full:
        diff.removed = [k for k in old_at if k not in new_at]
    return diff


def _version_rows(offices: gpd.GeoDataFrame, positions: list[int], *, valid_from: str, import_file: str,
                  change: str) -> pd.DataFrame:
    if not positions:
        return empty_history()
    sub = offices.iloc[positions]
    keys = record_keys(offices)
    df = pd.DataFrame({c: sub[c].to_numpy(dtype=object) for c in SCHEMA["offices"]})
    df.insert(0, "record", [keys[p] for p in positions])
    df["valid_from"] = valid_from
    df["valid_to"] = None
    df["import_file"] = import_file
    df["change"] = change
    df["lon"] = [g.x if g is not None else np.nan for g in sub.geometry]
    df["lat"] = [g.y if g is not None else np.nan for g in sub.geometry]
    return _history_types(df[HISTORY_COLUMNS])


def version_time(as_of: object | None, now: str) -> str:
    """The time a new register version is valid from: ``as_of`` (a date, Solar Hijri accepted) or ``now``."""
    if as_of is None or as_of == "":
        return now
    try:
        d = parse_date(as_of)
    except ValueError as exc:
        raise InputError(f"--as-of: {exc}", source="--as-of") from None
    assert d is not None
    return d.isoformat()


def update_history(ws: Workspace, new: gpd.GeoDataFrame, diff: RegisterDiff, *, valid_from: str,
                   import_file: str) -> pd.DataFrame:
    """The office history after ``new`` replaces ``ws.offices`` (as ``diff`` describes).

    A workspace whose offices were imported before the history existed is
    seeded with its current records, valid from their last import.
    Refuses (:class:`InputError`) a version dated before the latest one: history is not rewritten.
    """
    hist = ws.office_history
    if not len(hist) and len(ws.offices):
        seeded_from = _last_office_import(ws) or valid_from
        hist = _version_rows(ws.offices, list(range(len(ws.offices))), valid_from=seeded_from,
                             import_file=_last_office_file(ws) or "(before the history was kept)", change="added")
    if len(hist):
        latest = max(str(v) for v in hist["valid_from"])
        if valid_from[:10] < latest[:10]:
            raise InputError(
                f"--as-of {valid_from[:10]}: the office history already has a version of {latest[:10]}; "
                "register versions are imported in date order (nothing was written)", source="--as-of")
    hist = hist.copy()
    open_rows = hist["valid_to"].isna().to_numpy() & (hist["change"] != "removed").to_numpy()
    key_rows: dict[str, int] = {}
    for pos in np.flatnonzero(open_rows).tolist():
        key_rows[str(hist["record"].iat[pos])] = pos
    ending = set(diff.removed) | {k for k, *_ in diff.moved} | {k for k, *_ in diff.changed}
    for k in ending:
        row = key_rows.get(k)
        if row is not None:
            hist.iat[row, hist.columns.get_loc("valid_to")] = valid_from
    new_keys = record_keys(new)
    at = {k: i for i, k in enumerate(new_keys) if k}
    parts = [hist]
    moved = {k for k, *_ in diff.moved}
    for change, keys in (("added", diff.added), ("moved", sorted(moved)),
                         ("changed", sorted({k for k, *_ in diff.changed} - moved))):
        parts.append(_version_rows(new, [at[k] for k in keys if k in at], valid_from=valid_from,
                                   import_file=import_file, change=change))
    # a record without a key cannot be followed between versions: kept as added each time it appears
    keyless = [i for i, k in enumerate(new_keys) if not k]
    if keyless:
        parts.append(_version_rows(new, keyless, valid_from=valid_from, import_file=import_file, change="added"))
    removed = [key_rows[k] for k in diff.removed if k in key_rows]
    if removed:
        gone = hist.iloc[removed].copy()
        gone["valid_from"] = valid_from
        gone["valid_to"] = valid_from
        gone["change"] = "removed"
        gone["import_file"] = import_file
        parts.append(gone)
    return _history_types(pd.concat([p for p in parts if len(p)], ignore_index=True)) if any(
        len(p) for p in parts) else empty_history()


def _office_imports(ws: Workspace) -> pd.DataFrame:
    imp = ws.imports
    if not len(imp) or "layer" not in imp.columns:
        return imp.iloc[0:0]
    return imp[imp["layer"].astype(str) == "offices"]


def _last_office_import(ws: Workspace) -> str | None:
    imp = _office_imports(ws)
    return str(imp["time"].iloc[-1]) if len(imp) else None


def _last_office_file(ws: Workspace) -> str | None:
    imp = _office_imports(ws)
    return str(imp["file"].iloc[-1]) if len(imp) else None


def _day(when: object) -> str:
    try:
        d = parse_date(when)
    except ValueError as exc:
        raise InputError(f"date: {exc}", source="--date") from None
    if d is None:
        raise InputError("date: empty", source="--date")
    return d.isoformat() if isinstance(d, date) else str(d)


def versions(ws: Workspace) -> pd.DataFrame:
    """One row per register version in the history: when, from which file, and what it changed."""
    h = ws.office_history
    if not len(h):
        return pd.DataFrame(columns=["valid_from", "import_file", "added", "moved", "changed", "removed"])
    g = h.groupby(["valid_from", "import_file"], sort=True, dropna=False)["change"]
    out = g.value_counts().unstack(fill_value=0).reset_index()
    for c in ("added", "moved", "changed", "removed"):
        if c not in out.columns:
            out[c] = 0
    return out[["valid_from", "import_file", "added", "moved", "changed", "removed"]]


def offices_at(ws: Workspace, when: object) -> gpd.GeoDataFrame:
    """The office layer as it stood at the end of day ``when`` (ISO or Solar Hijri date).

    A workspace with no history yet has only its current layer: it is
    returned for a day on or after the offices' last import; an earlier day
    is refused with the reason.
    """
    day = _day(when)
    h = ws.office_history
    if not len(h):
        last = _last_office_import(ws)
        if last is None or last[:10] <= day:
            return ws.offices
        raise InputError(f"no office history before {last[:10]} (the register was imported then and no "
                         "earlier version is kept)", source="--date")
    first = min(str(v) for v in h["valid_from"])
    if day < first[:10]:
        raise InputError(f"the office history starts on {first[:10]}; nothing is known of the offices on {day}",
                         source="--date")
    live = np.array([str(a)[:10] <= day and (pd.isna(b) or str(b)[:10] > day) and c != "removed"
                     for a, b, c in zip(h["valid_from"], h["valid_to"], h["change"], strict=True)], dtype=bool)
    rows = h[live]
    import shapely

    return make_layer("offices", rows[list(SCHEMA["offices"])].reset_index(drop=True),
                      shapely.points(rows["lon"].to_numpy(float), rows["lat"].to_numpy(float)))


def record_history(ws: Workspace, key: str) -> pd.DataFrame:
    """Every version of one record (by licence number or office id), oldest first."""
    h = ws.office_history
    rows = h[h["record"].astype(str) == str(key)]
    if not len(rows):
        raise InputError(f"no office record {key!r} in the history", source="--record")
    return rows.sort_values("valid_from", kind="stable").reset_index(drop=True)
