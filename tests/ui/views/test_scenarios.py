"""What the scenario runner shows: titles, the runs table, its exports, the chosen sites on the map;
and the uploads a cached result refers to by path."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

from siting.errors import InputError
from siting.optimize import Scenario, run_scenario, scenario_table
from ui.views import scenarios as sv
from ui.views.upload import kept, shown_as_uploaded


@pytest.fixture(scope="module")
def runs():
    """Two runs on the hand-built workspace: MCLP k=1 (the village مود, 3,000 people: known by
    construction, see siting.optimize.scenarios.run_scenario) and LSCP 100 %."""
    from siting.samples.hand import hand_workspace

    ws = hand_workspace()
    a = run_scenario(ws, Scenario("mclp", licence_type="rural", k=1))
    b = run_scenario(ws, Scenario("lscp", licence_type="rural", share=1.0))
    return [(1, "first", a), (2, "second", b)]


def test_titles():
    mclp = Scenario("mclp", licence_type="rural", k=3, radius=10_000)
    # Persian: a right-to-left mark opens the title and each "،", so that "MCLP" and "ICT" stay apart
    fa = sv.scenario_title(mclp, "fa", run=1)
    assert fa == f"{sv.RLM}۱. MCLP{sv.RLM}، ICT روستایی{sv.RLM}، ۳ دفتر{sv.RLM}، شعاع ۱۰٫۰ کیلومتر"
    assert sv.scenario_title(mclp, "en", run=12) == "12. MCLP, rural ICT, k=3, radius 10.0 km"
    lscp = Scenario("lscp", licence_type="urban", share=0.95, candidates="h3:6")
    assert sv.scenario_title(lscp, "fa").replace(sv.RLM, "") == (
        "LSCP، پیشخوان شهری، سهم هدف ۹۵٪، شش‌ضلعی‌های H3 نواحی بدون پوشش (تفکیک ۶)")
    od = Scenario("pmedian", k=2, radius=20, candidates="/tmp/x/abc.csv", costs="/tmp/x/def.csv")
    assert sv.scenario_title(od, "en", candidates_name="mine.csv", costs_name="roads.csv") == (
        "p-median, rural ICT, k=2, radius 20 matrix unit, file “mine.csv”, cost matrix “roads.csv”")


def test_runs_table_is_the_library_table_with_run_and_title(runs):
    table = sv.runs_table(runs)
    lib = scenario_table([r for _, _, r in runs])
    assert table["run"].tolist() == [1, 2] and table["title"].tolist() == ["first", "second"]
    for col in ("sites", "newly_covered", "share_before", "share_after", "objective", "gap", "status"):
        assert table[col].tolist() == lib[col].tolist(), col
    assert table["newly_covered"].tolist() == [3000, 3000]  # مود alone covers every uncovered person in reach


def test_display_in_persian_and_english(runs):
    table = sv.runs_table(runs)
    fa = sv.display(table, sv.COLUMNS, "fa")
    assert list(fa.columns)[:3] == ["اجرا", "سناریو", "مدل"]
    assert "واحد" not in fa.columns and "دادهٔ نمونه" not in fa.columns
    r = runs[0][2]
    row = fa.iloc[0]
    assert row["جمعیت تازه پوشش‌یافته"] == "۳٬۰۰۰"
    assert row["سهم پوشش پیش از"] == f"{r.share_before * 100:.1f}".replace(".", "٫").translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + "٪"
    assert row["شعاع خدمت"] == "۱۰٫۰ کیلومتر"
    assert row["وضعیت حل"] == "بهینه (اثبات‌شده)" and row["روش"] == "دقیق (HiGHS)"
    assert fa.iloc[1]["سهم هدف"] == "۱۰۰٫۰٪" and fa.iloc[0]["سهم هدف"] == "—"
    en = sv.display(table, sv.COLUMNS, "en")
    assert en.iloc[0]["population newly covered"] == "3,000" and en.iloc[1]["model"].endswith("(LSCP)")


def test_exports_keep_numbers_and_say_sample(runs):
    table = sv.runs_table(runs)
    book = openpyxl.load_workbook(io.BytesIO(sv.to_xlsx(table, "fa", sample=True, title="جدول سناریوها")))
    sheet = book["سناریوها"]
    assert sheet.sheet_view.rightToLeft
    assert "دادهٔ نمونه" in sheet.cell(1, 1).value and "جدول سناریوها" in sheet.cell(1, 1).value
    header = [c.value for c in sheet[2]]
    assert header[:2] == ["اجرا", "سناریو"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    col = header.index("جمعیت تازه پوشش‌یافته")
    assert [r[col] for r in rows] == [3000, 3000]  # numbers, not text
    assert [r[header.index("دادهٔ نمونه")] for r in rows] == ["بله", "بله"]
    csv = sv.to_csv(table, "en")
    assert csv.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert back["population newly covered"].tolist() == [3000, 3000]
    assert back["covered share after"].tolist() == pytest.approx(table["share_after"].tolist())


def test_sites_on_the_map_with_their_newly_covered_population(runs):
    r = runs[0][2]
    (rec,) = sv.site_records(r, "fa")
    assert (rec["id"], rec["lon"], rec["lat"]) == ("S2", 59.52, 32.71)
    assert rec["tip"] == "محل پیشنهادی ۱: مود (شهرستان بیرجند) — جمعیت تازه پوشش‌یافته: ۳٬۰۰۰ نفر"
    assert sv.site_records(r, "en")[0]["tip"] == (
        "proposed site 1: مود (بیرجند) — population newly covered: 3,000")
    sites = sv.sites_table(r)
    assert sites["name"].tolist() == ["مود"] and sites["newly_covered_population"].tolist() == [3000.0]
    counties = sv.county_table(runs[1][2])
    assert counties["newly_covered_population"].sum() == runs[1][2].newly_covered_population
    assert sv.rejected_text(r, "fa") == "حداقل فاصله تا هر دفتر: ۲؛ بیرون از شهر: ۲؛ نزدیک روستا: ۲"
    # the same site in the GeoJSON export; a site without coordinates (an instance built from a bare
    # cost matrix) is listed in the tables but left off the map
    geo = json.loads(r.to_geojson())
    assert geo["features"][0]["geometry"]["coordinates"] == [rec["lon"], rec["lat"]]
    placeless = replace(r, sites=(replace(r.sites[0], lon=None, lat=None),))
    assert sv.site_records(placeless) == [] and len(sv.sites_table(placeless)) == 1


def test_kept_uploads_are_named_by_content(tmp_path):
    data = b"origin,destination,cost\nS1,S2,5\n"
    a = kept(tmp_path, "../../etc/جاده.csv", data, extensions=(".csv",))
    assert a.parent == tmp_path and a.name == hashlib.sha256(data).hexdigest() + ".csv"
    assert a.read_bytes() == data
    assert kept(tmp_path, "other-name.csv", data, extensions=(".csv",)) == a  # same bytes, same path
    b = kept(tmp_path, "جاده.csv", data + b"S1,S3,7\n", extensions=(".csv",))
    assert b != a and sorted(p.name for p in tmp_path.iterdir()) == sorted([a.name, b.name])  # no temp files left
    msg = f"{a}, row 3, field cost: -3 is negative"
    assert shown_as_uploaded(msg, {str(a): "../../etc/جاده.csv"}) == "جاده.csv, row 3, field cost: -3 is negative"
    with pytest.raises(InputError, match=r"x.xlsx: unknown extension '.xlsx'; accepted: .csv"):
        kept(tmp_path, "x.xlsx", data, extensions=(".csv",))
    with pytest.raises(InputError, match="empty"):
        kept(tmp_path, "x.csv", b"", extensions=(".csv",))


def test_headline_fields_in_words_and_in_the_runs_table(runs):
    """Proof, heuristic, time limit and truncation are said on the page, not only in the notes."""
    a = runs[0][2]
    assert a.proven and not (a.heuristic or a.stopped_by_time_limit or a.truncated)
    assert sv.headline_notices(a, "fa") == []
    assert sv.objective_text(a, "fa") == "تابع هدف: جمعیت تازه پوشش‌یافته (بیشینه)؛ بهینگی: اثبات‌شده."
    assert sv.objective_text(a, "en") == "Objective: population newly covered (maximised); optimality: proven."
    lscp = runs[1][2]
    assert "تعداد دفاتر تازه" in sv.objective_text(lscp, "fa")
    worst = replace(a, status="time_limit", proven=False, heuristic=True, stopped_by_time_limit=True,
                    truncated=True, gap=0.0123)
    fa = sv.headline_notices(worst, "fa")
    assert [k for k, _ in fa] == ["warning", "warning", "info"]
    assert "۱٫۲۳٪" in fa[0][1] and "ابتکاری" in fa[1][1] and "نزدیک‌ترین محل‌های نامزد" in fa[2][1]
    en = sv.headline_notices(worst, "en")
    assert en[0][1].startswith("The time limit was reached") and "1.23%" in en[1][1]
    assert sv.objective_text(worst, "en").endswith("optimality: not proven.")
    # the runs table: proven as a yes/no column, the total cost beside the objective
    table = sv.runs_table([(1, "first", a), (2, "worst", worst)])
    fa_table = sv.display(table, sv.COLUMNS, "fa")
    assert fa_table["بهینگی اثبات‌شده"].tolist() == ["بله", "خیر"]
    assert sv.display(table, sv.COLUMNS, "en")["proven optimal"].tolist() == ["yes", "no"]
    assert table["total_cost"].tolist() == [a.total_cost, a.total_cost] and a.total_cost is not None
    csv = pd.read_csv(io.BytesIO(sv.to_csv(table, "en")), encoding="utf-8-sig")
    assert csv["proven optimal"].tolist() == ["yes", "no"]
