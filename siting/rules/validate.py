"""Validation of a proposed office site against the site and licensing rules.

:func:`validate_site` answers, for one point and licence type: which county
it is in, the nearest existing offices, the result of every rule with the
measured value, the threshold and an explanation in Persian and English, the
population the site would newly cover, and the pending proposals that lie too
close to it.

Where the licence type is served by travel time (``service_measure: time`` in the rules file, or
``measure="time"``), the site is joined to the workspace's road network
(:func:`siting.network.attach`) and the population it would newly cover is the uncovered population
whose trip to the site takes at most ``service_time_min``: one search bounded by the service time
from the site, on the reversed graph (the trip runs from each settlement to the site). The listed
nearest offices get the travel time from the site to them (a second search from the site, bounded
by ``OFFICE_TIME_FACTOR`` times the service time). A site off the network is a warning, never a
pass. The JSON of a distance report (:meth:`ValidationReport.to_dict`) has the keys it always had;
a travel-time report adds ``measure``, ``site_on_network``, ``site_road_distance_m``,
``travel_time_bound_min`` and each nearest office's ``travel_time_min``. The distance rules (``min_distance_*_m``, city radius, village distance) stay in
metres as the rules file writes them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from siting import fmt
from siting.coverage import covered_mask, nearest_offices
from siting.errors import InputError, RulesError
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
    #: With travel time: minutes of the trip from the site to the office on the road network; None when
    #: not measured, unreachable, or beyond the report's ``travel_time_bound_min``.
    travel_time_min: float | None = None


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
    #: the competing site (WGS84), where the caller knows it (the working group's map); not stored in reports
    lon: float | None = None
    lat: float | None = None


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
    #: "distance" or "time": what decided the population newly covered.
    measure: str = "distance"
    #: With travel time: whether the site joins the road network (None with distance).
    site_on_network: bool | None = None
    #: With travel time: the length of the site's off-road leg to the nearest road (metres).
    site_road_distance_m: float | None = None
    #: With travel time: offices farther than this (minutes) have no ``travel_time_min``.
    travel_time_bound_min: float | None = None

    def rule(self, rule_id: str) -> RuleResult:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; :meth:`from_dict` reads it back."""
        d = _plain(self)
        d["rules"] = [r.to_dict() for r in self.rules]
        by_time = self.measure == "time"
        for c in d["conflicts"]:  # the competing site's point is shown, never stored with the report
            c.pop("lon", None)
            c.pop("lat", None)
        for o in d["nearest_offices"]:
            o["distance_m"] = round(o["distance_m"], 1)
            if not by_time:
                del o["travel_time_min"]
            elif o["travel_time_min"] is not None:
                o["travel_time_min"] = round(o["travel_time_min"], 2)
        if not by_time:  # a distance report keeps the keys it always had
            for key in ("measure", "site_on_network", "site_road_distance_m", "travel_time_bound_min"):
                del d[key]
        elif d["site_road_distance_m"] is not None:
            d["site_road_distance_m"] = round(d["site_road_distance_m"], 1)
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
            sample=bool(d.get("sample", False)), notes=tuple(d.get("notes", ())),
            measure=str(d.get("measure") or "distance"), site_on_network=d.get("site_on_network"),
            site_road_distance_m=d.get("site_road_distance_m"),
            travel_time_bound_min=d.get("travel_time_bound_min"))


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
    # undecided: "unknown" where the rule offers that outcome (the data to evaluate it is missing), else "warn"
    status: Status = ("unknown" if "unknown" in msgs else "warn") if ok is None else ("pass" if ok else "fail")
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
    measure: str | None = None,
) -> ValidationReport:
    """Validate a proposed site.

    Give either ``lon``/``lat`` (WGS84 degrees) or ``settlement`` (name or
    code; the site is the settlement's point). ``licence_type`` accepts what
    people write ('شهری', 'ICT روستایی', 'urban', ...). ``proposals`` are the
    other pending proposals; ``exclude_proposal`` leaves the one being
    validated out of its own conflicts. ``measure`` (``"distance"`` or
    ``"time"``) serves every licence type by that measure
    (:meth:`~siting.rules.Rules.with_measure`); default: the rules file's.

    Raises :class:`InputError` for unusable input (no coordinates, values
    out of range, unknown settlement, unknown licence type), and for travel
    time without a roads layer in the workspace.
    """
    rules = rules or load_rules()
    if measure is not None:
        try:
            rules = rules.with_measure(measure)
        except RulesError as exc:
            raise InputError(f"measure: {exc}") from None
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
    # no active office at all: the office list is missing, so nothing about offices can be decided
    no_offices = ws.index.office_trees["any"] is None

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
        if no_offices:
            results.append(_r(rid, None, None, thr, "m", title, {"unknown": (
                "هیچ دفتر فعالی در فضای کاری ثبت نشده است (فهرست دفترها وارد نشده)؛ فاصله تا دفترها سنجیدنی نیست "
                "و این شرط بررسی نشد.",
                "No active office is recorded in the workspace (no office list imported): the distance to offices "
                "cannot be measured, so this rule was not checked.")}))
            continue
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

    nearest_rows = _nearest_rows(ws, xy, n_nearest)
    nearest = _nearest_list(ws, nearest_rows)
    travel: _Travel | None = None
    thr = sec.min_uncovered_population
    if sec.service_measure == "time":
        travel = _travel_check(ws, rules, sec, lon, lat, nearest, nearest_rows[1])
        newly, newly_rows, unknown_rows = travel.newly, travel.newly_rows, travel.unknown_rows
        nearest = travel.nearest
        results.append(_road_network_rule(travel))
    else:
        # population newly covered: settlements within the site's radius not covered today
        newly, newly_rows, unknown_rows = _newly_covered(ws, rules, sec, xy)
    if no_offices:  # who is covered today is unknown without the office list
        ok: bool | None = None
    elif newly >= thr:
        ok = True
    elif len(unknown_rows) or (ltype == "rural" and not len(ws.index.village_rows)):
        ok = None
    else:
        ok = False
    if travel is None:
        results.append(_r(
            "min_uncovered_population", ok, newly, thr, "people",
            ("جمعیت بدون پوشش در شعاع خدمت", "Uncovered population within the service radius"),
            {"pass": (f"{fmt.number(newly)} نفر در شعاع {fmt.distance(sec.service_radius_m)} این محل هنوز پوشش ندارند؛ حداقل لازم {fmt.number(thr)} نفر است.",
                      f"{fmt.number(newly, 'en')} people within {fmt.distance(sec.service_radius_m, 'en')} of the site have no office yet; the minimum is {fmt.number(thr, 'en')}."),
             "fail": (f"فقط {fmt.number(newly)} نفر در شعاع {fmt.distance(sec.service_radius_m)} این محل بدون پوشش‌اند؛ حداقل لازم {fmt.number(thr)} نفر است.",
                      f"Only {fmt.number(newly, 'en')} uncovered people live within {fmt.distance(sec.service_radius_m, 'en')} of the site; the minimum is {fmt.number(thr, 'en')}."),
             "unknown": _population_unknown(newly, thr, no_offices, f"در شعاع {fmt.distance(sec.service_radius_m)}",
                                            f"within {fmt.distance(sec.service_radius_m, 'en')}"),
             },
        ))
    else:
        results.append(_time_population_rule(sec, travel, newly, thr, ok, no_offices))

    if atype is not None:
        results.extend(check_applicant(rules, ltype, atype))

    conflicts = _conflicts(rules, ltype, xy, proposals, exclude_proposal)
    if proposals is not None:
        results.append(conflict_rule(conflicts))

    results = [_mark_provisional(r, rules, sec) for r in results]
    overall = overall_status(r.status for r in results)
    sc = _columns(ws, "settlements", _SETTLEMENT_COLUMNS)
    newly_list = tuple(
        {"code": sc["code"][i], "name_fa": sc["name_fa"][i], "kind": sc["kind"][i],
         "population": None if sc["population"][i] is None else int(sc["population"][i])}
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
    if travel is not None:
        notes.extend(travel.notes)
    return ValidationReport(
        lon=lon, lat=lat, licence_type=ltype, applicant_type=atype, county=county, settlement=settlement_name,
        status=overall, rules=tuple(results), nearest_offices=nearest, newly_covered_population=int(newly),
        newly_covered_settlements=newly_list, conflicts=tuple(conflicts), sample=ws.is_sample, notes=tuple(notes),
        measure="time" if travel is not None else "distance",
        site_on_network=None if travel is None else travel.on_network,
        site_road_distance_m=None if travel is None or not travel.on_network else travel.leg_m,
        travel_time_bound_min=None if travel is None else travel.bound_min,
    )


#: The overall result: the worst status, an unknown rule outranking a warning and never counting as a pass.
_OVERALL_ORDER = ("fail", "unknown", "warn", "pass")

#: Per rule, the rules-file parameters its threshold comes from (for the provisional mark).
RULE_PARAMS: Mapping[str, tuple[str, ...]] = {
    "min_distance_same_type": ("min_distance_same_type_m",),
    "min_distance_any_type": ("min_distance_any_type_m",),
    "site_in_city": ("city_radius_m",),
    "site_outside_city": ("city_radius_m",),
    "near_village": ("village_max_distance_m",),
    "min_uncovered_population": ("min_uncovered_population", "service_radius_m"),
    "proposal_conflicts": ("min_distance_same_type_m", "min_distance_any_type_m"),
}


def overall_status(statuses: Any) -> str:
    """The overall result of rule statuses: ``fail`` if any fails, else ``unknown`` if any could not be
    evaluated, else ``warn`` if any needs review, else ``pass``.

    >>> overall_status(["pass", "unknown", "warn"]), overall_status(["pass", "pass"])
    ('unknown', 'pass')
    """
    present = set(statuses)
    return next((s for s in _OVERALL_ORDER if s in present), "pass")


def is_provisional(rules: Rules, licence_type: str, rule_id: str) -> bool:
    """Whether the threshold of ``rule_id`` for ``licence_type`` is a placeholder in the rules file."""
    sec = rules.for_type(licence_type)
    names = list(RULE_PARAMS.get(rule_id, ()))
    if rule_id == "min_uncovered_population" and sec.service_measure == "time":
        names = ["min_uncovered_population", "service_time_min"]
    return any(sec.params[n].placeholder for n in names if n in sec.params)


def _mark_provisional(r: RuleResult, rules: Rules, sec: LicenceRules) -> RuleResult:
    return replace(r, provisional=True) if is_provisional(rules, sec.licence_type, r.id) else r


def _population_unknown(newly: int, thr: int, no_offices: bool, where_fa: str, where_en: str) -> tuple[str, str]:
    """The reason the population rule could not be evaluated."""
    if no_offices:
        return (f"هیچ دفتر فعالی در فضای کاری ثبت نشده است (فهرست دفترها وارد نشده)؛ معلوم نیست چه کسانی امروز پوشش دارند "
                f"و این شرط بررسی نشد (حداقل {fmt.number(thr)} نفر).",
                f"No active office is recorded in the workspace (no office list imported): who is covered today is "
                f"unknown, so this rule was not checked (minimum {fmt.number(thr, 'en')}).")
    return (f"{fmt.number(newly)} نفر بدون پوشش {where_fa} شمرده شد، اما جمعیت برخی سکونتگاه‌های این محدوده (یا روستاها) "
            f"در فضای کاری نیست؛ این شرط بررسی‌شدنی نیست و کارگروه باید جمعیت را بررسی کند (حداقل {fmt.number(thr)} نفر).",
            f"{fmt.number(newly, 'en')} uncovered people counted {where_en}, but the workspace lacks the population of "
            f"some settlements here (or has no villages): this rule cannot be evaluated; the working group must check "
            f"the population (minimum {fmt.number(thr, 'en')}).")


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
            out.append(_r("site_in_city", None, None, r, "m", ("درون شهر", "Inside a city"), {"unknown": (
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
            out.append(_r("site_outside_city", None, None, r, "m", title, {"unknown": (
                "هیچ شهری در فضای کاری ثبت نشده است؛ شرط «بیرون از شهر» بررسی نشد.",
                "The workspace has no cities; the outside-cities rule could not be checked.")}))
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
            out.append(_r("near_village", None, None, vr, "m", title, {"unknown": (
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


#: A competing proposal with one of these statuses holds its site: a conflict with it breaks the distance rule.
HOLDING_STATUSES: tuple[str, ...] = ("approved",)


def conflict_rule(conflicts: Sequence[Conflict]) -> RuleResult:
    """The ``proposal_conflicts`` rule for these conflicts: pass without any, warn when the competing
    proposals are all still pending, fail when one of them is approved (its status in
    :data:`HOLDING_STATUSES`, known when the caller filled :attr:`Conflict.status`)."""
    def listed(cs: Sequence[Conflict], lang: str) -> str:
        def pid(c: Conflict) -> str:
            return fmt.number(int(c.proposal_id), lang) if str(c.proposal_id).isdigit() else str(c.proposal_id)
        return ("، " if lang == "fa" else ", ").join(f"{pid(c)} ({fmt.distance(c.distance_m, lang)})" for c in cs)

    held = [c for c in conflicts if c.status in HOLDING_STATUSES]
    pending = [c for c in conflicts if c.status not in HOLDING_STATUSES]
    if held:
        fa = "درخواست موافقت‌شده در فاصلهٔ کمتر از حداقل مجاز: " + listed(held, "fa")
        en = "Approved proposal within the minimum distance: " + listed(held, "en")
        if pending:
            fa += "؛ درخواست‌های در جریان نزدیک: " + listed(pending, "fa")
            en += "; pending proposals too close: " + listed(pending, "en")
        msgs = {"fail": (fa, en)}
        ok: bool | None = False
    else:
        msgs = {"pass": ("هیچ درخواست در جریانی در فاصلهٔ کمتر از حداقل مجاز نیست.",
                         "No pending proposal lies within the minimum distance."),
                "warn": ("درخواست‌های در جریان نزدیک: " + listed(pending, "fa"),
                         "Pending proposals too close: " + listed(pending, "en"))}
        ok = True if not conflicts else None
    return _r("proposal_conflicts", ok, len(conflicts), 0, "proposals",
              ("تداخل با درخواست‌های در جریان", "Conflicts with pending proposals"), msgs)


def with_conflicts(report: ValidationReport, conflicts: Sequence[Conflict]) -> ValidationReport:
    """``report`` with its conflicts replaced by ``conflicts`` (as they stand now): the
    ``proposal_conflicts`` rule and the overall status follow. Used so that a stored report and a
    conflict list computed later say the same thing."""
    rule = conflict_rule(conflicts)
    rules = tuple(rule if r.id == "proposal_conflicts" else r for r in report.rules)
    if all(r.id != "proposal_conflicts" for r in report.rules):
        rules = (*rules, rule)
    return replace(report, conflicts=tuple(sorted(conflicts, key=lambda c: c.distance_m)), rules=rules,
                   status=overall_status(r.status for r in rules))


def conflicts_at(ws: Workspace, rules: Rules, *, licence_type: str, lon: float, lat: float,
                 proposals: ProposalSet | None, exclude_proposal: str | None = None,
                 statuses: Mapping[str, str] | None = None) -> tuple[Conflict, ...]:
    """The proposals of ``proposals`` closer to (lon, lat) than the minimum distance between the
    two, nearest first, each with its status from ``statuses`` (proposal id → status) when given.

    The minimum is the binding (larger) one of the two sides (each side's rules for the other's
    licence type, as :func:`siting.reports.meeting.conflict_pairs` keeps), so that the conflict
    is seen the same from both proposals."""
    own = parse_licence_type(licence_type)
    if proposals is None or proposals.tree is None:
        return ()
    x, y = project_xy(np.array([lon], float), np.array([lat], float), ws.metric_crs.distance)
    here = np.array([x[0], y[0]])
    reach = max(max(rules.for_type(t).min_distance_same_type_m, rules.for_type(t).min_distance_any_type_m)
                for t in ("urban", "rural"))
    found = []
    for i in proposals.tree.query_ball_point(here, reach):
        pid = proposals.ids[i]
        if exclude_proposal is not None and pid == exclude_proposal:
            continue
        other = str(proposals.types[i])
        thr = max(_min_distance(rules, own, other), _min_distance(rules, other, own))
        d = float(np.hypot(*(proposals.xy[i] - here)))
        if d < thr:
            status = None if statuses is None else statuses.get(pid)
            found.append(Conflict(pid, proposals.names[i], other, round(d, 1), thr, status))
    return tuple(sorted(found, key=lambda c: (c.distance_m, c.proposal_id)))


def _min_distance(rules: Rules, own: str, other: str) -> float:
    sec = rules.for_type(own)
    return float(sec.min_distance_same_type_m if own == other else sec.min_distance_any_type_m)


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


def _nearest_rows(ws: Workspace, xy: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance to, and row in ``ws.offices`` of, the ``n`` nearest serving offices."""
    idx = ws.index
    tree = idx.office_trees["any"]
    if tree is None or n <= 0:
        return np.zeros(0), np.zeros(0, np.int64)
    d, i = tree.query(xy[0], k=min(n, tree.n))
    return np.atleast_1d(d).astype(float), idx.office_rows["any"][np.atleast_1d(i)].astype(np.int64)


def _plain(obj: Any) -> Any:
    """:func:`dataclasses.asdict` without its deep copies (the values here are immutable scalars, or
    dicts and sequences that are copied): a site check's report is turned into JSON on every request."""
    if hasattr(obj, "__dataclass_fields__"):
        return {name: _plain(getattr(obj, name)) for name in obj.__dataclass_fields__}
    if isinstance(obj, list | tuple):
        return type(obj)(_plain(v) for v in obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _columns(ws: Workspace, layer: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Columns of a layer as plain arrays (with x, y), built once per workspace: a site check reads a
    few cells of many columns, and a pandas cell read costs more than the check's tree queries."""
    cache = ws.__dict__.setdefault("_validate_columns", {})
    key = (layer, names)
    if key not in cache:
        gdf = getattr(ws, layer)
        cols = {c: gdf[c].to_numpy(dtype=object, na_value=None) for c in names}
        cols["x"] = gdf.geometry.x.to_numpy(dtype=float) if len(gdf) else np.zeros(0)
        cols["y"] = gdf.geometry.y.to_numpy(dtype=float) if len(gdf) else np.zeros(0)
        cache[key] = cols
    out: dict[str, np.ndarray] = cache[key]
    return out


_OFFICE_COLUMNS = ("office_id", "name", "licence_type", "county", "location")
_SETTLEMENT_COLUMNS = ("code", "name_fa", "kind", "population")


def _nearest_list(ws: Workspace, nearest: tuple[np.ndarray, np.ndarray]) -> tuple[NearOffice, ...]:
    o = _columns(ws, "offices", _OFFICE_COLUMNS)
    out = []
    for dist, r in zip(nearest[0].tolist(), nearest[1].tolist(), strict=True):
        out.append(NearOffice(o["office_id"][r], o["name"][r], o["licence_type"][r], float(dist),
                              float(o["x"][r]), float(o["y"][r]), o["county"][r], o["location"][r] or "exact"))
    return tuple(out)


# -- travel time ---------------------------------------------------------------------------------

#: The listed nearest offices get a travel time up to this many times the service time (the search's bound).
OFFICE_TIME_FACTOR = 4.0


@dataclass(frozen=True)
class _Travel:
    on_network: bool
    leg_m: float
    max_leg_m: float
    service_min: float
    bound_min: float
    newly: int
    newly_rows: np.ndarray
    unknown_rows: np.ndarray
    off_network_rows: np.ndarray
    nearest: tuple[NearOffice, ...]
    notes: tuple[str, ...]


def _minutes(v: float, lang: str = "fa") -> str:
    text = fmt.number(v, lang, decimals=0 if float(v).is_integer() else 1)
    return f"{text} دقیقه" if lang == "fa" else f"{text} min"


def _travel_check(ws: Workspace, rules: Rules, sec: LicenceRules, lon: float, lat: float,
                  nearest: tuple[NearOffice, ...], office_rows: np.ndarray) -> _Travel:
    """The site on the road network: who it would newly serve within the service time, and the
    travel time from it to the listed offices."""
    from siting.network import attach, cost_matrix, workspace_network
    from siting.travel import served_today

    net = workspace_network(ws)
    graph, params = net.graph, net.params
    site = attach(graph, [lon], [lat], params)
    service = float(sec.service_time_min or 0.0)
    limit = service * 60.0
    # one search bounded by the service time, on the reversed graph: every settlement's trip to the site
    m = cost_matrix(graph, net.settlements, site, max_time_s=limit, to_candidates=True).tocoo()
    reached = m.row[m.data <= limit].astype(np.int64)
    today = served_today(ws, rules, reached, net=net)
    rows = reached[~today.covered]
    pop = ws.settlements["population"].to_numpy(dtype=float, na_value=np.nan)[rows]
    known = ~np.isnan(pop)
    newly = int(pop[known].sum())
    # settlements off the network that the service time could reach at the top road speed, not reached
    s_on = net.settlements.on_network
    top_kmh = float(graph.edge_speed_kmh.max()) if graph.n_edges else float(params.offroad_speed_kmh)
    reach_m = service / 60.0 * max(top_kmh, float(params.offroad_speed_kmh)) * 1000.0
    near_rows = np.asarray(ws.index.settlement_tree.query_ball_point(site.xy[0], reach_m), dtype=np.int64) \
        if ws.index.settlement_tree is not None else np.zeros(0, np.int64)
    off_rows = np.setdiff1d(near_rows[~s_on[near_rows]], reached) if len(near_rows) else near_rows
    # travel time from the site to the listed offices: one search from the site, bounded
    bound = OFFICE_TIME_FACTOR * service
    minutes = np.full(len(nearest), np.nan)
    if len(nearest):
        t = cost_matrix(graph, net.offices.subset(office_rows), site, max_time_s=bound * 60.0,
                        to_candidates=False).tocoo()
        minutes[t.row] = t.data / 60.0
    listed = tuple(replace(o, travel_time_min=float(v) if np.isfinite(v) else None)
                   for o, v in zip(nearest, minutes, strict=True))
    notes: list[str] = []
    if len(off_rows):
        names = [str(v) for v in ws.settlements["name_fa"].to_numpy(dtype=object)[off_rows]]
        shown = "، ".join(names[:10]) + (f" (+{len(names) - 10})" if len(names) > 10 else "")
        notes.append(
            f"{len(off_rows)} settlements near the site are off the road network (farther than "
            f"{params.max_offroad_m:g} m from every road) and are not counted as reached: {shown} / "
            f"{fmt.number(len(off_rows))} سکونتگاه نزدیک این محل بیرون از شبکهٔ راه‌ها هستند و رسیده به شمار نیامدند")
    missing = [o.name or str(o.office_id) for o in listed if o.travel_time_min is None]
    if missing:
        notes.append(f"travel time not given for offices unreachable by road or more than {bound:g} min away: "
                     + ", ".join(missing) + f" / زمان سفر تا این دفترها بیش از {_minutes(bound)} یا نارسیدنی است")
    on = bool(site.on_network[0])
    return _Travel(on, float(site.leg_m[0]), float(params.max_offroad_m), service, bound, newly, rows[known],
                   rows[~known], off_rows, listed, tuple(notes))


def _road_network_rule(tr: _Travel) -> RuleResult:
    """The site on the road network: a pass when it joins it, a warning (never a pass) when not."""
    title = ("دسترسی به شبکهٔ راه‌ها", "On the road network")
    if tr.on_network:
        return _r("on_road_network", True, round(tr.leg_m, 1), tr.max_leg_m, "m", title, {"pass": (
            f"محل پیشنهادی {fmt.distance(tr.leg_m)} از نزدیک‌ترین راه فاصله دارد و زمان سفر روی شبکهٔ راه‌ها سنجیده شد.",
            f"The site is {fmt.distance(tr.leg_m, 'en')} from the nearest road; travel times are measured on the road network.")})
    return _r("on_road_network", None, None, tr.max_leg_m, "m", title, {"warn": (
        f"محل پیشنهادی بیش از {fmt.distance(tr.max_leg_m)} از هر راهی فاصله دارد و بیرون از شبکهٔ راه‌هاست؛ "
        "زمان سفر به آن سنجیدنی نیست و کارگروه باید دسترسی آن را بررسی کند.",
        f"The site is more than {fmt.distance(tr.max_leg_m, 'en')} from every road: it is off the road network, so "
        "travel time to it cannot be measured; the working group must check how people reach it.")})


def _time_population_rule(sec: LicenceRules, tr: _Travel, newly: int, thr: int, ok: bool | None,
                          no_offices: bool = False) -> RuleResult:
    """``min_uncovered_population`` measured by travel time (a warning, never a pass, off the network)."""
    t_fa, t_en = _minutes(tr.service_min), _minutes(tr.service_min, "en")
    title = ("جمعیت بدون پوشش در زمان سفر خدمت", "Uncovered population within the service travel time")
    if not tr.on_network:
        return _r("min_uncovered_population", None, newly, thr, "people", title, {"warn": (
            f"محل بیرون از شبکهٔ راه‌هاست؛ زمان سفر سنجیده نشد و تنها {fmt.number(newly)} نفر بدون پوشش در فاصلهٔ "
            f"پیاده ({fmt.distance(tr.max_leg_m)}) شمرده شد؛ حداقل لازم {fmt.number(thr)} نفر است.",
            f"The site is off the road network: travel time cannot be measured, and only {fmt.number(newly, 'en')} "
            f"uncovered people within walking reach ({fmt.distance(tr.max_leg_m, 'en')}) were counted; the minimum is "
            f"{fmt.number(thr, 'en')}.")})
    return _r("min_uncovered_population", ok, newly, thr, "people", title, {
        "pass": (f"{fmt.number(newly)} نفر که زمان سفرشان تا این محل حداکثر {t_fa} است هنوز پوشش ندارند؛ حداقل لازم {fmt.number(thr)} نفر است.",
                 f"{fmt.number(newly, 'en')} people within {t_en} travel time of the site have no office yet; the minimum is {fmt.number(thr, 'en')}."),
        "fail": (f"فقط {fmt.number(newly)} نفر بدون پوشش در زمان سفر {t_fa} تا این محل زندگی می‌کنند؛ حداقل لازم {fmt.number(thr)} نفر است.",
                 f"Only {fmt.number(newly, 'en')} uncovered people live within {t_en} travel time of the site; the minimum is {fmt.number(thr, 'en')}."),
        "unknown": _population_unknown(newly, thr, no_offices, f"در زمان سفر {t_fa}", f"within {t_en} travel time"),
    })


def validate_many(ws: Workspace, rules: Rules | None, sites: gpd.GeoDataFrame, *,
                  measure: str | None = None) -> list[ValidationReport]:
    """Validate every proposal in ``sites`` against the rules and against each other.

    ``sites`` has ``proposal_id``, ``licence_type`` (optionally ``applicant_type``,
    ``name``) and point geometry; each proposal's conflicts are the others.
    ``measure`` as in :func:`validate_site`.
    """
    rules = rules or load_rules()
    props = ProposalSet.from_frame(ws, sites)
    out = []
    for i in range(len(sites)):
        g = sites.geometry.iat[i]
        out.append(validate_site(
            ws, rules, licence_type=sites["licence_type"].iat[i], lon=g.x, lat=g.y,
            applicant_type=sites["applicant_type"].iat[i] if "applicant_type" in sites else None,
            proposals=props, exclude_proposal=str(sites["proposal_id"].iat[i]), measure=measure,
        ))
    return out


__all__ = [
    "HOLDING_STATUSES",
    "Conflict",
    "NearOffice",
    "ProposalSet",
    "ValidationReport",
    "conflict_rule",
    "conflicts_at",
    "find_settlement",
    "is_provisional",
    "overall_status",
    "validate_many",
    "validate_site",
    "with_conflicts",
]
