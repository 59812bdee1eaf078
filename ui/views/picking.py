"""Choosing a candidate site: on an H3 grid, by typed coordinates, or by settlement name.

A map in the dashboard (pydeck through ``st.pydeck_chart``) reports the
*objects* a user picks, not the coordinate of a click on empty ground. So the
map carries a pickable grid of H3 cells (h3 v4) and the picked cell's centre
becomes the candidate. Two levels make that precise enough:

* the coarse grid (:data:`COARSE_RESOLUTION`, cells of about 36 km²) over the
  service gaps of the chosen licence type, and
* a fine grid (:data:`FINE_RESOLUTION`, about 0.7 km², edge about 460 m): the
  children of the coarse cell that holds the current candidate, drawn around
  it so that a second click refines the site.

Typed coordinates (Persian or ASCII digits, decimal or DMS) and a settlement
name refine or replace a picked site. Every entry point returns a
:class:`Candidate`; bad input raises :class:`~siting.errors.InputError` with
a message naming the field.

The functions that read a map selection take plain mappings (layer id ->
list of picked objects), so they are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import h3
import numpy as np
import pandas as pd

from siting.coverage import covered_mask, nearest_offices
from siting.errors import InputError
from siting.gaps import gap_cells
from siting.geo import project_xy
from siting.io.readers import (
    CoordinatePairError,
    CoordinateRangeError,
    parse_coordinate,
    parse_coordinate_pair,
    split_coordinate_pair,
)
from siting.rules import Rules, load_rules
from siting.rules.site import site_point_problem
from siting.rules.validate import find_settlement
from siting.text import clean_text
from siting.workspace import Workspace

COARSE_RESOLUTION = 6
FINE_RESOLUTION = 8

# Layer ids of the pickable map layers, in the order a selection is read.
LAYER_FINE = "pick-fine"
LAYER_COARSE = "pick-cells"
LAYER_SETTLEMENTS = "settlements"
PICK_LAYERS = (LAYER_FINE, LAYER_COARSE, LAYER_SETTLEMENTS)
# A pickable layer's id may carry a generation after this mark ("pick-cells~3"): the applicant's map
# keeps its widget (and deck.gl its layers) across reruns, and a new generation after a site set by
# search or typing makes a click on the object picked before a new pick, not a deselection.
GENERATION_MARK = "~"


def base_layer(layer_id: str) -> str:
    """A layer's id without its generation.

    >>> base_layer("pick-cells~3"), base_layer("settlements")
    ('pick-cells', 'settlements')
    """
    return str(layer_id).split(GENERATION_MARK, 1)[0]

Source = Literal["cell", "fine-cell", "settlement", "typed"]


class CandidateError(InputError):
    """Unusable site input, with a ``code`` and ``params`` so that a screen can say it in Persian.

    ``str(error)`` is the English message naming the field; ``code`` is one of
    ``not_a_number``, ``missing``, ``out_of_range``, ``outside_region``,
    ``swapped``, ``bad_cell``, ``no_settlement``, ``settlement_not_found``,
    ``settlement_ambiguous``.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Candidate:
    """A candidate site (WGS84) and how it was chosen.

    ``label`` names it for people: the H3 cell id, the settlement name or
    the typed coordinates. ``cell`` is the coarse H3 cell holding the site,
    whose children form the fine picking grid.
    """

    lon: float
    lat: float
    source: Source
    label: str
    settlement: str | None = None

    @property
    def cell(self) -> str:
        return h3.latlng_to_cell(self.lat, self.lon, COARSE_RESOLUTION)

    def to_dict(self) -> dict[str, Any]:
        return {"lon": self.lon, "lat": self.lat, "source": self.source, "label": self.label,
                "settlement": self.settlement}


def cell_centre(cell: object) -> tuple[float, float]:
    """(lon, lat) of an H3 cell's centre; :class:`InputError` for anything but a valid cell id."""
    text = str(cell or "").strip()
    try:
        valid = bool(text) and h3.is_valid_cell(text)
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise CandidateError("bad_cell", f"map selection: {text!r} is not an H3 cell", value=text)
    lat, lon = h3.cell_to_latlng(text)
    return float(lon), float(lat)


