"""The core subcommands: ``init``, ``import``, ``coverage``, ``gaps``, ``validate``, ``info``.

Every subcommand prints a human table by default and one JSON object with
``--json``; :func:`siting.cli.main` maps errors to exit statuses.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting import fmt
from siting.cli import identity
from siting.errors import SitingError
from siting.permissions import IMPORT_WORKSPACE
from siting.reports.labels import PROVISIONAL_NOTE
from siting.rules import Rules, load_rules
from siting.workspace import Workspace

SAMPLE_BANNER = "SAMPLE DATA (synthetic, not official) / دادهٔ نمونه (ساختگی، غیررسمی)"


class UsageError(SitingError, ValueError):
    """A wrong combination of command-line options."""


# -- output helpers ----------------------------------------------------------------------------

def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    return str(o)


def _clean_floats(o: Any) -> Any:
    if isinstance(o, float):
        return o if np.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _clean_floats(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean_floats(v) for v in o]
    return o


def emit_json(obj: Any) -> None:
    print(json.dumps(_clean_floats(obj), ensure_ascii=False, default=_json_default, indent=2))


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain-text table (no dependency), right-aligning numbers."""
    cells = [[("—" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    def line(vals: Sequence[str], raw: Sequence[Any] | None = None) -> str:
        out = []
        for i, v in enumerate(vals):
            num = raw is not None and isinstance(raw[i], int | float) and not isinstance(raw[i], bool)
            out.append(v.rjust(widths[i]) if num else v.ljust(widths[i]))
        return "  ".join(out).rstrip()
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(c, r) for c, r in zip(cells, rows, strict=True))])


def _banner(ws: Workspace) -> None:
    name = ws.meta.get("name") or ws.path
    print(f"workspace: {name} ({ws.path})")
    if ws.is_sample:
        print(f"*** {SAMPLE_BANNER} ***")


def _n(v: Any) -> str:
    return fmt.number(v, "en") if v is not None else "—"


# -- subcommands -------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    from siting.io.manifest import init_workspace

    identity.operator(args, IMPORT_WORKSPACE)  # the local operator, or a signed-in steward (SITING_REQUIRE_IDENTITY)
    report = init_workspace(args.manifest, args.root, args.workspace, force=args.force)
    if args.json:
        emit_json(report.to_dict())
        return 0
    print(f"built {report.workspace} from {report.manifest} (files in {report.root})")
    if report.sample:
        print(f"*** {SAMPLE_BANNER} ***")
    for rep in report.imports:
        print(f"  {rep.layer:<12} {Path(rep.file).name:<28} {rep.imported:>6} of {rep.rows_read:<6} rows, "
              f"{rep.rejected} rejected, {len(rep.warnings)} warnings")
        for issue in rep.issues:
            print(f"      row {issue.row}: {issue.severity}: {issue.reason}")
    if report.census:
        c = report.census
        print(f"  census {c['year']}: {c['rows']} rows, total {_n(c['total_population'])} people, "
              f"joined to {c['joined_counties']} counties")
    for note in report.population_notes:
        print(f"  note: {note['en']}")
    return 0


def _import_options(args: argparse.Namespace):
    from siting.io.importer import ImportOptions

    fields = {}
    for spec in args.field or []:
        if "=" not in spec:
            raise UsageError(f"--field {spec!r}: expected FIELD=COLUMN, e.g. --field name_fa=نام")
        k, v = spec.split("=", 1)
        fields[k.strip()] = v.strip()
    return ImportOptions(crs=args.crs, strict=args.strict, fix_swapped=args.fix_swapped, append=args.append,
                         sheet=args.sheet, layer_name=args.layer_name, fields=fields, kind=args.kind,
                         licence_type=args.licence_type, source=args.source, update=args.update,
                         as_of=args.as_of, admin_level=args.admin_level)


