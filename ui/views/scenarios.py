"""What the dashboard's scenario runner shows, in Persian or English.

The runs are :func:`siting.optimize.run_scenario` results (:class:`~siting.optimize.SitingResult`);
this module turns them into words, tables and map records for people, so that the page stays
thin:

* :func:`scenario_title`: a run's short name ("۱. MCLP، ICT روستایی، ۳ دفتر، شعاع ۱۰ کیلومتر");
* :func:`runs_table`: the runs side by side (:func:`siting.optimize.scenario_table` plus the run
  number and title), :func:`localized` / :func:`display` for files and for the screen,
  :func:`to_csv` / :func:`to_xlsx` for the downloads;
* :func:`site_records`, :func:`sites_table`, :func:`county_table`: the chosen sites on the map
  (with a tooltip giving each site's newly covered population) and in tables.

Nothing here solves anything or caches anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from siting import fmt
from siting.optimize import Scenario, SitingResult, scenario_table
from siting.optimize.candidates import CandidateSpec
from siting.reports.export import xlsx_bytes
from siting.reports.labels import (
    COUNTY_COLUMNS,
    METHOD_NAMES,
    MODEL_NAMES,
    OBJECTIVE_NAMES,
    RULE_NAMES,
    SITE_COLUMNS,
    STATUS_NAMES,
    STATUS_SHORT,
    lang_index,
)
from siting.reports.labels import SCENARIO_COLUMNS as COLUMNS
from siting.reports.labels import pick as name_of
from siting.text import to_ascii_digits
from siting.vocab import label
from ui.i18n import isolate, t

ROUND = 5  # decimals of a degree on the map (about 1 m)










def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def radius_text(radius: float | None, unit: str, lang: str = "fa") -> str:
    """'۱۰ کیلومتر' for metres; the number and the matrix's unit otherwise ('۲۰ min')."""
    if _missing(radius):
        return "—"
    if unit == "m":
        return fmt.distance(float(radius), lang)
    text = fmt.number(float(radius), lang, decimals=0 if float(radius).is_integer() else 1)
    unit_word = unit or ("واحد ماتریس" if lang == "fa" else "matrix unit")
    return f"{text} {unit_word}"


def candidates_text(spec: str, lang: str = "fa", *, file_name: str | None = None) -> str:
    """Where a scenario's candidates come from, in words."""
    cs = CandidateSpec.parse(spec) if spec in ("settlements", "h3") or spec.startswith("h3:") else None
    if cs is not None and cs.kind == "settlements":
        return "سکونتگاه‌ها" if lang == "fa" else "settlements"
    if cs is not None:
        res = fmt.number(cs.resolution, lang)
        return f"شش‌ضلعی‌های H3 نواحی بدون پوشش (تفکیک {res})" if lang == "fa" \
            else f"H3 cells over the gaps (resolution {res})"
    shown = file_name or "?"
    return f"فایل «{shown}»" if lang == "fa" else f"file “{shown}”"


#: Short model names in run titles (Latin, as planners write them in either language).
SHORT_NAMES: Mapping[str, str] = {
    "mclp": "MCLP", "lscp": "LSCP", "pmedian": "p-median", "pcenter": "p-center", "beyond": "p-center T",
    "capacitated_pmedian": "p-median cap", "capacitated_mclp": "MCLP cap", "backup": "BACOP",
}


def _model_parts(scenario: Scenario, lang: str) -> list[str]:
    """The model's own inputs in a run's title (county floor, threshold, capacity, first-cover share)."""
    fa = lang == "fa"
    out = []
    if scenario.county_floor is not None:
        out.append(("کف هر شهرستان " if fa else "county floor ") + fmt.percent(scenario.county_floor, lang, decimals=0))
    if scenario.model == "beyond" and scenario.threshold is not None:
        r = radius_text(scenario.threshold, "" if scenario.costs or scenario.measure == "time" else "m", lang)
        out.append(("آستانه " if fa else "threshold ") + r)
    if scenario.capacity is not None and scenario.model.startswith("capacitated"):
        out.append(("ظرفیت " if fa else "capacity ") + fmt.number(scenario.capacity, lang))
    if scenario.model == "backup" and scenario.first_share is not None:
        out.append(("پوشش نخست ≥ " if fa else "first cover ≥ ") + fmt.percent(scenario.first_share, lang, decimals=0))
    return out


RLM = "\u200f"  # right-to-left mark: keeps Latin words (MCLP, ICT) of neighbouring parts apart in Persian


