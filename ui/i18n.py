"""Every word the dashboard shows, in Persian (default) and English.

``t(key, lang, **values)`` returns the text of ``key`` in ``lang`` with
``{name}`` placeholders filled in (numbers are formatted by the caller with
:mod:`siting.fmt`, so that Persian text gets Persian digits). A key that is
missing raises ``KeyError`` (tests/ui/test_app_shell.py checks every key used), never a
half-translated screen.

Pages added later (the application tracker, the optimizer's scenario
runner) add their keys to :data:`STRINGS` under their own prefix
(``tracker.``, ``scenario.``) and a ``page.<name>`` title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from siting import fmt
from siting.reports.labels import POINT_PROBLEMS, status_sentence

LANGUAGES: tuple[str, ...] = ("fa", "en")
DEFAULT_LANGUAGE = "fa"

_STRINGS: dict[str, tuple[str, str]] = {
    # -- application frame ----------------------------------------------------------------------
    "app.title": ("سامانهٔ مکان‌یابی دفاتر پیشخوان و ICT روستایی", "Pishkhan and rural ICT office siting"),
    "app.language": ("زبان / Language", "Language / زبان"),
    "app.sample_banner": (
        "دادهٔ نمونه (ساختگی) — غیررسمی. آنچه این صفحه نشان می‌دهد بر دادهٔ نمونه است و اعتبار رسمی ندارد.",
        "SAMPLE DATA (synthetic) — not official. What this page shows is built on sample data.",
    ),
    "app.workspace_caption": ("فضای کاری: {name}", "Workspace: {name}"),
    "app.workspace_missing": (
        "فضای کاری بارگذاری نشد. با «make run» فضای کاری نمونه ساخته می‌شود، یا مسیر آن را در متغیر SITING_WORKSPACE بگذارید.",
        "The workspace could not be loaded. `make run` builds the sample workspace; or point SITING_WORKSPACE at one.",
    ),
    "app.unexpected": (
        "خطای پیش‌بینی‌نشده رخ داد؛ چیزی ذخیره نشد. جزئیات در گزارش سرور ثبت شد.",
        "An unexpected error occurred; nothing was saved. The details are in the server log.",
    ),
    "app.crashed": (
        "متأسفیم، این صفحه با خطا روبه‌رو شد و کار نیمه‌تمام ذخیره نشد. صفحه را دوباره باز کنید؛ اگر تکرار شد، "
        "این شناسه را به پشتیبانی بدهید: `{ref}`",
        "Sorry, this page ran into an error and nothing half-done was saved. Open the page again; if it happens "
        "again, give support this reference: `{ref}`",
    ),
    "app.detail_library": ("جزئیات (متن انگلیسی بررسی‌گر): {detail}", "Details: {detail}"),
    "app.detail": ("جزئیات: {detail}", "Details: {detail}"),
    # navigation sections and pages
    "nav.applicant": ("متقاضیان", "Applicants"),
    "nav.working_group": ("کارگروه", "Working group"),
    "nav.directorate": ("اداره‌کل", "Directorate"),
    "nav.planning": ("برنامه‌ریزی", "Planning"),
    "nav.data": ("داده", "Data"),
    "page.applicant": ("انتخاب و بررسی محل", "Choose and check a site"),
    "page.working_group": ("بررسی درخواست‌ها", "Review proposals"),
    "page.planner": ("پوشش و کمبودها", "Coverage and gaps"),
    "page.data": ("داده و منابع", "Data and sources"),
    # -- shared words ---------------------------------------------------------------------------
    "word.licence_type": ("نوع پروانه", "Licence type"),
    "word.all_types": ("همهٔ انواع", "All types"),
    "word.county": ("شهرستان", "County"),
    "word.all_counties": ("همهٔ شهرستان‌ها", "All counties"),
    "word.applicant_type": ("نوع متقاضی", "Applicant type"),
    "word.not_given": ("(مشخص نشده)", "(not given)"),
    "word.download_csv": ("دریافت CSV", "Download CSV"),
    "word.download_xlsx": ("دریافت XLSX (اکسل)", "Download XLSX (Excel)"),
    "word.download_geojson": ("دریافت GeoJSON", "Download GeoJSON"),
    "word.download_gpkg": ("دریافت GeoPackage", "Download GeoPackage"),
    "word.rank": ("رتبه", "Rank"),
    "word.area_km2": ("مساحت (کیلومتر مربع)", "Area (km²)"),
    "word.settlements": ("سکونتگاه‌ها", "Settlements"),
    "word.uncovered_population": ("جمعیت بدون پوشش", "Population not covered"),
    "word.population": ("جمعیت", "Population"),
    "word.yes": ("بله", "yes"),
    "word.no": ("خیر", "no"),
    # -- map --------------------------------------------------------------------------------------
    "measure.label": ("پوشش بر اساس", "Coverage by"),
    "measure.distance": ("فاصلهٔ مستقیم", "straight-line distance"),
    "measure.time": ("زمان سفر در راه‌ها", "travel time by road"),
    "measure.help": (
        "فاصلهٔ مستقیم: سکونتگاه درون شعاع خدمت دفتر پوشش‌یافته است. زمان سفر: سکونتگاهی که در زمان خدمت از راه به دفتر می‌رسد؛ "
        "سکونتگاه بیرون از شبکهٔ راه‌ها یا جدا از آن پوشش‌یافته نیست.",
        "Straight-line distance: a settlement within an office's service radius is covered. Travel time: a settlement "
        "that reaches an office by road within the service time; one off the road network or cut off from it is not covered.",
    ),
    "measure.no_roads": (
        "زمان سفر در دسترس نیست: فضای کاری لایهٔ راه‌ها ندارد (با «siting import roads FILE» بیفزایید).",
        "Travel time is not available: the workspace has no roads layer (add one with `siting import roads FILE`).",
    ),
    "measure.no_times": (
        "زمان سفر در دسترس نیست: فایل قواعد برای هر نوع مجوز service_time_min ندارد.",
        "Travel time is not available: the rules file gives no service_time_min for every licence type.",
    ),
    "measure.caption": ("پوشش یعنی {what}", "Covered means {what}"),
    "measure.off_network": (
        "با زمان سفر، سکونتگاه بیرون از شبکهٔ راه‌ها یا جدا از آن پوشش‌یافته به شمار نمی‌آید.",
        "By travel time, a settlement off the road network or cut off from it counts as not covered.",
    ),
    "measure.site_area": ("ناحیهٔ خدمت محل پیشنهادی با زمان سفر", "the candidate's travel-time service area"),
    "map.basemap": ("نقشهٔ پایه (نیاز به اینترنت)", "Basemap (needs internet)"),
    "map.basemap_help": (
        "نقشهٔ پایهٔ کاشی‌ای از اینترنت بارگذاری می‌شود؛ بدون اینترنت خاموش بگذارید. مرزها، شهرستان‌ها و کمبودها همیشه بدون اینترنت نمایش داده می‌شوند.",
        "The tiled basemap loads from the internet; leave it off without a connection. Boundaries, counties and gaps always draw offline.",
    ),
    "map.legend": ("راهنمای نقشه", "Map legend"),
    "map.legend_urban": ("دفتر پیشخوان شهری", "urban Pishkhan office"),
    "map.legend_rural": ("دفتر ICT روستایی", "rural ICT office"),
    "report.col.location": ("موقعیت", "Position"),
    "report.location.exact": ("از مختصات", "from coordinates"),
    "report.location.approximate": ("تقریبی (محل آبادی)", "approximate (at the settlement)"),
    "map.legend_approximate": ("حلقهٔ سیاه: موقعیت تقریبی دفتر (محل آبادیِ نام‌برده)",
                               "black ring: office located approximately (at the named settlement)"),
    "map.legend_inactive": ("دفتر غیرفعال یا تعلیق", "inactive or suspended office"),
    "map.legend_settlement": ("سکونتگاه (اندازه به نسبت جمعیت)", "settlement (size by population)"),
    "map.legend_city": ("شهر (اندازه به نسبت جمعیت)", "city (size by population)"),
    "map.legend_village": ("روستا (اندازه به نسبت جمعیت)", "village (size by population)"),
    "map.legend_gap": ("ناحیهٔ بدون پوشش", "service gap"),
    "map.legend_candidate": ("محل پیشنهادی و شعاع خدمت آن", "candidate site and its service radius"),
    "map.legend_cells": ("شش‌ضلعی‌های قابل انتخاب (کلیک کنید)", "pickable hexagons (click one)"),
    "map.legend_proposal": ("درخواست: {status}", "proposal: {status}"),
    "map.legend_conflict": ("خط تداخل بین دو درخواست", "line between conflicting proposals"),
    "map.search": ("جست‌وجوی آبادی روی نقشه", "Find a place on the map"),
    "map.search_placeholder": ("نام شهر یا روستا، مثلاً قاین", "a city or village name, e.g. Qaen"),
    "map.search_go": ("برو", "Go"),
    "map.alt": ("نقشهٔ استان با دفاتر، سکونتگاه‌ها و نواحی بدون پوشش", "Map of the province with offices, settlements and gaps"),
    # -- applicant page ---------------------------------------------------------------------------
    "applicant.intro": (
        "محلی را برای دفتر جدید انتخاب کنید: روی یک شش‌ضلعی نقشه کلیک کنید (بار دوم برای دقت بیشتر روی شش‌ضلعی‌های ریزتر)، مختصات را بنویسید یا نام سکونتگاه را جست‌وجو کنید. گزارش بررسی، شرط‌ها را یک‌به‌یک نشان می‌دهد.",
        "Choose a site for a new office: click a hexagon on the map (click again on the finer hexagons to refine), type coordinates, or search a settlement by name. The report checks every rule.",
    ),
    "applicant.tab_map": ("از نقشه", "From the map"),
    "applicant.tab_coords": ("با مختصات", "By coordinates"),
    "applicant.tab_settlement": ("با نام سکونتگاه", "By settlement name"),
    "applicant.map_help": (
        "روی یکی از شش‌ضلعی‌های نارنجی (ناحیهٔ بدون پوشش) یا روی یک سکونتگاه کلیک کنید؛ مرکز آن محل پیشنهادی می‌شود. سپس شش‌ضلعی‌های ریزتر اطراف آن برای دقیق‌کردن محل نمایش داده می‌شوند.",
        "Click an orange hexagon (a service gap) or a settlement; its centre becomes the candidate. Finer hexagons around it then let you refine the site.",
    ),
    "applicant.lat": ("عرض جغرافیایی (مثلاً ۳۲٫۸۶۶۳)", "Latitude (e.g. 32.8663)"),
    "applicant.lon": ("طول جغرافیایی (مثلاً ۵۹٫۲۲۱۱)", "Longitude (e.g. 59.2211)"),
    "applicant.check_point": ("بررسی این نقطه", "Check this point"),
    "applicant.settlement": ("نام یا کد سکونتگاه", "Settlement name or code"),
    "applicant.find_settlement": ("یافتن و بررسی", "Find and check"),
    "applicant.candidate": ("محل پیشنهادی: {label} (عرض {lat}، طول {lon})", "Candidate site: {label} (lat {lat}, lon {lon})"),
    "applicant.no_candidate": ("هنوز محلی انتخاب نشده است.", "No site chosen yet."),
    "applicant.clear": ("پاک کردن محل", "Clear the site"),
    "applicant.source.cell": ("شش‌ضلعی نقشه", "map hexagon"),
    "applicant.source.fine-cell": ("شش‌ضلعی ریز نقشه", "fine map hexagon"),
    "applicant.source.settlement": ("سکونتگاه", "settlement"),
    "applicant.source.typed": ("مختصات واردشده", "typed coordinates"),
    "applicant.gaps_title": ("نواحی بدون پوشش به ترتیب جمعیت بدون پوشش", "Service gaps ranked by population not covered"),
    "applicant.gaps_empty": ("در این محدوده ناحیهٔ بدون پوششی نیست.", "No service gap here."),
    # candidate errors (codes of ui.views.picking.CandidateError)
    "error.not_a_number": ("{field} «{value}» عدد نیست؛ مثلاً ۳۲٫۸۶۶۳ یا 32.8663 بنویسید.",
                           "The {field} “{value}” is not a number; write e.g. 32.8663."),
    "error.missing": ("{field} را بنویسید.", "Enter the {field}."),
    "error.out_of_range": ("{field} «{value}» در محدودهٔ مجاز نیست.", "The {field} {value} is out of range."),
    # error.outside_region and error.swapped: the library's wording (siting.rules.site.POINT_PROBLEMS), below
    "error.pair_count": ("«{value}» دو عدد (عرض و طول جغرافیایی) نیست؛ مثلاً ۳۲٫۸۶۶۳ ۵۹٫۲۲۱۱ بنویسید.",
                         "“{value}” is not two numbers (latitude and longitude); write e.g. 32.8663 59.2211."),
    "error.pair_outside": ("نقطهٔ {a} و {b} به هیچ ترتیبی (عرض، طول یا طول، عرض) درون استان نیست؛ مختصات را بررسی کنید.",
                           "{a} and {b} lie outside the province in either order (lat, lon or lon, lat); check the coordinates."),
    "error.pair_ambiguous": ("{a} و {b} به هر دو ترتیب درون استان است؛ عرض و طول را جداگانه در دو خانه بنویسید.",
                             "{a} and {b} lie inside the province in both orders; enter latitude and longitude in their own fields."),
    "applicant.pair_help": ("می‌توانید عرض و طول را با هم در یک خانه بچسبانید (مثلاً ۳۲٫۸۶۶۳ ۵۹٫۲۲۱۱) و خانهٔ دیگر را خالی بگذارید.",
                            "You can paste latitude and longitude together into one field (e.g. 32.8663 59.2211) and leave the other empty."),
    "error.bad_cell": ("انتخاب روی نقشه معتبر نبود؛ دوباره روی یک شش‌ضلعی کلیک کنید.",
                       "The map selection was not valid; click a hexagon again."),
    "error.no_settlement": ("نام یا کد یک سکونتگاه را بنویسید.", "Type a settlement's name or code."),
    "error.settlement_not_found": ("سکونتگاهی با نام «{query}» در فضای کاری پیدا نشد.",
                                   "No settlement named “{query}” in the workspace."),
    "error.settlement_ambiguous": ("چند سکونتگاه با نام «{query}» هست؛ کد آن را بنویسید.",
                                   "Several settlements are named “{query}”; give its code."),
    "error.input": ("ورودی قابل استفاده نیست.", "The input cannot be used."),
    "field.latitude": ("عرض جغرافیایی", "latitude"),
    "field.longitude": ("طول جغرافیایی", "longitude"),
    # -- validation report ------------------------------------------------------------------------
    "report.title": ("گزارش بررسی محل", "Site validation report"),
    "report.county": ("شهرستان", "County"),
    "report.newly_covered": ("جمعیتی که تازه پوشش می‌گیرد", "Population newly covered"),
    "report.nearest_office": ("نزدیک‌ترین دفتر", "Nearest office"),
    "report.col.rule": ("شرط", "Rule"),
    "report.col.status": ("نتیجه", "Result"),
    "report.col.value": ("مقدار", "Value"),
    "report.col.threshold": ("حد مجاز", "Threshold"),
    "report.col.explanation": ("توضیح", "Explanation"),
    "report.nearest_title": ("نزدیک‌ترین دفترهای موجود", "Nearest existing offices"),
    "report.col.office": ("دفتر", "Office"),
    "report.col.type": ("نوع", "Type"),
    "report.col.distance": ("فاصله", "Distance"),
    "report.newly_title": ("سکونتگاه‌هایی که تازه پوشش می‌گیرند", "Settlements newly covered"),
    "report.conflicts_title": ("درخواست‌های در جریانِ نزدیک", "Pending proposals too close"),
    "report.download_html": ("دریافت گزارش برای چاپ (HTML)", "Download the report for printing (HTML)"),
    "report.download_json": ("دریافت گزارش (JSON)", "Download the report (JSON)"),
    "report.print_hint": ("برای PDF، فایل HTML را در مرورگر باز کنید و «چاپ ← ذخیره به صورت PDF» را بزنید.",
                          "For a PDF, open the HTML file in a browser and use Print → Save as PDF."),
    # -- working group page -------------------------------------------------------------------------
    "wg.intro": (
        "درخواست‌های در جریان را از یک فایل (CSV، XLSX، GeoJSON، GeoPackage یا Shapefile فشرده) بارگذاری کنید؛ هر درخواست بررسی، تداخل‌ها مشخص و درخواست‌ها به ترتیب جمعیت تازه پوشش‌یافته رتبه‌بندی می‌شوند.",
        "Load the pending proposals from a file (CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile); each is validated, conflicts are found and proposals are ranked by population newly covered.",
    ),
    "wg.upload": ("فایل درخواست‌ها", "Proposals file"),
    "wg.use_sample": ("استفاده از فایل نمونهٔ درخواست‌ها", "Use the sample proposals file"),
    "wg.clear": ("پاک کردن درخواست‌ها", "Clear the proposals"),
    "wg.loaded": ("{n} درخواست از «{file}» خوانده شد.", "{n} proposals read from “{file}”."),
    "wg.rejected": ("{n} ردیف فایل کنار گذاشته شد:", "{n} rows of the file were left out:"),
    "wg.none": ("هنوز فایلی بارگذاری نشده است.", "No file loaded yet."),
    "wg.summary": ("قبول: {p} · نیازمند بررسی: {w} · رد: {f}", "Pass: {p} · Needs review: {w} · Fail: {f}"),
    "wg.conflicts": ("تداخل‌ها: این درخواست‌ها از حداقل فاصلهٔ مجاز به هم نزدیک‌ترند", "Conflicts: these proposals are closer than the minimum distance"),
    "wg.col.a": ("درخواست", "Proposal"),
    "wg.col.b": ("در تداخل با", "Conflicts with"),
    "wg.col.distance": ("فاصله", "Distance"),
    "wg.col.minimum": ("حداقل مجاز", "Minimum allowed"),
    "wg.no_conflicts": ("هیچ دو درخواستی با هم تداخل ندارند.", "No two proposals conflict."),
    "wg.show_map": ("نقشهٔ درخواست‌ها و تداخل‌ها", "Map of the proposals and conflicts"),
    "wg.show_map_help": (
        "نقشه فقط وقتی کشیده می‌شود که آن را بخواهید و تا پایان این نشست روشن می‌ماند: در رایانه‌ای بی‌شتاب‌دهندهٔ "
        "گرافیکی، کشیدن نقشه چند ثانیه طول می‌کشد.",
        "The map is drawn only when you ask for it, and stays on for the rest of this session: on a computer "
        "without graphics acceleration drawing it takes a few seconds."),
    "wg.table": ("جدول جلسه (به ترتیب جمعیت تازه پوشش‌یافته)", "Meeting table (ranked by population newly covered)"),
    "wg.detail": ("گزارش کامل یک درخواست", "Full report of one proposal"),
    "wg.file_error": ("فایل درخواست‌ها خوانده نشد.", "The proposals file could not be read."),
    # -- planner page ---------------------------------------------------------------------------------
    "planner.intro": (
        "شعاع خدمت و حداقل فاصله‌ها را تغییر دهید تا پوشش، نواحی بدون پوشش و محل‌های مجاز برای دفتر جدید دوباره حساب شوند. فایل قواعد تغییر نمی‌کند.",
        "Move the service radius and minimum distances to recompute coverage, service gaps and where a new office may open. The rules file is not changed.",
    ),
    "planner.sliders": ("قواعد برای سناریو", "Rules for this scenario"),
    "planner.service_radius_m": ("شعاع خدمت (کیلومتر)", "Service radius (km)"),
    "planner.min_distance_same_type_m": ("حداقل فاصله تا دفتر هم‌نوع (کیلومتر)", "Minimum distance to a same-type office (km)"),
    "planner.min_distance_any_type_m": ("حداقل فاصله تا هر دفتر (کیلومتر)", "Minimum distance to any office (km)"),
    "planner.reset": ("بازگشت به فایل قواعد", "Back to the rules file"),
    "planner.changed": ("تغییر نسبت به فایل قواعد: {items}", "Changed from the rules file: {items}"),
    "planner.gap_type": ("نواحی بدون پوشش برای", "Service gaps for"),
    "planner.metric": ("رنگ نقشه بر اساس", "Colour the map by"),
    "planner.metric.covered_share_of_located": ("سهم جمعیت پوشش‌یافته", "Share of population covered"),
    "planner.metric.population_per_office": ("جمعیت به ازای هر دفتر", "Population per office"),
    "planner.metric.uncovered_population": ("جمعیت بدون پوشش", "Population not covered"),
    "planner.kpi.covered": ("جمعیت پوشش‌یافته", "Population covered"),
    "planner.kpi.share": ("سهم پوشش (از جمعیت مکان‌دار)", "Share covered (of located population)"),
    "planner.kpi.uncovered": ("جمعیت بدون پوشش", "Population not covered"),
    "planner.kpi.not_located": ("جمعیت بدون مکان (فقط آمار شهرستان)", "Population not located (county totals only)"),
    "planner.kpi.gaps": ("نواحی بدون پوشش", "Service gaps"),
    "planner.kpi.gaps_help": ("مساحت همهٔ نواحی بدون پوشش: {area} کیلومتر مربع", "Area of all service gaps: {area} km²"),
    "planner.kpi.open": ("محل‌های مجاز دفتر جدید {type} (کیلومتر مربع)", "Open area for a new {type} office (km²)"),
    "planner.kpi.open_help": (
        "شش‌ضلعی‌هایی (H3، تفکیک ۶) که در ناحیهٔ بدون پوشش این نوع‌اند و مرکزشان همهٔ ضوابط محل را دارد (حداقل فاصله تا دفترها؛ "
        "دفتر شهری درون شهر، دفتر روستایی بیرون از شهر و نزدیک روستا): {cells} شش‌ضلعی.",
        "H3 cells (resolution 6) in this type's service gap whose centre meets every site rule (the minimum distances to "
        "offices; an urban office inside a city, a rural one outside cities and near a village): {cells} cells.",
    ),
    "planner.county_table": ("پوشش هر شهرستان", "Coverage per county"),
    "planner.gap_table": ("نواحی بدون پوشش", "Service gaps"),
    "planner.exports": ("خروجی‌ها", "Exports"),
    "planner.export_gaps": ("نواحی بدون پوشش (GeoJSON)", "Service gaps (GeoJSON)"),
    "planner.export_counties": ("پوشش شهرستان‌ها (GeoJSON)", "County coverage (GeoJSON)"),
    "planner.export_gpkg": ("همهٔ لایه‌ها (GeoPackage)", "All layers (GeoPackage)"),
    "planner.export_county_csv": ("جدول شهرستان‌ها (CSV)", "County table (CSV)"),
    "planner.export_settlements_csv": ("پوشش سکونتگاه‌ها (CSV)", "Settlement coverage (CSV)"),
    "planner.export_gaps_csv": ("جدول نواحی بدون پوشش (CSV)", "Service gap table (CSV)"),
    "planner.notes": ("یادداشت‌های جمعیت", "Population notes"),
    "planner.col.county": ("شهرستان", "County"),
    "planner.col.population": ("جمعیت", "Population"),
    "planner.col.located_population": ("جمعیت مکان‌دار", "Located population"),
    "planner.col.covered_population": ("پوشش‌یافته", "Covered"),
    "planner.col.uncovered_population": ("بدون پوشش", "Not covered"),
    "planner.col.not_located_population": ("بدون مکان", "Not located"),
    "planner.col.covered_share_of_located": ("سهم پوشش", "Share covered"),
    "planner.col.offices_urban": ("دفاتر شهری", "Urban offices"),
    "planner.col.offices_rural": ("دفاتر روستایی", "Rural offices"),
    "planner.col.population_per_office": ("جمعیت به ازای هر دفتر", "Population per office"),
    # -- data page ------------------------------------------------------------------------------------
    "data.intro": (
        "منشأ دادهٔ فضای کاری و بارگذاری فایل تازه. هر فایل ابتدا ردیف‌به‌ردیف بررسی می‌شود و تنها پس از تأیید شما ذخیره می‌شود.",
        "Where the workspace's data came from, and importing a new file. A file is checked row by row first and saved only once you confirm.",
    ),
    "data.provenance": ("منشأ داده", "Provenance"),
    "data.kind_sample": ("نوع داده: نمونه (ساختگی، غیررسمی)", "Kind of data: SAMPLE (synthetic, not official)"),
    "data.kind_real": ("نوع داده: دادهٔ واقعی (غیرنمونه)", "Kind of data: real (not sample)"),
    "data.path": ("مسیر فایل فضای کاری", "Workspace file"),
    "data.saved": ("آخرین ذخیره", "Last saved"),
    "data.created": ("ساخته‌شده", "Created"),
    "data.counts": ("{counties} شهرستان، {settlements} سکونتگاه ({cities} شهر، {villages} روستا)، {offices} دفتر ({serving} فعال)",
                    "{counties} counties, {settlements} settlements ({cities} cities, {villages} villages), {offices} offices ({serving} serving)"),
    "data.sources": ("منابع لایه‌ها", "Layer sources"),
    "data.imports": ("سابقهٔ بارگذاری‌ها", "Import history"),
    "data.notes": ("یادداشت‌ها", "Notes"),
    "data.attribution": ("حق انتشار و منبع", "Attribution"),
    "data.import": ("بارگذاری فایل", "Import a file"),
    "data.steward_only": (
        "وارد کردن، جایگزینی یا ویرایش داده‌های فضای کاری فقط برای متصدی داده یا مدیر سامانه است: "
        "با حساب متصدی داده یا مدیر سامانه وارد شوید. بخش‌های عمومی (پوشش، خلأها، بررسی محل) بدون ورود باز است.",
        "Importing, replacing or editing the workspace's data is for a data steward or an administrator: "
        "sign in as data steward or administrator. The public views (coverage, gaps, site check) need no sign-in.",
    ),
    "data.layer": ("لایه", "Layer"),
    "data.layer.offices": ("دفاتر", "offices"),
    "data.layer.settlements": ("سکونتگاه‌ها", "settlements"),
    "data.layer.counties": ("شهرستان‌ها", "counties"),
    "data.layer.region": ("محدودهٔ استان", "region outline"),
    "data.update": ("به‌روزرسانی دفاتر موجود با شمارهٔ پروانه (بقیه حفظ می‌شوند)",
                    "Update the listed offices by licence number (the others are kept)"),
    "data.update_help": ("بدون این گزینه، فایل نسخهٔ کامل دفتر ثبت است و دفترهایی که در آن نیستند حذف می‌شوند؛ "
                         "نسخه‌های پیشین در تاریخچه می‌مانند.",
                         "Without it the file is the whole register and offices it does not list are removed; "
                         "earlier versions stay in the history."),
    "data.changes": ("تغییرات دفتر ثبت: {added} افزوده، {removed} حذف، {moved} جابه‌جا، {changed} تغییر، {unchanged} بی‌تغییر",
                     "Register changes: {added} added, {removed} removed, {moved} moved, {changed} changed, "
                     "{unchanged} unchanged"),
    # one line per record a new version of the office register changes (siting.registry.RegisterDiff)
    "data.change.added": ("افزوده: {who}", "added: {who}"),
    "data.change.removed": ("حذف: {who} (در این نسخهٔ دفتر ثبت نیست)",
                            "removed: {who} (not in this version of the register)"),
    "data.change.moved": ("جابه‌جا: {who}، {distance} متر", "moved: {who} by {distance} m"),
    "data.change.changed": ("تغییر: {who} — {field}: از {old} به {new}", "changed: {who}: {field} {old} → {new}"),
    "data.change.more": ("… و {n} مورد دیگر", "… and {n} more"),
    "data.change.field.name": ("نام دفتر", "office name"),
    "data.change.field.address": ("نشانی", "address"),
    "data.change.field.location": ("موقعیت", "position"),
    "data.change.field.located_at": ("آبادی محل دفتر", "settlement placed at"),
    "data.layer.districts": ("بخش‌ها", "districts"),
    "data.layer.rural_districts": ("دهستان‌ها", "rural districts"),
    "data.layer.census": ("جدول سرشماری آبادی‌ها", "census village table"),
    "data.mode.replace": ("جایگزینی", "replace"),
    "data.mode.append": ("افزودن", "append"),
    "data.mode.restore": ("بازگرداندن نسخهٔ پیشین", "restore of an earlier version"),
    "data.layer.workspace": ("کل فضای کاری", "the whole workspace"),
    "data.append": ("افزودن به لایه (به جای جایگزینی)", "Add to the layer (instead of replacing it)"),
    "data.strict": ("اگر ردیفی ایراد دارد، هیچ ردیفی وارد نشود", "Import nothing if any row is bad"),
    "data.fix_swapped": ("جابه‌جایی عرض و طول را اصلاح کن", "Fix exchanged latitude/longitude"),
    "data.crs": ("دستگاه مختصات فایل جدولی (خالی = WGS84)", "CRS of a table's coordinates (empty = WGS84)"),
    "data.default_type": ("نوع پروانه برای ردیف‌های بی‌نوع", "Licence type for rows without one"),
    "data.default_kind": ("نوع سکونتگاه برای ردیف‌های بی‌نوع", "Settlement kind for rows without one"),
    "data.file": ("فایل", "File"),
    "upload.with_limit": ("{label} (حداکثر {mb} مگابایت)", "{label} (at most {mb} MB)"),
    "data.check": ("بررسی فایل", "Check the file"),
    "data.report": ("نتیجهٔ بررسی «{file}» (هنوز چیزی ذخیره نشده است)", "Check of “{file}” (nothing saved yet)"),
    "data.report_counts": ("{read} ردیف خوانده شد: {imported} قابل ورود، {rejected} رد، {warnings} هشدار.",
                           "{read} rows read: {imported} importable, {rejected} rejected, {warnings} warnings."),
    "data.nothing_importable": ("هیچ ردیفی قابل ورود نیست؛ چیزی ذخیره نمی‌شود.", "No row can be imported; nothing will be saved."),
    "data.replace_warning": (
        "این کار لایهٔ {layer} را جایگزین می‌کند: {old} رکورد کنونی کنار گذاشته می‌شود و {new} رکورد تازه جای آن را می‌گیرد. "
        "نسخهٔ فعلی نگه داشته می‌شود و از بخش «بازگرداندن نسخهٔ پیشین» برمی‌گردد.",
        "This replaces the {layer} layer: its {old} current records go and {new} new records take their place. "
        "The current version is kept and can be brought back under \"Restore an earlier version\".",
    ),
    "data.replace_ok": ("بله، {old} رکورد لایهٔ {layer} جایگزین شود", "Yes, replace the {old} records of the {layer} layer"),
    "data.replace_needs_ok": ("برای جایگزینی، گزینهٔ تأیید جایگزینی را بزنید. چیزی ذخیره نشد.",
                              "To replace the layer, tick the replacement confirmation. Nothing was saved."),
    "data.restore": ("بازگرداندن نسخهٔ پیشین", "Restore an earlier version"),
    "data.restore_none": ("هنوز نسخهٔ پیشینی نگه داشته نشده است (هر ذخیره از این صفحه نسخهٔ قبلی را نگه می‌دارد).",
                          "No earlier version is kept yet (every save from this page keeps the version before it)."),
    "data.restore_choice": ("نسخهٔ ذخیره‌شده در {time} — {offices} دفتر، {settlements} سکونتگاه",
                            "Version put aside {time} — {offices} offices, {settlements} settlements"),
    "data.restore_pick": ("نسخه", "Version"),
    "data.restore_ok": ("بله، فضای کاری به این نسخه برگردد (نسخهٔ فعلی نگه داشته می‌شود)",
                        "Yes, bring the workspace back to this version (the current one is kept)"),
    "data.restore_button": ("بازگرداندن این نسخه", "Restore this version"),
    "data.restored": ("فضای کاری به نسخهٔ {time} برگشت.", "The workspace was restored to the version of {time}."),
    # the file checker's row reasons (siting.io.reasons.ROW_REASONS), by code; {fix} and {crs} are the
    # names of the Data page's own controls, said where the command line names its options
    "import.missing_coordinates": ("مختصات ندارد.", "no coordinates."),
    "import.missing_coordinate": ("ستون «{column}» خالی است؛ طول و عرض هر دو لازم است.",
                                  "the column \"{column}\" is blank; both longitude and latitude are needed."),
    "import.pair_missing": ("ستون مختصات «{column}» خالی است.", "the coordinates column \"{column}\" is blank."),
    "import.pair_malformed": ("«{value}» در ستون «{column}» به شکل «عرض، طول» نیست.",
                              "\"{value}\" in the column \"{column}\" is not \"latitude, longitude\"."),
    "import.bad_coordinate": ("«{value}» در ستون «{column}» مختصات خوانایی نیست (عدد بر حسب درجه، یا درجه و دقیقه و "
                              "ثانیه).",
                              "\"{value}\" in the column \"{column}\" is not a coordinate (a number of degrees, or "
                              "degrees, minutes and seconds)."),
    "import.not_transformable": ("این مختصات از دستگاه مختصات {source_crs} به طول و عرض جغرافیایی برگردانده نمی‌شود؛ "
                                 "خانهٔ «{crs}» را بازبینی کنید.",
                                 "these coordinates cannot be transformed from {source_crs} to longitude/latitude; "
                                 "check \"{crs}\"."),
    "import.osm_node_no_location": ("گرهٔ {id} در فایل OpenStreetMap مکان معتبری ندارد.",
                                    "node {id} of the OpenStreetMap file has no valid location."),
    "import.osm_no_location": ("برای {kind} {id} در فایل OpenStreetMap مکانی به دست نیامد ({detail}).",
                               "{kind} {id} of the OpenStreetMap file gives no location ({detail})."),
    "import.osm_no_polygon": ("{kind} {id} در فایل OpenStreetMap چندضلعی نمی‌سازد ({detail}).",
                              "{kind} {id} of the OpenStreetMap file makes no polygon ({detail})."),
    "import.osm_no_line": ("راه {id} در فایل OpenStreetMap خطی نمی‌سازد ({detail}).",
                           "way {id} of the OpenStreetMap file makes no line ({detail})."),
    "import.no_geometry": ("شکل (هندسه) ندارد.", "no geometry."),
    "import.polygon_for_point": ("به جای نقطه یک {geom_type} آمده است؛ نقطه‌ای درون آن به کار رفت.",
                                 "a {geom_type} where a point is expected; a point inside it is used."),
    "import.not_a_point": ("به جای نقطه یک {geom_type} آمده است.", "a {geom_type} where a point is expected."),
    "import.not_a_polygon": ("به جای چندضلعی یک {geom_type} آمده است.", "a {geom_type} where a polygon is expected."),
    "import.not_a_line": ("به جای خط یک {geom_type} آمده است.", "a {geom_type} where a line is expected."),
    "import.swapped_fixed": ("جای عرض و طول جابه‌جا بود (عرض {lat}، طول {lon})؛ چون گزینهٔ «{fix}» زده شده، اصلاح شد.",
                             "latitude and longitude were swapped (lat {lat}, lon {lon}); fixed because \"{fix}\" is ticked"),
    "import.swapped": ("به نظر می‌رسد جای عرض و طول جابه‌جا است: ({lat}، {lon}) درون استان می‌افتد. فایل را اصلاح "
                       "کنید یا گزینهٔ «{fix}» را بزنید.",
                       "latitude and longitude look swapped: ({lat}, {lon}) would lie inside the region. Fix the file "
                       "or tick \"{fix}\"."),
    "import.not_wgs84": ("طول {lon} و عرض {lat} مختصات جغرافیایی (WGS84) نیست؛ اگر فایل دستگاه مختصات دیگری دارد، "
                         "آن را در خانهٔ «{crs}» بنویسید.",
                         "lon {lon}, lat {lat} is not a WGS84 longitude/latitude; if the file uses another coordinate "
                         "system, enter it in \"{crs}\"."),
    "import.outside_region": ("این نقطه (طول {lon}، عرض {lat}) بیرون از {region} است.",
                              "the point (lon {lon}, lat {lat}) lies outside {region}."),
    "import.invalid_polygon": ("چندضلعی نامعتبر است و درست‌شدنی نیست ({detail}).",
                               "an invalid polygon that cannot be repaired ({detail})."),
    "import.polygon_repaired": ("چندضلعی نامعتبر بود ({detail})؛ درست شد.", "an invalid polygon ({detail}); repaired."),
    "import.coordinate_not_a_number": ("یکی از مختصات خط عدد نیست.", "a coordinate of the line is not a number."),
    "import.line_not_wgs84": ("مختصات خط (مانند طول {lon}، عرض {lat}) طول و عرض جغرافیایی (WGS84) نیست؛ دستگاه "
                              "مختصات فایل را مشخص کنید.",
                              "the line's coordinates (such as lon {lon}, lat {lat}) are not WGS84 "
                              "longitude/latitude; declare the file's coordinate system."),
    "import.zero_length_line": ("طول خط صفر است (کمتر از دو نقطهٔ جدا).",
                                "a line of zero length (fewer than two distinct points)."),
    "import.zero_length_parts": ("{dropped} بخش از {parts} بخش خط طول صفر داشت و کنار گذاشته شد.",
                                 "{dropped} of the line's {parts} parts had zero length and were left out."),
    "import.line_outside_region": ("این خط یکسره بیرون از {region} است.", "the line lies wholly outside {region}."),
    "import.population_not_a_number": ("جمعیت «{value}» عدد نیست؛ «نامعلوم» ثبت شد.",
                                       "the population \"{value}\" is not a number; stored as unknown."),
    "import.population_negative": ("جمعیت «{value}» منفی است؛ «نامعلوم» ثبت شد.",
                                   "the population \"{value}\" is negative; stored as unknown."),
    "import.unknown_kind": ("نوع سکونتگاه «{value}» شناخته نیست؛ «شهر» یا «روستا» بنویسید.",
                            "the settlement kind \"{value}\" is not known; write city or village."),
    "import.no_name": ("نام ندارد.", "no name."),
    "import.no_county_name": ("نام شهرستان ندارد.", "no county name."),
    "import.no_district_name": ("نام بخش ندارد.", "no district name."),
    "import.no_rural_district_name": ("نام دهستان ندارد.", "no rural district name."),
    "import.unknown_licence_type": ("نوع پروانهٔ «{value}» شناخته نیست؛ «شهری» یا «روستایی» بنویسید.",
                                    "the licence type \"{value}\" is not known; write urban or rural."),
    "import.unknown_status": ("وضعیت «{value}» شناخته نیست.", "the status \"{value}\" is not known."),
    "import.unknown_applicant_type": ("نوع متقاضی «{value}» شناخته نیست.", "the applicant type \"{value}\" is not known."),
    "import.bad_date": ("تاریخ «{value}» در ستون «{field}» خوانده نشد (مانند ۱۴۰۳/۰۵/۱۲ یا 2024-08-02)؛ "
                        "«نامعلوم» ثبت شد.",
                        "the date \"{value}\" in \"{field}\" cannot be read (write 1403/05/12 or 2024-08-02); "
                        "stored as unknown."),
    "import.road_not_for_vehicles": ("ردهٔ راه «{value}» راه خودرویی نیست؛ وارد نشد.",
                                     "the road class \"{value}\" is not a road for motor vehicles; not imported."),
    "import.unknown_road_class": ("ردهٔ راه «{value}» شناخته نیست؛ سرعت پیش‌فرض {speed} کیلومتر بر ساعت به کار رفت.",
                                  "the road class \"{value}\" is not known; the default speed {speed} km/h is used."),
    "import.no_road_class": ("ردهٔ راه ندارد؛ سرعت پیش‌فرض {speed} کیلومتر بر ساعت به کار رفت.",
                             "no road class; the default speed {speed} km/h is used."),
    "import.bad_maxspeed": ("حداکثر سرعت «{value}» خوانده نشد؛ سرعت ردهٔ راه به کار رفت.",
                            "the maxspeed \"{value}\" cannot be read; the class speed is used."),
    "import.unknown_surface": ("رویهٔ «{value}» شناخته نیست؛ «نامعلوم» ثبت شد.",
                               "the surface \"{value}\" is not known; stored as unknown."),
    "import.unknown_oneway": ("مقدار یک‌طرفه «{value}» شناخته نیست؛ راه دوطرفه گرفته شد.",
                              "the oneway value \"{value}\" is not known; the road is taken as two-way."),
    "import.stated_county_unknown": ("شهرستان نوشته‌شده «{value}» از شهرستان‌های فضای کاری نیست؛ نقطه در {county} است.",
                                     "the stated county \"{value}\" is not a county of the workspace; the point lies "
                                     "in {county}."),
    "import.stated_county_unknown_nowhere": ("شهرستان نوشته‌شده «{value}» از شهرستان‌های فضای کاری نیست؛ نقطه در هیچ "
                                             "شهرستانی نیست.",
                                             "the stated county \"{value}\" is not a county of the workspace; the "
                                             "point lies in no county."),
    "import.stated_county_disagrees": ("شهرستان نوشته‌شده «{value}» ({stated}) با شهرستانی که نقطه در آن است ({county}) "
                                       "نمی‌خواند.",
                                       "the stated county \"{value}\" ({stated}) disagrees with the county the point "
                                       "lies in ({county})."),
    "import.stated_county_code_unknown": ("کد شهرستان «{value}» از شهرستان‌های فضای کاری نیست؛ نقطه در {county} است.",
                                          "the stated county code \"{value}\" is not a county of the workspace; the "
                                          "point lies in {county}."),
    "import.stated_county_code_unknown_nowhere": ("کد شهرستان «{value}» از شهرستان‌های فضای کاری نیست؛ نقطه در هیچ "
                                                  "شهرستانی نیست.",
                                                  "the stated county code \"{value}\" is not a county of the "
                                                  "workspace; the point lies in no county."),
    "import.stated_county_code_disagrees": ("کد شهرستان «{value}» ({stated}) با شهرستانی که نقطه در آن است ({county}) "
                                            "نمی‌خواند.",
                                            "the stated county code \"{value}\" ({stated}) disagrees with the county "
                                            "the point lies in ({county})."),
    "import.duplicate_code": ("کد «{code}» تکراری است: همان ردیف {row}.", "the code \"{code}\" is repeated: as on row {row}."),
    "import.duplicate_code_existing": ("کد «{code}» تکراری است: در فضای کاری هست.",
                                       "the code \"{code}\" is repeated: it is already in the workspace."),
    "import.duplicate_settlement": ("تکراری: سکونتگاهی به همین نام در کمتر از ۱۰ متری، در ردیف {row}.",
                                    "a duplicate: a settlement of the same name within 10 m, on row {row}."),
    "import.duplicate_settlement_existing": ("تکراری: سکونتگاهی به همین نام در کمتر از ۱۰ متری در فضای کاری هست.",
                                             "a duplicate: a settlement of the same name within 10 m is already in "
                                             "the workspace."),
    "import.duplicate_county": ("شهرستان «{name}» تکراری است: همان ردیف {row}.",
                                "the county \"{name}\" is repeated: as on row {row}."),
    "import.duplicate_district": ("بخش «{name}» در شهرستان {county} تکراری است: همان ردیف {row}.",
                                  "the district \"{name}\" in the county {county} is repeated: as on row {row}."),
    "import.duplicate_rural_district": ("دهستان «{name}» در شهرستان {county} تکراری است: همان ردیف {row}.",
                                        "the rural district \"{name}\" in the county {county} is repeated: as on row "
                                        "{row}."),
    "import.duplicate_licence_number": ("شمارهٔ پروانهٔ «{number}» تکراری است: همان ردیف {row}.",
                                        "the licence number \"{number}\" is repeated: as on row {row}."),
    "import.duplicate_licence_number_existing": ("شمارهٔ پروانهٔ «{number}» تکراری است: در فضای کاری هست.",
                                                 "the licence number \"{number}\" is repeated: it is already in the "
                                                 "workspace."),
    "import.duplicate_office_id": ("شناسهٔ دفتر «{id}» تکراری است.", "the office id \"{id}\" is repeated."),
    "import.duplicate_office": ("تکراری: دفتری از همین نوع ({licence_type}) در کمتر از ۱۰ متری، در ردیف {row}.",
                                "a duplicate: an office of the same type ({licence_type}) within 10 m, on row {row}."),
    "import.duplicate_office_existing": ("تکراری: دفتری از همین نوع ({licence_type}) در کمتر از ۱۰ متری در فضای کاری "
                                         "هست.",
                                         "a duplicate: an office of the same type ({licence_type}) within 10 m is "
                                         "already in the workspace."),
    "import.duplicate_road_code": ("کد راه «{code}» تکراری است: همان ردیف {row}.",
                                   "the road code \"{code}\" is repeated: as on row {row}."),
    "import.duplicate_proposal_id": ("شناسهٔ درخواست «{id}» تکراری است: همان ردیف {row}.",
                                     "the proposal id \"{id}\" is repeated: as on row {row}."),
    "import.update_needs_key": ("شمارهٔ پروانه یا شناسهٔ دفتر ندارد؛ گزینهٔ «{update}» رکوردها را با این دو پیدا "
                                "می‌کند.",
                                "no licence number or office id: \"{update}\" finds the records by them."),
    "import.no_settlements_to_place": ("مختصات ندارد و فضای کاری هنوز سکونتگاهی ندارد که دفتر در «{place}» گذاشته شود؛ "
                                       "نخست سکونتگاه‌ها را وارد کنید.",
                                       "no coordinates, and the workspace has no settlements yet to place the office "
                                       "at \"{place}\"; import the settlements first."),
    "import.placed_by_code": ("مختصات ندارد: در {settlement} (کد {settlement_code}) گذاشته شد، با کد آبادی {code}؛ "
                              "مکان تقریبی است.",
                              "no coordinates: placed at {settlement} (code {settlement_code}) by its settlement code "
                              "{code}; the location is approximate."),
    "import.placed_by_name": ("مختصات ندارد: در {settlement} (کد {settlement_code}) گذاشته شد، تنها آبادی به این نام "
                              "در شهرستان {county}؛ مکان تقریبی است.",
                              "no coordinates: placed at {settlement} (code {settlement_code}), the only settlement of "
                              "that name in the county {county}; the location is approximate."),
    "import.placed_by_name_alone": ("مختصات ندارد: در {settlement} (کد {settlement_code}) گذاشته شد، تنها آبادی به "
                                    "این نام (شهرستان نوشته نشده)؛ مکان تقریبی است.",
                                    "no coordinates: placed at {settlement} (code {settlement_code}), the only "
                                    "settlement of that name (no county stated); the location is approximate."),
    "import.not_placed_code_unknown": ("مختصات ندارد و جایی گذاشته نشد: کد آبادی «{code}» در سکونتگاه‌های فضای کاری "
                                       "نیست.",
                                       "no coordinates and not placed: the settlement code \"{code}\" is not among "
                                       "the workspace's settlements."),
    "import.not_placed_county_unknown": ("مختصات ندارد و جایی گذاشته نشد: شهرستان «{county}» از شهرستان‌های فضای کاری "
                                         "نیست.",
                                         "no coordinates and not placed: the county \"{county}\" is not a county of "
                                         "the workspace."),
    "import.not_placed_no_place": ("مختصات ندارد و نام یا کد آبادی‌ای هم ندارد که دفتر در آن گذاشته شود.",
                                   "no coordinates, and no settlement (name or code) to place the office at."),
    "import.not_placed_several": ("مختصات ندارد و جایی گذاشته نشد: {count} آبادی به نام «{value}» در شهرستان {county} "
                                  "هست: {matches}. کد آبادی را بنویسید.",
                                  "no coordinates and not placed: {count} settlements named \"{value}\" in the county "
                                  "{county}: {matches}. State the settlement code."),
    "import.not_placed_several_anywhere": ("مختصات ندارد و جایی گذاشته نشد: {count} آبادی به نام «{value}» هست "
                                           "(شهرستان نوشته نشده): {matches}. کد آبادی یا شهرستان را بنویسید.",
                                           "no coordinates and not placed: {count} settlements named \"{value}\" (no "
                                           "county stated): {matches}. State the settlement code or the county."),
    "import.not_placed_none": ("مختصات ندارد و جایی گذاشته نشد: آبادی‌ای به نام «{value}» در شهرستان {county} نیست.",
                               "no coordinates and not placed: no settlement named \"{value}\" in the county {county}."),
    "import.not_placed_none_anywhere": ("مختصات ندارد و جایی گذاشته نشد: آبادی‌ای به نام «{value}» در فضای کاری نیست.",
                                        "no coordinates and not placed: no settlement named \"{value}\" in the "
                                        "workspace."),
    "import.census_bad_figure": ("مقدار «{value}» در ستون «{field}» شمار درستی نیست (عدد صحیح نامنفی).",
                                 "\"{value}\" in \"{field}\" is not a count (a whole number, not negative)."),
    "import.census_no_population": ("جمعیت ندارد؛ «نامعلوم» ثبت شد.", "no population figure; stored as unknown."),
    "import.census_households_exceed": ("{households} خانوار ولی تنها {population} نفر.",
                                        "{households} households but only {population} people."),
    "import.census_sexes_disagree": ("مرد {male} + زن {female} = {total}، نه جمعیت {population}.",
                                     "men {male} + women {female} = {total}, not the population {population}."),
    "import.census_bad_code": ("کد «{value}» کد آماری نیست (تنها رقم).", "the code \"{value}\" is not a census code "
                               "(digits only)."),
    "import.census_unknown_kind": ("نوع «{value}» نه شهر است نه روستا؛ از روی نام تعیین شد.",
                                   "the kind \"{value}\" is neither city nor village; told from the name."),
    "import.census_code_length": ("کد «{code}» {digits} رقمی است؛ کدهای آماری این رقم‌ها را دارند: {expected}.",
                                  "the code \"{code}\" has {digits} digits; census codes have: {expected}."),
    "import.census_duplicate_code": ("کد «{code}» پیش‌تر در ردیف {row} آمده است؛ این ردیف کنار گذاشته شد.",
                                     "the code \"{code}\" is already used on row {row}; the row is skipped."),
    "import.census_total_row": ("«{name}» ردیف جمع است، در جدولی که هر ردیفش یک آبادی است؛ کنار گذاشته شد.",
                                "\"{name}\" is a total row in a one-row-per-place table; skipped."),
    "import.census_not_under_code": ("کد «{code}» زیر کد {level} خود ({parent_code}) نیست؛ این ردیف کنار گذاشته شد.",
                                     "the code \"{code}\" is not under its {level} code {parent_code}; the row is "
                                     "skipped."),
    "import.census_no_code": ("کد ندارد.", "no code."),
    "import.census_village_code_length": ("کد «{code}» {digits} رقمی است؛ کد آبادی {expected} رقم دارد.",
                                          "the code \"{code}\" has {digits} digits; a village code has {expected}."),
    "import.census_note_row": ("«{name}» نه کد دارد نه شمار؛ ردیف داده نیست (یادداشت؟) و کنار گذاشته شد.",
                               "\"{name}\" has no code and no figures; not a data row (a note?), skipped."),
    "import.census_level_code_length": ("نام، {level} می‌گوید ولی کد «{code}» {digits} رقمی است، نه {expected}؛ "
                                        "{level} گرفته شد.",
                                        "the name says {level} but the code \"{code}\" has {digits} digits, not "
                                        "{expected}; taken as a {level}."),
    "import.census_total_below": ("«{name}» ردیف جمعی است زیر ردیف‌هایی که جمع می‌زند؛ بررسی نشد و کنار گذاشته شد.",
                                  "\"{name}\" is a total row below the rows it sums; not checked, skipped."),
    "import.census_kind_code_level": ("نوع، روستا گفته ولی کد {digits} رقمی، {level} است؛ ردیف جمع گرفته شد.",
                                      "the kind says village but the code's {digits} digits say {level}; taken as a "
                                      "subtotal."),
    "import.census_not_under": ("کد «{code}» زیر {level} «{parent}» (کد {parent_code}، ردیف {parent_row}) نیست؛ این "
                                "ردیف کنار گذاشته شد.",
                                "the code \"{code}\" is not under its {level} \"{parent}\" (code {parent_code}, row "
                                "{parent_row}); the row is skipped."),
    "import.census_subtotal_duplicate_code": ("کد «{code}» پیش‌تر در ردیف {row} آمده است.",
                                              "the code \"{code}\" is already used on row {row}."),
    "import.census_subtotal_not_under": ("کد «{code}» زیر {parent_level} «{parent}» (کد {parent_code}، ردیف "
                                         "{parent_row}) نیست؛ به عنوان {level} ردیف‌های زیرش نگه داشته شد.",
                                         "the code \"{code}\" is not under its {parent_level} \"{parent}\" (code "
                                         "{parent_code}, row {parent_row}); kept as the {level} of the rows below it."),
    "import.census_subtotal_mismatch": ("{level} «{name}»: {field} نوشته‌شده {stated} است ولی جمع ردیف‌هایش {computed}.",
                                        "{level} \"{name}\": the stated {field} is {stated} but its rows add up to "
                                        "{computed}."),
    "import.level.province": ("استان", "province"),
    "import.level.county": ("شهرستان", "county"),
    "import.level.district": ("بخش", "district"),
    "import.level.rural_district": ("دهستان", "rural district"),
    "import.level.village": ("آبادی", "village"),
    "import.level.city": ("شهر", "city"),
    "import.elsewhere": ("در جای دیگر هست: {elsewhere}.", "There is one elsewhere: {elsewhere}."),
    "import.untranslated": ("(متن بررسی‌گر فایل، به انگلیسی) {text}", "{text}"),
    "import.kind.way": ("راه", "way"),
    "import.kind.relation": ("رابطه", "relation"),
    # the census table's lengths of code, listed (import.census_code_length's {expected})
    "import.lengths.item": ("{n} ({level})", "{n} ({level})"),
    "import.lengths.or": ("{items} یا {last}", "{items} or {last}"),
    # the formats a file can be (siting.io.readers.FORMAT_NAMES' keys)
    "import.format.geojson": ("GeoJSON", "GeoJSON"),
    "import.format.gpkg": ("GeoPackage", "GeoPackage"),
    "import.format.shpzip": ("شیپ‌فایل فشرده (ZIP)", "zipped Shapefile"),
    "import.format.shp": ("شیپ‌فایل", "Shapefile"),
    "import.format.csv": ("CSV", "CSV"),
    "import.format.xlsx": ("کارپوشهٔ اکسل (XLSX)", "Excel workbook (XLSX)"),
    "import.format.osm": ("برش OpenStreetMap", "OpenStreetMap extract"),
    # a whole file's refusal (siting.io.reasons.FILE_ERRORS), by code; {where} is the line, row or column
    # it names (import.where.*), {crs}/{kind}/{licence_type} the Data page's own controls
    "file_error.in_file": ("«{file}»: {text}", "“{file}”: {text}"),
    "file_error.unknown_extension": ("پسوند «{extension}» خوانده نمی‌شود؛ پسوندهای پذیرفته: {accepted}.",
                                     "the extension \"{extension}\" is not read; accepted: {accepted}."),
    "file_error.empty": ("فایل خالی است.", "the file is empty."),
    "file_error.too_large": ("حجم فایل {size_mb} مگابایت است، بیش از سقف {limit_mb} مگابایت.",
                             "the file is {size_mb} MiB, more than the {limit_mb} MiB limit."),
    "file_error.not_found": ("فایل پیدا نشد.", "the file was not found."),
    "file_error.not_a_file": ("این یک فایل معمولی نیست (پوشه، دستگاه یا لوله)؛ تنها فایل خوانده می‌شود.",
                              "not a regular file (a folder, device or pipe); only files are read."),
    "file_error.archive_refused": ("بایگانی ZIP آسیب‌دیده است یا از سقف شمار و حجم فایل‌هایش بیشتر است (شاید «بمب ZIP»)؛ "
                                   "خوانده نشد.",
                                   "the ZIP archive is damaged or beyond the limits on its members and size (a possible "
                                   "ZIP bomb); not read."),
    "file_error.too_many_rows": ("شمار ردیف‌ها از سقف {limit} ردیف بیشتر است.", "more rows than the limit of {limit}."),
    "file_error.too_many_columns": ("شمار ستون‌ها از سقف {limit} ستون بیشتر است.",
                                    "more columns than the limit of {limit}."),
    "file_error.too_many_cells": ("شمار خانه‌های جدول از سقف {limit} خانه بیشتر است.",
                                  "more cells than the limit of {limit}."),
    "file_error.wrong_content": ("پسوند فایل می‌گوید {expected} ولی محتوای آن {actual} است؛ فایل را با پسوند درست "
                                 "بارگذاری کنید.",
                                 "the extension says {expected} but the content is {actual}; upload it with the right "
                                 "extension."),
    "file_error.old_excel": ("این کارپوشهٔ قدیمی اکسل ۹۷–۲۰۰۳ (XLS) است؛ آن را به قالب XLSX یا CSV ذخیره و بارگذاری کنید.",
                             "an old Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV and upload that."),
    "file_error.damaged_zip": ("بایگانی ZIP آسیب‌دیده است.", "a damaged ZIP archive."),
    "file_error.zip_gpkg": ("بایگانی ZIP یک GeoPackage دارد؛ آن را از فشردگی درآورید و خود فایل GeoPackage را بارگذاری کنید.",
                            "a ZIP archive holding a GeoPackage; unzip it and upload the .gpkg."),
    "file_error.zip_nothing": ("در بایگانی ZIP نه شیپ‌فایلی هست نه صفحه‌گسترده‌ای.",
                               "a ZIP archive with no Shapefile (.shp) or spreadsheet in it."),
    "file_error.binary_unknown": ("فایلی دودویی است که هیچ‌یک از قالب‌های GeoJSON، GeoPackage، شیپ‌فایل، CSV، XLSX یا "
                                  "OpenStreetMap نیست.",
                                  "a binary file that is none of GeoJSON, GeoPackage, Shapefile, CSV, XLSX or "
                                  "OpenStreetMap PBF."),
    "file_error.xml_not_data": ("سندی XML یا HTML است، نه فایل داده (KML پشتیبانی نمی‌شود؛ GeoJSON بگیرید).",
                                "an XML/HTML document, not a data file (KML is not supported; export GeoJSON)."),
    "file_error.nul_character": ("متن فایل نویسهٔ NUL دارد{where}؛ این نویسه پذیرفته نمی‌شود.",
                                 "a NUL character in the text{where}; NUL characters are refused."),
    "file_error.bad_bom": ("فایل با نشانهٔ ترتیب بایت {encoding} آغاز می‌شود ولی متن {encoding} درستی نیست؛ آن را "
                           "دوباره با کدگذاری UTF-8 ذخیره کنید.",
                           "the file starts with a {encoding} byte-order mark but is not valid {encoding}; save it "
                           "again as UTF-8."),
    "file_error.utf8_invalid_bytes": ("فایل UTF-8 است جز {count} بایت نامعتبر (نخستین در {where_first})؛ برای آنکه متن "
                                      "فارسی به‌هم نریزد به کدگذاری دیگری خوانده نشد: آن بایت‌ها را درست کنید یا فایل را "
                                      "دوباره با UTF-8 ذخیره کنید.",
                                      "the file is UTF-8 except for {count} invalid byte(s) (the first at "
                                      "{where_first}); it is not read as another encoding, which would garble its "
                                      "Persian text: fix those bytes or save the file again as UTF-8."),
    "file_error.unknown_encoding": ("متن نه UTF-8 است نه یکدست Windows-1256 (عربی/فارسی){where}؛ فایل را با UTF-8 ذخیره "
                                    "کنید.",
                                    "the text is neither UTF-8 nor consistently Windows-1256 (Arabic/Persian){where}; "
                                    "save the file as UTF-8."),
    "file_error.csv_malformed": ("فایل CSV درست‌ساخت نیست{where}؛ شاید نقل‌قول یا جداکننده‌ای جا افتاده است.",
                                 "not a well-formed CSV{where}; a quote or delimiter is probably missing."),
    "file_error.no_data_rows": ("ردیف داده‌ای ندارد (تنها سرستون، یا هیچ).", "no data rows (only a header, or nothing)."),
    "file_error.xlsx_unreadable": ("کارپوشهٔ اکسل (XLSX) خوانا نیست.", "not a readable XLSX workbook."),
    "file_error.not_readable": ("این {format} خوانا نیست (آسیب‌دیده یا ناقص).", "not a readable {format} (damaged or "
                                                                                 "incomplete)."),
    "file_error.gpkg_no_layers": ("فایل GeoPackage هیچ لایه‌ای ندارد.", "the GeoPackage has no layers."),
    "file_error.gpkg_several_layers": ("فایل چند لایه دارد ({layers})؛ فایلی با یک لایه بارگذاری کنید.",
                                       "the file has several layers ({layers}); upload a file with one."),
    "file_error.shapefile_parts_missing": ("شیپ‌فایل بخش‌های {parts} خود را ندارد؛ همهٔ بخش‌ها را با هم در یک ZIP بگذارید.",
                                           "the Shapefile lacks its {parts} part(s); zip its parts together."),
    "file_error.shapefile_no_prj": ("شیپ‌فایل دستگاه مختصات (فایل PRJ) ندارد؛ آن را در «{crs}» بنویسید.",
                                    "the Shapefile has no .prj (no CRS); give it in \"{crs}\"."),
    "file_error.no_features": ("هیچ عارضه‌ای ندارد.", "no features."),
    "file_error.no_coordinate_columns": ("ستون مختصات ندارد؛ ستون‌های عرض و طول جغرافیایی ({names}) یا یک ستون «مختصات» "
                                         "لازم است. ستون‌های فایل: {found}",
                                         "no coordinate columns; expected latitude and longitude columns ({names}) or "
                                         "one \"coordinates\" column. The file's columns: {found}"),
    "file_error.coordinates_projected": ("مختصات، تصویرشده به نظر می‌رسد (مقادیری مانند {x} و {y})؛ دستگاه مختصات آن را در "
                                         "«{crs}» بنویسید (مثلاً EPSG:32640).",
                                         "the coordinates look projected (values like {x}, {y}); give their CRS in "
                                         "\"{crs}\" (e.g. EPSG:32640)."),
    "file_error.bad_crs": ("«{crs}» دستگاه مختصات نیست (مثلاً EPSG:4326 یا EPSG:32640 بنویسید).",
                           "\"{crs}\" is not a coordinate reference system (try EPSG:4326 or EPSG:32640)."),
    "file_error.osm_no_settlements": ("در برش OpenStreetMap هیچ سکونتگاهی (شهر، شهرک، روستا یا آبادی) نیست.",
                                      "no settlements (place=city, town, village or hamlet) in the OpenStreetMap extract."),
    "file_error.osm_not_an_extract": ("برش OpenStreetMap نیست (نه PBF با بلوک سرآیند، نه XML با ریشهٔ osm).",
                                      "not an OpenStreetMap extract (neither a PBF with its header block nor XML with "
                                      "an <osm> root)."),
    "file_error.osm_unreadable": ("برش OpenStreetMap آسیب‌دیده، ناقص یا ناخوانا است{where}.",
                                  "a damaged, truncated or unreadable OpenStreetMap extract{where}."),
    "file_error.xml_malformed": ("سند XML درست‌ساخت نیست{where}.", "not well-formed XML{where}."),
    "file_error.no_kind_column": ("ستون نوع سکونتگاه (نوع: شهر یا روستا) ندارد؛ آن را بیفزایید یا «{kind}» را انتخاب کنید. "
                                  "ستون‌های فایل: {found}",
                                  "no settlement kind column (kind: city or village); add one or choose \"{kind}\". "
                                  "The file's columns: {found}"),
    "file_error.no_office_place_columns": ("نه ستون مختصات دارد نه ستونی از آبادی (نام، کد آبادی یا نشانی) که دفتر در آن "
                                           "گذاشته شود. ستون‌های فایل: {found}",
                                           "no coordinate columns and no settlement column to place the offices at "
                                           "(name, settlement code or address). The file's columns: {found}"),
    "file_error.no_licence_type_column": ("ستون نوع پروانه (شهری یا روستایی) ندارد؛ آن را بیفزایید یا «{licence_type}» را "
                                          "انتخاب کنید. ستون‌های فایل: {found}",
                                          "no licence type column (urban or rural); add one or choose "
                                          "\"{licence_type}\". The file's columns: {found}"),
    "file_error.no_polygons": ("فایل {format} چندضلعی ندارد؛ مرزها باید GeoJSON، GeoPackage یا شیپ‌فایل فشرده باشند.",
                               "a {format} has no polygons; boundaries must come as GeoJSON, GeoPackage or a zipped "
                               "Shapefile."),
    "import.where.line": ("سطر {line}", "line {line}"),
    "import.where.row": ("ردیف {row}", "row {row}"),
    "import.where.column": ("ستون {column}", "column {column}"),
    # the import report's notes (siting.io.reasons.NOTE_CODES), by code
    "import_note.untranslated": ("(یادداشت بررسی‌گر فایل، به انگلیسی) {text}", "{text}"),
    "import_note.osm_crs_ignored": ("برش OpenStreetMap همیشه به طول و عرض جغرافیایی (WGS84) است؛ دستگاه مختصات {crs} "
                                    "نادیده گرفته شد.",
                                    "an OpenStreetMap extract is always WGS84; the CRS {crs} was ignored."),
    "import_note.no_coordinate_columns_placed": ("ستون مختصات ندارد: هر ردیف در آبادی‌ای که نام می‌برد گذاشته می‌شود، "
                                                 "وگرنه رد می‌شود.",
                                                 "no coordinate columns: every row is placed at the settlement it "
                                                 "names, or rejected."),
    "import_note.reprojected": ("مختصات از {crs} به طول و عرض جغرافیایی (WGS84) برگردانده شد.",
                                "coordinates reprojected from {crs} to WGS84."),
    "import_note.declared_crs_kept": ("فایل دستگاه مختصات خود ({declared}) را دارد؛ {crs} نوشته‌شده نادیده گرفته شد.",
                                      "the file declares {declared}; the CRS {crs} given was ignored."),
    "import_note.osm_long_values": ("{count} مقدار برچسب بلندتر از {limit} نویسه خالی گذاشته شد.",
                                    "{count} tag value(s) longer than {limit} characters left empty."),
    "import_note.osm_duplicates": ("{count} عنصر بیش از یک بار در فایل آمده است؛ نخستینِ هر یک نگه داشته شد.",
                                   "{count} object(s) appear more than once in the file; the first of each is kept."),
    "import_note.osm_not_utf8": ("{count} مقدار برچسب متن UTF-8 نبود و خالی گذاشته شد.",
                                 "{count} tag value(s) that are not UTF-8 text left empty."),
    "import_note.osm_nul_values": ("{count} مقدار برچسب نویسهٔ NUL داشت و خالی گذاشته شد.",
                                   "{count} tag value(s) holding a NUL character left empty."),
    "import_note.osm_ring_repaired": ("ردیف {row} ({id}): حلقهٔ چندضلعی خودش را قطع می‌کند؛ نقطه‌ای درون حلقهٔ اصلاح‌شده "
                                      "به کار رفت.",
                                      "row {row} ({id}): its ring crosses itself; a point inside the repaired ring is "
                                      "used."),
    "import_note.osm_outside_clip": ("{count} عنصر بیرون از چندضلعی برش کنار گذاشته شد.",
                                     "{count} element(s) outside the clip polygon dropped."),
    "import_note.osm_area_dropped": ("{count} محدودهٔ آبادی کنار گذاشته شد، چون گرهٔ هم‌نام آن آبادی نگه داشته شد: {names}",
                                     "{count} place area(s) dropped because their place node is kept: {names}"),
    "import_note.osm_not_settlements": ("عنصرهایی با برچسب مکان که سکونتگاه نیستند کنار گذاشته شدند: {values}",
                                        "elements with a place tag that is not a settlement skipped: {values}"),
    "import_note.osm_not_settlements_more": ("و {more} مقدار دیگر.", "and {more} other values."),
    "import_note.osm_row_reason": ("ردیف {row} ({id}): {reason}", "row {row} ({id}): {reason}"),
    "import_note.osm_population_not_a_number": ("ردیف {row} ({id}): جمعیت «{value}» عدد نیست؛ خالی گذاشته شد.",
                                                "row {row} ({id}): the population \"{value}\" is not a number; left "
                                                "empty."),
    "import_note.osm_population_negative": ("ردیف {row} ({id}): جمعیت «{value}» منفی است؛ خالی گذاشته شد.",
                                            "row {row} ({id}): the population \"{value}\" is negative; left empty."),
    "import_note.osm_admin_level": ("مرزهای سطح اداری {level} از برش OpenStreetMap.",
                                    "boundaries of administrative level {level} from the OpenStreetMap extract."),
    "import_note.region_dissolved": ("{count} چندضلعی در یک محدودهٔ استان ادغام شد.",
                                     "{count} polygons dissolved into one region outline."),
    "import_note.no_region_yet": ("فضای کاری هنوز محدودهٔ استان ندارد: نقطه‌ها با آن سنجیده نمی‌شوند.",
                                  "the workspace has no region yet: points are not checked against it."),
    "import_note.nothing_importable": ("هیچ ردیفی قابل ورود نبود.", "no row could be imported."),
    "import_note.updated_added": ("{updated} رکورد به‌روز و {added} رکورد افزوده شد؛ رکوردهایی که در فایل نیستند حفظ "
                                  "می‌شوند.",
                                  "{updated} records updated, {added} added; records not in the file are kept."),
    "import.field.coordinates": ("مختصات", "coordinates"),
    "import.field.geometry": ("شکل (هندسه)", "geometry"),
    "import.field.name_fa": ("نام", "name"),
    "import.field.code": ("کد", "code"),
    "import.field.kind": ("نوع سکونتگاه", "settlement kind"),
    "import.field.population": ("جمعیت", "population"),
    "import.field.county": ("شهرستان", "county"),
    "import.field.county_code": ("کد شهرستان", "county code"),
    "import.field.settlement": ("آبادی محل دفتر", "settlement"),
    "import.field.licence_type": ("نوع پروانه", "licence type"),
    "import.field.status": ("وضعیت", "status"),
    "import.field.licence_number": ("شمارهٔ پروانه", "licence number"),
    "import.field.office_id": ("شناسهٔ دفتر", "office id"),
    "import.field.issued": ("تاریخ صدور", "issued"),
    "import.field.expires": ("تاریخ انقضا", "expires"),
    "import.field.road_class": ("ردهٔ راه", "road class"),
    "import.field.maxspeed": ("حداکثر سرعت", "maxspeed"),
    "import.field.surface": ("رویه", "surface"),
    "import.field.oneway": ("یک‌طرفه", "one-way"),
    "import.field.applicant_type": ("نوع متقاضی", "applicant type"),
    "import.field.proposal_id": ("شناسهٔ درخواست", "proposal id"),
    "import.field.households": ("خانوار", "households"),
    "import.field.male": ("مرد", "men"),
    "import.field.female": ("زن", "women"),
    "data.confirm": ("تأیید و ذخیره در فضای کاری", "Confirm and save to the workspace"),
    "data.cancel": ("انصراف", "Cancel"),
    "data.saved_ok": ("ذخیره شد: {imported} ردیف در لایهٔ {layer}.", "Saved: {imported} rows into the {layer} layer."),
    "data.stale": ("فضای کاری از زمان بررسی تغییر کرده است؛ فایل را دوباره بررسی کنید. چیزی ذخیره نشد.",
                   "The workspace changed since the check; check the file again. Nothing was saved."),
    "data.file_error": ("فایل خوانده نشد؛ چیزی ذخیره نشد.", "The file could not be read; nothing was saved."),
    "data.col.row": ("ردیف", "Row"),
    "data.col.severity": ("نوع", "Severity"),
    "data.col.field": ("ستون", "Field"),
    "data.col.reason": ("علت", "Reason"),
    "data.severity.error": ("خطا (رد)", "error (rejected)"),
    "data.severity.warning": ("هشدار", "warning"),
    "data.col.layer": ("لایه", "Layer"),
    "data.col.file": ("فایل", "File"),
    "data.col.source": ("منبع", "Source"),
    "data.col.sample": ("نمونه", "Sample"),
    "data.col.time": ("زمان", "Time"),
    "data.col.rows_imported": ("ردیف واردشده", "Rows imported"),
    "data.col.rows_rejected": ("ردیف رد", "Rows rejected"),
    "data.col.mode": ("حالت", "Mode"),
    # -- scenario runner: every key of the page ui/pages/scenarios.py, kept together -------
    "page.scenarios": ("اجرای سناریو", "Scenario runner"),
    "scenario.intro": (
        "محل دفترهای تازه را با مدل بهینه‌سازی پیدا کنید: بیشترین پوشش با k دفتر (MCLP، با کف پوشش هر شهرستان در صورت نیاز)، کمترین دفتر برای رسیدن به سهم هدفی از جمعیت (LSCP)، کمترین فاصلهٔ وزنی (p-median)، کمترین دورترین فاصله (p-center)، مدل‌های ظرفیت‌دار یا پوشش پشتیبان (دو دفتر در دسترس). دفترهای موجود حفظ می‌شوند، هر محل نامزد شرط‌های محل را دارد و دفترهای تازه حداقل فاصله را از هم رعایت می‌کنند. اجراها در جدول سناریوها کنار هم می‌آیند.",
        "Find sites for new offices with an optimisation model: the most people covered by k offices (MCLP, with a floor per county if wanted), the fewest offices reaching a target share of the population (LSCP), the least weighted distance (p-median), the smallest worst distance (p-center), the capacitated models, or backup coverage (two offices within reach). Existing offices are kept, every candidate passes the site rules, and new offices keep the minimum distance from each other. Runs add up side by side in the scenario table.",
    ),
    "scenario.overrides": ("قواعد تغییریافته در صفحهٔ «پوشش و کمبودها» در این سناریوها به کار می‌روند: {items}",
                           "The rules changed on the “Coverage and gaps” page apply to these scenarios: {items}"),
    "scenario.inputs": ("سناریوی تازه", "New scenario"),
    "scenario.model": ("مدل", "Model"),
    "scenario.k": ("تعداد دفتر تازه (k)", "Number of new offices (k)"),
    "scenario.share": ("سهم هدف از جمعیت مکان‌دار (درصد)", "Target share of the located population (%)"),
    "scenario.radius_km": ("شعاع خدمت (کیلومتر)", "Service radius (km)"),
    "scenario.radius_help": ("پیش‌فرض: {value} کیلومتر ({source}). شعاع دفترهای موجودِ همین نوع هم همین است.",
                             "Default: {value} km ({source}). Existing offices of this type get the same radius."),
    "scenario.radius_source.rules": ("فایل قواعد", "the rules file"),
    "scenario.radius_source.planner": ("صفحهٔ پوشش و کمبودها", "the Coverage and gaps page"),
    "scenario.radius_cost": ("شعاع خدمت به واحد ماتریس هزینه (مثلاً دقیقه)", "Service radius in the cost matrix's unit (e.g. minutes)"),
    "scenario.candidates": ("محل‌های نامزد", "Candidate sites"),
    "scenario.candidates.settlements": ("سکونتگاه‌ها", "Settlements"),
    "scenario.candidates.h3": ("شش‌ضلعی‌های H3 روی نواحی بدون پوشش", "H3 cells over the service gaps"),
    "scenario.candidates.file": ("فایل نقاط", "A file of points"),
    "scenario.h3_resolution": ("تفکیک H3 (۶ درشت، ۸ ریز)", "H3 resolution (6 coarse, 8 fine)"),
    "scenario.candidates_file": ("فایل نقاط نامزد (CSV، XLSX، GeoJSON، GeoPackage یا Shapefile فشرده)",
                                 "Candidate points (CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile)"),
    "scenario.candidates_read": ("{n} نقطهٔ نامزد از «{file}» خوانده شد.", "{n} candidate points read from “{file}”."),
    "scenario.fix_upload": ("فایل بارگذاری‌شده قابل استفاده نیست؛ آن را اصلاح یا حذف کنید. سناریو اجرا نشد.",
                            "An uploaded file cannot be used; fix or remove it. The scenario was not run."),
    "scenario.k_min": ("تعداد دفتر تازه (k) باید دست‌کم ۱ باشد؛ اجرایی انجام نشد.",
                       "Number of new offices (k) must be at least 1; nothing was run."),
    "scenario.candidates_missing": ("ابتدا فایل نقاط نامزد را بارگذاری کنید.", "Upload the file of candidate points first."),
    "scenario.costs": ("ماتریس هزینهٔ مبدأ-مقصد (اختیاری)", "Origin-destination cost matrix (optional)"),
    "scenario.costs_file": ("فایل CSV ماتریس هزینه", "Cost matrix CSV"),
    "scenario.costs_help": (
        "به جای فاصلهٔ خط مستقیم، هزینهٔ سفر (مثلاً دقیقه با جاده). قالب بلند: ستون‌های origin، destination، cost؛ یا قالب پهن. مبدأها کد سکونتگاه‌ها و مقصدها شناسهٔ محل‌های نامزد و دفترهای فعال‌اند. شعاع خدمت باید به همان واحد باشد.",
        "Travel costs instead of straight-line distances (e.g. road minutes). Long layout: origin, destination, cost columns; or wide. Origins are settlement codes, destinations the candidate ids and the serving offices' ids. The service radius must be in the same unit.",
    ),
    "scenario.costs_read": ("ماتریس «{file}» ({layout}): {origins} مبدأ، {destinations} مقصد، {pairs} زوج دسترس‌پذیر.",
                            "Matrix “{file}” ({layout}): {origins} origins, {destinations} destinations, {pairs} reachable pairs."),
    "scenario.county_floor": ("کف پوشش هر شهرستان (درصد؛ ۰ یعنی بدون کف)",
                              "Least covered share of every county (%; 0: no floor)"),
    "scenario.county_floor_help": ("هر شهرستان باید دست‌کم این درصد از جمعیتش پوشش یابد؛ اگر ممکن نباشد، شهرستان‌ها نام برده می‌شوند.",
                                   "Every county ends with at least this share of its population covered; "
                                   "when that cannot be, the counties are named."),
    "scenario.threshold_km": ("آستانهٔ فاصله (کیلومتر)", "Distance threshold (km)"),
    "scenario.threshold_cost": ("آستانه به واحد ماتریس هزینه یا دقیقه", "Threshold in the cost matrix's unit or minutes"),
    "scenario.count": ("شمارش", "Count"),
    "scenario.count.settlements": ("سکونتگاه‌ها", "settlements"),
    "scenario.count.population": ("جمعیت", "people"),
    "scenario.capacity": ("ظرفیت هر دفتر (نفر)", "Capacity of an office (people)"),
    "scenario.capacity_help": ("پیش‌فرض: فایل قواعد ({value} نفر؛ عدد موقت، راهنمای متقاضیان عددی نمی‌دهد). دفترهای موجود بی‌محدودیت ظرفیت فرض می‌شوند.",
                               "Default: the rules file ({value} people; a placeholder, the applicant guide gives no "
                               "figure). Existing offices are assumed to have no capacity limit."),
    "scenario.backup_primary": ("هدف نخست", "First objective"),
    "scenario.backup_primary.backup": ("پوشش دوم (پشتیبان)", "second (backup) cover"),
    "scenario.backup_primary.first": ("پوشش نخست", "first cover"),
    "scenario.first_share": ("کمترین سهم پوشش نخست (درصد؛ ۰ یعنی بدون قید)",
                             "Least share covered once (%; 0: no constraint)"),
    "scenario.solver": ("تنظیمات حل", "Solver settings"),
    "scenario.time_limit": ("مهلت زمانی حل (ثانیه)", "Time limit (seconds)"),
    "scenario.method": ("روش حل", "Method"),
    "scenario.fixed": ("محل‌هایی که باز می‌مانند (شناسه‌ها، با «،» جدا)", "Sites kept open (ids, separated by commas)"),
    "scenario.fixed_help": ("مثلاً محلی که کارگروه تصویب کرده است: مانند دفتر موجود حساب می‌شود و k آن را نمی‌شمارد؛ "
                            "باید از محل‌های نامزدِ سازگار با ضوابط باشد.",
                            "For example a site the working group approved: it counts as an existing office and k "
                            "does not count it; it must be a candidate passing the site rules."),
    "scenario.population_rule": ("فقط محل‌هایی که به‌تنهایی حداقل جمعیت تازهٔ قواعد را پوشش می‌دهند",
                                 "Only candidates that alone newly cover the rules' minimum population"),
    "scenario.run": ("اجرای سناریو", "Run the scenario"),
    "scenario.running": ("در حال حل مدل (حداکثر {seconds} ثانیه)…", "Solving (at most {seconds} seconds)…"),
    "scenario.refused": ("این سناریو اجرا نشد؛ چیزی به جدول سناریوها افزوده نشد.",
                         "This scenario was not run; nothing was added to the scenario table."),
    "scenario.file_error": ("فایل بارگذاری‌شده قابل استفاده نیست.", "The uploaded file cannot be used."),
    "scenario.none": ("هنوز سناریویی اجرا نشده است: ورودی‌ها را انتخاب کنید و «اجرای سناریو» را بزنید.",
                      "No scenario run yet: choose the inputs and press “Run the scenario”."),
    "scenario.again": ("این سناریو پیش‌تر اجرا شده است (اجرای {run})؛ همان نتیجه نشان داده می‌شود.",
                       "This scenario was run already (run {run}); its result is shown."),
    "scenario.stale": ("فضای کاری یا فایل قواعد تغییر کرده است؛ {n} اجرای پیشین از جدول برداشته شد.",
                       "The workspace or the rules file changed; {n} earlier runs were taken off the table."),
    "scenario.result": ("نتیجهٔ اجرا", "Result of run"),
    "scenario.kpi.before": ("سهم پوشش پیش از", "Covered share before"),
    "scenario.kpi.after": ("سهم پوشش پس از", "Covered share after"),
    "scenario.kpi.newly": ("جمعیت تازه پوشش‌یافته", "Population newly covered"),
    "scenario.kpi.sites": ("دفاتر تازه", "New offices"),
    "scenario.kpi.status": ("وضعیت حل", "Solver status"),
    "scenario.kpi.gap": ("فاصله تا بهینه", "Optimality gap"),
    "scenario.kpi.time": ("زمان حل (ثانیه)", "Solve time (s)"),
    "scenario.kpi.objective_help": ("مقدار تابع هدف: {value}؛ کران: {bound}؛ روش: {method}.",
                                    "Objective: {value}; bound: {bound}; method: {method}."),
    "scenario.time_limit_hit": ("مهلت زمانی به پایان رسید: بهترین جواب یافته نشان داده می‌شود؛ فاصلهٔ آن تا بهینه حداکثر {gap} است.",
                                "The time limit was reached: the best solution found is shown; it is within {gap} of the optimum."),
    "scenario.heuristic": ("این جواب از روش ابتکاری (حریصانه) است، نه از حل‌کنندهٔ دقیق؛ بهینگی آن اثبات نشده و فاصله‌اش تا کران حداکثر {gap} است (جزئیات در یادداشت‌ها).",
                           "This solution comes from the greedy heuristic, not the exact solver: it is not proven optimal; its gap to the bound is at most {gap} (see the notes)."),
    "scenario.truncated": ("مدل برای هر سکونتگاه تنها نزدیک‌ترین محل‌های نامزد را دید؛ کران، بقیهٔ محل‌ها را هم در نظر می‌گیرد.",
                           "The model saw only each settlement's nearest candidate sites; the bound allows for the others."),
    "scenario.objective_meaning": ("تابع هدف: {meaning}؛ بهینگی: {proven}.", "Objective: {meaning}; optimality: {proven}."),
    "scenario.proven.yes": ("اثبات‌شده", "proven"),
    "scenario.proven.no": ("اثبات‌نشده", "not proven"),
    "scenario.empty": ("هیچ دفتر تازه‌ای لازم نیست یا ممکن نیست کسی را تازه پوشش دهد (جزئیات در یادداشت‌ها).",
                       "No new office is needed, or none could newly cover anyone (see the notes)."),
    "scenario.candidates_caption": ("{n} محل نامزد از {total} شرط‌های محل را داشتند ({source}). ردشده به سبب: {rejected}",
                                    "{n} of {total} candidate sites passed the site rules ({source}). Rejected by: {rejected}"),
    "scenario.sites_title": ("محل‌های انتخاب‌شده", "Chosen sites"),
    "scenario.county_title": ("جمعیت تازه پوشش‌یافته در هر شهرستان", "Population newly covered per county"),
    "scenario.notes": ("یادداشت‌های حل (از کتابخانه، به انگلیسی)", "Notes of the run"),
    "scenario.dl.geojson": ("محل‌های انتخاب‌شده (GeoJSON)", "Chosen sites (GeoJSON)"),
    "scenario.dl.csv": ("محل‌های انتخاب‌شده (CSV)", "Chosen sites (CSV)"),
    "scenario.legend_site": ("محل انتخاب‌شده و شعاع خدمت آن", "chosen site and its service radius"),
    "scenario.table": ("جدول سناریوها", "Scenario table"),
    "scenario.remove": ("حذف این اجرا از جدول", "Remove this run from the table"),
    "scenario.clear": ("پاک کردن جدول سناریوها", "Clear the scenario table"),
    "scenario.table_title": ("جدول سناریوها", "Scenario table"),
    # -- application tracker: signing in (ui/components/signin.py) ------------------------------
    "tracker.signup_title": ("متقاضی تازه هستید؟ ثبت‌نام کنید", "New applicant? Register"),
    "tracker.signup_intro": (
        "با ثبت‌نام، حساب متقاضی می‌سازید و سپس با کد ملی و گذرواژه وارد می‌شوید. حساب‌های کارکنان را مدیر سامانه می‌سازد.",
        "Registering creates an applicant account; you then sign in with your national ID and password. Staff accounts "
        "are made by the administrator."),
    "tracker.signup.full_name": ("نام و نام خانوادگی", "Full name"),
    "tracker.signup.national_id": ("کد ملی (نام کاربری شما)", "National ID (your user name)"),
    "tracker.signup.mobile": ("شمارهٔ همراه", "Mobile number"),
    "tracker.signup.password": ("گذرواژه (دست‌کم ۱۰ نویسه)", "Password (at least 10 characters)"),
    "tracker.signup.password2": ("تکرار گذرواژه", "Password again"),
    "tracker.signup.submit": ("ثبت‌نام", "Register"),
    "tracker.signup.mismatch": ("دو گذرواژه یکسان نیستند.", "The two passwords differ."),
    "tracker.signup.done": (
        "ثبت‌نام انجام شد؛ اکنون با کد ملی و گذرواژهٔ خود وارد شوید. اگر پیش‌تر با این کد ملی ثبت‌نام کرده‌اید، "
        "با گذرواژهٔ پیشین وارد شوید.",
        "Registration done: sign in now with your national ID and password. If you registered with this national ID "
        "before, sign in with your earlier password."),
    "tracker.not_set_up": (
        "پایگاه دادهٔ ردیاب درخواست‌ها هنوز راه‌اندازی نشده است، پس ثبت و پیگیری درخواست در این سامانه فعلاً ممکن نیست. "
        "راه‌اندازی آن کار کارشناس فناوری اطلاعات ادارهٔ کل ارتباطات و فناوری اطلاعات استان است؛ اگر انتظار داشتید "
        "این بخش کار کند، با ادارهٔ کل تماس بگیرید.",
        "The application tracker's database has not been set up yet, so requests cannot be filed or followed here "
        "for now. Setting it up is the job of the IT staff of the provincial Directorate General of Communications "
        "and IT; if you expected this part to work, contact the directorate."),
    "tracker.not_set_up_meanwhile": (
        "تا آن زمان می‌توانید در صفحهٔ «انتخاب و بررسی محل» محل دفتر را روی نقشه بررسی کنید.",
        "Meanwhile you can check a site on the map on the site-checker page."),
    "tracker.unavailable": ("ردیاب درخواست‌ها در دسترس نیست: {detail}", "The application tracker is not available: {detail}"),
    "tracker.signin_needed": ("برای دیدن این صفحه وارد سامانه شوید.", "Sign in to see this page."),
    "tracker.username": ("نام کاربری", "User name"),
    "tracker.password": ("گذرواژه", "Password"),
    "tracker.signin": ("ورود", "Sign in"),
    "tracker.signout": ("خروج", "Sign out"),
    "tracker.signed_in_as": ("واردشده: {name} ({role})", "Signed in: {name} ({role})"),
    "tracker.wrong_role": (
        "این صفحه برای {roles} است؛ شما با نقش «{role}» وارد شده‌اید.",
        "This page is for: {roles}. You are signed in as {role}.",
    ),
    "role.applicant": ("متقاضی", "applicant"),
    "role.expert": ("کارشناس اداره‌کل", "directorate expert"),
    "role.wg_member": ("عضو کارگروه", "working-group member"),
    "role.admin": ("مدیر سامانه", "administrator"),
    "role.data_steward": ("متصدی داده", "data steward"),
    # -- tracker: applicant pages (keys tracker.app.*) ------------------------------------------
    # sign-in additions (ui/components/signin.py): the SAMPLE tracker's banner and demo accounts, SSO
    "tracker.sample_banner": (
        "پایگاه دادهٔ نمونهٔ ردیاب — غیررسمی. حساب‌ها، متقاضیان، درخواست‌ها و پروانه‌های این صفحه ساختگی‌اند.",
        "SAMPLE tracker database — not official. The accounts, applicants, requests and licences here are made up.",
    ),
    "tracker.demo_accounts": ("حساب‌های نمایشی (نمونه)", "Demo accounts (sample)"),
    "tracker.demo_hint": (
        "این حساب‌ها فقط در پایگاه دادهٔ نمونه هستند؛ با یکی از آن‌ها وارد شوید.",
        "These accounts exist only in the sample database; sign in with one of them.",
    ),
    "tracker.demo_role": ("نقش", "Role"),
    "tracker.demo_what": ("چه می‌بینید", "What you will see"),
    "tracker.sso_signin": ("ورود با حساب سازمانی", "Sign in with your organisation account"),
    "page.tracker_my_applications": ("درخواست‌های من", "My applications"),
    "tracker.app.tab_mine": ("درخواست‌های من", "My applications"),
    "tracker.app.tab_new": ("درخواست جدید", "New request"),
    "applicant.start_request": ("ثبت درخواست در همین محل", "Start a request at this site"),
    "tracker.app.carried": ("محل انتخاب‌شده روی نقشه در فرم درخواست آمده است: {label}", "The site chosen on the map is in the request form: {label}"),
    "tracker.app.carried_drop": ("کنار گذاشتن این محل", "Drop this site"),
    "tracker.app.urban_legal_only": (
        "پروانهٔ پیشخوان شهری فقط به اشخاص حقوقی (شرکت‌ها) داده می‌شود؛ برای شخص حقیقی فقط ICT روستایی ممکن است.",
        "Urban Pishkhan licences are for legal persons (companies) only; a natural person may apply for a rural ICT licence."),
    "tracker.app.none": ("هنوز درخواستی ندارید؛ از زبانهٔ «درخواست جدید» شروع کنید.", "You have no requests yet; start one in the New request tab."),
    "tracker.app.returned_banner": ("درخواست {id} به شما عودت شده است. کسری‌ها:", "Request {id} was returned to you. Deficiencies:"),
    "tracker.app.choose": ("درخواست", "Request"),
    "tracker.app.choice": ("درخواست {id} — {status} — {licence}", "Request {id} — {status} — {licence}"),
    "tracker.app.detail_title": ("درخواست {id}: {name}", "Request {id}: {name}"),
    "tracker.app.decisions": ("تصمیم‌ها و عودت‌ها در هر دور", "Decisions and returns of every round"),
    "tracker.app.decision_head": ("دور {round} — {body}: {outcome} ({date})", "Round {round} — {body}: {outcome} ({date})"),
    "tracker.app.body.working_group": ("کارگروه", "working group"),
    "tracker.app.body.directorate": ("اداره کل", "directorate"),
    "tracker.app.reasons": ("دلایل", "Reasons"),
    "tracker.app.deficiencies": ("کسری‌ها", "Deficiencies"),
    "tracker.app.validation_report": ("گزارش بررسی محل", "Site validation report"),
    "tracker.app.steps": ("مراحل", "Steps"),
    "tracker.app.earlier_rounds": ("مراحل دورهای پیشین", "Steps of earlier rounds"),
    "tracker.app.step_returned": ("عودت‌شده", "returned"),
    "tracker.app.overdue": ("{days} روز گذشته از مهلت", "{days} days overdue"),
    "tracker.app.documents": ("مدارک", "Documents"),
    "tracker.app.missing": ("مدارکی که هنوز لازم است:", "Documents still required:"),
    "tracker.app.upload_for": ("بارگذاری برای", "Upload for"),
    "tracker.app.upload_file": ("پرونده (PDF، JPEG یا PNG؛ حداکثر {mb} مگابایت)", "File (PDF, JPEG or PNG; at most {mb} MB)"),
    "tracker.app.upload": ("بارگذاری", "Upload"),
    "tracker.app.uploaded": ("«{name}» برای {kind} پذیرفته و ذخیره شد.", "“{name}” was accepted and stored for: {kind}."),
    "tracker.app.my_step": ("مرحلهٔ شما: {title}", "Your step: {title}"),
    "tracker.app.notes": ("توضیح (اختیاری)", "Note (optional)"),
    "tracker.app.complete_step": ("ثبت انجام این مرحله", "Record this step as done"),
    "tracker.app.step_done": ("مرحلهٔ «{title}» ثبت شد.", "Step “{title}” recorded."),
    "tracker.app.submit": ("ارسال درخواست", "Submit the request"),
    "tracker.app.resubmit": ("ارسال دوباره پس از رفع کسری‌ها", "Submit again after fixing the deficiencies"),
    "tracker.app.submitted": ("درخواست {id} ارسال شد (دور {round}).", "Request {id} submitted (round {round})."),
    "tracker.app.profile": ("۱. مشخصات متقاضی", "1. Applicant profile"),
    "tracker.app.natural_person": ("شخص حقیقی: نام و کد ملی بالا، و این مشخصات:", "Natural person: the name and national ID above, and:"),
    "tracker.app.save_profile": ("ذخیرهٔ مشخصات متقاضی", "Save the applicant profile"),
    "tracker.app.profile_saved": ("مشخصات «{name}» ذخیره شد.", "Profile “{name}” saved."),
    "tracker.app.request": ("۲. درخواست", "2. The request"),
    "tracker.app.profile_first": ("ابتدا مشخصات متقاضی را ذخیره کنید.", "Save an applicant profile first."),
    "tracker.app.create": ("ثبت درخواست (پیش‌نویس)", "Create the request (draft)"),
    "tracker.app.created": ("درخواست {id} ثبت شد (پیش‌نویس)؛ بررسی محل: {validation}. از زبانهٔ «درخواست‌های من» آن را ارسال کنید.", "Request {id} created (draft); site validation: {validation}. Submit it from My applications."),
    "tracker.app.licence_number_help": ("برای تجدید، انتقال، تغییر نشانی و دیگر درخواست‌هایی که بر پروانهٔ موجود است.", "For renewals, transfers, changes of address and other requests on an existing licence."),
    "tracker.app.site.point": ("مختصات", "Coordinates"),
    "tracker.app.site.settlement": ("شهر یا روستا", "A town or village"),
    "tracker.app.site.address": ("نشانی و کد پستی", "Address and postal code"),
    "tracker.app.site.not_found": ("محل را روی نقشه پیدا نکردم", "I could not find it on the map"),
    "tracker.app.postal_code_is": ("کد پستی {code}", "postal code {code}"),
    "tracker.app.licence_until": ("{number} (تا {date})", "{number} (until {date})"),
    "tracker.app.county": ("شهرستان", "County"),
    "tracker.app.validation.pass": ("مطابق ضوابط", "passes"),
    "tracker.app.validation.warn": ("نیازمند بررسی", "needs a look"),
    "tracker.app.validation.fail": ("مغایر ضوابط", "fails"),
    "tracker.app.validation.unknown": ("بررسی‌نشدنی (دادهٔ لازم نیست)", "could not be checked (data missing)"),
    "tracker.app.validation.not_located": ("روی نقشه نیست", "not on the map"),
    "tracker.app.col.id": ("شماره", "No."),
    "tracker.app.col.status": ("وضعیت", "Status"),
    "tracker.app.col.licence_type": ("نوع پروانه", "Licence type"),
    "tracker.app.col.request_type": ("نوع درخواست", "Request type"),
    "tracker.app.col.site": ("محل", "Site"),
    "tracker.app.col.validation": ("بررسی محل", "Site validation"),
    "tracker.app.col.next": ("گام بعدی (اقدام‌کننده)", "Next step (who acts)"),
    "tracker.app.col.created": ("ثبت", "Created"),
    "tracker.app.col.submitted": ("ارسال", "Submitted"),
    "tracker.app.col.licence": ("پروانه", "Licence"),
    "tracker.app.col.round": ("دور", "Round"),
    "tracker.app.col.step": ("مرحله", "Step"),
    "tracker.app.col.state": ("وضعیت مرحله", "State"),
    "tracker.app.col.actor": ("اقدام‌کننده", "Who acts"),
    "tracker.app.col.ready": ("آماده از", "Ready since"),
    "tracker.app.col.due": ("مهلت", "Due"),
    "tracker.app.col.done": ("انجام", "Done"),
    "tracker.app.col.notes": ("یادداشت و کسری", "Notes and deficiencies"),
    "tracker.app.col.document": ("مدرک", "Document"),
    "tracker.app.col.person": ("شخص", "Person"),
    "tracker.app.col.file": ("پرونده", "File"),
    "tracker.app.col.uploaded": ("بارگذاری", "Uploaded"),
    "tracker.app.col.rule": ("قاعده", "Rule"),
    "tracker.app.col.rule_status": ("نتیجه", "Result"),
    "tracker.app.f.name": ("نام متقاضی (شخص حقیقی یا شرکت)", "Applicant's name (person or company)"),
    "tracker.app.f.national_id": ("کد ملی", "National ID"),
    "tracker.app.f.legal_id": ("شناسهٔ ملی شرکت (۱۱ رقم)", "Company's national ID (11 digits)"),
    "tracker.app.f.full_name": ("نام و نام خانوادگی", "Full name"),
    "tracker.app.f.education": ("مدرک تحصیلی", "Education"),
    "tracker.app.f.government_employee": ("شاغل در دستگاه دولتی", "Government employee"),
    "tracker.app.f.military_exempt": ("معاف از ارائهٔ کارت پایان خدمت", "Exempt from the military-service card"),
    "tracker.app.f.on_board": ("عضو هیئت مدیره نیز هست", "Also on the board"),
    "tracker.app.f.signatory": ("صاحب امضا", "Signs for the company"),
    "tracker.app.f.person_role": ("سمت", "Role"),
    "tracker.app.f.person_n": ("شخص {n}", "Person {n}"),
    "tracker.app.f.other": ("این مورد", "This item"),
    "tracker.app.f.people": ("اشخاص", "People"),
    "tracker.app.f.company_type": ("نوع شخص حقوقی", "Company type"),
    "tracker.app.f.ownership": ("مالکیت", "Ownership"),
    "tracker.app.f.registration_number": ("شمارهٔ ثبت", "Registration number"),
    "tracker.app.f.registration_date": ("تاریخ ثبت (خورشیدی)", "Registration date (Solar Hijri)"),
    "tracker.app.f.registration_province": ("استان محل ثبت", "Province of registration"),
    "tracker.app.f.applicant_type": ("نوع متقاضی", "Applicant type"),
    "tracker.app.f.applicant": ("متقاضی", "Applicant"),
    "tracker.app.f.licence_type": ("نوع پروانه", "Licence type"),
    "tracker.app.f.request_type": ("نوع درخواست", "Request type"),
    "tracker.app.f.licence_number": ("شمارهٔ پروانهٔ موجود", "Number of the existing licence"),
    "tracker.app.f.site": ("محل پیشنهادی", "Proposed site"),
    "tracker.app.f.lat": ("عرض جغرافیایی (درجه)", "Latitude (degrees)"),
    "tracker.app.f.lon": ("طول جغرافیایی (درجه)", "Longitude (degrees)"),
    "tracker.app.f.address": ("نشانی", "Address"),
    "tracker.app.f.postal_code": ("کد پستی (۱۰ رقم)", "Postal code (10 digits)"),
    "tracker.app.f.map_not_found": ("روی نقشه پیدا نشد", "not found on the map"),
    # -- tracker: staff pages, directorate and working group (keys tracker.staff.*) --------------
    "page.tracker_agenda": ("دستور جلسهٔ کارگروه", "Working group agenda"),
    "page.tracker_queue": ("کارتابل اداره‌کل", "Directorate work queue"),
    "tracker.staff.agenda_intro": (
        "درخواست‌هایی که در ردیاب درخواست‌ها منتظر تصمیم کارگروه‌اند، با نتیجهٔ بررسی محل هر یک، تداخل‌ها و نقشه. "
        "تصمیم (موافقت، مخالفت یا عودت) را اعضای کارگروه ثبت می‌کنند.",
        "The applications waiting for the working group's decision in the application tracker, each with its site "
        "validation, the conflicts and the map. Working-group members record the decision (approve, reject or return).",
    ),
    "tracker.staff.agenda_empty": ("درخواستی در دستور کار نیست.", "No proposal is on the agenda."),
    "tracker.staff.agenda_summary": (
        "{n} درخواست در دستور کار — قبول: {p} · نیازمند بررسی: {w} · رد: {f} · بدون نقطه روی نقشه: {u}",
        "{n} proposals on the agenda — pass: {p} · needs review: {w} · fail: {f} · not on the map: {u}",
    ),
    "tracker.staff.agenda_table": ("دستور جلسه (به ترتیب ارسال)", "Agenda (in order of submission)"),
    "tracker.staff.agenda_show_map": ("نقشهٔ درخواست‌ها و تداخل‌ها", "Map of the proposals and conflicts"),
    "tracker.staff.agenda_show_map_help": (
        "نقشه فقط وقتی کشیده می‌شود که آن را بخواهید و تا پایان این نشست روشن می‌ماند: در رایانه‌ای بی‌شتاب‌دهندهٔ "
        "گرافیکی، کشیدن نقشه چند ثانیه طول می‌کشد.",
        "The map is drawn only when you ask for it, and stays on for the rest of this session: on a computer "
        "without graphics acceleration drawing it takes a few seconds."),
    "tracker.staff.col.application": ("درخواست", "Application"),
    "tracker.staff.col.applicant": ("متقاضی", "Applicant"),
    "tracker.staff.col.licence_type": ("نوع پروانه", "Licence type"),
    "tracker.staff.col.request_type": ("نوع درخواست", "Request type"),
    "tracker.staff.col.round": ("دور بررسی", "Review round"),
    "tracker.staff.col.county": ("شهرستان", "County"),
    "tracker.staff.col.submitted": ("تاریخ ارسال", "Submitted on"),
    "tracker.staff.col.validation": ("نتیجهٔ بررسی محل", "Site validation"),
    "tracker.staff.col.failed": ("شرط‌های ردشده", "Failed rules"),
    "tracker.staff.col.newly": ("جمعیت تازه پوشش‌یافته", "Population newly covered"),
    "tracker.staff.col.conflicts": ("در تداخل با", "Conflicts with"),
    "tracker.staff.col.when": ("تاریخ", "Date"),
    "tracker.staff.col.who": ("کاربر", "User"),
    "tracker.staff.col.action": ("اقدام", "Action"),
    "tracker.staff.not_located": ("بدون نقطه روی نقشه", "not on the map"),
    "tracker.staff.not_located_note": (
        "محل این درخواست روی نقشه مشخص نشده است؛ نشانی را بررسی کنید: {address}",
        "This proposal's site is not on the map; check the address: {address}",
    ),
    "tracker.staff.proposal": ("یک درخواست: گزارش کامل و تصمیم", "One proposal: full report and decision"),
    "tracker.staff.decision": ("ثبت تصمیم کارگروه", "Record the working group's decision"),
    "tracker.staff.decision_members_only": (
        "تصمیم کارگروه را فقط اعضای کارگروه ثبت می‌کنند.", "Only working-group members record the group's decisions."),
    "tracker.staff.outcome": ("تصمیم", "Decision"),
    "tracker.staff.reasons": ("دلایل", "Reasons"),
    "tracker.staff.deficiencies": ("نواقص (هر مورد در یک سطر)", "Deficiencies (one per line)"),
    "tracker.staff.deficiencies_help": (
        "برای عودت دست‌کم یک نقص بنویسید؛ متقاضی آن‌ها را می‌بیند و رفع می‌کند.",
        "For a return list at least one deficiency; the applicant sees them and fixes them.",
    ),
    "tracker.staff.override": ("دلیل موافقت با محلِ ردشده", "Reason to approve a failing site"),
    "tracker.staff.override_help": (
        "فقط وقتی محل پیشنهادی شرطی را ندارد و کارگروه باز هم موافقت می‌کند.",
        "Only when the site fails a rule and the group approves anyway.",
    ),
    "tracker.staff.meeting_date": ("تاریخ جلسه (هجری شمسی، اختیاری)", "Meeting date (Solar Hijri, optional)"),
    "tracker.staff.bad_date": (
        "{field}: تاریخ را به شکل ۱۴۰۵/۰۹/۰۷ بنویسید؛ چیزی ثبت نشد.",
        "{field}: write the date as 1405/09/07; nothing was recorded.",
    ),
    "tracker.staff.record": ("ثبت تصمیم", "Record the decision"),
    "tracker.staff.decided": (
        "تصمیم «{outcome}» برای درخواست #{n} ثبت شد.", "The decision “{outcome}” was recorded for application #{n}."),
    "tracker.staff.history": ("سابقهٔ درخواست #{n}", "History of application #{n}"),
    "tracker.staff.status_now": ("وضعیت کنونی: {status}", "Status now: {status}"),
    "tracker.staff.audit": ("همهٔ تغییرات (سابقهٔ ممیزی)", "Every change (audit trail)"),
    "tracker.staff.action.applicant_created": ("ثبت متقاضی", "applicant created"),
    "tracker.staff.action.applicant_updated": ("ویرایش متقاضی", "applicant changed"),
    "tracker.staff.action.application_created": ("ایجاد درخواست", "application created"),
    "tracker.staff.action.application_submitted": ("ارسال درخواست", "application submitted"),
    "tracker.staff.action.application_cancelled": ("انصراف از درخواست", "application cancelled"),
    "tracker.staff.action.decision_recorded": ("ثبت تصمیم", "decision recorded"),
    "tracker.staff.action.document_uploaded": ("بارگذاری مدرک", "document uploaded"),
    "tracker.staff.action.licence_issued": ("صدور پروانه", "licence issued"),
    "tracker.staff.action.licence_changed": ("تغییر پروانه", "licence changed"),
    "tracker.staff.action.returned_at_intake": ("عودت در مرحلهٔ دریافت", "returned at intake"),
    "tracker.staff.action.site_changed": ("تغییر محل", "site changed"),
    "tracker.staff.action.site_revalidated": ("بررسی دوبارهٔ محل", "site validated again"),
    "tracker.staff.action.step_completed": ("انجام مرحله", "step completed"),
    "tracker.staff.action.step_returned": ("عودت مرحله", "step returned"),
    "wg.source": ("درخواست‌ها از", "Proposals from"),
    "wg.source_file": ("فایل", "a file"),
    "wg.source_tracker": ("درخواست‌های در انتظار تصمیم در ردیاب", "the tracker's pending applications"),
    "wg.tracker_name": ("ردیاب درخواست‌ها (در انتظار تصمیم کارگروه)", "the application tracker (awaiting the working group)"),
    "tracker.staff.queue_intro": (
        "مراحلی که منتظر اقدام اداره‌کل یا نهادهای بیرونی‌اند، مراحل عقب‌افتاده، پروانه‌هایی که موعد تمدیدشان نزدیک است، "
        "و اقدام روی یک درخواست. تاریخ‌ها هجری شمسی‌اند.",
        "Steps waiting for the directorate or an outside body, overdue steps, licences due for renewal, and acting "
        "on one application. Dates are Solar Hijri.",
    ),
    "tracker.staff.include_applicant": ("مراحلِ خودِ متقاضیان هم نشان داده شود", "Show the applicants' own steps too"),
    "tracker.staff.tab_queue": ("کارتابل به تفکیک مرحله ({n})", "Queue by step ({n})"),
    "tracker.staff.tab_overdue": ("عقب‌افتاده ({n})", "Overdue ({n})"),
    "tracker.staff.tab_renewals": ("موعد تمدید", "Renewals due"),
    "tracker.staff.tab_application": ("اقدام روی یک درخواست", "Act on an application"),
    "tracker.staff.queue_empty": ("مرحله‌ای منتظر اقدام نیست.", "No step is waiting."),
    "tracker.staff.overdue_none": ("هیچ مرحله‌ای از موعدش نگذشته است.", "No step is past its due date."),
    "tracker.staff.renewal_days": ("پروانه‌هایی که تا این تعداد روز دیگر منقضی می‌شوند", "Licences expiring within this many days"),
    "tracker.staff.renewals_none": ("هیچ پروانهٔ معتبری تا {days} روز دیگر منقضی نمی‌شود.", "No active licence expires within {days} days."),
    "tracker.staff.col.state": ("وضعیت مرحله", "Step state"),
    "tracker.staff.col.actor": ("اقدام‌کننده", "Who acts"),
    "tracker.staff.col.ready": ("آماده از", "Ready since"),
    "tracker.staff.col.due": ("موعد", "Due"),
    "tracker.staff.col.completed": ("انجام‌شده در", "Done on"),
    "tracker.staff.col.step": ("مرحله", "Step"),
    "tracker.staff.col.days_late": ("روز تأخیر", "Days late"),
    "tracker.staff.col.licence": ("شمارهٔ پروانه", "Licence number"),
    "tracker.staff.col.holder": ("دارنده", "Holder"),
    "tracker.staff.col.issued": ("تاریخ صدور", "Issued on"),
    "tracker.staff.col.expires": ("تاریخ انقضا", "Expires on"),
    "tracker.staff.col.days_left": ("روز مانده", "Days left"),
    "tracker.staff.col.renewal": ("درخواست تمدید", "Renewal request"),
    "tracker.staff.choose_application": ("درخواست", "Application"),
    "tracker.staff.app_line": (
        "درخواست #{n} — {name} — {type} — {request} — وضعیت: {status} — شهرستان: {county}",
        "Application #{n} — {name} — {type} — {request} — status: {status} — county: {county}",
    ),
    "tracker.staff.open_deficiencies": ("نواقص باز:", "Open deficiencies:"),
    "tracker.staff.experts_only": ("اقدام روی مراحل را کارشناسان اداره‌کل ثبت می‌کنند.", "Directorate experts record the steps."),
    "tracker.staff.complete": ("ثبت انجام یک مرحله", "Record a step as done"),
    "tracker.staff.no_open_steps": ("مرحلهٔ بازی برای ثبت نیست.", "No open step to record."),
    "tracker.staff.field_required": ("{name} (لازم)", "{name} (required)"),
    "tracker.staff.notes": ("یادداشت", "Notes"),
    "tracker.staff.complete_button": ("ثبت انجام مرحله", "Record the step as done"),
    "tracker.staff.completed": ("مرحلهٔ «{step}» درخواست #{n} ثبت شد.", "Step “{step}” of application #{n} was recorded."),
    "tracker.staff.return_step": ("عودت یک مرحله به متقاضی", "Return a step to the applicant"),
    "tracker.staff.return_button": ("عودت مرحله", "Return the step"),
    "tracker.staff.return_step_none": (
        "اکنون مرحله‌ای از متقاضی قابل عودت نیست.", "No step of the applicant can be returned now."),
    "tracker.staff.returned": ("مرحلهٔ «{step}» درخواست #{n} عودت شد.", "Step “{step}” of application #{n} was returned."),
    "tracker.staff.issue": ("ثبت صدور پروانه", "Record the licence"),
    "tracker.staff.licence_number": ("شمارهٔ پروانه", "Licence number"),
    "tracker.staff.issued_on": ("تاریخ صدور (هجری شمسی)", "Issue date (Solar Hijri)"),
    "tracker.staff.issue_button": ("ثبت پروانه", "Record the licence"),
    "tracker.staff.issued": ("پروانهٔ {number} برای درخواست #{n} ثبت شد.", "Licence {number} was recorded for application #{n}."),
    "tracker.staff.licence_line": (
        "پروانهٔ {number}، صادرشده در {issued}، معتبر تا {expires}", "Licence {number}, issued {issued}, valid until {expires}"),
}

# Issue 15: the working group's decision and map, returned applications, the expert's queue
_STRINGS.update({
    "tracker.app.open_request": ("باز کردن درخواست {id}", "Open request {id}"),
    "tracker.app.requested": ("مدارکی که در عودت خواسته شده است:", "Documents the return asked for:"),
    "tracker.app.requested_done": ("بارگذاری شد", "uploaded"),
    "tracker.app.requested_waiting": (
        "هنوز بارگذاری نشده؛ پیش از ارسال دوباره لازم است",
        "not uploaded yet; needed before you submit again"),
    "tracker.staff.requested_documents": (
        "مدارکی که باید دوباره بارگذاری شود (برای عودت)",
        "Documents to upload again (for a return)"),
    "tracker.staff.tab_by_step": ("کارتابل به تفکیک مرحله", "Queue by step"),
    "tracker.staff.tab_late": ("عقب‌افتاده", "Overdue"),
    "tracker.staff.count": ("{n} مورد", "{n} items"),
    "tracker.staff.waiting_applicant": ("منتظر اقدام متقاضی", "waiting for the applicant"),
    "tracker.staff.nothing_open": ("مرحلهٔ بازی ندارد", "no open step"),
    "tracker.staff.remaining": ("مراحل باقی‌مانده که اکنون ثبت‌شدنی است", "Remaining steps you can record now"),
    "tracker.staff.open_step": ("ثبت این مرحله", "Record this step"),
    "tracker.staff.return_intake": (
        "عودت درخواست به متقاضی در مرحلهٔ دریافت", "Return the request to the applicant at intake"),
    "tracker.staff.return_intake_help": (
        "پیش از طرح در کارگروه: متقاضی نواقص را رفع می‌کند، مدارک خواسته‌شده را بارگذاری می‌کند و درخواست را دوباره می‌فرستد.",
        "Before the review: the applicant fixes the deficiencies, uploads the documents asked for and submits again."),
    "tracker.staff.intake_reasons": ("دلایل عودت (لازم)", "Reasons for the return (required)"),
    "tracker.staff.return_intake_button": ("عودت درخواست", "Return the request"),
    "tracker.staff.returned_intake": (
        "درخواست #{n} در مرحلهٔ دریافت به متقاضی عودت شد.", "Application #{n} was returned to the applicant at intake."),
    "map.legend_approved_proposal": ("درخواست موافقت‌شده (محل آن محفوظ است)", "approved proposal (holds its site)"),
    "map.legend_conflict_distance": (
        "خط تداخل؛ عدد روی خط: فاصله به کیلومتر", "conflict line; the number on it: distance in km"),
    "tracker.staff.outcome_needed": (
        "تصمیم: یکی از گزینه‌ها را انتخاب کنید؛ چیزی ثبت نشد.",
        "Decision: choose one of the options; nothing was recorded."),
    "tracker.staff.reasons_needed": (
        "دلایل: برای هر تصمیمی دلایل را بنویسید؛ چیزی ثبت نشد.",
        "Reasons: write the reasons for any decision; nothing was recorded."),
    "tracker.staff.conflicts_of": ("تداخل‌های این درخواست", "This proposal's conflicts"),
    "tracker.staff.conflict_line": (
        "درخواست #{n} ({status})، فاصله {d}، حداقل مجاز {m}",
        "Application #{n} ({status}), {d} apart, minimum {m}"),
    "tracker.staff.override_needed": (
        "این درخواست با درخواست موافقت‌شده تداخل دارد: موافقت فقط با نوشتن دلیل استثنا ممکن است.",
        "This proposal conflicts with an approved one: it can be approved only with the reason for the exception."),
    "tracker.staff.override_exception": (
        "دلیل استثنا (برای موافقت با وجود تداخل یا ردشدن ضوابط)",
        "Reason for the exception (to approve despite a conflict or a failed rule)"),
    "tracker.staff.override_exception_help": (
        "فقط وقتی محل شرطی را ندارد یا از درخواست موافقت‌شده‌ای نزدیک‌تر از حداقل مجاز است و کارگروه باز هم "
        "موافقت می‌کند؛ در سابقهٔ ممیزی ثبت می‌شود.",
        "Only when the site fails a rule or is closer than the minimum to an approved proposal and the group "
        "approves anyway; kept in the audit trail."),
})

# A point that cannot be a site: the library's wording, shared with the tracker's refusals.
_STRINGS.update({f"error.{code}": words for code, words in POINT_PROBLEMS.items()})
# The report's overall result, worded as in the printed report (one home: siting.reports.labels).
_STRINGS.update({f"report.status.{s}": (status_sentence(s, "fa"), status_sentence(s, "en"))
                 for s in ("pass", "warn", "fail", "unknown")})
STRINGS: Mapping[str, tuple[str, str]] = MappingProxyType(_STRINGS)
del _STRINGS  # only the read-only view remains


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The text of ``key`` in ``lang`` ('fa' or 'en'), placeholders filled from ``values``."""
    fa, en = STRINGS[key]
    text = en if lang == "en" else fa
    return text.format(**values) if values else text