def pick_cells(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    licence_type: str = "any",
    county: str | None = None,
    resolution: int = COARSE_RESOLUTION,
) -> pd.DataFrame:
    """The coarse picking grid: H3 cells of the region in the service gap of ``licence_type``.

    ``licence_type`` is 'urban', 'rural' or 'any'; ``county`` (its
    ``name_fa``) keeps only that county's cells. Columns are those of
    :func:`siting.gaps.gap_cells` plus ``gap`` (in the gap of the chosen type).
    """
    cells = gap_cells(ws, rules, resolution=resolution)
    if not len(cells):
        return cells
    col = f"gap_{licence_type}"
    if col not in cells:
        raise InputError(f"licence type {licence_type!r}: expected urban, rural or any")
    keep = cells[col].to_numpy(dtype=bool)
    if county:
        keep = keep & (cells["county"] == county).to_numpy()
    out = cells[keep].reset_index(drop=True)
    out["gap"] = True
    return out


def fine_cells(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    cell: str,
    resolution: int = FINE_RESOLUTION,
) -> pd.DataFrame:
    """The fine picking grid: children of coarse ``cell`` whose centre lies in the region.

    Columns ``h3``, ``lon``, ``lat``, ``gap_urban``, ``gap_rural``, ``gap_any``
    (centre beyond the service radius of every office of that type).
    """
    cell_centre(cell)  # validates the id
    children = sorted(h3.cell_to_children(cell, resolution))
    centres = np.array([h3.cell_to_latlng(c) for c in children])
    lat, lon = centres[:, 0], centres[:, 1]
    inside = ws.in_region(lon, lat)
    children = [c for c, ok in zip(children, inside, strict=True) if ok]
    lat, lon = lat[inside], lon[inside]
    radii = (rules or load_rules()).radii()
    xy = np.column_stack(project_xy(lon, lat, ws.metric_crs.distance)) if len(lon) else np.empty((0, 2))
    cov = covered_mask(nearest_offices(ws, xy), radii)
    return pd.DataFrame({
        "h3": children, "lon": lon, "lat": lat,
        "gap_urban": ~cov["urban"], "gap_rural": ~cov["rural"], "gap_any": ~cov["any"],
    })


def candidate_from_selection(ws: Workspace, objects: Mapping[str, Sequence[Mapping[str, Any]]]) -> Candidate | None:
    """The candidate a map selection designates, or ``None`` when it designates none.

    ``objects`` is the ``selection["objects"]`` of a pydeck chart: layer id ->
    picked objects (the data rows of that layer). A fine cell wins over a
    coarse cell, which wins over a settlement; other layers (offices, gaps)
    do not choose a site. The cell id is checked and its centre computed
    here, never taken from the browser. Layer ids may carry a generation (:func:`base_layer`).
    """
    objects = {base_layer(k): v for k, v in (objects or {}).items() if v}
    for layer in PICK_LAYERS:
        picked = list(objects.get(layer) or [])
        if not picked:
            continue
        obj = picked[0]
        if layer == LAYER_SETTLEMENTS:
            code = obj.get("code")
            if code in (None, ""):
                raise CandidateError("no_settlement", "map selection: the picked settlement has no code")
            return candidate_from_settlement(ws, str(code))
        lon, lat = cell_centre(obj.get("h3"))
        return Candidate(lon, lat, "fine-cell" if layer == LAYER_FINE else "cell", str(obj.get("h3")))
    return None


def candidate_from_settlement(ws: Workspace, name_or_code: str) -> Candidate:
    """The site of a settlement given by name (Persian or English) or code."""
    query = str(name_or_code or "").strip()
    if not query:
        raise CandidateError("no_settlement", "settlement: type a settlement's name or code")
    try:
        row = find_settlement(ws, query)
    except InputError as exc:
        code = "settlement_ambiguous" if "ambiguous" in str(exc) else "settlement_not_found"
        raise CandidateError(code, str(exc), query=query) from None
    g = ws.settlements.geometry.iat[row]
    name = ws.settlements["name_fa"].iat[row] or ws.settlements["name_en"].iat[row] or str(name_or_code)
    return Candidate(float(g.x), float(g.y), "settlement", str(name), settlement=str(ws.settlements["code"].iat[row]))


