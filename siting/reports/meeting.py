"""The working group's meeting table: pending proposals validated, ranked and exported.

:func:`meeting_table` turns proposals (from :func:`siting.io.importer.read_proposals`)
and their reports (from :func:`siting.rules.validate.validate_many`) into one row per
proposal, ranked by the population each would newly cover; :func:`conflict_pairs`
lists each pair of proposals too close to each other once; :func:`to_xlsx` and
:func:`to_csv` export them with Persian or English headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from siting.reports.export import xlsx_bytes
from siting.reports.labels import MEETING_COLUMNS as COLUMNS
from siting.reports.labels import PAIR_COLUMNS, status_label
from siting.rules.validate import ValidationReport
from siting.vocab import label

_STATUS_ORDER = MappingProxyType({"pass": 0, "warn": 1, "unknown": 2, "fail": 3})


def meeting_table(sites: pd.DataFrame, reports: Sequence[ValidationReport], *, lang: str = "fa") -> pd.DataFrame:
    """One row per proposal, ranked by population newly covered (most first).

    Ties keep the better result first (pass, then warn, then fail), then the
    proposal id. Rule titles are in ``lang``; ``licence_type``,
    ``applicant_type`` and ``status`` stay machine keys (see
    :func:`localized` for display).
    """
    if len(sites) != len(reports):
        raise ValueError(f"{len(sites)} proposals but {len(reports)} reports")
    title = "title_fa" if lang == "fa" else "title_en"
    sep = "، " if lang == "fa" else "; "
    rows = []
    for i, rep in enumerate(reports):
        rows.append({
            "proposal_id": str(sites["proposal_id"].iat[i]),
            "name": sites["name"].iat[i] if "name" in sites else None,
            "licence_type": rep.licence_type,
            "applicant_type": rep.applicant_type,
            "county": rep.county,
            "status": rep.status,
            "newly_covered_population": int(rep.newly_covered_population),
            "failed_rules": sep.join(getattr(r, title) or r.id for r in rep.rules if r.status == "fail"),
            "review_rules": sep.join(getattr(r, title) or r.id for r in rep.rules if r.status in ("warn", "unknown")),
            "conflicts": sep.join(c.proposal_id for c in rep.conflicts),
            "lat": round(rep.lat, 6),
            "lon": round(rep.lon, 6),
            "row": int(sites["row"].iat[i]) if "row" in sites else i + 1,
            "sample": bool(rep.sample),
        })
    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    if len(df):
        order = np.lexsort((df["proposal_id"].to_numpy(dtype=str),
                            df["status"].map(_STATUS_ORDER).to_numpy(),
                            -df["newly_covered_population"].to_numpy()))
        df = df.iloc[order].reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def conflict_pairs(reports: Sequence[ValidationReport], ids: Sequence[str]) -> pd.DataFrame:
    """Each pair of proposals closer than the minimum distance, once.

    A pair is seen from both sides, with the threshold of each side's licence
    type; the larger (binding) threshold is kept.
    """
    seen: dict[tuple[str, str], dict] = {}
    for pid, rep in zip(ids, reports, strict=True):
        for c in rep.conflicts:
            a, b = sorted((str(pid), str(c.proposal_id)))
            rec = {"proposal_a": a, "proposal_b": b, "distance_m": float(c.distance_m), "threshold_m": float(c.threshold_m)}
            if (a, b) not in seen or rec["threshold_m"] > seen[(a, b)]["threshold_m"]:
                seen[(a, b)] = rec
    return pd.DataFrame(sorted(seen.values(), key=lambda r: (r["distance_m"], r["proposal_a"])),
                        columns=list(PAIR_COLUMNS))


def localized(df: pd.DataFrame, columns: Mapping[str, tuple[str, str]], lang: str = "fa") -> pd.DataFrame:
    """A copy with vocabulary keys shown as words and headers in ``lang`` (numbers unchanged)."""
    i = 0 if lang == "fa" else 1
    out = df.copy()
    for col in ("licence_type", "applicant_type"):
        if col in out:
            out[col] = [label(v, lang) if isinstance(v, str) else v for v in out[col]]
    if "status" in out:

        out["status"] = [status_label(v, lang) for v in out["status"]]
    if "sample" in out:
        yes, no = ("بله", "خیر") if lang == "fa" else ("yes", "no")
        out["sample"] = [yes if v else no for v in out["sample"]]
    return out.rename(columns={k: v[i] for k, v in columns.items() if k in out})


def to_csv(table: pd.DataFrame, columns: Mapping[str, tuple[str, str]] = COLUMNS, *, lang: str = "fa") -> bytes:
    """CSV bytes (UTF-8 with BOM so that Excel shows Persian), headers in ``lang``."""
    return localized(table, columns, lang).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(
    table: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    *,
    lang: str = "fa",
    title: str | None = None,
    sample: bool = False,
) -> bytes:
    """An XLSX workbook: the meeting table (and the conflicting pairs) with headers in ``lang``.

    Persian sheets are right-to-left. With ``sample`` the first row says the
    data is sample data, not official.
    """
    sheets = [("meeting" if lang == "en" else "جلسه", localized(table, COLUMNS, lang))]
    if pairs is not None:
        sheets.append(("conflicts" if lang == "en" else "تداخل‌ها", localized(pairs, PAIR_COLUMNS, lang)))
    return xlsx_bytes(sheets, lang=lang, sample=sample, title=title)


__all__ = ["COLUMNS", "PAIR_COLUMNS", "conflict_pairs", "localized", "meeting_table", "to_csv", "to_xlsx"]
