"""The printable HTML and JSON validation report."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import numpy as np
from pyproj import Geod

from siting.reports.html import format_value, report_html, report_json, status_label
from siting.rules.validate import validate_site


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def test_format_value():
    assert format_value(850, "m") == "۸۵۰ متر"
    assert format_value(2345.6, "m", "en") == "2.3 km"
    assert format_value(5000, "people") == "۵٬۰۰۰ نفر"
    assert format_value(5000, "people", "en") == "5,000 people"
    assert format_value("inside", None) == "درون استان"
    assert format_value("legal", None, "en") == "legal person"
    assert format_value("natural,legal", None) == "شخص حقیقی، شخص حقوقی"
    assert format_value(None, "m") == "—"
    assert status_label("fail") == "رد" and status_label("warn", "en") == "needs review"


def test_html_report_is_persian_rtl_self_contained_and_complete(hand_ws, rules):
    # a rural site 2.5 km from the rural office R1: fails the 5 km same-type distance
    report = validate_site(hand_ws, rules, licence_type="rural", lon=59.33, lat=32.92, applicant_type="natural")
    html = report_html(report, lang="fa", workspace_name="hand", created=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    doc = _parse(html)
    text = " ".join(doc.text)
    assert '<html lang="fa" dir="rtl">' in html
    assert "script" not in doc.tags and doc.urls == []  # prints and opens offline
    assert "@import" not in html and "url(" not in html
    assert "۱۴۰۵/۰۹/۰۷" in text  # Solar Hijri date of 2026-11-28
    for r in report.rules:  # every rule with its Persian title, result and explanation
        assert r.title_fa in text and r.message_fa in text and status_label(r.status) in text
    assert f'data-status="{report.status}"' in html and report.status == "fail"
    # the measured distance to R1 in the report is the geodesic one, in Persian digits
    _, _, d = Geod(ellps="WGS84").inv(59.33, 32.92, 59.35, 32.90)
    rule = report.rule("min_distance_same_type")
    assert rule.status == "fail" and abs(rule.value - d) < 0.001 * d
    assert format_value(rule.value, "m") in text
    assert "دادهٔ نمونه" in text  # the hand workspace is marked as sample data


def test_html_report_in_english_and_escaped(hand_ws, rules):
    report = validate_site(hand_ws, rules, licence_type="urban", lon=59.2201, lat=32.8712)
    html = report_html(report, lang="en", workspace_name="<b>ws</b>")
    assert '<html lang="en" dir="ltr">' in html
    assert "&lt;b&gt;ws&lt;/b&gt;" in html and "<b>ws</b>" not in html
    assert all(r.message_en in html.replace("&#x27;", "'") for r in report.rules)
    assert not re.search(r"[۰-۹]", html.split("<body>")[1].split("SAMPLE")[0])  # English: ASCII digits


def test_json_report_round_trips(hand_ws, rules):
    report = validate_site(hand_ws, rules, licence_type="rural", lon=59.33, lat=32.92)
    data = json.loads(report_json(report, workspace_name="hand"))
    assert data["workspace"] == "hand" and data["licence_type"] == "rural"
    assert [r["id"] for r in data["rules"]] == [r.id for r in report.rules]
    assert data["newly_covered_population"] == report.newly_covered_population
    assert np.isclose(data["lon"], 59.33) and data["sample"] is True
