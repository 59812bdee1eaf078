"""Validation of a proposed office site against the site and licensing rules.

:func:`validate_site` answers, for one point and licence type: which county
it is in, the nearest existing offices, the result of every rule with the
measured value, the threshold and an explanation in Persian and English, the
population the site would newly cover, and the pending proposals that lie too
close to it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from siting import fmt
from siting.coverage import covered_mask, nearest_offices
from siting.errors import InputError
from siting.geo import project_xy
from siting.rules import LicenceRules, RuleResult, Rules, check_applicant, load_rules
from siting.rules.config import Status
from siting.rules.site import PASS, UNDECIDED, SiteChecks, check_sites
from siting.text import match_key
from siting.vocab import parse_applicant_type, parse_licence_type
from siting.workspace import Workspace


@dataclass(frozen=True)
class NearOffice:
    office_id: str | None
    name: str | None
    licence_type: str
    distance_m: float
    lon: float
    lat: float
    county: str | None
    #: "approximate" when the office was placed at the settlement its register names (no coordinates)
    location: str = "exact"


@dataclass(frozen=True)
class Conflict:
    """A pending proposal within the minimum distance of the validated site."""

    proposal_id: str
    name: str | None
    licence_type: str
    distance_m: float
    threshold_m: float
    #: the competing application's status, in the tracker's report for an applicant (who sees no id or name)
    status: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """Everything the working group needs to judge one proposed site."""

    lon: float
    lat: float
    licence_type: str
    applicant_type: str | None
    county: str | None
    settlement: str | None
    status: str
    rules: tuple[RuleResult, ...]
    nearest_offices: tuple[NearOffice, ...]
    newly_covered_population: int
    newly_covered_settlements: tuple[dict[str, Any], ...]
    conflicts: tuple[Conflict, ...]
    sample: bool
    notes: tuple[str, ...] = field(default=())

    def rule(self, rule_id: str) -> RuleResult:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; :meth:`from_dict` reads it back."""
        d = asdict(self)
        d["rules"] = [r.to_dict() for r in self.rules]
        for o in d["nearest_offices"]:
            o["distance_m"] = round(o["distance_m"], 1)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> ValidationReport | None:
        """The report :meth:`to_dict` wrote (e.g. stored by the tracker), or ``None`` for a site
        without a point (status ``not_located``) or no report at all."""
        if not d or d.get("status") == "not_located" or d.get("lon") is None:
            return None
        return cls(
            lon=float(d["lon"]), lat=float(d["lat"]), licence_type=d["licence_type"],
            applicant_type=d.get("applicant_type"), county=d.get("county"), settlement=d.get("settlement"),
            status=d["status"], rules=tuple(RuleResult(**r) for r in d.get("rules", ())),
            nearest_offices=tuple(NearOffice(**o) for o in d.get("nearest_offices", ())),
            newly_covered_population=int(d.get("newly_covered_population") or 0),
            newly_covered_settlements=tuple(d.get("newly_covered_settlements", ())),
            conflicts=tuple(Conflict(**c) for c in d.get("conflicts", ())),
            sample=bool(d.get("sample", False)), notes=tuple(d.get("notes", ())))


@dataclass(frozen=True)
class ProposalSet:
    """Pending proposals prepared for fast conflict queries."""

    ids: np.ndarray
    names: np.ndarray
    types: np.ndarray
    xy: np.ndarray
    tree: cKDTree | None

    @classmethod
    def from_frame(cls, ws: Workspace, gdf: gpd.GeoDataFrame) -> ProposalSet:
        """From a GeoDataFrame with ``proposal_id``, ``name``, ``licence_type`` and point geometry."""
        if len(gdf) == 0:
            return cls(np.array([], object), np.array([], object), np.array([], object), np.empty((0, 2)), None)
        x, y = project_xy(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), ws.metric_crs.distance)
        xy = np.column_stack([x, y])
        return cls(
            gdf["proposal_id"].astype(str).to_numpy(dtype=object),
            gdf["name"].to_numpy(dtype=object) if "name" in gdf else np.full(len(gdf), None, object),
            gdf["licence_type"].to_numpy(dtype=object),
            xy,
            cKDTree(xy),
        )