def cmd_import(args: argparse.Namespace) -> int:
    from siting.io.importer import import_file

    identity.operator(args, IMPORT_WORKSPACE)  # the local operator, or a signed-in steward (SITING_REQUIRE_IDENTITY)
    if args.layer == "census":
        return _import_census(args)
    if args.threshold is not None or args.report:
        raise UsageError("--threshold and --report are for `siting import census`")
    report = import_file(args.workspace, args.layer, args.file, _import_options(args), create=args.create)
    status = 0 if report.written else 2
    if args.json:
        emit_json(report.to_dict())
    else:
        print(report.summary_line())
        if report.sample:
            print(f"*** {SAMPLE_BANNER} ***")
        for note in report.notes:
            print(f"  note: {note}")
        if report.issues:
            print(table([(i.row, i.severity, i.field or "", i.reason) for i in report.issues],
                        ("row", "severity", "field", "reason")))
        if report.strict and report.errors:
            print("--strict: nothing imported because some rows are bad")
        if report.placement.get("approximate"):
            print(f"  {report.placement['approximate']} offices had no coordinates and were placed at the settlement "
                  "they name: located approximately (see the warnings above)")
        if report.placement.get("not_placed"):
            print(f"  {report.placement['not_placed']} offices could not be placed (errors above, field 'settlement')")
        if report.changes is not None:
            c = report.changes.counts()
            verb = "changes" if report.written else "changes it would make"
            print(f"register {verb}: {c['added']} added, {c['removed']} removed, {c['moved']} moved, "
                  f"{c['changed']} changed, {c['unchanged']} unchanged")
            for line in report.changes.lines():
                print(f"  {line}")
    if status:
        first = report.errors[0] if report.errors else None
        reason = f"row {first.row}: {first.reason}" if first else "no row could be imported"
        print(f"siting: {args.file}: nothing imported: {reason}", file=sys.stderr)
    return status


def _import_census(args: argparse.Namespace) -> int:
    from siting.io.population import import_census

    for flag in ("update", "append", "fix_swapped", "create"):
        if getattr(args, flag, False):
            raise UsageError(f"--{flag.replace('_', '-')} does not apply to `siting import census`")
    fields = dict(f.split("=", 1) for f in (args.field or []) if "=" in f)
    res = import_census(args.workspace, args.file, threshold=90.0 if args.threshold is None else args.threshold,
                        sheet=args.sheet, fields={k.strip(): v.strip() for k, v in fields.items()} or None,
                        report=args.report)
    if args.json:
        emit_json(res.to_dict())
        return 0 if res.written else 2
    print(res.census.summary_line())
    if res.sample:
        print(f"*** {SAMPLE_BANNER} ***")
    for note in res.census.notes:
        print(f"  note: {note}")
    for m in res.census.mismatches:
        print(f"  subtotal row {m['row']} ({m['level']} {m['name']}): {m['field']} stated {_n(m['stated'])}, "
              f"its rows add up to {_n(m['computed'])}")
    if res.census.issues:
        print(table([(i.row, i.severity, i.field or "", i.reason) for i in res.census.issues],
                    ("row", "severity", "field", "reason")))
    if res.join is not None:
        for line in res.join.summary_lines():
            print(line)
        c = res.join.counts
        print(table([(k, _n(c[k])) for k in ("code", "exact", "fuzzy", "ambiguous", "unmatched_points",
                                             "unmatched_census", "not_located_population")], ("match", "count")))
        m = res.join.matches
        shown = m[m["status"].isin(["fuzzy", "ambiguous"])].head(30)
        if len(shown):
            print(table([(r.status, None if r.score != r.score else round(float(r.score)), r.point_name, r.census_name,
                          r.census_code, "; ".join(str(c.get("name")) + " " + str(c.get("code") or "")
                                                   for c in (r.candidates or [])))
                         for r in shown.itertuples()],
                        ("status", "score", "point", "census", "census code", "candidates")))
    for note in res.notes:
        print(f"  note: {note}")
    if res.report_file:
        print(f"match report (every point and every census place left over): {res.report_file}")
    print("written to " + str(res.workspace) if res.written else "nothing written")
    return 0 if res.written else 2


def _radii_overrides(args: argparse.Namespace, rules: Rules) -> Rules:
    over: dict[str, dict[str, float]] = {}
    for t in ("urban", "rural"):
        v = getattr(args, f"radius_{t}", None)
        if v is not None:
            over[t] = {"service_radius_m": v}
    return rules.with_overrides(over) if over else rules


