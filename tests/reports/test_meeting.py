"""The working group's meeting table on the bundled sample proposals."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Geod

from siting.io.importer import read_proposals
from siting.reports.meeting import (
    COLUMNS,
    conflict_pairs,
    localized,
    meeting_table,
    to_csv,
    to_xlsx,
)
from siting.rules.validate import validate_many, validate_site
from siting.workspace import Workspace

PROPOSALS = Path(__file__).resolve().parents[2] / "data" / "sample" / "proposals.csv"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def sample(sample_workspace_path):
    ws = Workspace.load(sample_workspace_path)
    sites, report = read_proposals(ws, PROPOSALS)
    assert not report.errors
    return ws, sites


def test_ranked_by_newly_covered_population(sample, rules):
    ws, sites = sample
    reports = validate_many(ws, rules, sites)
    table = meeting_table(sites, reports)
    assert len(table) == len(sites) == 9
    assert table["rank"].tolist() == list(range(1, 10))
    # independently: validate each proposal alone (no conflicts) and sort by population newly covered
    alone = {pid: validate_site(ws, rules, licence_type=t, lon=g.x, lat=g.y).newly_covered_population
             for pid, t, g in zip(sites["proposal_id"], sites["licence_type"], sites.geometry, strict=True)}
    assert table["newly_covered_population"].tolist() == sorted(alone.values(), reverse=True)
    assert dict(zip(table["proposal_id"], table["newly_covered_population"], strict=True)) == alone
    failed = table.set_index("proposal_id")["failed_rules"]
    assert failed["SMP-P07"] and "جمعیت" in failed["SMP-P07"]  # urban site in covered Birjand


def test_conflicting_pairs_match_geodesic_distances(sample, rules):
    ws, sites = sample
    reports = validate_many(ws, rules, sites)
    pairs = conflict_pairs(reports, sites["proposal_id"].tolist())
    # independently: every pair of proposals closer than the binding minimum distance
    pos = {p: (g.x, g.y, t) for p, g, t in zip(sites["proposal_id"], sites.geometry, sites["licence_type"], strict=True)}
    expected = {}
    ids = sorted(pos)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            (xa, ya, ta), (xb, yb, tb) = pos[a], pos[b]
            _, _, d = GEOD.inv(xa, ya, xb, yb)
            thr = [rules.for_type(t).min_distance_same_type_m if ta == tb else rules.for_type(t).min_distance_any_type_m
                   for t in (ta, tb)]
            if d < max(thr):
                expected[(a, b)] = d
    got = {(r.proposal_a, r.proposal_b): r.distance_m for r in pairs.itertuples()}
    assert set(got) == set(expected) == {("SMP-P07", "SMP-P08"), ("SMP-P01", "SMP-P09")}
    for k, d in expected.items():
        assert got[k] == pytest.approx(d, rel=1e-3)


def test_exports_xlsx_and_csv(sample, rules):
    ws, sites = sample
    reports = validate_many(ws, rules, sites)
    table = meeting_table(sites, reports)
    pairs = conflict_pairs(reports, sites["proposal_id"].tolist())
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, pairs, lang="fa", sample=True, title="proposals.csv")))
    assert book.sheetnames == ["جلسه", "تداخل‌ها"]
    sheet = book["جلسه"]
    assert sheet.sheet_view.rightToLeft
    assert "دادهٔ نمونه" in sheet.cell(1, 1).value
    header = [c.value for c in sheet[2]]
    assert header[:3] == [COLUMNS["rank"][0], COLUMNS["proposal_id"][0], COLUMNS["name"][0]]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == table["proposal_id"].tolist()
    assert [r[header.index(COLUMNS["newly_covered_population"][0])] for r in rows] == table[
        "newly_covered_population"].tolist()
    assert book["تداخل‌ها"].max_row == 2 + len(pairs)

    csv = to_csv(table, lang="en")
    assert csv.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Persian text correctly
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert back["proposal id"].tolist() == table["proposal_id"].tolist()
    assert set(back["result"]) <= {"pass", "fail", "needs review"}
    assert (back["sample data"] == "yes").all()
    assert np.array_equal(back["population newly covered"], table["newly_covered_population"])
    fa = localized(table, COLUMNS, "fa")
    assert set(fa[COLUMNS["licence_type"][0]]) <= {"پیشخوان شهری", "ICT روستایی"}
