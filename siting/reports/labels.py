"""Every bilingual word the reports show, in one place: ``key -> (Persian, English)``.

The HTML validation report (:mod:`siting.reports.html`), the working group's meeting table
(:mod:`siting.reports.meeting`), the optimizer's scenario tables (the dashboard's
``ui.views.scenarios``) and the dashboard's own strings (``ui.i18n``, which takes the report's status
sentences from here) all read these, so a word changes once and reads the same on every screen and file.

>>> status_label("warn", "en"), status_sentence("fail", "en")
('needs review', 'Fail: the site fails at least one rule.')
>>> pick(MODEL_NAMES, "mclp", "en")
'most people covered by k new offices (MCLP)'
>>> pick(MODEL_NAMES, "unknown-model"), pick(MODEL_NAMES, None)
('unknown-model', '—')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def lang_index(lang: str) -> int:
    """0 for Persian (``'fa'``), 1 for anything else (English)."""
    return 0 if lang == "fa" else 1


def pick(names: Mapping[str, tuple[str, str]], key: str | None, lang: str = "fa") -> str:
    """The Persian or English word for ``key`` in one of the mappings here (the key itself if unknown)."""
    if key is None:
        return "—"
    return names.get(key, (key, key))[lang_index(lang)]


# -- the validation report (siting.reports.html) ------------------------------------------------------
STATUS_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "pass": ("قبول", "pass"),
    "fail": ("رد", "fail"),
    "warn": ("نیازمند بررسی", "needs review"),
    "unknown": ("نامعلوم", "unknown"),
})
# The overall result in one sentence, after the status word ("Pass: ...").
OVERALL_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "pass": ("محل پیشنهادی همهٔ شرط‌ها را دارد.", "The site meets every rule."),
    "fail": ("محل پیشنهادی دست‌کم یک شرط را ندارد.", "The site fails at least one rule."),
    "warn": ("محل پیشنهادی شرطی را رد نمی‌کند، اما کارگروه باید مواردی را بررسی کند.",
             "The site fails no rule, but the working group must review some points."),
    "unknown": ("برخی شرط‌ها بررسی‌شدنی نبود (داده‌اش در فضای کاری نیست)؛ نتیجه قبول نیست تا آن‌ها بررسی شوند.",
                "Some rules could not be evaluated (the workspace lacks their data): this is not a pass until they are checked."),
})
# A threshold that is a placeholder in the rules file (``placeholder: true``): the rule's outcome is provisional.
PROVISIONAL_LABEL: tuple[str, str] = ("موقت", "provisional")
PROVISIONAL_NOTE: tuple[str, str] = (
    "«موقت»: حدِ این شرط در فایل ضوابط هنوز مقدار جایگزین است و کارگروه آن را تعیین نکرده؛ نتیجهٔ آن قطعی نیست.",
    "“provisional”: this rule's threshold is still a placeholder in the rules file, not yet set by the working "
    "group; its outcome is not final.",
)
VALUE_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "inside": ("درون استان", "inside"),
    "outside": ("بیرون از استان", "outside"),
    "yes": ("بله", "yes"),
    "no": ("خیر", "no"),
    "unknown": ("نامعلوم", "unknown"),
})
SAMPLE_NOTE: tuple[str, str] = (
    "دادهٔ نمونه (ساختگی) — غیررسمی. این گزارش بر دادهٔ نمونه ساخته شده و اعتبار رسمی ندارد.",
    "SAMPLE DATA (synthetic) — not official. This report was made on sample data and has no official standing.",
)

REPORT_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "title": ("گزارش بررسی محل پیشنهادی دفتر", "Proposed office site: validation report"),
    "when": ("تاریخ تهیه", "Prepared"),
    "workspace": ("دادهٔ مبنا", "Data"),
    "site": ("محل", "Site"),
    "lat": ("عرض جغرافیایی", "Latitude"),
    "lon": ("طول جغرافیایی", "Longitude"),
    "county": ("شهرستان", "County"),
    "settlement": ("سکونتگاه", "Settlement"),
    "licence": ("نوع پروانه", "Licence type"),
    "applicant": ("نوع متقاضی", "Applicant type"),
    "result": ("نتیجه", "Result"),
    "rules": ("شرط‌ها", "Rules"),
    "rule": ("شرط", "Rule"),
    "status": ("وضعیت", "Status"),
    "value": ("مقدار", "Value"),
    "threshold": ("حد مجاز", "Threshold"),
    "explanation": ("توضیح", "Explanation"),
    "basis": ("مبنا", "Basis"),
    "nearest": ("نزدیک‌ترین دفترهای موجود", "Nearest existing offices"),
    "office": ("دفتر", "Office"),
    "type": ("نوع", "Type"),
    "distance": ("فاصله", "Distance"),
    "newly": ("جمعیتی که تازه پوشش می‌گیرد", "Population newly covered"),
    "people": ("نفر", "people"),
    "population": ("جمعیت", "Population"),
    "conflicts": ("تداخل با درخواست‌های در جریان", "Conflicts with pending proposals"),
    "proposal": ("درخواست", "Proposal"),
    "minimum": ("حداقل فاصله", "Minimum distance"),
    "none": ("ندارد", "none"),
    "location": ("موقعیت", "Position"),
    "location_exact": ("از مختصات", "from coordinates"),
    "location_approximate": ("تقریبی: محل آبادیِ نام‌برده در دفتر ثبت", "approximate: at the settlement the register names"),
    "guide": ("راهنمای متقاضیان", "applicant guide"),
    "policy": ("سیاست کارگروه", "working-group policy"),
    "footer": ("تهیه‌شده با siting؛ برای PDF از «چاپ ← ذخیره به صورت PDF» مرورگر استفاده کنید.",
               "Made with siting; for a PDF use the browser's Print → Save as PDF."),
})


def status_label(status: str, lang: str = "fa") -> str:
    """'pass' → 'قبول' (fa) / 'pass' (en)."""
    return pick(STATUS_LABELS, status, lang)


def status_sentence(status: str, lang: str = "fa") -> str:
    """The overall result as the report and the dashboard state it: 'قبول: محل پیشنهادی همهٔ شرط‌ها را دارد.'"""
    word = status_label(status, lang)
    sentence = pick(OVERALL_LABELS, status, lang)
    return f"{word}: {sentence}" if lang == "fa" else f"{word[:1].upper()}{word[1:]}: {sentence[:1].lower()}{sentence[1:]}"


#: Why a typed point cannot be a site, in Persian and English (``{lat}``/``{lon}`` filled by the caller):
#: the one wording of the site checker, the new-request form and the tracker's refusals.
POINT_PROBLEMS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "outside_region": ("این نقطه (عرض {lat}، طول {lon}) بیرون از استان است؛ محلی درون استان انتخاب کنید.",
                       "This point (lat {lat}, lon {lon}) lies outside the province; choose a site inside it."),
    "swapped": ("این نقطه (عرض {lat}، طول {lon}) بیرون از استان است؛ به نظر می‌رسد جای عرض و طول جغرافیایی عوض شده است.",
                "This point (lat {lat}, lon {lon}) lies outside the province; latitude and longitude look exchanged."),
})


# -- the working group's meeting table (siting.reports.meeting) ---------------------------------------
MEETING_COLUMNS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "rank": ("رتبه", "rank"),
    "proposal_id": ("شناسه درخواست", "proposal id"),
    "name": ("متقاضی", "applicant"),
    "licence_type": ("نوع پروانه", "licence type"),
    "applicant_type": ("نوع متقاضی", "applicant type"),
    "county": ("شهرستان", "county"),
    "status": ("نتیجه", "result"),
    "newly_covered_population": ("جمعیت تازه پوشش‌یافته", "population newly covered"),
    "failed_rules": ("شرط‌های ردشده", "failed rules"),
    "review_rules": ("موارد نیازمند بررسی", "points to review"),
    "conflicts": ("تداخل با", "conflicts with"),
    "lat": ("عرض جغرافیایی", "latitude"),
    "lon": ("طول جغرافیایی", "longitude"),
    "row": ("ردیف فایل", "file row"),
    "sample": ("دادهٔ نمونه", "sample data"),
})
PAIR_COLUMNS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "proposal_a": ("درخواست الف", "proposal A"),
    "proposal_b": ("درخواست ب", "proposal B"),
    "distance_m": ("فاصله (متر)", "distance (m)"),
    "threshold_m": ("حداقل مجاز (متر)", "minimum (m)"),
})


# -- optimizer runs (the dashboard's scenario tables, ui.views.scenarios) -----------------------------
MODEL_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "mclp": ("بیشترین پوشش با k دفتر تازه (MCLP)", "most people covered by k new offices (MCLP)"),
    "lscp": ("کمترین دفتر تازه برای سهم هدف (LSCP)", "fewest new offices for a target share (LSCP)"),
    "pmedian": ("کمترین فاصلهٔ وزنی با k دفتر تازه (p-median)", "least weighted distance with k new offices (p-median)"),
    "pcenter": ("کمترین دورترین فاصله با k دفتر تازه (p-center)",
                "smallest worst distance with k new offices (p-center)"),
    "beyond": ("کمترین سکونتگاه دورتر از آستانه با k دفتر تازه",
               "fewest settlements beyond a threshold with k new offices"),
    "capacitated_pmedian": ("کمترین فاصلهٔ وزنی با ظرفیت دفترها (p-median ظرفیت‌دار)",
                            "least weighted distance within office capacities (capacitated p-median)"),
    "capacitated_mclp": ("بیشترین پوشش با ظرفیت دفترها (MCLP ظرفیت‌دار)",
                         "most people covered within office capacities (capacitated MCLP)"),
    "backup": ("بیشترین جمعیت با دو دفتر در دسترس (پوشش پشتیبان)",
               "most people within reach of two offices (backup coverage)"),
})

STATUS_SHORT: Mapping[str, tuple[str, str]] = MappingProxyType({
    "optimal": ("بهینه", "optimal"),
    "time_limit": ("مهلت تمام شد", "time limit"),
    "heuristic": ("ابتکاری", "heuristic"),
    "feasible": ("شدنی", "feasible"),
    "empty": ("بی‌نیاز", "nothing to do"),
})

STATUS_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "optimal": ("بهینه (اثبات‌شده)", "optimal (proven)"),
    "time_limit": ("پایان مهلت زمانی (بهترین جواب یافته)", "time limit reached (best found)"),
    "heuristic": ("ابتکاری (حریصانه)", "heuristic (greedy)"),
    "feasible": ("شدنی (بدون اثبات بهینگی)", "feasible (optimality not proven)"),
    "empty": ("نیازی به دفتر تازه نیست", "no new office needed"),
})

# What a result's objective counts (siting.optimize.result.OBJECTIVES, in words).
OBJECTIVE_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "mclp": ("جمعیت تازه پوشش‌یافته (بیشینه)", "population newly covered (maximised)"),
    "lscp": ("تعداد دفاتر تازه (کمینه)", "number of new sites (minimised)"),
    "pmedian": ("مجموع هزینهٔ وزنی (جمعیت × فاصله) تا نزدیک‌ترین دفتر (کمینه)",
                "population-weighted cost to the nearest office, summed (minimised)"),
})

METHOD_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "exact": ("دقیق (HiGHS)", "exact (HiGHS)"),
    "greedy": ("حریصانه", "greedy"),
    "none": ("—", "—"),
    "auto": ("خودکار", "automatic"),
})

# The site rules that reject candidates before the model (ids of siting.rules.site, plus the optional
# population rule of siting.optimize.prepare).
RULE_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "inside_region": ("درون استان", "inside the province"),
    "min_distance_same_type": ("حداقل فاصله تا دفتر هم‌نوع", "minimum distance to a same-type office"),
    "min_distance_any_type": ("حداقل فاصله تا هر دفتر", "minimum distance to any office"),
    "site_in_city": ("درون شهر", "inside a city"),
    "site_outside_city": ("بیرون از شهر", "outside cities"),
    "near_village": ("نزدیک روستا", "near a village"),
    "min_uncovered_population": ("حداقل جمعیت تازه پوشش‌یافته", "minimum population newly covered"),
})

# column of runs_table -> (Persian header, English header)
SCENARIO_COLUMNS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "run": ("اجرا", "run"),
    "title": ("سناریو", "scenario"),
    "model": ("مدل", "model"),
    "licence_type": ("نوع پروانه", "licence type"),
    "k": ("تعداد دفتر (k)", "k"),
    "share_target": ("سهم هدف", "target share"),
    "radius": ("شعاع خدمت", "service radius"),
    "unit": ("واحد", "unit"),
    "sites": ("دفاتر تازه", "new offices"),
    "newly_covered": ("جمعیت تازه پوشش‌یافته", "population newly covered"),
    "share_before": ("سهم پوشش پیش از", "covered share before"),
    "share_after": ("سهم پوشش پس از", "covered share after"),
    "mean_cost_after": ("میانگین فاصله تا نزدیک‌ترین دفتر پس از", "mean cost to the nearest office after"),
    "total_cost": ("مجموع هزینهٔ وزنی تا نزدیک‌ترین دفتر پس از", "total weighted cost to the nearest office after"),
    "objective": ("مقدار تابع هدف", "objective"),
    "gap": ("فاصله تا بهینه", "optimality gap"),
    "status": ("وضعیت حل", "solver status"),
    "proven": ("بهینگی اثبات‌شده", "proven optimal"),
    "method": ("روش", "method"),
    "seconds": ("زمان (ثانیه)", "time (s)"),
    "candidates": ("محل‌های نامزد مجاز", "candidate sites"),
    "sample": ("دادهٔ نمونه", "sample data"),
})

SITE_COLUMNS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "rank": ("رتبه", "rank"),
    "name": ("محل", "site"),
    "county": ("شهرستان", "county"),
    "newly_covered_population": ("جمعیت تازه پوشش‌یافته", "population newly covered"),
    "served_population": ("جمعیت تحت خدمت (نزدیک‌ترین دفتر)", "people served (nearest office)"),
    "lat": ("عرض جغرافیایی", "latitude"),
    "lon": ("طول جغرافیایی", "longitude"),
    "id": ("شناسه", "id"),
})

COUNTY_COLUMNS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "county": ("شهرستان", "county"),
    "newly_covered_population": ("جمعیت تازه پوشش‌یافته", "population newly covered"),
})