def _with_measure(args: argparse.Namespace, rules: Rules) -> Rules:
    """``--measure distance|time``: every licence type served by that measure (default: the rules file's)."""
    measure = getattr(args, "measure", None)
    return rules.with_measure(measure) if measure else rules


def _service_line(radii: dict[str, float], times: dict[str, float | None], measures: dict[str, str]) -> str:
    """'service: urban travel time 15 min, rural 10 km' — what decides service, per licence type."""
    parts = []
    for t in ("urban", "rural"):
        if measures.get(t) == "time":
            parts.append(f"{t} travel time {times[t]:g} min")
        else:
            parts.append(f"{t} {fmt.distance(radii[t], 'en')}")
    return "service: " + ", ".join(parts)


def cmd_coverage(args: argparse.Namespace) -> int:
    from siting.coverage import compute_coverage

    ws = _at_date(Workspace.load(args.workspace), getattr(args, "at", None))
    rules = _with_measure(args, _radii_overrides(args, load_rules(args.rules)))
    cov = compute_coverage(ws, rules)
    by = getattr(args, "by", "county") or "county"
    units = None
    if by != "county":
        from siting.coverage import _records, coverage_by_unit

        units = coverage_by_unit(cov, by)
    if args.json:
        out = cov.to_dict(include_settlements=args.settlements)
        if units is not None:
            out[f"by_{by}"] = _records(units)
        out["workspace"] = str(ws.path)
        out["population_notes"] = ws.meta.get("population_notes", [])
        emit_json(out)
        return 0
    _banner(ws)
    if getattr(args, "at", None):
        print(f"offices as they were on {args.at} (office history): {len(ws.offices)}")
    t = cov.totals
    if cov.uses_time:
        print(_service_line(cov.radii, cov.service_times, cov.measures) + " (travel time on the road network)")
        print(f"off the road network: {_n(t['off_network_settlements'])} settlements, "
              f"{_n(t['off_network_population'])} people (not covered by travel time)")
    else:
        print(f"service radii: urban {fmt.distance(cov.radii['urban'], 'en')}, "
              f"rural {fmt.distance(cov.radii['rural'], 'en')}")
    share = fmt.percent(t["covered_share_of_located"], "en")
    print(f"population: {_n(t['total_population'])} in all; located in settlements {_n(t['located_population'])}, "
          f"of which covered {_n(t['covered_population'])} ({share}), uncovered {_n(t['uncovered_population'])}; "
          f"not located (known only per county) {_n(t['not_located_population'])}")
    print(f"offices serving: {t['offices']['urban']} urban, {t['offices']['rural']} rural; "
          f"settlements: {t['settlements']} ({t['settlements_without_population']} without population)")
    for note in ws.meta.get("population_notes", []):
        print(f"note: {note['en']}")
    for note in cov.notes:
        print(f"note: {note}")
    if units is not None:
        cols = ["county", by, "settlements", "located_population", "covered_population", "covered_share_of_located",
                *(c for c in ("census_population", "not_located_population", "offices") if c in units.columns)]
        rows = [tuple(fmt.percent(None if v != v else v, "en") if k == "covered_share_of_located" else
                      (None if v is None or v is pd.NA or v != v else v) for k, v in zip(cols, r, strict=True))
                for r in units[cols].itertuples(index=False)]
        print(table(rows, tuple(c.replace("_population", "").replace("covered_share_of_located", "share")
                                for c in cols)))
        return 0
    c = cov.by_county
    rows = [(r.county, r.name_en, _int(r.population), int(r.located_population), int(r.covered_population),
             fmt.percent(None if np.isnan(r.covered_share_of_located) else r.covered_share_of_located, "en"),
             _int(r.not_located_population), int(r.offices_urban), int(r.offices_rural),
             None if np.isnan(r.population_per_office) else round(float(r.population_per_office)))
            for r in c.itertuples()]
    print(table(rows, ("county", "name_en", "population", "located", "covered", "share", "not_located",
                       "urban", "rural", "pop/office")))
    return 0


