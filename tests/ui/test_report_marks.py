"""Issue 15 (9) on the site checker's page: thresholds that are placeholders in the rules file are
marked provisional, with the note saying what that means."""

from __future__ import annotations

from apptest_helpers import assert_clean, table_with, texts

from siting.reports.labels import PROVISIONAL_NOTE
from siting.rules import load_rules
from siting.rules.validate import validate_site

THRESHOLD = "حد مجاز"


def test_placeholder_thresholds_are_marked_provisional_on_the_page(open_page, ws):
    at = open_page("applicant")
    at.radio(key="applicant.licence_type").set_value("rural").run()
    at.text_input(key="applicant.lat").input("33.96396")
    at.text_input(key="applicant.lon").input("58.32945")
    at.button(key="FormSubmitter:applicant.coords_form-بررسی این نقطه").click().run()
    assert_clean(at)
    rep = validate_site(ws, load_rules(), licence_type="rural", lon=58.32945, lat=33.96396)
    shown = table_with(at, THRESHOLD)
    for r in rep.rules:
        cell = shown.loc[r.title_fa, THRESHOLD]
        assert cell.endswith("(موقت)") == r.provisional, (r.id, cell)
    assert any(r.provisional for r in rep.rules) and not rep.rule("inside_region").provisional
    assert PROVISIONAL_NOTE[0] in texts(at.caption)
