"""`siting optimize mclp|lscp|pmedian`: through a small argparse harness around register(),
and as users run it (the `siting` console script, which wires register() in)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from siting.cli import optimize as optimize_cli
from siting.optimize import Scenario, run_scenario
from siting.optimize.scenarios import prepare

BIN = Path(sys.executable).parent / "siting"


def harness(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="siting")
    sub = parser.add_subparsers(dest="command", required=True)
    optimize_cli.register(sub)
    args = parser.parse_args(["optimize", *argv])
    return args.func(args)


def test_mclp_json_matches_the_library(sample_ws_path, sample_ws, capsys):
    code = harness(["mclp", "--k", "10", "--type", "rural", "--json", "--workspace", str(sample_ws_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)  # stdout holds exactly one JSON document (no solver banner)
    lib = run_scenario(sample_ws, Scenario("mclp", licence_type="rural", k=10))
    assert d["objective"] == lib.objective and [s["id"] for s in d["sites"]] == [s.id for s in lib.sites]
    assert d["status"] == "optimal" and d["gap"] == 0 and d["sample"] is True


def test_headline_fields_in_json_and_the_table(sample_ws_path, sample_ws, capsys):
    lib = run_scenario(sample_ws, Scenario("pmedian", licence_type="rural", k=3, method="greedy"))
    code = harness(["pmedian", "--k", "3", "--type", "rural", "--method", "greedy", "--json",
                    "--workspace", str(sample_ws_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    assert d["heuristic"] is True and d["method"] == "greedy"
    expected = lib.to_dict()
    for key in ("proven", "stopped_by_time_limit", "truncated", "objective_meaning"):
        assert d[key] == expected[key], key
    for key in ("total_cost", "covered_after"):
        assert d[key] == pytest.approx(expected[key]), key
    assert d["objective_meaning"] == "population-weighted cost to the nearest office, summed (minimised)"
    assert d["total_cost"] == pytest.approx(d["objective"])  # p-median: the same figure when everyone is reached
    assert harness(["pmedian", "--k", "3", "--type", "rural", "--method", "greedy",
                    "--workspace", str(sample_ws_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[2].startswith("proven optimal: " + ("yes" if lib.proven else "NO"))  # after the sample banner
    assert "HEURISTIC solution (greedy)" in table[2]
    assert any(line.startswith("total cost (population x cost to the nearest office): ") for line in table)


def test_lscp_share_forms_and_exports(sample_ws_path, tmp_path, capsys):
    gj, csv = tmp_path / "s.geojson", tmp_path / "s.csv"
    code = harness(["lscp", "--share", "85%", "--type", "rural", "--geojson", str(gj), "--csv", str(csv),
                    "-w", str(sample_ws_path)])
    out = capsys.readouterr().out
    assert code == 0 and "LSCP rural target 85.0%" in out and "sample (synthetic) data" in out
    gdf = gpd.read_file(gj)
    df = pd.read_csv(csv, encoding="utf-8-sig", dtype={"id": str})
    assert len(gdf) == len(df) > 0 and list(gdf["id"]) == list(df["id"])
    harness(["lscp", "--share", "0.85", "--type", "rural", "--json", "-w", str(sample_ws_path)])
    assert json.loads(capsys.readouterr().out)["objective"] == len(df)


def test_pmedian_and_candidates_and_radius(sample_ws_path, capsys):
    code = harness(["pmedian", "--k", "3", "--type", "rural", "--candidates", "h3:6", "--radius", "12000",
                    "--time-limit", "20", "--json", "-w", str(sample_ws_path)])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["model"] == "pmedian" and d["radius"] == 12000 and len(d["sites"]) == 3
    assert all(s["id"].startswith("8") for s in d["sites"])  # H3 cell ids
    assert d["mean_cost_after"] < d["mean_cost_before"]


def test_costs_on_the_cli(sample_ws_path, sample_ws, tmp_path, capsys):
    # a road-time matrix (minutes) in which only the first village reaches the first town
    s = sample_ws.settlements
    towns = s[s["kind"] == "city"]["code"].tolist()
    villages = s[s["kind"] == "village"]["code"].tolist()
    rows = ["origin,destination,cost"]
    pops = s.set_index("code")["population"]
    demand = [c for c in s["code"] if pd.notna(pops[c]) and pops[c] > 0]
    for c in demand:
        rows.append(f"{c},{villages[0]},{5 if c == towns[0] else 90}")
    for o in sample_ws.serving_offices()["office_id"]:
        rows.append(f"{demand[0]},{o},200")
    f = tmp_path / "od.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = harness(["mclp", "--k", "1", "--type", "rural", "--costs", str(f), "--radius", "30",
                    "--candidates", "settlements", "--json", "-w", str(sample_ws_path)])
    out = capsys.readouterr()
    # every candidate passing the rules must be a destination: the error names the file and the ids
    assert code == 2 and str(f) in out.err and "candidate sites (passing the rules) are not destinations" in out.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mclp", "--k", "0"], "--k: '0': must be at least 1"),
        (["mclp", "--k", "two"], "'two' is not a whole number"),
        (["lscp", "--share", "150"], "at most 100%"),
        (["mclp", "--k", "3", "--radius", "0"], "must be a positive number"),
    ],
)
def test_argument_errors_exit_2(sample_ws_path, argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        harness([*argv, "-w", str(sample_ws_path)])
    assert exc.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mclp", "--k", "5000"], "k=5000 is more than the"),
        (["mclp", "--k", "3", "--type", "airport"], "unknown licence type"),
        (["mclp", "--k", "3", "--costs", "missing.csv", "--radius", "10"], "missing.csv: cost matrix file not found"),
        (["mclp", "--k", "3", "--candidates", "h3:12"], "H3 resolution must be a whole number 0-10"),
        (["mclp", "--k", "3", "--costs", "BAD", "--radius", "10"], "row 3, field cost: 'abc' is not a number"),
        (["mclp", "--k", "2", "--geojson", "/proc/nope/x.geojson"], "x.geojson"),
    ],
)
def test_bad_input_exits_2_with_one_line(sample_ws_path, tmp_path, argv, message, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("origin,destination,cost\nS1,A,1\nS2,A,abc\n", encoding="utf-8")
    argv = [str(bad) if a == "BAD" else a for a in argv]
    code = harness([*argv, "-w", str(sample_ws_path)])
    err = capsys.readouterr().err
    assert code == 2 and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_workspace(tmp_path, capsys):
    assert harness(["mclp", "--k", "1", "-w", str(tmp_path / "none.gpkg")]) == 2
    assert "workspace not found" in capsys.readouterr().err


def test_the_siting_console_script_runs_it(sample_ws_path):
    p = subprocess.run([str(BIN), "optimize", "mclp", "--k", "10", "--type", "rural", "--json", "-w",
                        str(sample_ws_path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["k"] == 10
    p = subprocess.run([str(BIN), "optimize", "lscp", "--share", "abc", "-w", str(sample_ws_path)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "is not a number" in p.stderr


@pytest.mark.parametrize(
    ("argv", "scenario"),
    [
        (["pcenter", "--k", "3"], Scenario("pcenter", k=3)),
        (["beyond", "--k", "3", "--threshold", "15000", "--count", "population"],
         Scenario("beyond", k=3, threshold=15000, count="population")),
        (["capacitated-mclp", "--k", "3", "--capacity", "4000"], Scenario("capacitated_mclp", k=3, capacity=4000)),
        (["backup", "--k", "3", "--first-share", "0.6"], Scenario("backup", k=3, first_share=0.6)),
        (["mclp", "--k", "8", "--county-floor", "40%"], Scenario("mclp", k=8, county_floor=0.4)),
    ],
)
def test_more_models_json_match_the_library(sample_ws_path, sample_ws, argv, scenario, capsys):
    code = harness([*argv, "--json", "-w", str(sample_ws_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    lib = run_scenario(sample_ws, scenario)
    assert d["model"] == lib.model and d["status"] == "optimal" and d["sample"] is True
    assert d["objective"] == pytest.approx(lib.objective)
    assert sorted(s["id"] for s in d["sites"]) == sorted(s.id for s in lib.sites)


def test_capacitated_pmedian_takes_the_rules_capacity(sample_ws_path, capsys):
    code = harness(["capacitated-pmedian", "--k", "2", "--time-limit", "5", "-w", str(sample_ws_path)])
    out = capsys.readouterr().out
    assert code == 0 and "CAPACITATED_PMEDIAN rural k=2" in out and "sample (synthetic) data" in out
    assert "no capacity limit" in out  # existing offices: the documented choice


def test_county_floors_out_of_reach_name_the_counties(sample_ws_path, sample_ws, capsys):
    code = harness(["mclp", "--k", "3", "--county-floor", "95", "-w", str(sample_ws_path)])
    err = capsys.readouterr().err
    from siting.optimize.scenarios import prepare

    counties = set(prepare(sample_ws, Scenario("mclp", k=3)).demand["county"].dropna())
    assert code == 2 and "county floors cannot all be met with k=3" in err and "each county alone:" in err
    named = [c for c in counties if isinstance(c, str) and f"{c} needs" in err]
    assert len(named) >= 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_cli_takes_fixed_and_p(sample_ws_path, sample_ws, capsys):
    kept_before = prepare(sample_ws, Scenario("pmedian", licence_type="rural", k=1)).existing_offices
    code = harness(["pmedian", "--p", str(kept_before + 3), "--fixed", "SMP-V0450", "--json",
                    "--workspace", str(sample_ws_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    lib = run_scenario(sample_ws, Scenario("pmedian", licence_type="rural", k=2, fixed=("SMP-V0450",)))
    assert d["k"] == 2 and [s["id"] for s in d["sites"]] == [s.id for s in lib.sites]
    assert d["objective"] == pytest.approx(lib.objective)
    assert harness(["mclp", "--k", "1", "--fixed", "SMP-V0450,NOPE", "--workspace", str(sample_ws_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "siting optimize mclp: fixed: site 'NOPE' is not a candidate site (settlements); a kept site must be a "
        "candidate passing the rules")
    with pytest.raises(SystemExit) as exc:
        harness(["mclp", "--k", "1", "--p", "3", "--workspace", str(sample_ws_path)])
    assert exc.value.code == 2 and "not allowed with argument --k" in capsys.readouterr().err