def _at_date(ws: Workspace, when: str | None) -> Workspace:
    """The workspace with its office layer as it stood at the end of ``when`` (from the office history)."""
    if not when:
        return ws
    from siting.registry import offices_at

    return ws.with_layer("offices", offices_at(ws, when), offices_as_of=str(when))


def cmd_history(args: argparse.Namespace) -> int:
    from siting.coverage import compute_coverage
    from siting.registry import diff_registers, offices_at, record_history, versions

    ws = Workspace.load(args.workspace)
    if args.record:
        h = record_history(ws, args.record)
        if args.json:
            emit_json({"record": args.record, "versions": h.to_dict(orient="records")})
            return 0
        _banner(ws)
        print(table([(r.valid_from, r.valid_to, r.change, r.name, r.licence_type, r.status, r.location,
                      None if r.lon != r.lon else f"{r.lon:.5f}, {r.lat:.5f}", r.import_file)
                     for r in h.itertuples()],
                    ("valid from", "valid to", "change", "name", "type", "status", "location", "lon, lat", "file")))
        return 0
    if args.compare:
        a, b = args.compare
        rules = _radii_overrides(args, load_rules(args.rules))
        before, after = offices_at(ws, a), offices_at(ws, b)
        ca = compute_coverage(ws.with_layer("offices", before), rules).totals
        cb = compute_coverage(ws.with_layer("offices", after), rules).totals
        diff = diff_registers(before, after)
        keys = ("covered_population", "uncovered_population", "covered_settlements")
        out = {"from": a, "to": b, "changes": diff.to_dict(),
               "coverage": {k: {"from": ca[k], "to": cb[k], "change": cb[k] - ca[k]} for k in keys},
               "serving_offices": {"from": ca["offices"], "to": cb["offices"]}}
        if args.json:
            emit_json(out)
            return 0
        _banner(ws)
        c = diff.counts()
        print(f"offices from {a} to {b}: {c['added']} added, {c['removed']} removed, {c['moved']} moved, "
              f"{c['changed']} changed")
        for line in diff.lines():
            print(f"  {line}")
        print(table([(k, _n(ca[k]), _n(cb[k]), _n(cb[k] - ca[k])) for k in keys], ("coverage", a, b, "change")))
        return 0
    if args.date:
        o = offices_at(ws, args.date)
        if args.json:
            emit_json({"date": args.date, "offices": o.drop(columns="geometry").assign(
                lon=o.geometry.x, lat=o.geometry.y).to_dict(orient="records")})
            return 0
        _banner(ws)
        print(f"offices on {args.date}: {len(o)}")
        print(table([(r.licence_number or r.office_id, r.name, r.licence_type, r.status, r.location, r.county)
                     for r in o.itertuples()], ("record", "name", "type", "status", "location", "county")))
        return 0
    v = versions(ws)
    if args.json:
        emit_json({"versions": v.to_dict(orient="records")})
        return 0
    _banner(ws)
    if not len(v):
        print("no office history yet: it starts with the next import of the offices register")
        return 0
    print(table([tuple(r) for r in v.itertuples(index=False)],
                ("valid from", "file", "added", "moved", "changed", "removed")))
    return 0


def _int(v: Any) -> int | None:
    try:
        return None if v is None or v != v else int(v)
    except TypeError:
        return None


