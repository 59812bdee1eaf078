"""``siting optimize MODEL``: the planner's siting models on the command line.

Models: ``mclp`` (with ``--county-floor``), ``lscp``, ``pmedian``, ``pcenter``, ``beyond``,
``capacitated-pmedian``, ``capacitated-mclp`` and ``backup``.

Examples::

    siting optimize mclp --k 10 --type rural --json
    siting optimize mclp --k 10 --county-floor 50
    siting optimize pcenter --k 5
    siting optimize beyond --k 5 --threshold 15000
    siting optimize capacitated-pmedian --k 5 --capacity 8000
    siting optimize backup --k 5 --first-share 90
    siting optimize lscp --share 95 --type rural --candidates h3:7 --geojson sites.geojson
    siting optimize pmedian --k 5 --type urban --csv sites.csv
    siting optimize pmedian --p 40 --fixed 1234,5678   # two sites kept open; p counts every open site
    siting optimize mclp --k 10 --type rural --costs od_minutes.csv --radius 20

Exit status 0 on success, 2 on bad input with a one-line reason on stderr
naming the file, row or field.
"""

from __future__ import annotations

import argparse
import json
import sys
from types import MappingProxyType
from typing import Any

from siting.errors import InputError, SitingError
from siting.optimize.locate import DEFAULT_TIME_LIMIT
from siting.optimize.result import SAMPLE_LABEL, SitingResult
from siting.optimize.scenarios import Scenario, export_result, run_scenario

HELP = MappingProxyType({
    "mclp": "k new sites covering the most people not yet within reach of an office "
            "(--county-floor: every county at least a share covered)",
    "lscp": "the fewest new sites bringing the covered share of the population to a target",
    "pmedian": "k new sites minimising the population-weighted distance (or cost) to the nearest office",
    "pcenter": "k new sites making the largest distance (or cost) to the nearest office as small as possible",
    "beyond": "k new sites leaving the fewest settlements (or people) farther than --threshold",
    "capacitated-pmedian": "p-median where each office serves at most --capacity people (each settlement "
                           "to one office)",
    "capacitated-mclp": "maximal covering where each office covers at most --capacity people",
    "backup": "k new sites bringing the most people within reach of two offices (backup coverage)",
})
#: Command-line model names (hyphens) in the order of the help.
CLI_MODELS = tuple(HELP)


