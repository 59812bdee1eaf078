"""The data files of the public map: what is published, and nothing more.

Every function here returns plain JSON-ready values built from a workspace and the rules:

- :func:`office_records`: each office's name, licence type, status and point — never its licence
  number, holder, address, dates or source (the issue's rule: no personal data is published);
- :func:`settlement_records`: towns and villages with the search key of
  :func:`siting.text.match_key`, so the page compares keys without re-implementing the folding;
- :func:`gap_features`: the parts of the region without an office of each type
  (:func:`siting.gaps.compute_gaps`), simplified;
- :func:`fold_table`: the characters :func:`~siting.text.match_key` changes, as a table the page
  applies to what a visitor types;
- :func:`applicant_steps`: the steps of a new licence from the tracker's workflow file (the guide,
  as data), read as a file so the analysis does not import the tracker.

Coordinates are rounded to :data:`COORD_DECIMALS` decimals (about 1 m) and polygons simplified with
:data:`SIMPLIFY_DEG` (about 100 m) so that the province's layers stay small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
import yaml

from siting.errors import InputError
from siting.gaps import compute_gaps
from siting.rules import Rules
from siting.text import clean_text, match_key
from siting.vocab import LABELS_EN, LABELS_FA, LICENCE_TYPES
from siting.workspace import Workspace

COORD_DECIMALS = 5
#: Douglas–Peucker tolerance in degrees (about 100 m of latitude).
SIMPLIFY_DEG = 0.001
#: The published office fields: nothing that names, numbers or locates a person.
OFFICE_FIELDS = ("name", "type", "status", "lon", "lat")
WORKFLOW_FILE = Path(__file__).resolve().parents[1] / "tracker" / "workflow.yaml"


def _round(value: float) -> float:
    return round(float(value), COORD_DECIMALS)


def _text(value: Any) -> str | None:
    """A published text value: cleaned, ``None`` for missing values (None, NaN, pd.NA)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return clean_text(value)