def cmd_gaps(args: argparse.Namespace) -> int:
    from siting.gaps import compute_gaps, gap_cells

    ws = Workspace.load(args.workspace)
    rules = _with_measure(args, _radii_overrides(args, load_rules(args.rules)))
    measures, times = rules.measures(), rules.service_times()
    types = ("urban", "rural") if args.type == "any" else (args.type,)
    timed = any(measures[t] == "time" for t in types)
    how = " by travel time" if timed else ""
    radii = rules.radii()
    service: dict[str, Any] = {"measures": measures, "service_times_min": times, "radii_m": radii}
    if args.h3 is not None:
        cells = gap_cells(ws, rules, resolution=args.h3, with_geometry=bool(args.geojson))
        col = f"gap_{args.type}"
        cells = cells[cells[col]]
        if args.geojson:
            return _write_geojson(cells, args.out, ws)
        if args.json:
            emit_json({"workspace": str(ws.path), "sample": ws.is_sample, "resolution": args.h3,
                       "licence_type": args.type, **service, "cells": len(cells),
                       "uncovered_population": int(cells["uncovered_population"].sum()),
                       "rows": cells.to_dict(orient="records")})
            return 0
        _banner(ws)
        print(_service_line(radii, times, measures))
        print(f"H3 resolution {args.h3}: {len(cells)} gap cells ({args.type}{how}), "
              f"uncovered population in them {_n(int(cells['uncovered_population'].sum()))}")
        top = cells.sort_values("uncovered_population", ascending=False).head(args.top)
        print(table([(r.h3, r.county, round(r.lon, 4), round(r.lat, 4), int(r.uncovered_population))
                     for r in top.itertuples()], ("h3", "county", "lon", "lat", "uncovered")))
        return 0
    gaps = compute_gaps(ws, rules, licence_type=args.type)
    if args.geojson:
        return _write_geojson(gaps, args.out, ws)
    outside = gaps.attrs.get("uncovered_outside_parts")
    if args.json:
        extra = {"uncovered_outside_parts": outside} if outside is not None else {}
        emit_json({"workspace": str(ws.path), "sample": ws.is_sample, "licence_type": args.type,
                   **service, "parts": len(gaps),
                   "area_km2": float(gaps["area_km2"].sum()),
                   "uncovered_population": int(gaps["uncovered_population"].sum()), **extra,
                   "gaps": gaps.drop(columns="geometry").to_dict(orient="records")})
        return 0
    _banner(ws)
    if timed:
        print(_service_line(radii, times, measures))
    print(f"service gaps ({args.type}{how}): {len(gaps)} parts, {_n(round(gaps['area_km2'].sum()))} km², "
          f"uncovered population {_n(int(gaps['uncovered_population'].sum()))} (located in settlements)")
    if outside and outside["settlements"]:
        print(f"note: {outside['settlements']} settlements uncovered by travel time ({_n(outside['population'])} "
              "people) lie inside a drawn service area, not in a gap part")
    rows = [(r.rank, r.gap_id, r.county, round(r.area_km2, 1), int(r.settlements), int(r.uncovered_population),
             _clip(r.settlement_names, 60)) for r in gaps.head(args.top).itertuples()]
    print(table(rows, ("rank", "gap", "county", "km2", "settlements", "uncovered", "largest settlements")))
    return 0


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _write_geojson(gdf, out: str | None, ws: Workspace) -> int:
    gdf = gdf.copy()
    gdf["sample"] = ws.is_sample
    text = gdf.to_json(drop_id=True, ensure_ascii=False)
    if out:
        from siting.errors import require_folder

        require_folder(out)
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {len(gdf)} features to {out}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from siting.io.importer import read_proposals
    from siting.rules.validate import ProposalSet, validate_site

    ws = Workspace.load(args.workspace)
    rules = load_rules(args.rules)
    props = None
    if args.proposals:
        gdf, rep = read_proposals(ws, args.proposals)
        if rep.errors:
            e = rep.errors[0]
            raise_input(f"{args.proposals}: row {e.row}: {e.reason}")
        props = ProposalSet.from_frame(ws, gdf)
    if args.settlement is None and (args.lon is None or args.lat is None):
        raise UsageError("give --lon and --lat, or --settlement NAME")
    lon = _coord(args.lon, "--lon")
    lat = _coord(args.lat, "--lat")
    report = validate_site(ws, rules, licence_type=args.type, lon=lon, lat=lat, settlement=args.settlement,
                           applicant_type=args.applicant, proposals=props, measure=args.measure)
    if args.json:
        emit_json(report.to_dict())
        return 0
    _banner(ws)
    where = f" (settlement {report.settlement})" if report.settlement else ""
    print(f"site lon {report.lon:.5f} lat {report.lat:.5f}{where}, county {report.county or '—'}, "
          f"licence {report.licence_type}: {report.status.upper()}")
    print(table([(r.id, r.status, _fmt_val(r.value), f"{_fmt_val(r.threshold)}{' (provisional)' if r.provisional else ''}",
                  r.unit or "", r.message_en)
                 for r in report.rules], ("rule", "status", "value", "threshold", "unit", "explanation")))
    if any(r.provisional for r in report.rules):
        print(PROVISIONAL_NOTE[1])
    print(f"newly covered population: {_n(report.newly_covered_population)}"
          + (" (within the service travel time)" if report.measure == "time" else ""))
    if report.nearest_offices and report.measure == "time":
        print(table([(o.office_id, o.name, o.licence_type, round(o.distance_m),
                      "—" if o.travel_time_min is None else round(o.travel_time_min, 1), o.county, o.location)
                     for o in report.nearest_offices],
                    ("nearest office", "name", "type", "metres", "travel min", "county", "position")))
    elif report.nearest_offices:
        print(table([(o.office_id, o.name, o.licence_type, round(o.distance_m), o.county, o.location)
                     for o in report.nearest_offices],
                    ("nearest office", "name", "type", "metres", "county", "position")))
    if report.measure == "time":
        for n in report.notes:
            if not n.startswith("sample data"):
                print(f"note: {n}")
    for c in report.conflicts:
        print(f"conflict: proposal {c.proposal_id} ({c.licence_type}) is {round(c.distance_m)} m away "
              f"(minimum {round(c.threshold_m)} m)")
    return 0