def _share(text: str) -> float:
    """``95``, ``95%`` or ``0.95`` -> 0.95; values above 1 are percentages."""
    try:
        v = float(str(text).strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (give e.g. 95 or 0.95)") from None
    if v > 1:
        v /= 100
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the share must be above 0 and at most 100%")
    return v


def _positive_int(text: str) -> int:
    return int(_positive(text, whole=True))


def _positive(text: str, *, whole: bool = False) -> float:
    try:
        v = int(text) if whole else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole number' if whole else 'number'}") from None
    if whole and v < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: must be a positive number")
    return v


def _ids(text: str) -> list[str]:
    ids = [v.strip() for v in text.split(",")]
    if not all(ids):
        raise argparse.ArgumentTypeError(f"{text!r}: give site ids separated by commas")
    return ids


def _type_radius(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in ("urban", "rural") or not value:
        raise argparse.ArgumentTypeError(f"{text!r}: expected urban=VALUE or rural=VALUE")
    return name, _positive(value)


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``optimize`` with a subcommand per model (``mclp``, ``lscp``, ``pmedian``, ``pcenter``, ...)."""
    parser = subparsers.add_parser(
        "optimize",
        help="find the best sites for new offices (MCLP, LSCP, p-median, p-center, capacitated, backup)",
        description="Find the best sites for new offices; existing offices are kept.",
    )
    models = parser.add_subparsers(dest="model", metavar="{" + ",".join(CLI_MODELS) + "}", required=True)
    for name in CLI_MODELS:
        p = models.add_parser(name, help=HELP[name], description=HELP[name])
        if name == "lscp":
            p.add_argument("--share", type=_share, default=1.0,
                           help="target covered share of the population: 95, 95%% or 0.95 (default 100%%)")
        else:
            how_many = p.add_mutually_exclusive_group(required=True)
            how_many.add_argument("--k", type=_positive_int, help="number of new sites")
            how_many.add_argument("--p", type=_positive_int,
                                  help="all open sites, the kept ones included (spopt's p): k = p - kept, "
                                       "kept = existing offices and --fixed sites")
        if name == "mclp":
            p.add_argument("--county-floor", type=_share, default=None, metavar="SHARE",
                           help="every county at least this share of its population covered: 50, 50%% or 0.5")
        if name == "beyond":
            p.add_argument("--threshold", type=_positive, required=True,
                           help="distance (metres) or cost beyond which a settlement counts")
            p.add_argument("--count", choices=("settlements", "population"), default="settlements",
                           help="count settlements (default) or people beyond the threshold")
        if name.startswith("capacitated"):
            p.add_argument("--capacity", type=_positive, default=None,
                           help="people one office can serve (default: the rules file's capacity for the type)")
        if name == "backup":
            p.add_argument("--primary", choices=("backup", "first"), default="backup",
                           help="maximise the backup cover first (default), or the first cover first")
            p.add_argument("--first-share", type=_share, default=None, metavar="SHARE",
                           help="at least this share of the population covered once: 90, 90%% or 0.9")
        p.add_argument("--fixed", type=_ids, action="extend", default=None, metavar="ID[,ID...]",
                       help="candidate sites to keep open as if they were offices (e.g. an approved proposal); "
                            "repeat or separate ids by commas")
        p.add_argument("--type", dest="licence_type", default="rural",
                       help="licence type of the new offices: urban or rural (default rural)")
        p.add_argument("--radius", type=_positive,
                       help="service radius: metres (default: the rules file's), or the unit of --costs")
        p.add_argument("--candidates", default="settlements",
                       help="settlements (default), h3, h3:RES (H3 cells over the gap regions), "
                            "or a CSV/GeoJSON file of points")
        p.add_argument("--costs", metavar="FILE",
                       help="origin-destination cost matrix CSV (long: origin,destination,cost; or wide) "
                            "replacing straight-line distances; needs --radius in its unit")
        p.add_argument("--existing-radius", type=_type_radius, action="append", metavar="TYPE=VALUE",
                       help="with --costs: service radius of existing offices of a type, in the matrix's unit")
        p.add_argument("--measure", "--metric", choices=("distance", "time"), default=None,
                       help="serve by straight-line distance or by travel time on the road network (minutes; "
                            "--radius is then the service time); default: the rules file's per type")
        p.add_argument("--time-bound", type=_positive, default=None, metavar="MINUTES",
                       help="with --measure time: stop the road searches here (default: the service time; "
                            "p-median: four times it)")
        p.add_argument("--population-rule", action="store_true",
                       help="only candidates that alone newly cover the rules' minimum uncovered population")
        if name in ("mclp", "lscp", "pmedian"):
            p.add_argument("--method", choices=("auto", "exact", "greedy"), default="auto",
                           help="auto (default): exact MIP (HiGHS) unless too large; exact; greedy")
        p.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT,
                       help=f"seconds for the solver (default {DEFAULT_TIME_LIMIT:g}); the gap is reported")
        p.add_argument("--json", action="store_true", help="print the full result as JSON")
        p.add_argument("--geojson", metavar="OUT", help="write the chosen sites as GeoJSON")
        p.add_argument("--csv", metavar="OUT", help="write the chosen sites as CSV")
        p.add_argument("--workspace", "-w", help="workspace file (default $SITING_WORKSPACE or data/workspace.gpkg)")
        p.add_argument("--rules", help="rules file (default $SITING_RULES or the packaged siting/rules/rules.yaml)")
        p.set_defaults(func=run)
    return parser


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    return Scenario(
        model=args.model,
        licence_type=args.licence_type,
        k=getattr(args, "k", None),
        p=getattr(args, "p", None),
        fixed=tuple(args.fixed) if args.fixed else None,
        share=getattr(args, "share", None),
        radius=args.radius,
        candidates=args.candidates,
        costs=args.costs,
        existing_radii=tuple(args.existing_radius) if args.existing_radius else None,
        population_rule=args.population_rule,
        measure=args.measure,
        time_bound_min=args.time_bound,
        method=getattr(args, "method", "auto"),
        time_limit=args.time_limit,
        county_floor=getattr(args, "county_floor", None),
        threshold=getattr(args, "threshold", None),
        count=getattr(args, "count", "settlements"),
        capacity=getattr(args, "capacity", None),
        backup_primary=getattr(args, "primary", "backup"),
        first_share=getattr(args, "first_share", None),
    )


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit status (2 on bad input, with the reason on stderr)."""
    from siting.rules import load_rules
    from siting.workspace import Workspace

    try:
        ws = Workspace.load(args.workspace)
        result = run_scenario(ws, scenario_from_args(args), load_rules(args.rules))
        for path in (args.geojson, args.csv):
            if path:
                try:
                    export_result(result, path)
                except OSError as exc:
                    raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except (SitingError, OSError) as exc:
        print(f"siting optimize {args.model}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(result))
    return 0


def _fmt_gap(gap: float | None) -> str:
    return "unknown" if gap is None else f"{gap:.2%}"


def headline(result: SitingResult) -> str:
    """The result's headline fields in one line: proven, heuristic, time limit, truncated."""
    r = result
    parts = ["proven optimal: " + ("yes" if r.proven else "NO")]
    if r.heuristic:
        parts.append("HEURISTIC solution (greedy), not the exact solver's")
    if r.stopped_by_time_limit:
        parts.append(f"STOPPED BY THE TIME LIMIT (gap {_fmt_gap(r.gap)})")
    if r.truncated:
        parts.append("TRUNCATED model (nearest candidates only; the bound allows for the rest)")
    return "; ".join(parts)


def render(result: SitingResult) -> str:
    """A plain-text report of a result."""
    r = result
    unit = r.unit or "cost units"
    lines = []
    if r.sample:
        lines.append(f"*** {SAMPLE_LABEL} ***")
    target = f"target {r.share_target:.1%}" if r.model == "lscp" else f"k={r.k}"
    reach = "threshold" if r.model == "beyond" else "radius"
    radius = f"{reach} {r.radius:,g} {unit}" if r.radius is not None else "no radius"
    lines.append(f"{r.model.upper()} {r.licence_type or ''} {target}, {radius}: "
                 f"{r.status} (gap {_fmt_gap(r.gap)}), {r.method}, {r.seconds:.2f} s, {r.solver}")
    lines.append(headline(r))
    lines.append(f"objective: {r.objective:,.6g} ({r.objective_meaning})")
    if r.share_before is not None and r.share_after is not None:
        lines.append(f"population {r.total_population:,.0f}: covered {r.share_before:.1%} before, "
                     f"{r.share_after:.1%} after (+{r.newly_covered_population or 0:,.0f})")
    else:
        lines.append(f"population {r.total_population:,.0f}: coverage not applicable (no service radius)")
    if r.mean_cost_after is not None:
        what = "mean travel time" if r.unit == "min" else "mean distance"
        digits = ".1f" if r.unit == "min" else ",.0f"
        lines.append(f"{what} ({unit}) to the nearest office: {r.mean_cost_before or float('nan'):{digits}} before, "
                     f"{r.mean_cost_after:{digits}} after")
    lines.append("total cost (population x cost to the nearest office): "
                 + (f"{r.total_cost:,.6g} {unit}" if r.total_cost is not None else "not available (see notes)"))
    lines.append(f"candidates: {r.candidates} passing the site rules"
                 + (f" of {r.candidates_total}" if r.candidates_total is not None else "")
                 + ("; rejected by " + ", ".join(f"{k}: {v}" for k, v in r.rejected) if r.rejected else ""))
    if r.sites:
        lines.append("")
        lines.append(f"{'#':>3}  {'id':<18} {'name':<20} {'county':<14} {'lon':>9} {'lat':>8} "
                     f"{'newly covered':>13} {'served':>9}")
        for s in r.sites:
            lon = f"{s.lon:9.4f}" if s.lon is not None else " " * 9
            lat = f"{s.lat:8.4f}" if s.lat is not None else " " * 8
            lines.append(f"{s.rank:>3}  {s.id!s:<18.18} {(s.name or ''):<20.20} {(s.county or ''):<14.14} "
                         f"{lon} {lat} {s.newly_covered_population:>13,.0f} {s.served_population:>9,.0f}")
    if r.by_county:
        lines.append("")
        lines.append("newly covered by county: " + ", ".join(f"{c} {v:,.0f}" for c, v in r.by_county))
    for n in r.notes:
        lines.append(f"note: {n}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run ``optimize`` on its own (``python -m siting.cli.optimize mclp --k 5``)."""
    parser = argparse.ArgumentParser(prog="siting")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["optimize", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