def find_settlement(ws: Workspace, query: str) -> int:
    """Row position of the settlement whose code or name matches ``query``.

    Names match after normalisation (Arabic/Persian letters, digits, ZWNJ,
    spacing). Raises :class:`InputError` for no match (with suggestions) or
    several matches (naming their counties).
    """
    s = ws.settlements
    q = str(query).strip()
    codes = s["code"].astype(object).to_numpy()
    hits = np.flatnonzero(codes == q)
    if len(hits) == 1:
        return int(hits[0])
    key = match_key(q)
    if not key:
        raise InputError("settlement: empty name")
    keys_fa = np.array([match_key(v) for v in s["name_fa"]], dtype=object)
    keys_en = np.array([match_key(v) for v in s["name_en"]], dtype=object)
    hits = np.flatnonzero((keys_fa == key) | (keys_en == key))
    if len(hits) == 1:
        return int(hits[0])
    if len(hits) > 1:
        where = ", ".join(f"{s['name_fa'].iat[i]} ({s['county'].iat[i] or '?'}; code {s['code'].iat[i]})" for i in hits[:8])
        raise InputError(f"settlement {query!r} is ambiguous: {where}; give its code instead")
    names = {k: n for k, n in zip(keys_fa, s["name_fa"], strict=True) if k}
    names.update({k: n for k, n in zip(keys_en, s["name_en"], strict=True) if k})
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(names[c] for c in close)}?" if close else ""
    raise InputError(f"settlement {query!r} not found in the workspace{hint}")


def _r(
    rule_id: str,
    ok: bool | None,
    value: Any,
    threshold: Any,
    unit: str | None,
    title: tuple[str, str],
    msgs: dict[str, tuple[str, str]],
    basis: str = "policy",
) -> RuleResult:
    status: Status = "warn" if ok is None else ("pass" if ok else "fail")
    fa, en = msgs[status]
    return RuleResult(rule_id, status, value, threshold, unit, fa, en, basis, title[0], title[1])