def raise_input(msg: str) -> None:
    from siting.errors import InputError

    raise InputError(msg)


def _coord(v: str | None, name: str) -> float | None:
    if v is None:
        return None
    from siting.io.readers import parse_coordinate

    try:
        return parse_coordinate(v)
    except ValueError as exc:
        raise UsageError(f"{name} {exc}") from None


def _fmt_val(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 1)
    return v


def cmd_info(args: argparse.Namespace) -> int:
    ws = Workspace.load(args.workspace)
    summary = ws.summary()
    if args.json:
        summary["imports"] = ws.imports.to_dict(orient="records")
        emit_json(summary)
        return 0
    _banner(ws)
    for k in ("counties", "districts", "rural_districts", "settlements", "cities", "villages", "offices",
              "serving_offices", "offices_located_approximately", "office_history_rows", "roads"):
        print(f"{k:>16}: {summary[k]}")
    print(f"{'metric CRS':>16}: {summary['metric_crs']}")
    for s in summary["sources"]:
        flag = " [SAMPLE]" if s.get("sample") else ""
        print(f"  source: {s['layer']}: {s['file']} — {s.get('source') or ''}{flag}")
    for note in summary["population_notes"]:
        print(f"  note: {note['en']}")
    return 0


# -- parser ------------------------------------------------------------------------------------

