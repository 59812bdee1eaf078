"""Working-group page: proposals from a file, each validated, conflicts, ranking, map, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_helpers import assert_clean, element_path, layer, sha256, table_with, texts
from pyproj import Geod

from siting import fmt
from siting.io.importer import read_proposals
from siting.rules import load_rules
from siting.rules.validate import validate_site
from ui.i18n import t

PROPOSALS = Path(__file__).resolve().parents[2] / "data" / "sample" / "proposals.csv"
GEOD = Geod(ellps="WGS84")


def _uploader(at):
    """The page's one proposals uploader."""
    [uploader] = [u for u in at.file_uploader if u.key.startswith("wg.upload")]
    return uploader


def _upload(at, name: str, data: bytes, mime: str = "text/csv"):
    _uploader(at).set_value((name, data, mime)).run()
    assert_clean(at)
    return at


def _variant() -> bytes:
    """A proposals file other than the sample: its first three rows under other ids."""
    head, *rows = PROPOSALS.read_text(encoding="utf-8").splitlines()
    return "\n".join([head, *(r.replace("SMP-P0", "UPL-") for r in rows[:3])]).encode() + b"\n"


def _ids(at) -> list[str]:
    """The proposals in the meeting table, sorted."""
    return sorted(at.dataframe[0].value["شناسه درخواست"])


SAMPLE_IDS = [f"SMP-P{i:02d}" for i in range(1, 10)]


def _show_map(at):
    """Switch on the proposals map (off when the page opens: it is slow to draw without a GPU)."""
    at.toggle(key="wg.show_map.widget").set_value(True).run()
    assert_clean(at)
    assert at.get("deck_gl_json_chart")
    return at


def _expected_conflicts(ws):
    """Pairs of sample proposals closer than the binding minimum distance, by geodesic distance."""
    rules = load_rules()
    sites, _ = read_proposals(ws, PROPOSALS)
    rows = list(zip(sites["proposal_id"], sites["licence_type"], sites.geometry, strict=True))
    out = {}
    for i, (a, ta, ga) in enumerate(rows):
        for b, tb, gb in rows[i + 1:]:
            _, _, d = GEOD.inv(ga.x, ga.y, gb.x, gb.y)
            need = max(rules.for_type(t).min_distance_same_type_m if ta == tb else rules.for_type(t).min_distance_any_type_m
                       for t in (ta, tb))
            if d < need:
                out[tuple(sorted((a, b)))] = (d, need)
    return out


def test_widgets_before_loading(open_page):
    at = open_page("working_group")
    assert at.title[0].value == "بررسی درخواست‌ها"
    assert any("دادهٔ نمونه" in w for w in texts(at.warning))
    uploader = _uploader(at)
    assert {".csv", ".xlsx", ".geojson", ".gpkg", ".zip"} <= set(uploader.allowed_type)
    assert at.button(key="wg.sample").label == "استفاده از فایل نمونهٔ درخواست‌ها"
    assert "هنوز فایلی بارگذاری نشده است." in texts(at.info)
    assert not at.dataframe and not at.get("deck_gl_json_chart")


def test_uploaded_proposals_validated_ranked_and_in_conflict(open_page, ws, workspace_copy):
    before = sha256(workspace_copy)
    at = _upload(open_page("working_group"), "proposals.csv", PROPOSALS.read_bytes())
    assert "۹ درخواست از «proposals.csv» خوانده شد." in texts(at.success)
    # conflicts: the pairs closer than the minimum distance, each with its distance
    expected = _expected_conflicts(ws)
    assert set(expected) == {("SMP-P07", "SMP-P08"), ("SMP-P01", "SMP-P09")}
    assert "تداخل‌ها: این درخواست‌ها از حداقل فاصلهٔ مجاز به هم نزدیک‌ترند" in texts(at.error)
    shown = table_with(at, "در تداخل با")
    assert len(shown) == 2
    for (a, b), (d, need) in expected.items():  # each pair with its distance (metric CRS vs geodesic: within 1 m)
        row = shown[(shown["درخواست"] == a) & (shown["در تداخل با"] == b)]
        assert len(row) == 1 and row["فاصله"].iat[0] in {fmt.distance(d - 1), fmt.distance(d), fmt.distance(d + 1)}
        assert row["حداقل مجاز"].iat[0] == fmt.distance(need)
    # the meeting table: one row per proposal, ranked by population newly covered
    table = at.dataframe[0].value
    assert len(table) == 9 and table["رتبه"].tolist() == [str(i) for i in "۱۲۳۴۵۶۷۸۹"]
    sites, _ = read_proposals(ws, PROPOSALS)
    newly = {p: validate_site(ws, load_rules(), licence_type=t, lon=g.x, lat=g.y).newly_covered_population
             for p, t, g in zip(sites["proposal_id"], sites["licence_type"], sites.geometry, strict=True)}
    order = table["شناسه درخواست"].tolist()
    assert [newly[p] for p in order] == sorted(newly.values(), reverse=True)
    conflicts = dict(zip(table["شناسه درخواست"], table["تداخل با"], strict=True))
    assert conflicts["SMP-P07"] == "SMP-P08" and conflicts["SMP-P09"] == "SMP-P01" and conflicts["SMP-P02"] == ""
    # all proposals on one map, with a line per conflicting pair (drawn when asked for)
    assert not at.get("deck_gl_json_chart")
    _show_map(at)
    assert {p["proposal_id"] for p in layer(at, "proposals")["data"]} == set(newly)
    lines = layer(at, "conflicts")["data"]
    assert len(lines) == 2
    for line in lines:
        _, _, d = GEOD.inv(line["lon_a"], line["lat_a"], line["lon_b"], line["lat_b"])
        assert min(abs(d - e) for e, _ in expected.values()) < 1.0
    assert [b.label for b in at.get("download_button")][:2] == ["دریافت XLSX (اکسل)", "دریافت CSV"]
    assert sha256(workspace_copy) == before


