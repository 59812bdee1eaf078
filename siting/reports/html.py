"""A site-validation report as people read it: formatted values, a printable HTML page, JSON.

The HTML page is self-contained (inline CSS, no scripts, no web fonts, no
external resource) so that it prints and opens offline; it is right-to-left
in Persian (``lang='fa'``) and left-to-right in English. Numbers are in
Persian digits and dates in the Solar Hijri calendar in Persian. "Save as
PDF" in any browser's print dialog gives the PDF.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

from siting import fmt
from siting.reports.labels import (
    OVERALL_LABELS,
    PROVISIONAL_LABEL,
    PROVISIONAL_NOTE,
    REPORT_WORDS,
    SAMPLE_NOTE,
    STATUS_LABELS,
    VALUE_WORDS,
    lang_index,
    status_label,
)
from siting.rules.config import RuleResult
from siting.rules.validate import ValidationReport
from siting.vocab import label


def format_value(value: Any, unit: str | None, lang: str = "fa") -> str:
    """A rule's measured value or threshold for display: distances, people, words, lists.

    >>> format_value(1234.5, "m")
    '۱٫۲ کیلومتر'
    >>> format_value(5000, "people", "en")
    '5,000 people'
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return VALUE_WORDS["yes" if value else "no"][lang_index(lang)]
    if isinstance(value, int | float):
        if unit == "m":
            return fmt.distance(float(value), lang)
        text = fmt.number(value, lang, decimals=0 if float(value).is_integer() else 1)
        if unit == "people":
            return f"{text} نفر" if lang == "fa" else f"{text} people"
        return text
    text = str(value)
    if text in VALUE_WORDS:
        return VALUE_WORDS[text][lang_index(lang)]
    sep = "، " if lang == "fa" else ", "
    return sep.join(label(part.strip(), lang) for part in text.split(","))


def format_threshold(rule: RuleResult, lang: str = "fa") -> str:
    """A rule's threshold for display, marked provisional when it is a placeholder in the rules file.

    >>> from siting.rules.config import RuleResult
    >>> format_threshold(RuleResult("x", "pass", 1, 1000, "m", "", "", provisional=True), "en")
    '1.0 km (provisional)'
    """
    text = format_value(rule.threshold, rule.unit, lang)
    if rule.provisional:
        text += f" ({PROVISIONAL_LABEL[lang_index(lang)]})"
    return text


def provisional_note(report: ValidationReport, lang: str = "fa") -> str | None:
    """The note explaining the provisional mark, when a rule of the report has one."""
    return PROVISIONAL_NOTE[lang_index(lang)] if any(r.provisional for r in report.rules) else None