def _common(p: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    p.add_argument("--workspace", "-w", default=None,
                   help="workspace GeoPackage (default: $SITING_WORKSPACE or data/workspace.gpkg)")
    p.add_argument("--rules", default=None, help="rules file (default: $SITING_RULES or the packaged siting/rules/rules.yaml)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print one JSON object")


def _radius_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--radius-urban", type=float, default=None, metavar="M", help="override the urban service radius (m)")
    p.add_argument("--radius-rural", type=float, default=None, metavar="M", help="override the rural service radius (m)")


def _measure_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--measure", "--metric", default=None, choices=["distance", "time"],
                   help="what decides service for every licence type: straight-line distance (the radius) or "
                        "travel time on the road network (service_time_min); default: the rules file")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit 2 with one line, as bad input does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def register(sub: Any) -> None:
    """Add the core subcommands (init, import, coverage, gaps, validate, info)."""

    p = sub.add_parser("init", help="build a workspace from a manifest")
    p.add_argument("--manifest", required=True, help="e.g. data/sources/south-khorasan.yaml")
    p.add_argument("--root", default=None, help="folder holding the manifest's files")
    p.add_argument("--force", action="store_true", help="replace an existing workspace")
    identity.add_arguments(p)
    _common(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", help="import a file into a layer (row-by-row report)")
    p.add_argument("layer", choices=["region", "counties", "districts", "rural_districts", "settlements", "offices", "roads",
                                     "census"],
                   help="a layer, or census: join a census village table's population to the settlements")
    p.add_argument("file")
    p.add_argument("--crs", help="CRS of CSV/XLSX coordinates (default EPSG:4326), e.g. EPSG:32640")
    p.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
    p.add_argument("--fix-swapped", action="store_true", help="swap back latitude/longitude exchanged in a row")
    p.add_argument("--append", action="store_true", help="add to the layer instead of replacing it")
    p.add_argument("--update", action="store_true",
                   help="offices: update the records listed (by licence number), add new ones, keep the rest")
    p.add_argument("--as-of", default=None, metavar="DATE",
                   help="offices: the date this register version is valid from (default now; 1403/09/12 accepted)")
    p.add_argument("--sheet", help="XLSX sheet (default: the first)")
    p.add_argument("--layer-name", help="layer of a GeoPackage / Shapefile in a ZIP holding several")
    p.add_argument("--kind", help="settlement kind for rows without one (city/village, شهر/روستا)")
    p.add_argument("--licence-type", help="licence type for rows without one (urban/rural, شهری/روستایی)")
    p.add_argument("--source", help="provenance label stored with the rows (default: the file name)")
    p.add_argument("--field", action="append", metavar="FIELD=COLUMN", help="column holding a field")
    p.add_argument("--create", action="store_true", help="create the workspace if it does not exist")
    p.add_argument("--admin-level", default=None, metavar="N",
                   help="polygon layers from an .osm.pbf/.osm extract: the admin_level to take (default: region 4, "
                        "counties 5, districts 7, rural_districts 8)")
    p.add_argument("--threshold", type=float, default=None, metavar="SCORE",
                   help="census: lowest similarity (0-100) at which a spelling variant joins (default 90)")
    p.add_argument("--report", default=None, metavar="CSV",
                   help="census: write the full match report (every point, every census place left over) here")
    identity.add_arguments(p)
    _common(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("coverage", help="coverage of settlements and per-county totals")
    p.add_argument("--settlements", action="store_true", help="with --json: include every settlement")
    p.add_argument("--at", default=None, metavar="DATE", help="with the offices as they were on DATE (office history)")
    p.add_argument("--by", default="county", choices=["county", "district", "rural_district"],
                   help="the table per county (default), district (بخش) or rural district (دهستان)")
    _radius_flags(p)
    _measure_flag(p)
    _common(p)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("gaps", help="service-gap regions ranked by uncovered population")
    p.add_argument("--type", default="any", choices=["any", "urban", "rural"])
    p.add_argument("--top", type=int, default=20, help="rows in the table (default 20)")
    p.add_argument("--h3", type=int, default=None, metavar="RES", help="on an H3 grid at this resolution (0-10)")
    p.add_argument("--geojson", action="store_true", help="print GeoJSON (or write it to --out)")
    p.add_argument("--out", default=None, help="with --geojson: write to this file")
    _radius_flags(p)
    _measure_flag(p)
    _common(p)
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("validate", help="validate a proposed site against the rules")
    p.add_argument("--lon", help="longitude (WGS84; Persian digits accepted)")
    p.add_argument("--lat", help="latitude (WGS84; Persian digits accepted)")
    p.add_argument("--settlement", help="a settlement's name or code instead of coordinates")
    p.add_argument("--type", required=True, help="licence type: urban/rural (شهری/روستایی)")
    p.add_argument("--applicant", default=None, help="applicant type: natural/legal (حقیقی/حقوقی)")
    p.add_argument("--proposals", default=None, help="CSV/GeoJSON of pending proposals to check conflicts with")
    p.add_argument("--measure", "--metric", choices=("distance", "time"), default=None,
                   help="population newly covered by straight-line radius or by travel time on the road network "
                        "(service_time_min); default: the rules file's per type. Distance rules stay in metres")
    _common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("history", help="the office register's versions; the offices on a date; two dates compared")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--date", default=None, help="the office layer as it was at the end of this day")
    g.add_argument("--record", default=None, help="every version of one office (licence number or office id)")
    g.add_argument("--compare", nargs=2, metavar=("FROM", "TO"), help="offices and coverage on two dates")
    _radius_flags(p)
    _common(p)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("info", help="what the workspace holds and where it came from")
    _common(p)
    p.set_defaults(func=cmd_info)