def validate_site(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    licence_type: str,
    lon: float | None = None,
    lat: float | None = None,
    settlement: str | None = None,
    applicant_type: str | None = None,
    proposals: ProposalSet | None = None,
    exclude_proposal: str | None = None,
    n_nearest: int = 5,
) -> ValidationReport:
    """Validate a proposed site.

    Give either ``lon``/``lat`` (WGS84 degrees) or ``settlement`` (name or
    code; the site is the settlement's point). ``licence_type`` accepts what
    people write ('شهری', 'ICT روستایی', 'urban', ...). ``proposals`` are the
    other pending proposals; ``exclude_proposal`` leaves the one being
    validated out of its own conflicts.

    Raises :class:`InputError` for unusable input (no coordinates, values
    out of range, unknown settlement, unknown licence type).
    """
    rules = rules or load_rules()
    try:
        ltype = parse_licence_type(licence_type)
        atype = parse_applicant_type(applicant_type) if applicant_type not in (None, "") else None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    settlement_name = None
    if settlement not in (None, ""):
        row = find_settlement(ws, str(settlement))
        geom = ws.settlements.geometry.iat[row]
        lon, lat = float(geom.x), float(geom.y)
        settlement_name = ws.settlements["name_fa"].iat[row]
    if lon is None or lat is None:
        raise InputError("site: give --lon and --lat, or --settlement")
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InputError(f"site: coordinates must be numbers, got lon={lon!r}, lat={lat!r}") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not np.isfinite([lon, lat]).all():
        raise InputError(f"site: lon={lon} lat={lat} is not a WGS84 longitude/latitude")

    sec = rules.for_type(ltype)
    chk = check_sites(ws, rules, ltype, [lon], [lat])  # the one definition of the site rules
    xy = chk.xy
    county = ws.county_of(lon, lat)[0]
    inside = bool(chk.inside_region[0])
    results: list[RuleResult] = []

    results.append(_r(
        "inside_region", inside, "inside" if inside else "outside", "inside", None,
        ("داخل استان", "Inside the province"),
        {"pass": ("محل پیشنهادی درون محدودهٔ استان است.", "The site lies inside the province."),
         "fail": ("محل پیشنهادی بیرون از محدودهٔ استان است.", "The site lies outside the province.")},
        basis="guide",
    ))

    for rid, key, thr, title in (
        ("min_distance_same_type", "same_type", sec.min_distance_same_type_m,
         ("فاصله تا دفتر هم‌نوع", "Distance to the nearest office of the same type")),
        ("min_distance_any_type", "any_type", sec.min_distance_any_type_m,
         ("فاصله تا هر دفتر", "Distance to the nearest office of any type")),
    ):
        d = float(chk.dist[key][0])
        kind_fa = sec.label_fa if key != "any_type" else "دفتر"
        kind_en = sec.label_en if key != "any_type" else "office"
        if not np.isfinite(d):
            results.append(_r(rid, True, None, thr, "m", title, {"pass": (
                f"هیچ {kind_fa} فعالی در فضای کاری ثبت نشده است.",
                f"No active {kind_en} is recorded in the workspace.")}))
            continue
        oname = ws.offices["name"].iat[int(chk.row[key][0])] or ws.offices["office_id"].iat[int(chk.row[key][0])]
        results.append(_r(rid, _ok(chk, rid), round(d, 1), thr, "m", title, {
            "pass": (f"نزدیک‌ترین {kind_fa} ({oname}) {fmt.distance(d)} فاصله دارد؛ حداقل لازم {fmt.distance(thr)} است.",
                     f"The nearest {kind_en} ({oname}) is {fmt.distance(d, 'en')} away; the minimum is {fmt.distance(thr, 'en')}."),
            "fail": (f"نزدیک‌ترین {kind_fa} ({oname}) فقط {fmt.distance(d)} فاصله دارد؛ حداقل لازم {fmt.distance(thr)} است.",
                     f"The nearest {kind_en} ({oname}) is only {fmt.distance(d, 'en')} away; the minimum is {fmt.distance(thr, 'en')}."),
        }))

    results.extend(_settlement_rules(ws, sec, chk))

    # population newly covered: settlements within the site's radius not covered today
    newly, newly_rows, unknown_rows = _newly_covered(ws, rules, sec, xy)
    thr = sec.min_uncovered_population
    if newly >= thr:
        ok: bool | None = True
    elif len(unknown_rows) or (ltype == "rural" and not len(ws.index.village_rows)):
        ok = None
    else:
        ok = False
    results.append(_r(
        "min_uncovered_population", ok, newly, thr, "people",
        ("جمعیت بدون پوشش در شعاع خدمت", "Uncovered population within the service radius"),
        {"pass": (f"{fmt.number(newly)} نفر در شعاع {fmt.distance(sec.service_radius_m)} این محل هنوز پوشش ندارند؛ حداقل لازم {fmt.number(thr)} نفر است.",
                  f"{fmt.number(newly, 'en')} people within {fmt.distance(sec.service_radius_m, 'en')} of the site have no office yet; the minimum is {fmt.number(thr, 'en')}."),
         "fail": (f"فقط {fmt.number(newly)} نفر در شعاع {fmt.distance(sec.service_radius_m)} این محل بدون پوشش‌اند؛ حداقل لازم {fmt.number(thr)} نفر است.",
                  f"Only {fmt.number(newly, 'en')} uncovered people live within {fmt.distance(sec.service_radius_m, 'en')} of the site; the minimum is {fmt.number(thr, 'en')}."),
         "warn": (f"{fmt.number(newly)} نفر بدون پوشش شمرده شد، اما جمعیت همهٔ سکونتگاه‌های این محدوده (یا روستاها) در فضای کاری نیست؛ کارگروه باید جمعیت را بررسی کند (حداقل {fmt.number(thr)} نفر).",
                  f"{fmt.number(newly, 'en')} uncovered people counted, but the workspace lacks the population of some settlements here (or has no villages); the working group must check it (minimum {fmt.number(thr, 'en')})."),
         },
    ))

    if atype is not None:
        results.extend(check_applicant(rules, ltype, atype))

    conflicts = _conflicts(rules, ltype, xy, proposals, exclude_proposal)
    if proposals is not None:
        results.append(_r(
            "proposal_conflicts", True if not conflicts else None, len(conflicts), 0, "proposals",
            ("تداخل با درخواست‌های در جریان", "Conflicts with pending proposals"),
            {"pass": ("هیچ درخواست در جریانی در فاصلهٔ کمتر از حداقل مجاز نیست.",
                      "No pending proposal lies within the minimum distance."),
             "warn": ("درخواست‌های در جریان نزدیک: " + "، ".join(f"{c.proposal_id} ({fmt.distance(c.distance_m)})" for c in conflicts),
                      "Pending proposals too close: " + ", ".join(f"{c.proposal_id} ({fmt.distance(c.distance_m, 'en')})" for c in conflicts))},
        ))

    nearest = _nearest_list(ws, xy, n_nearest)
    statuses = {r.status for r in results}
    overall = "fail" if "fail" in statuses else ("warn" if "warn" in statuses else "pass")
    s = ws.settlements
    newly_list = tuple(
        {"code": s["code"].iat[i], "name_fa": s["name_fa"].iat[i], "kind": s["kind"].iat[i],
         "population": None if s["population"].iat[i] is None or s["population"].isna().iat[i] else int(s["population"].iat[i])}
        for i in (*newly_rows, *unknown_rows)
    )
    notes = []
    if ws.is_sample:
        notes.append("sample data: not official / دادهٔ نمونه، غیررسمی")
    approx = [o for o in nearest if o.location == "approximate"]
    if approx:
        notes.append(
            "located approximately (at the settlement the register names, not surveyed): "
            + ", ".join(f"{o.name or o.office_id} ({fmt.distance(o.distance_m, 'en')})" for o in approx)
            + "; distances to them are approximate / موقعیت این دفترها تقریبی است (محل آبادیِ نام‌برده در "
            "دفتر ثبت)؛ فاصله تا آن‌ها تقریبی است: " + "، ".join(o.name or str(o.office_id) for o in approx))
    return ValidationReport(
        lon=lon, lat=lat, licence_type=ltype, applicant_type=atype, county=county, settlement=settlement_name,
        status=overall, rules=tuple(results), nearest_offices=nearest, newly_covered_population=int(newly),
        newly_covered_settlements=newly_list, conflicts=tuple(conflicts), sample=ws.is_sample, notes=tuple(notes),
    )