def scenario_title(scenario: Scenario, lang: str = "fa", *, run: int | None = None,
                   candidates_name: str | None = None, costs_name: str | None = None) -> str:
    """A run's short name: number, model, licence type, k or target share, radius, candidates, costs.

    In Persian the parts are separated by "،" after a right-to-left mark, so that two Latin words of
    neighbouring parts ("MCLP", "ICT روستایی") are not read as one left-to-right phrase.
    """
    sep = f"{RLM}، " if lang == "fa" else ", "
    parts = [SHORT_NAMES.get(scenario.model, scenario.model.upper()), label(scenario.licence_type, lang)]
    if scenario.model == "lscp":
        share = 1.0 if scenario.share is None else scenario.share
        parts.append(("سهم هدف " if lang == "fa" else "target ") + fmt.percent(share, lang, decimals=0))
    else:
        k = fmt.number(scenario.k, lang)
        parts.append(f"{k} دفتر" if lang == "fa" else f"k={k}")
    if scenario.radius is not None:
        r = radius_text(scenario.radius, "" if scenario.costs else "m", lang)
        parts.append(("شعاع " if lang == "fa" else "radius ") + r)
    parts.extend(_model_parts(scenario, lang))
    if scenario.candidates != "settlements":
        parts.append(candidates_text(scenario.candidates, lang, file_name=candidates_name))
    if scenario.costs:
        shown = costs_name or "?"
        parts.append(f"ماتریس هزینهٔ «{shown}»" if lang == "fa" else f"cost matrix “{shown}”")
    if scenario.fixed:
        ids = ("، " if lang == "fa" else ", ").join(isolate(v) for v in scenario.fixed)
        parts.append(f"باز نگه‌داشته: {ids}" if lang == "fa" else f"kept open: {ids}")
    title = sep.join(parts)
    if run is not None:
        title = f"{fmt.number(run, lang)}. {title}"
    return RLM + title if lang == "fa" else title


def parse_site_ids(text: str | None) -> tuple[str, ...] | None:
    """Site ids typed in one field, separated by commas (Latin or Persian), semicolons or spaces.

    >>> parse_site_ids("SMP-V0450، SMP-V0322 ;12")
    ('SMP-V0450', 'SMP-V0322', '12')
    >>> parse_site_ids("  ") is None
    True
    """
    ids = tuple(dict.fromkeys(to_ascii_digits(v) for v in re.split(r"[,،;؛\s]+", text or "") if v))
    return ids or None


def runs_table(runs: Sequence[tuple[int, str, SitingResult]]) -> pd.DataFrame:
    """The runs side by side: run number, title, then :func:`siting.optimize.scenario_table`'s columns."""
    table = scenario_table([r for _, _, r in runs]).drop(columns=["scenario"])
    table.insert(0, "title", [title for _, title, _ in runs])
    table.insert(0, "run", [n for n, _, _ in runs])
    return table[[c for c in COLUMNS if c in table]]


def localized(table: pd.DataFrame, columns: Mapping[str, tuple[str, str]] = COLUMNS,
              lang: str = "fa") -> pd.DataFrame:
    """For files: vocabulary keys as words and headers in ``lang``; numbers stay numbers."""
    out = table.copy()
    if "licence_type" in out:
        out["licence_type"] = [label(v, lang) if isinstance(v, str) else v for v in out["licence_type"]]
    if "model" in out:
        out["model"] = [name_of(MODEL_NAMES, v, lang) for v in out["model"]]
    if "status" in out:
        out["status"] = [name_of(STATUS_NAMES, v, lang) for v in out["status"]]
    if "method" in out:
        out["method"] = [name_of(METHOD_NAMES, v, lang) for v in out["method"]]
    yes, no = ("بله", "خیر") if lang == "fa" else ("yes", "no")
    for flag in ("sample", "proven"):
        if flag in out:
            out[flag] = [yes if v else no for v in out[flag]]
    return out.rename(columns={k: v[lang_index(lang)] for k, v in columns.items() if k in out})


def _cell(col: str, v: Any, row: Mapping[str, Any], lang: str) -> str:
    if _missing(v):
        return "—"
    if col in ("run", "k", "sites", "candidates", "newly_covered", "objective", "newly_covered_population",
               "served_population", "rank", "total_cost"):
        return fmt.number(float(v), lang)
    if col in ("share_target", "share_before", "share_after"):
        return fmt.percent(float(v), lang)
    if col == "gap":
        return fmt.percent(float(v), lang, decimals=2)
    if col == "seconds":
        return fmt.number(float(v), lang, decimals=2)
    if col == "radius":
        return radius_text(float(v), str(row.get("unit") or ""), lang)
    if col == "mean_cost_after":
        return radius_text(float(v), str(row.get("unit") or ""), lang)
    if col in ("lat", "lon"):
        return fmt.number(float(v), lang, decimals=4).replace("٬", "").replace(",", "")
    return str(v)