# -- the library's machine codes said in words -------------------------------------------------------
# The library (siting.tracker) keeps machine codes in its refusals: the field a problem concerns
# (``national_id``, ``people[0].national_id``, ``site``) or the kind of problem with a file
# (``image_low_resolution``, ``unknown_type``). The pages say them through these functions, which never
# show a raw code: a field they do not know is left unnamed, and the library's sentence stands alone.

#: fields the library names in its refusals -> the i18n key of their label on the forms
FIELD_KEYS: Mapping[str, str] = MappingProxyType({
    "name": "tracker.app.f.name",
    "national_id": "tracker.app.f.national_id",
    "full_name": "tracker.app.f.full_name",
    "education": "tracker.app.f.education",
    "government_employee": "tracker.app.f.government_employee",
    "military_exempt": "tracker.app.f.military_exempt",
    "role": "tracker.app.f.person_role",
    "on_board": "tracker.app.f.on_board",
    "signatory": "tracker.app.f.signatory",
    "people": "tracker.app.f.people",
    "kind": "tracker.app.f.applicant_type",
    "company_type": "tracker.app.f.company_type",
    "ownership": "tracker.app.f.ownership",
    "registration_number": "tracker.app.f.registration_number",
    "registration_date": "tracker.app.f.registration_date",
    "registration_province": "tracker.app.f.registration_province",
    "site": "tracker.app.f.site",
    "lat": "tracker.app.f.lat",
    "lon": "tracker.app.f.lon",
    "address": "tracker.app.f.address",
    "postal_code": "tracker.app.f.postal_code",
    "map_not_found": "tracker.app.f.map_not_found",
    "licence_type": "tracker.app.f.licence_type",
    "request_type": "tracker.app.f.request_type",
    "licence_number": "tracker.app.f.licence_number",
    "applicant_types": "tracker.app.f.applicant_type",
    "applicant_type": "tracker.app.f.applicant_type",
    "min_education": "tracker.app.f.education",
    "government_employee_allowed": "tracker.app.f.government_employee",
    "mobile": "tracker.signup.mobile",
    "password": "tracker.password",
})
# a leading machine code in a library sentence: "site: ...", "people[0].national_id: ...", "details.postal_code: ..."
_CODE_PREFIX = re.compile(r"^\s*([a-z_][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])?)*)\s*:\s+")
_PERSON = re.compile(r"^people\[(\d+)\]\.?(.*)$")