def _esc(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _tr(*cells: Any, cls: str | None = None, classes: tuple[str, ...] = ()) -> str:
    """One table row of escaped cells; ``classes`` gives the first cells a CSS class."""
    attr = f" class='{_esc(cls)}'" if cls else ""
    tds = "".join(
        f"<td class='{classes[i]}'>{_esc(c)}</td>" if i < len(classes) and classes[i] else f"<td>{_esc(c)}</td>"
        for i, c in enumerate(cells))
    return f"<tr{attr}>{tds}</tr>"


def _coord(v: float, lang: str) -> str:
    return fmt.number(v, lang, decimals=5).replace("٬", "").replace(",", "")


def report_html(
    report: ValidationReport,
    *,
    lang: str = "fa",
    workspace_name: str | None = None,
    created: datetime | None = None,
) -> str:
    """The validation report as one printable, self-contained HTML page."""
    i = lang_index(lang)
    created = created or datetime.now(UTC)
    when = fmt.jalali(created, with_time=True) if lang == "fa" else created.strftime("%Y-%m-%d %H:%M UTC")

    def w(key: str) -> str:
        return REPORT_WORDS[key][i]

    r = report
    rows = "".join(_tr(
        (x.title_fa if lang == "fa" else x.title_en) or x.id, status_label(x.status, lang),
        format_value(x.value, x.unit, lang), format_threshold(x, lang),
        x.message_fa if lang == "fa" else x.message_en, w(x.basis) if x.basis in ("guide", "policy") else x.basis,
        cls=x.status, classes=("", "st", "", "provisional" if x.provisional else "")) for x in r.rules)
    prov = provisional_note(r, lang)
    prov_html = f"<p class='provisional-note'>{_esc(prov)}</p>" if prov else ""
    near = "".join(_tr(o.name or o.office_id, label(o.licence_type, lang), fmt.distance(o.distance_m, lang),
                       o.county or "—", w(f"location_{o.location}"))
                   for o in r.nearest_offices) or f"<tr><td colspan='5'>{w('none')}</td></tr>"
    settled = "".join(
        f"<li>{_esc(s.get('name_fa'))} ({_esc(label(s.get('kind') or '', lang))}): "
        f"{_esc(format_value(s.get('population'), 'people', lang))}</li>"
        for s in r.newly_covered_settlements
    )
    conflicts = "".join(_tr(c.proposal_id, c.name or "—", label(c.licence_type, lang), fmt.distance(c.distance_m, lang),
                            fmt.distance(c.threshold_m, lang)) for c in r.conflicts)
    conflicts_block = (
        f"<h2>{w('conflicts')}</h2><table><tr><th>{w('proposal')}</th><th>{w('applicant')}</th><th>{w('type')}</th>"
        f"<th>{w('distance')}</th><th>{w('minimum')}</th></tr>{conflicts}</table>" if r.conflicts else ""
    )
    sample = f"<p class='sample'>{_esc(SAMPLE_NOTE[i])}</p>" if r.sample else ""
    facts = [
        (w("lat"), _coord(r.lat, lang)), (w("lon"), _coord(r.lon, lang)),
        (w("county"), r.county or "—"), (w("settlement"), r.settlement or "—"),
        (w("licence"), label(r.licence_type, lang)),
        (w("applicant"), label(r.applicant_type, lang) if r.applicant_type else "—"),
    ]
    facts_html = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in facts)
    direction = "rtl" if lang == "fa" else "ltr"
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<title>{w('title')}</title>
<style>
body {{ font-family: Vazirmatn, "Noto Sans Arabic", "Noto Naskh Arabic", Tahoma, "DejaVu Sans", sans-serif;
       margin: 2em; color: #111; line-height: 1.6; }}
h1 {{ font-size: 1.4em; margin-bottom: .2em; }}
h2 {{ font-size: 1.1em; margin-top: 1.4em; border-bottom: 1px solid #999; }}
table {{ border-collapse: collapse; width: 100%; margin: .5em 0; }}
th, td {{ border: 1px solid #bbb; padding: .3em .5em; text-align: start; vertical-align: top; }}
th {{ background: #f0f0f0; }}
tr.pass td.st {{ color: #11632d; font-weight: bold; }}
tr.fail td.st {{ color: #a10f0f; font-weight: bold; }}
tr.warn td.st {{ color: #8a5a00; font-weight: bold; }}
tr.unknown td.st {{ color: #44546a; font-weight: bold; }}
td.provisional {{ font-style: italic; }}
.overall {{ font-size: 1.15em; padding: .5em; border: 2px solid #555; }}
.overall.pass {{ border-color: #11632d; }} .overall.fail {{ border-color: #a10f0f; }}
.overall.warn {{ border-color: #8a5a00; }} .overall.unknown {{ border-color: #44546a; border-style: dashed; }}
.sample {{ background: #fff3cd; border: 2px solid #b58100; padding: .5em; font-weight: bold; }}
.meta {{ color: #444; }}
footer {{ margin-top: 2em; color: #555; font-size: .85em; }}
@media print {{ body {{ margin: 1cm; }} a {{ color: inherit; }} }}
</style>
</head>
<body>
{sample}
<h1>{w('title')}</h1>
<p class="meta">{w('when')}: {_esc(when)} · {w('workspace')}: {_esc(workspace_name or '—')}</p>
<p class="overall {_esc(r.status)}" data-status="{_esc(r.status)}"><b>{w('result')}: {_esc(status_label(r.status, lang))}</b>
 — {_esc(OVERALL_LABELS[r.status][i])}</p>
<h2>{w('site')}</h2>
<table class="facts">{facts_html}</table>
<h2>{w('rules')}</h2>
<table class="rules"><tr><th>{w('rule')}</th><th>{w('status')}</th><th>{w('value')}</th><th>{w('threshold')}</th>
<th>{w('explanation')}</th><th>{w('basis')}</th></tr>{rows}</table>
{prov_html}
<h2>{w('newly')}</h2>
<p>{_esc(format_value(r.newly_covered_population, 'people', lang))}</p>
<ul>{settled}</ul>
{conflicts_block}
<h2>{w('nearest')}</h2>
<table><tr><th>{w('office')}</th><th>{w('type')}</th><th>{w('distance')}</th><th>{w('county')}</th><th>{w('location')}</th></tr>{near}</table>
<footer>{w('footer')}</footer>
</body>
</html>
"""


def report_json(report: ValidationReport, *, workspace_name: str | None = None) -> str:
    """The report as pretty JSON (UTF-8 text, Persian kept as is), with the workspace named."""
    data = report.to_dict()
    data["workspace"] = workspace_name
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(o: Any) -> Any:
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    return str(o)


__all__ = ["OVERALL_LABELS", "STATUS_LABELS", "format_threshold", "format_value", "provisional_note", "report_html",
           "report_json", "status_label"]