def office_records(ws: Workspace) -> list[dict[str, Any]]:
    """One record per office (every status): ``name``, ``type``, ``status``, ``lon``, ``lat``.

    Offices without a point (none in a valid workspace) are left out.
    """
    o = ws.offices
    out = []
    for name, ltype, status, geom in zip(o["name"], o["licence_type"], o["status"], o.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        out.append({"name": _text(name) or "", "type": str(ltype), "status": str(status),
                    "lon": _round(geom.x), "lat": _round(geom.y)})
    return out


def settlement_records(ws: Workspace) -> list[dict[str, Any]]:
    """Towns and villages: ``name``, ``name_en``, ``key`` (:func:`match_key` of the Persian name),
    ``key_en``, ``kind``, ``county``, ``population`` (or ``None``), ``lon``, ``lat``."""
    s = ws.settlements
    pops = s["population"].to_numpy(dtype=float, na_value=np.nan)
    out = []
    for i, geom in enumerate(s.geometry):
        if geom is None or geom.is_empty:
            continue
        name = _text(s["name_fa"].iat[i]) or ""
        name_en = _text(s["name_en"].iat[i]) or ""
        pop = pops[i]
        out.append({"name": name, "name_en": name_en, "key": match_key(name), "key_en": match_key(name_en),
                    "kind": str(s["kind"].iat[i]), "county": _text(s["county"].iat[i]),
                    "population": None if np.isnan(pop) else int(np.rint(pop)),
                    "lon": _round(geom.x), "lat": _round(geom.y)})
    return out


def simplify(geom: shapely.Geometry, tolerance: float = SIMPLIFY_DEG) -> shapely.Geometry:
    """``geom`` simplified (topology kept) and rounded to :data:`COORD_DECIMALS` decimals.

    A part that simplification would empty keeps its unsimplified, rounded outline, so that no
    part disappears from the published map.
    """
    out = shapely.simplify(geom, tolerance, preserve_topology=True)
    if out.is_empty or out.area <= 0:
        out = geom
    return shapely.transform(out, lambda xy: np.round(xy, COORD_DECIMALS))


def feature(geom: shapely.Geometry, properties: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature of a simplified geometry."""
    return {"type": "Feature", "properties": properties, "geometry": shapely.geometry.mapping(simplify(geom))}


def region_features(ws: Workspace) -> dict[str, Any]:
    """The region outline and the counties as a GeoJSON FeatureCollection (``layer`` property)."""
    feats = [feature(g, {"layer": "region", "name": _text(n), "name_en": _text(e)})
             for g, n, e in zip(ws.region.geometry, ws.region["name_fa"], ws.region["name_en"], strict=True)]
    feats += [feature(g, {"layer": "county", "name": _text(n), "name_en": _text(e)})
              for g, n, e in zip(ws.counties.geometry, ws.counties["name_fa"], ws.counties["name_en"],
                                 strict=True)]
    return {"type": "FeatureCollection", "features": feats}


def gap_features(ws: Workspace, rules: Rules) -> dict[str, Any]:
    """The gap parts of each licence type (:func:`compute_gaps`), simplified, as GeoJSON.

    Properties: ``licence_type``, ``rank``, ``gap_id``, ``county``, ``area_km2`` (of the exact part),
    ``settlements`` and ``uncovered_population``. No region: no gaps (an empty collection).
    """
    feats: list[dict[str, Any]] = []
    if not len(ws.region):
        return {"type": "FeatureCollection", "features": feats}
    for ltype in LICENCE_TYPES:
        gaps = compute_gaps(ws, rules, licence_type=ltype)
        for row in gaps.itertuples():
            feats.append(feature(row.geometry, {
                "licence_type": ltype, "rank": int(row.rank), "gap_id": str(row.gap_id),
                "county": _text(row.county), "area_km2": round(float(row.area_km2), 1),
                "settlements": int(row.settlements), "uncovered_population": int(row.uncovered_population)}))
    return {"type": "FeatureCollection", "features": feats}


#: Characters whose folding the page must know: Arabic script, digits, joiners, marks, punctuation.
_FOLD_CANDIDATES = (
    [chr(c) for c in range(0x0600, 0x0700)]
    + [chr(c) for c in range(0x200B, 0x2070)]
    + [chr(c) for c in range(0xFB50, 0xFB60)]
    + list(" -_.'`’‘\u00a0\ufeff\t")
)


def fold_table() -> dict[str, str]:
    """What :func:`match_key` makes of each single character it changes (``""``: dropped).

    The page applies this table, then lower-cases and keeps letters and digits, to fold what a
    visitor types the way the published keys were folded.

    >>> t = fold_table()
    >>> t["ي"], t["ك"], t["\u200c"], t["۳"]
    ('ی', 'ک', '', '3')
    """
    out = {}
    for ch in _FOLD_CANDIDATES:
        key = match_key(ch)
        if key != ch:
            out[ch] = key
    return out


def applicant_steps(path: Path = WORKFLOW_FILE) -> list[dict[str, Any]]:
    """The steps of a request for a new licence, in the workflow file's order.

    Each: ``id``, ``phase`` with ``phase_fa``/``phase_en``, ``fa``, ``en``, ``actor_fa``/``actor_en``,
    ``licence_types`` (``None``: both) and ``guide`` (where the applicant guide says it).
    """
    try:
        wf = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the licensing workflow ({exc})") from None
    phases, actors = wf.get("phases", {}), wf.get("actors", {})
    out = []
    for step in wf.get("steps", []):
        applies = step.get("applies_to") or {}
        if "new" not in applies.get("request_types", ["new"]):
            continue
        phase, actor = step.get("phase", ""), step.get("actor", "")
        out.append({
            "id": step["id"], "phase": phase,
            "phase_fa": phases.get(phase, {}).get("fa", phase), "phase_en": phases.get(phase, {}).get("en", phase),
            "fa": step.get("fa", ""), "en": step.get("en", ""),
            "actor_fa": actors.get(actor, {}).get("fa", actor), "actor_en": actors.get(actor, {}).get("en", actor),
            "licence_types": applies.get("licence_types"), "guide": step.get("guide"),
        })
    return out


def meta_record(ws: Workspace, rules: Rules, *, lang_default: str, basemap_url: str | None) -> dict[str, Any]:
    """What the page needs besides the layers: the SAMPLE flag, radii, labels, steps, the fold table."""
    bounds = ws.region.total_bounds if len(ws.region) else None
    return {
        "sample": ws.is_sample,
        "name": _text(ws.meta.get("name")),
        "lang_default": lang_default,
        "basemap_url": basemap_url,
        "radius_m": {t: float(r) for t, r in rules.radii().items()},
        "type_label_fa": {t: rules.for_type(t).label_fa for t in LICENCE_TYPES},
        "type_label_en": {t: rules.for_type(t).label_en for t in LICENCE_TYPES},
        "labels_fa": LABELS_FA, "labels_en": LABELS_EN,
        "bounds": None if bounds is None else [_round(v) for v in bounds],
        "steps": applicant_steps(),
        "fold": fold_table(),
    }