def display(table: pd.DataFrame, columns: Mapping[str, tuple[str, str]] = COLUMNS, lang: str = "fa",
            *, drop: Sequence[str] = ("unit", "sample")) -> pd.DataFrame:
    """For the screen: every value as text (Persian digits in Persian), headers in ``lang``."""
    keep = [c for c in columns if c in table and c not in drop]
    rows = table.to_dict(orient="records")
    text = pd.DataFrame({c: [_cell(c, r[c], r, lang) for r in rows] for c in keep}, columns=keep)
    words = localized(table[keep], columns, lang)
    for c in ("licence_type", "model", "status", "method", "proven"):
        if c in keep:
            text[c] = words[columns[c][lang_index(lang)]].tolist()
    return text.rename(columns={k: v[lang_index(lang)] for k, v in columns.items() if k in text})


def to_csv(table: pd.DataFrame, lang: str = "fa") -> bytes:
    """The runs table as CSV (UTF-8 with BOM for Excel), headers in ``lang``."""
    return localized(table, COLUMNS, lang).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(table: pd.DataFrame, lang: str = "fa", *, sample: bool = False, title: str | None = None) -> bytes:
    """The runs table as an XLSX sheet (right-to-left in Persian; a sample-data banner when ``sample``)."""
    return xlsx_bytes([("سناریوها" if lang == "fa" else "scenarios", localized(table, COLUMNS, lang))],
                      lang=lang, sample=sample, title=title)


def headline_notices(result: SitingResult, lang: str = "fa") -> list[tuple[str, str]]:
    """What a reader must know before trusting a result, as ``(kind, text)`` with kind ``warning`` or
    ``info``: a heuristic answer, a stop at the time limit (with its gap), a truncated model, no
    service radius. Empty for a proven optimum of the full model."""
    gap = "—" if result.gap is None else fmt.percent(result.gap, lang, decimals=2)
    out: list[tuple[str, str]] = []
    if result.stopped_by_time_limit:
        out.append(("warning", t("scenario.time_limit_hit", lang, gap=gap)))
    if result.heuristic:
        out.append(("warning", t("scenario.heuristic", lang, gap=gap)))
    if result.truncated:
        out.append(("info", t("scenario.truncated", lang)))
    if result.status == "empty":
        out.append(("info", t("scenario.empty", lang)))
    return out


def objective_text(result: SitingResult, lang: str = "fa") -> str:
    """What the objective counts and whether the answer is proven optimal, in ``lang``."""
    return t("scenario.objective_meaning", lang, meaning=name_of(OBJECTIVE_NAMES, result.model, lang),
             proven=t("scenario.proven.yes" if result.proven else "scenario.proven.no", lang))


def site_tip(site: Any, lang: str = "fa") -> str:
    """A chosen site's tooltip: rank, name, county, population newly covered."""
    name = site.name or site.id
    county = site.county or "—"
    people = fmt.number(site.newly_covered_population, lang)
    if lang == "fa":
        return (f"محل پیشنهادی {fmt.number(site.rank)}: {name} (شهرستان {county}) — "
                f"جمعیت تازه پوشش‌یافته: {people} نفر")
    return f"proposed site {site.rank}: {name} ({county}) — population newly covered: {people}"


def site_records(result: SitingResult, lang: str = "fa") -> list[dict[str, Any]]:
    """The chosen sites with coordinates, as map records with a tooltip (``tip``) each."""
    return [{"rank": s.rank, "id": s.id, "lon": round(s.lon, ROUND), "lat": round(s.lat, ROUND),
             "newly_covered_population": float(s.newly_covered_population), "tip": site_tip(s, lang)}
            for s in result.sites if s.lon is not None and s.lat is not None]


def sites_table(result: SitingResult) -> pd.DataFrame:
    """The chosen sites, one row each (rank, name, county, people newly covered and served, lat/lon, id)."""
    df = result.sites_frame()
    return df[[c for c in SITE_COLUMNS if c in df]]


def county_table(result: SitingResult) -> pd.DataFrame:
    """Population newly covered per county, most first."""
    df = pd.DataFrame(list(result.by_county), columns=list(COUNTY_COLUMNS))
    return df.sort_values("newly_covered_population", ascending=False, kind="stable").reset_index(drop=True)


def rejected_text(result: SitingResult, lang: str = "fa") -> str:
    """How many candidates each site rule rejected, in words ('' when none)."""
    sep = "؛ " if lang == "fa" else "; "
    return sep.join(f"{name_of(RULE_NAMES, rid, lang)}: {fmt.number(n, lang)}" for rid, n in result.rejected if n)


__all__ = [
    "COLUMNS",
    "COUNTY_COLUMNS",
    "METHOD_NAMES",
    "MODEL_NAMES",
    "OBJECTIVE_NAMES",
    "RLM",
    "RULE_NAMES",
    "SITE_COLUMNS",
    "STATUS_NAMES",
    "STATUS_SHORT",
    "candidates_text",
    "county_table",
    "display",
    "headline_notices",
    "localized",
    "name_of",
    "objective_text",
    "radius_text",
    "rejected_text",
    "runs_table",
    "scenario_title",
    "site_records",
    "site_tip",
    "sites_table",
    "to_csv",
    "to_xlsx",
]