def candidate_from_text(ws: Workspace, lat_text: object, lon_text: object) -> Candidate:
    """A typed site: latitude and longitude as people write them ('۳۲٫۸۷', '32.87', '32°52′N').

    A pair pasted into one field with the other left blank ('32.8663 59.2211', '۵۹٫۲۲۱۱، ۳۲٫۸۶۶۳') is
    read in the order that puts it inside the region (:func:`siting.io.readers.parse_coordinate_pair`).

    Raises :class:`InputError` when a value is missing or not a coordinate,
    out of range (``1e400`` included), or outside the region (saying so when latitude and
    longitude look exchanged), or a pasted pair lies outside the region in both orders or inside in both.
    """
    pasted = lon_text if clean_text(lat_text) is None else (lat_text if clean_text(lon_text) is None else None)
    try:
        pair = split_coordinate_pair(pasted) if pasted is not None else None
        if pair is not None:
            lon, lat = parse_coordinate_pair(pasted, lambda x, y: bool(ws.in_region(x, y)[0]))
            return Candidate(lon, lat, "typed", f"{lat:.5f}, {lon:.5f}")
    except CoordinatePairError as exc:
        raise CandidateError(exc.code, str(exc), **exc.params) from None
    except CoordinateRangeError:
        raise CandidateError("out_of_range", f"{pasted!r} is out of range", field="latitude",
                             value=str(pasted)) from None
    except ValueError as exc:
        raise CandidateError("not_a_number", str(exc), field="latitude", value=str(pasted)) from None
    values = {}
    for name, text in (("latitude", lat_text), ("longitude", lon_text)):
        try:
            v = parse_coordinate(text)
        except CoordinateRangeError:
            raise CandidateError("out_of_range", f"{name}: {str(text)!r} is out of range", field=name,
                                 value=str(text)) from None
        except ValueError:
            raise CandidateError("not_a_number", f"{name}: {str(text)!r} is not a number (e.g. 32.8663 or ۳۲٫۸۶۶۳)",
                                 field=name, value=str(text)) from None
        if v is None or not np.isfinite(v):
            raise CandidateError("missing", f"{name}: missing", field=name)
        values[name] = v
    lat, lon = values["latitude"], values["longitude"]
    for name, v, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
        if not -limit <= v <= limit:
            raise CandidateError("out_of_range", f"{name}: {v} is outside -{limit}…{limit}", field=name, value=v)
    problem = site_point_problem(ws, lon, lat)  # the one check, shared with the tracker's request form
    if problem is not None:
        name = _region_name(ws)
        if problem == "swapped":
            raise CandidateError("swapped", f"site: latitude {lat} / longitude {lon} lies outside {name}; "
                                 "latitude and longitude look exchanged", lat=lat, lon=lon)
        raise CandidateError("outside_region", f"site: latitude {lat} / longitude {lon} lies outside {name}",
                             lat=lat, lon=lon)
    return Candidate(lon, lat, "typed", f"{lat:.5f}, {lon:.5f}")


def _region_name(ws: Workspace) -> str:
    if len(ws.region):
        return str(ws.region["name_en"].iat[0] or ws.region["name_fa"].iat[0] or "the region")
    return "the region"


__all__ = [
    "COARSE_RESOLUTION",
    "FINE_RESOLUTION",
    "LAYER_COARSE",
    "LAYER_FINE",
    "LAYER_SETTLEMENTS",
    "PICK_LAYERS",
    "Candidate",
    "CandidateError",
    "candidate_from_selection",
    "candidate_from_settlement",
    "candidate_from_text",
    "cell_centre",
    "fine_cells",
    "pick_cells",
]
