"""Public, read-only routes: offices, settlements, coverage, gaps, the site check, the rules.

Every answer comes from the library (the same functions ``siting coverage``, ``gaps`` and
``validate`` call) on the snapshot of the current generation; GeoJSON and coverage are serialised
once per generation, site checks kept in an LRU cache.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from siting.api.errors import FieldError, dumps
from siting.api.state import OFFICE_FIELDS, SETTLEMENT_FIELDS, Snapshot
from siting.errors import InputError
from siting.rules import Rules
from siting.vocab import parse_applicant_type, parse_licence_type

GEOJSON = "application/geo+json"
LicenceFilter = Literal["any", "urban", "rural"]

router = APIRouter(tags=["public"])


def snapshot(request: Request) -> Snapshot:
    snap: Snapshot = request.app.state.holder.snapshot
    return snap


def _send(body: bytes, snap: Snapshot, media_type: str = "application/json") -> Response:
    return Response(body, media_type=media_type, headers={"X-Siting-Generation": str(snap.generation),
                                                          "Cache-Control": "no-cache"})


def _value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    try:
        if v != v:  # pandas NA / NaN
            return None
    except (TypeError, ValueError):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def _points(frame: Any, columns: tuple[str, ...], sample: bool) -> dict[str, Any]:
    cols = [c for c in columns if c in frame.columns]
    xs, ys = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    values = {c: frame[c].to_numpy(dtype=object) for c in cols}
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(xs[i]), float(ys[i])]},
                 "properties": {c: _value(values[c][i]) for c in cols}} for i in range(len(frame))]
    return {"type": "FeatureCollection", "sample": sample, "features": features}


@router.get("/health", summary="Liveness and the workspace generation served")
async def health(request: Request) -> Response:  # no thread hop: the trivial endpoint of the load test
    snap = snapshot(request)
    return _send(dumps({"status": "ok", "generation": snap.generation, "sample": snap.ws.is_sample}), snap)


@router.get("/offices", summary="Existing offices (GeoJSON): name, type, status and position only",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
def offices(request: Request, type: LicenceFilter = "any") -> Response:
    snap = snapshot(request)

    def make() -> dict[str, Any]:
        o = snap.ws.offices
        if type != "any":
            o = o[o["licence_type"] == type]
        return _points(o, OFFICE_FIELDS, snap.ws.is_sample)

    return _send(snap.product(("offices", type), make), snap, GEOJSON)


@router.get("/settlements", summary="Settlements (GeoJSON) with their census population",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
def settlements(request: Request) -> Response:
    snap = snapshot(request)
    return _send(snap.product("settlements", lambda: _points(snap.ws.settlements, SETTLEMENT_FIELDS,
                                                             snap.ws.is_sample)), snap, GEOJSON)


def coverage_dict(snap: Snapshot) -> dict[str, Any]:
    """What ``siting coverage --json`` prints (``workspace``: the file's name, not its path on the server)."""
    from siting.coverage import compute_coverage

    out = compute_coverage(snap.ws, snap.rules).to_dict()
    ws = snap.ws
    out["workspace"] = ws.path.name if ws.path is not None else str(ws.meta.get("name") or "")
    out["population_notes"] = ws.meta.get("population_notes", [])
    return out


@router.get("/coverage", summary="Coverage: province totals and per county (the keys of `siting coverage --json`)")
def coverage(request: Request) -> Response:
    snap = snapshot(request)
    return _send(snap.product("coverage", lambda: coverage_dict(snap)), snap)


@router.get("/gaps", summary="Service gaps (GeoJSON): regions ranked by uncovered population, or H3 cells",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
def gaps(request: Request, type: LicenceFilter = "any",
         h3: Annotated[int | None, Query(description="H3 resolution of gap cells instead of regions")] = None
         ) -> Response:
    snap = snapshot(request)
    top = request.app.state.settings.max_h3_resolution
    if h3 is not None and not 0 <= h3 <= top:
        raise FieldError("h3", "out_of_range", f"h3: resolution {h3} is outside 0–{top} (7 ≈ 5 km² cells)",
                         f"h3: تفکیک {h3} بیرون از بازهٔ ۰ تا {top} است")

    def make() -> bytes:
        from siting.gaps import compute_gaps, gap_cells

        if h3 is None:
            frame = compute_gaps(snap.ws, snap.rules, licence_type=type)
        else:
            cells = gap_cells(snap.ws, snap.rules, resolution=h3, with_geometry=True)
            frame = cells[cells[f"gap_{type}"]]
        frame = frame.copy()
        frame["sample"] = snap.ws.is_sample
        return str(frame.to_json(drop_id=True, ensure_ascii=False)).encode("utf-8")

    return _send(snap.product(("gaps", type, h3), make), snap, GEOJSON)


# -- the site check -----------------------------------------------------------------------------------
_FIELD_FA = {"lon": "طول جغرافیایی", "lat": "عرض جغرافیایی"}


def _coordinate(text: str | None, name: str, limit: float) -> float:
    from siting.io.readers import parse_coordinate

    if text is None or not str(text).strip():
        raise FieldError(name, "missing", f"{name}: missing (or give settlement)",
                         f"{_FIELD_FA[name]} را بنویسید (یا نام سکونتگاه را بدهید).")
    try:
        v = parse_coordinate(str(text)[:64])
    except ValueError:
        v = None
    if v is None or not math.isfinite(v):
        raise FieldError(name, "not_a_number", f"{name}: {str(text)[:64]!r} is not a number; write e.g. 32.8663",
                         f"{_FIELD_FA[name]} «{str(text)[:64]}» عدد نیست؛ مثلاً ۳۲٫۸۶۶۳ یا 32.8663 بنویسید.")
    if not -limit <= v <= limit:
        raise FieldError(name, "out_of_range", f"{name}: {v} is outside -{limit:g}…{limit:g}",
                         f"{_FIELD_FA[name]} «{v}» در محدودهٔ مجاز نیست.")
    return float(v)


def site_point(snap: Snapshot, lon_text: str | None, lat_text: str | None) -> tuple[float, float]:
    """Parse a typed site (Persian digits, DMS) and refuse points outside the region, saying when
    latitude and longitude look exchanged."""
    lon = _coordinate(lon_text, "lon", 180)
    lat = _coordinate(lat_text, "lat", 90)
    ws = snap.ws
    if len(ws.region) and not bool(ws.in_region(lon, lat)[0]):
        if -90 <= lon <= 90 and bool(ws.in_region(lat, lon)[0]):
            raise FieldError("site", "swapped",
                             f"site: lat {lat} / lon {lon} lies outside the province; latitude and longitude "
                             "look exchanged",
                             f"این نقطه (عرض {lat}، طول {lon}) بیرون از استان است؛ به نظر می‌رسد جای عرض و طول "
                             "جغرافیایی عوض شده است.")
        raise FieldError("site", "outside_region",
                         f"site: lat {lat} / lon {lon} lies outside the province; choose a site inside it",
                         f"این نقطه (عرض {lat}، طول {lon}) بیرون از استان است؛ محلی درون استان انتخاب کنید.")
    return lon, lat


def licence_type_of(value: str, field: str = "type") -> str:
    """``urban`` or ``rural`` from what people write; else a :class:`FieldError` naming ``field``."""
    try:
        return parse_licence_type(value)
    except ValueError:
        raise FieldError(field, "unknown_type", f"{field}: {value[:40]!r} is not a licence type; expected urban "
                         "or rural (شهری/روستایی)",
                         f"نوع پروانه «{value[:40]}» شناخته نیست؛ شهری (urban) یا روستایی (rural) بنویسید.") from None


@router.get("/site-check", summary="Validate a proposed site (the keys of `siting validate --json`)")
async def site_check(
    request: Request,
    type: Annotated[str, Query(description="licence type: urban/rural (شهری/روستایی)", max_length=64)],
    lon: Annotated[str | None, Query(description="longitude, WGS84; Persian digits and DMS accepted",
                                     max_length=64)] = None,
    lat: Annotated[str | None, Query(description="latitude, WGS84; Persian digits and DMS accepted",
                                     max_length=64)] = None,
    settlement: Annotated[str | None, Query(description="a settlement's name or code instead of lon/lat",
                                            max_length=200)] = None,
    applicant: Annotated[str | None, Query(description="applicant type: natural/legal (حقیقی/حقوقی)",
                                           max_length=64)] = None,
) -> Response:
    from siting.rules.validate import validate_site

    snap = snapshot(request)
    ltype = licence_type_of(type)
    atype = None
    if applicant not in (None, ""):
        try:
            atype = parse_applicant_type(applicant)
        except ValueError:
            raise FieldError("applicant", "unknown_applicant", f"applicant: {applicant[:40]!r} is neither "
                             "natural nor legal", f"نوع متقاضی «{applicant[:40]}» نه حقیقی است نه حقوقی.") from None
    if settlement not in (None, ""):
        key: tuple = (ltype, atype, "settlement", settlement)

        def by_name() -> dict[str, Any]:
            try:
                return validate_site(snap.ws, snap.rules, licence_type=ltype, settlement=settlement,
                                     applicant_type=atype).to_dict()
            except InputError as exc:
                raise FieldError("settlement", "settlement_not_found", f"settlement: {exc}",
                                 f"سکونتگاهی با نام «{settlement}» در فضای کاری پیدا نشد.") from None

        return _send(snap.cached_check(key, by_name), snap)
    x, y = site_point(snap, lon, lat)
    return _send(snap.cached_check((ltype, atype, x, y), lambda: validate_site(
        snap.ws, snap.rules, licence_type=ltype, lon=x, lat=y, applicant_type=atype).to_dict()), snap)


def rules_dict(rules: Rules) -> dict[str, Any]:
    """The rules in force: each licence type's values and every documented parameter."""
    def section(s: Any) -> dict[str, Any]:
        d = {k: v for k, v in asdict(s).items() if k != "params"}
        d["params"] = {name: asdict(p) for name, p in s.params.items()}
        return d

    return {"source": Path(rules.source).name if rules.source else "", "urban": section(rules.urban), "rural": section(rules.rural),
            "min_education": rules.min_education, "government_employee_allowed": rules.government_employee_allowed,
            "validity_years": rules.validity_years, "renewal_period_years": rules.renewal_period_years,
            "licensing_params": {name: asdict(p) for name, p in rules.licensing_params.items()}}


@router.get("/rules", summary="The rules in force, with their basis and documentation in Persian and English")
def rules(request: Request) -> Response:
    snap = snapshot(request)
    return _send(snap.product("rules", lambda: rules_dict(snap.rules)), snap)


__all__ = ["coverage_dict", "licence_type_of", "router", "rules_dict", "site_point"]