def field_label(path: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """A field the library names, as the form labels it (``people[1].national_id`` -> «شخص ۲ — کد ملی»).

    ``None`` for anything else (a kind of problem such as ``image_low_resolution``, an unknown field):
    the caller then shows the library's sentence without a label, never the code.
    """
    m = _PERSON.match(path)
    if m:
        who = t("tracker.app.f.person_n", lang, n=fmt.number(int(m.group(1)) + 1, lang))
        rest = field_label(m.group(2), lang) if m.group(2) else None
        return f"{who} — {rest}" if rest else who
    key = FIELD_KEYS.get(path) or FIELD_KEYS.get(path.rsplit(".", 1)[-1])
    return t(key, lang) if key else None


def without_code(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A library sentence with a leading machine code said as its field's label, or dropped."""
    m = _CODE_PREFIX.match(text)
    if not m:
        return text
    rest = text[m.end():]
    label = field_label(m.group(1), lang)
    if label:
        return f"{label}: {rest}"
    return rest if any(c in m.group(1) for c in "_[.") else text  # a code goes; a plain word ("note:") stays


def error_text(exc: BaseException, lang: str = DEFAULT_LANGUAGE, *, problems: bool = True) -> str:
    """The sentence for a library refusal in ``lang``, with no machine code left in it.

    A collected error (``TrackerInputError.collect``) is its headline followed by its problems, each
    with its field's label; ``problems=False`` gives the headline alone, for a page that lists the
    problems itself (:func:`problem_texts`, under each field).
    """
    headline = getattr(exc, "headline", None)
    text = headline(lang) if callable(headline) else None
    if not text:
        message = getattr(exc, "message", None)
        return without_code(message(lang) if callable(message) else str(exc), lang)
    if problems:
        parts = [f"{label}: {x}" if label else x for _, label, x in problem_texts(exc, lang)]
        if parts:
            text += ": " + ("; " if lang == "en" else "؛ ").join(parts)
    return text


def problem_texts(exc: BaseException, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str | None, str]]:
    """Every problem of a refusal as ``(code, label or None, sentence)``, the sentence in ``lang``."""
    out = []
    for code, en, fa in getattr(exc, "problems", ()) or ():
        label = field_label(code, lang) or (code if _SETTING.match(code) else None)  # a setting keeps its name
        out.append((code, label, without_code(fa if lang == "fa" else en, lang)))
    return out


_SETTING = re.compile(r"^[A-Z][A-Z0-9_]+$")  # an environment variable the administrator sets


_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def _reason_value(name: str, value: object, lang: str) -> str:
    """One param of a row reason as the sentence shows it: numbers in the language's digits; a licence
    type, an OSM element kind or a census level in words; the checker's own field names (``field``; a
    file's ``column`` keeps its name) as the page labels them; any other text bidi-isolated (so its order
    survives a sentence of the other direction)."""
    from siting.vocab import label

    if value is None or value == "":
        return t("word.not_given", lang)
    if isinstance(value, bool):
        return isolate(value)
    if isinstance(value, int):
        return fmt.number(value, lang) if name != "id" else (fmt.to_persian_digits(value) if lang == "fa"
                                                              else str(value))
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
        return fmt.to_persian_digits(text) if lang == "fa" else text
    text = str(value)
    if name == "licence_type":
        return label(text, lang)
    if name in ("level", "parent_level") and f"import.level.{text}" in STRINGS:
        return t(f"import.level.{text}", lang)
    if name == "kind" and f"import.kind.{text}" in STRINGS:
        return t(f"import.kind.{text}", lang)
    if name == "field" and f"import.field.{text}" in STRINGS:
        return t(f"import.field.{text}", lang)
    if lang == "fa" and _NUMBER.match(text):
        return fmt.to_persian_digits(text)
    return isolate(text)


def import_reason(reason: str, lang: str = DEFAULT_LANGUAGE, *, code: str | None = None,
                  params: Mapping[str, object] | None = None) -> str:
    """A row reason of the file checker in ``lang``, said from its machine ``code`` and ``params``
    (:data:`siting.io.reasons.ROW_REASONS`), with the Data page's own controls named where the command
    line names its options (--fix-swapped, --crs, --update).

    A reason without a code (or with one this layer does not know) is marked as the checker's English
    (isolated, so its order survives a Persian line), never passed off as translated."""
    key = f"import.{code}"
    if code and key in STRINGS:
        values = {k: _reason_value(k, v, lang) for k, v in (params or {}).items()}
        lengths = (params or {}).get("lengths")
        if isinstance(lengths, Mapping) and lengths:  # the census's lengths of code, listed in the page's language
            values["expected"] = _lengths_text(lengths, lang)
        if lang == "fa" and (params or {}).get("region_fa"):  # the region by its Persian name on a Persian page
            values["region"] = values["region_fa"]
        try:
            text = t(key, lang, fix=t("data.fix_swapped", lang), crs=t("data.crs", lang),
                     update=t("data.update", lang), **values)
        except (KeyError, IndexError, TypeError):  # params that do not fit the code: said as the checker's English
            pass
        else:
            if "elsewhere" in values:
                text += " " + t("import.elsewhere", lang, elsewhere=values["elsewhere"])
            return text
    text = reason.replace("--fix-swapped", f"«{t('data.fix_swapped', lang)}»").replace(
        "--crs", f"«{t('data.crs', lang)}»").replace("--update", f"«{t('data.update', lang)}»")
    return t("import.untranslated", lang, text=isolate(text) if lang == "fa" else text)


def _lengths_text(lengths: Mapping[str, object], lang: str) -> str:
    """The census code lengths of each level as a list in ``lang``: «۲ (استان)، ۴ (شهرستان) یا ۱۱ (آبادی)»."""
    items = [t("import.lengths.item", lang, n=_reason_value("n", n, lang), level=_reason_value("level", level, lang))
             for level, n in lengths.items()]
    if len(items) < 2:
        return "".join(items)
    sep = "، " if lang == "fa" else ", "
    return t("import.lengths.or", lang, items=sep.join(items[:-1]), last=items[-1])


def _coded_values(params: Mapping[str, object], lang: str) -> dict[str, str]:
    """The params of a note or a file's refusal as their sentence shows them (see :func:`_reason_value`);
    a format key said as its format's name, a line/row/column said as ``{where}``."""
    values: dict[str, str] = {}
    for k, v in params.items():
        if k in ("format", "expected", "actual") and isinstance(v, str) and f"import.format.{v}" in STRINGS:
            values[k] = t(f"import.format.{v}", lang)
        elif not isinstance(v, (Mapping, list)):
            values[k] = _reason_value(k, v, lang)
    where = [t(f"import.where.{k}", lang, **{k: values[k]}) for k in ("line", "row", "column")
             if params.get(k) not in (None, "")]
    values["where"] = f" ({'، '.join(where) if lang == 'fa' else ', '.join(where)})" if where else ""
    values["where_first"] = where[0] if where else t("word.not_given", lang)
    return values


def file_error_text(exc: BaseException, lang: str = DEFAULT_LANGUAGE, *, file: str | None = None) -> str | None:
    """A whole file's refusal (an :class:`siting.errors.InputError` with a code of
    :data:`siting.io.reasons.FILE_ERRORS`) said in ``lang``, naming ``file`` (else the error's source);
    ``None`` for an error without a code this layer knows (the caller then shows the library's English)."""
    code = getattr(exc, "code", None)
    key = f"file_error.{code}"
    if not isinstance(code, str) or key not in STRINGS:
        return None
    values = _coded_values(getattr(exc, "params", None) or {}, lang)
    if code == "unknown_extension" and not (getattr(exc, "params", None) or {}).get("extension"):
        values["extension"] = t("word.not_given", lang)
    try:
        text = t(key, lang, crs=t("data.crs", lang), kind=t("data.default_kind", lang),
                 licence_type=t("data.default_type", lang),
                 names=isolate("lat/lon, latitude/longitude, y/x"), **values)
    except (KeyError, IndexError, TypeError):  # params that do not fit the code: the library's English instead
        return None
    file = file if file is not None else getattr(exc, "source", None)
    return t("file_error.in_file", lang, file=isolate(file), text=text) if file else text


def import_note(note: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A note of the import report (not about one row) in ``lang``, said from its code and params
    (:data:`siting.io.reasons.NOTE_CODES`); a note without a known code is marked as the checker's English."""
    code = getattr(note, "code", None)
    params: Mapping[str, object] = getattr(note, "params", None) or {}
    key = f"import_note.{code}"
    if isinstance(code, str) and key in STRINGS:
        values = _coded_values(params, lang)
        if code == "osm_row_reason":
            inner = params.get("reason_params")
            values["reason"] = import_reason(str(note).split(": ", 1)[-1], lang,
                                             code=params.get("reason") if isinstance(params.get("reason"), str) else None,
                                             params=inner if isinstance(inner, Mapping) else None)
        try:
            text = t(key, lang, **values)
        except (KeyError, IndexError, TypeError):
            pass
        else:
            if code == "osm_not_settlements" and isinstance(params.get("more"), int) and params["more"] > 0:
                text += " " + t("import_note.osm_not_settlements_more", lang, more=values["more"])
            return text
    return t("import_note.untranslated", lang, text=isolate(note) if lang == "fa" else note)


def import_field(field: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The field a row reason names: the checker's own word translated, a file's column name as it is."""
    if not field:
        return "—"
    key = f"import.field.{field}"
    return t(key, lang) if key in STRINGS else field


def register_changes(diff: object, lang: str = DEFAULT_LANGUAGE, *, limit: int = 20) -> list[str]:
    """One line per record a new version of the office register changes (a
    :class:`siting.registry.RegisterDiff`), in ``lang``: at most ``limit`` lines of each kind, then how
    many more. Record keys and values are isolated; a field is named as the page labels it."""
    from siting.vocab import label

    names: Mapping[str, str] = getattr(diff, "names", {}) or {}

    def who(k: str) -> str:
        return f"{isolate(k)} ({names[k]})" if names.get(k) else isolate(k)

    def value(field: str, v: object) -> str:
        if v is None:
            return "—"
        if field in ("licence_type", "status", "applicant_type") and isinstance(v, str):
            return label(v, lang)
        if field == "location" and f"report.location.{v}" in STRINGS:
            return t(f"report.location.{v}", lang)
        return _reason_value(field, v, lang)

    def field_name(f: str) -> str:
        return t(f"data.change.field.{f}", lang) if f"data.change.field.{f}" in STRINGS else import_field(f, lang)

    def capped(items: list[str]) -> list[str]:
        if len(items) <= limit:
            return items
        return [*items[:limit], t("data.change.more", lang, n=fmt.number(len(items) - limit, lang))]

    out = capped([t("data.change.added", lang, who=who(k)) for k in getattr(diff, "added", [])])
    out += capped([t("data.change.removed", lang, who=who(k)) for k in getattr(diff, "removed", [])])
    out += capped([t("data.change.moved", lang, who=who(k), distance=fmt.number(d, lang))
                   for k, d, _, _ in getattr(diff, "moved", [])])
    out += capped([t("data.change.changed", lang, who=who(k), field=field_name(f), old=value(f, o),
                     new=value(f, n)) for k, f, o, n in getattr(diff, "changed", [])])
    return out


def isolate(text: object) -> str:
    """``text`` wrapped in Unicode bidi isolation (FSI … PDI), so that a Latin or numeric value inside a
    Persian sentence (or the reverse) keeps its own order and does not reorder the sentence around it."""
    return f"\u2068{text}\u2069"


__all__ = ["DEFAULT_LANGUAGE", "FIELD_KEYS", "LANGUAGES", "STRINGS", "error_text", "field_label", "file_error_text",
           "import_field", "import_note", "import_reason", "isolate", "problem_texts", "register_changes", "t",
           "without_code"]