def test_detail_report_of_a_conflicting_proposal(open_page, ws):
    at = open_page("working_group")
    at.button(key="wg.sample").click().run()
    at.selectbox(key="wg.detail").set_value("SMP-P08").run()
    assert_clean(at)
    rules = table_with(at, "نتیجه")
    row = rules.loc["تداخل با درخواست‌های در جریان"]
    assert row["نتیجه"].endswith("نیازمند بررسی") and "SMP-P07" in row["توضیح"]
    conflicts = table_with(at, "دفتر")
    assert any("SMP-P07" in v for v in conflicts["دفتر"])


@pytest.mark.parametrize(("name", "data"), [
    ("proposals.csv", b"\x00\x01\x02\x03 binary, not a table"),
    ("proposals.xlsx", b"PK\x03\x04 a broken workbook"),
    ("proposals.csv", "id,name\n1,بدون مختصات\n".encode()),
])
def test_broken_upload_shows_a_message_and_writes_nothing(open_page, workspace_copy, name, data):
    before = sha256(workspace_copy)
    at = _upload(open_page("working_group"), name, data)
    assert "فایل درخواست‌ها خوانده نشد." in texts(at.error)
    assert any(name in c for c in texts(at.caption))  # the detail names the uploaded file
    assert not at.dataframe
    assert sha256(workspace_copy) == before


def test_rows_left_out_are_listed(open_page):
    data = ("proposal_id,name,licence_type,lat,lon\n"
            "A1,الف,روستایی,33.96396,58.32945\n"
            "A2,ب,روستایی,35.70,51.40\n").encode()
    at = _upload(open_page("working_group"), "two.csv", data)
    assert "۱ ردیف فایل کنار گذاشته شد:" in texts(at.warning)
    left_out = table_with(at, "علت")
    assert left_out["ردیف"].tolist() == ["۲"]
    reason = left_out["علت"].iat[0]  # said in Persian from the checker's code, not its English sentence
    assert "بیرون از" in reason and "۵۱٫۴" in reason and "outside the region" not in reason
    assert left_out["ستون"].iat[0] == "مختصات"
    assert len(at.dataframe[0].value) == 1
    assert [p["proposal_id"] for p in layer(_show_map(at), "proposals")["data"]] == ["A1"]