def _ok(chk: SiteChecks, rule_id: str) -> bool | None:
    """The shared rule outcome of the single checked site: True, False, or None (undecided)."""
    code = chk.status[rule_id][0]
    return None if code == UNDECIDED else bool(code == PASS)


def _settlement_rules(ws: Workspace, sec: LicenceRules, chk: SiteChecks) -> list[RuleResult]:
    s = ws.settlements
    out = []

    def nearest(key: str) -> tuple[float, str | None]:
        row = int(chk.row[key][0])
        return float(chk.dist[key][0]), (None if row < 0 else s["name_fa"].iat[row])

    dc, city = nearest("city")
    r = sec.city_radius_m
    if sec.site_in_city:
        if city is None:
            out.append(_r("site_in_city", None, None, r, "m", ("درون شهر", "Inside a city"), {"warn": (
                "هیچ شهری در فضای کاری ثبت نشده است؛ شرط «درون شهر» بررسی نشد.",
                "The workspace has no cities; the inside-a-city rule could not be checked.")}))
        else:
            out.append(_r("site_in_city", _ok(chk, "site_in_city"), round(dc, 1), r, "m", ("درون شهر", "Inside a city"), {
                "pass": (f"محل درون شهر {city} است ({fmt.distance(dc)} از مرکز آن).",
                         f"The site is inside the city of {city} ({fmt.distance(dc, 'en')} from its centre)."),
                "fail": (f"دفتر شهری باید درون شهر باشد؛ نزدیک‌ترین شهر ({city}) {fmt.distance(dc)} فاصله دارد و شعاع شهر {fmt.distance(r)} است.",
                         f"An urban office must be inside a city; the nearest city ({city}) is {fmt.distance(dc, 'en')} away, beyond the city radius of {fmt.distance(r, 'en')}."),
            }))
    if sec.site_outside_city:
        title = ("بیرون از شهر", "Outside cities")
        if city is None:
            out.append(_r("site_outside_city", True, None, r, "m", title, {"pass": (
                "هیچ شهری در فضای کاری ثبت نشده است.", "The workspace has no cities.")}))
        else:
            out.append(_r("site_outside_city", _ok(chk, "site_outside_city"), round(dc, 1), r, "m", title, {
                "pass": (f"محل بیرون از شهرهاست؛ نزدیک‌ترین شهر ({city}) {fmt.distance(dc)} فاصله دارد.",
                         f"The site is outside cities; the nearest city ({city}) is {fmt.distance(dc, 'en')} away."),
                "fail": (f"دفتر روستایی نباید درون شهر باشد؛ محل {fmt.distance(dc)} از {city} فاصله دارد (شعاع شهر {fmt.distance(r)}).",
                         f"A rural office must not be inside a city; the site is {fmt.distance(dc, 'en')} from {city} (city radius {fmt.distance(r, 'en')})."),
            }))
    if sec.village_max_distance_m is not None:
        title = ("نزدیک روستا", "Near a village")
        dv, village = nearest("village")
        vr = sec.village_max_distance_m
        if village is None:
            out.append(_r("near_village", None, None, vr, "m", title, {"warn": (
                "هیچ روستایی در فضای کاری ثبت نشده است؛ شرط نزدیکی به روستا بررسی نشد.",
                "The workspace has no villages; the near-a-village rule could not be checked.")}))
        else:
            out.append(_r("near_village", _ok(chk, "near_village"), round(dv, 1), vr, "m", title, {
                "pass": (f"نزدیک‌ترین روستا ({village}) {fmt.distance(dv)} فاصله دارد.",
                         f"The nearest village ({village}) is {fmt.distance(dv, 'en')} away."),
                "fail": (f"دفتر روستایی باید در روستا یا نزدیک آن باشد؛ نزدیک‌ترین روستا ({village}) {fmt.distance(dv)} فاصله دارد و بیشینهٔ مجاز {fmt.distance(vr)} است.",
                         f"A rural office must be in or near a village; the nearest village ({village}) is {fmt.distance(dv, 'en')} away, more than {fmt.distance(vr, 'en')}."),
            }))
    return out


