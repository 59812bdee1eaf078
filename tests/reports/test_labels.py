"""One home for the bilingual words: the dashboard and the printed report state a result the same way."""

from __future__ import annotations

import dataclasses

import pytest

from siting.reports import labels
from siting.reports.html import report_html
from siting.rules import load_rules
from siting.rules.validate import ValidationReport, validate_site
from siting.samples.hand import hand_workspace
from ui.i18n import t


def _report(status: str) -> ValidationReport:
    """A report with the given overall status (the status is all the sentence depends on)."""
    base = validate_site(hand_workspace(), load_rules(), licence_type="rural", lon=59.33, lat=32.92,
                         applicant_type="natural")
    return dataclasses.replace(base, status=status)


@pytest.mark.parametrize("status", ["pass", "warn", "fail"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_dashboard_and_report_share_the_overall_sentence(status, lang):
    sentence = labels.pick(labels.OVERALL_LABELS, status, lang)
    assert sentence in report_html(_report(status), lang=lang)
    assert t(f"report.status.{status}", lang) == labels.status_sentence(status, lang)
    assert t(f"report.status.{status}", lang).endswith(sentence if lang == "fa" else sentence[1:])


def test_every_mapping_has_persian_and_english_for_each_key():
    maps = [v for k, v in vars(labels).items() if k.isupper() and hasattr(v, "items")]
    assert len(maps) >= 14
    for m in maps:
        for key, pair in m.items():
            assert isinstance(pair, tuple) and len(pair) == 2 and all(pair), key
            assert any("\u0600" <= ch <= "\u06ff" for ch in pair[0]) or pair[0] in ("—", pair[1]), (key, pair)