def test_the_map_is_drawn_on_request_and_stays_on_for_the_session(open_page):
    at = open_page("working_group")
    at.button(key="wg.sample").click().run()
    assert_clean(at)
    toggle = at.toggle(key="wg.show_map.widget")
    assert toggle.label == t("wg.show_map", "fa") == "نقشهٔ درخواست‌ها و تداخل‌ها" and toggle.value is False
    assert at.dataframe  # the proposals are read and tabled ...
    assert not at.get("deck_gl_json_chart")  # ... without the map: nothing for the browser to draw
    at.selectbox(key="wg.detail").set_value("SMP-P08").run()  # another rerun: still no map
    assert not at.get("deck_gl_json_chart")
    _show_map(at)
    ids = {p["proposal_id"] for p in layer(at, "proposals")["data"]}
    assert ids == {f"SMP-P{i:02d}" for i in range(1, 10)}
    at.selectbox(key="wg.detail").set_value("SMP-P07").run()  # a rerun: the map stays
    assert {p["proposal_id"] for p in layer(at, "proposals")["data"]} == ids
    # another page and back: the loaded file and the switch are kept for the session
    at.switch_page("ui/pages/planner.py").run()
    at.switch_page("ui/pages/working_group.py").run()
    assert_clean(at)
    assert at.toggle(key="wg.show_map.widget").value is True
    assert {p["proposal_id"] for p in layer(at, "proposals")["data"]} == ids
    # switched off: off for the session too
    at.toggle(key="wg.show_map.widget").set_value(False).run()
    assert not at.get("deck_gl_json_chart")
    at.switch_page("ui/pages/planner.py").run()
    at.switch_page("ui/pages/working_group.py").run()
    assert at.toggle(key="wg.show_map.widget").value is False and not at.get("deck_gl_json_chart")
    assert at.dataframe  # the proposals still loaded


def test_messages_above_the_map_do_not_move_it(open_page):
    """A map that moves in the page is built again by the browser (3-5 s without a GPU): the rows left out
    of a file (a warning and a table) come and go above it, and so must not move it."""
    at = open_page("working_group")
    at.button(key="wg.sample").click().run()
    map_at = element_path(_show_map(at))
    assert not at.warning or all("ردیف فایل کنار گذاشته شد" not in w for w in texts(at.warning))
    data = ("proposal_id,name,licence_type,lat,lon\n"
            "A1,الف,روستایی,33.96396,58.32945\n"
            "A2,ب,روستایی,35.70,51.40\n").encode()
    _upload(at, "two.csv", data)
    assert "۱ ردیف فایل کنار گذاشته شد:" in texts(at.warning)  # the warning and its table are there ...
    assert [p["proposal_id"] for p in layer(at, "proposals")["data"]] == ["A1"]
    assert element_path(at) == map_at  # ... and the map has not moved


def test_the_sample_replaces_an_uploaded_file_and_a_new_upload_replaces_the_sample(open_page):
    at = _upload(open_page("working_group"), "mine.csv", _variant())
    assert "۳ درخواست از «mine.csv» خوانده شد." in texts(at.success)
    assert _ids(at) == ["UPL-1", "UPL-2", "UPL-3"]
    map_at = element_path(_show_map(at))
    at.button(key="wg.sample").click().run()
    assert_clean(at)
    assert "۹ درخواست از «proposals.csv» خوانده شد." in texts(at.success)
    assert _ids(at) == SAMPLE_IDS
    assert {p["proposal_id"] for p in layer(at, "proposals")["data"]} == set(SAMPLE_IDS)
    assert element_path(at) == map_at  # a new, empty uploader above the map does not move it
    assert _uploader(at).value is None  # the uploader no longer shows the file that is not in use
    at.selectbox(key="wg.detail").set_value("SMP-P08").run()  # a rerun: still the sample
    assert_clean(at)
    assert _ids(at) == SAMPLE_IDS and not any("mine.csv" in s for s in texts(at.success))
    _upload(at, "mine.csv", _variant())  # a new upload: the last action wins again
    assert "۳ درخواست از «mine.csv» خوانده شد." in texts(at.success)
    assert _ids(at) == ["UPL-1", "UPL-2", "UPL-3"]


def test_clear_drops_an_uploaded_file_and_a_rerun_does_not_bring_it_back(open_page):
    at = _upload(open_page("working_group"), "mine.csv", _variant())
    assert _ids(at) == ["UPL-1", "UPL-2", "UPL-3"]
    at.button(key="wg.clear").click().run()
    assert_clean(at)
    assert "هنوز فایلی بارگذاری نشده است." in texts(at.info)
    assert not at.dataframe and not any("خوانده شد" in s for s in texts(at.success))
    assert _uploader(at).value is None
    at.run()  # a rerun: the upload does not come back
    assert_clean(at)
    assert "هنوز فایلی بارگذاری نشده است." in texts(at.info) and not at.dataframe
    # the sample, then clear: nothing either
    at.button(key="wg.sample").click().run()
    assert _ids(at) == SAMPLE_IDS
    at.button(key="wg.clear").click().run()
    at.run()
    assert "هنوز فایلی بارگذاری نشده است." in texts(at.info) and not at.dataframe
    _upload(at, "mine.csv", _variant())  # a new upload after clear is taken
    assert "۳ درخواست از «mine.csv» خوانده شد." in texts(at.success)
    assert _ids(at) == ["UPL-1", "UPL-2", "UPL-3"]