def _newly_covered(ws: Workspace, rules: Rules, sec: LicenceRules, xy: np.ndarray):
    idx = ws.index
    if idx.settlement_tree is None:
        return 0, np.array([], int), np.array([], int)
    rows = np.asarray(idx.settlement_tree.query_ball_point(xy[0], sec.service_radius_m), dtype=int)
    if not len(rows):
        return 0, rows, rows
    near = nearest_offices(ws, idx.settlement_xy[rows])
    covered = covered_mask(near, rules.radii())["any"]
    rows = rows[~covered]
    pop = ws.settlements["population"].to_numpy(dtype=float, na_value=np.nan)[rows]
    known = ~np.isnan(pop)
    return int(pop[known].sum()), rows[known], rows[~known]


def _conflicts(rules: Rules, ltype: str, xy: np.ndarray, proposals: ProposalSet | None,
               exclude: str | None) -> list[Conflict]:
    if proposals is None or proposals.tree is None:
        return []
    sec = rules.for_type(ltype)
    reach = max(sec.min_distance_same_type_m, sec.min_distance_any_type_m)
    out = []
    for i in proposals.tree.query_ball_point(xy[0], reach):
        pid = proposals.ids[i]
        if exclude is not None and pid == exclude:
            continue
        d = float(np.hypot(*(proposals.xy[i] - xy[0])))
        same = proposals.types[i] == ltype
        thr = sec.min_distance_same_type_m if same else sec.min_distance_any_type_m
        if d < thr:
            out.append(Conflict(pid, proposals.names[i], proposals.types[i], round(d, 1), thr))
    return sorted(out, key=lambda c: c.distance_m)


def _nearest_list(ws: Workspace, xy: np.ndarray, n: int) -> tuple[NearOffice, ...]:
    idx = ws.index
    tree = idx.office_trees["any"]
    if tree is None or n <= 0:
        return ()
    k = min(n, tree.n)
    d, i = tree.query(xy[0], k=k)
    d, i = np.atleast_1d(d), np.atleast_1d(i)
    o = ws.offices
    out = []
    for dist, j in zip(d, i, strict=True):
        r = int(idx.office_rows["any"][j])
        g = o.geometry.iat[r]
        out.append(NearOffice(o["office_id"].iat[r], o["name"].iat[r], o["licence_type"].iat[r], float(dist),
                              float(g.x), float(g.y), o["county"].iat[r],
                              o["location"].iat[r] or "exact"))
    return tuple(out)


def validate_many(ws: Workspace, rules: Rules | None, sites: gpd.GeoDataFrame) -> list[ValidationReport]:
    """Validate every proposal in ``sites`` against the rules and against each other.

    ``sites`` has ``proposal_id``, ``licence_type`` (optionally ``applicant_type``,
    ``name``) and point geometry; each proposal's conflicts are the others.
    """
    rules = rules or load_rules()
    props = ProposalSet.from_frame(ws, sites)
    out = []
    for i in range(len(sites)):
        g = sites.geometry.iat[i]
        out.append(validate_site(
            ws, rules, licence_type=sites["licence_type"].iat[i], lon=g.x, lat=g.y,
            applicant_type=sites["applicant_type"].iat[i] if "applicant_type" in sites else None,
            proposals=props, exclude_proposal=str(sites["proposal_id"].iat[i]),
        ))
    return out


__all__ = [
    "Conflict",
    "NearOffice",
    "ProposalSet",
    "ValidationReport",
    "find_settlement",
    "validate_many",
    "validate_site",
]
