"""Tables for people: translated headers, numbers in Persian digits in Persian."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from siting import fmt
from siting.vocab import label

from ..i18n import t


def _missing(v: Any) -> bool:
    try:
        return v is None or v is pd.NA or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Col:
    """One displayed column: the source column, the i18n key of its header, and how to show values.

    ``kind``: 'text', 'int', 'float', 'percent', 'km2', 'label' (a vocabulary
    key), 'date' (Solar Hijri in Persian), 'bool', or 'key:<prefix>' (the
    i18n text of ``<prefix>.<value>``).
    """

    name: str
    header: str
    kind: str = "text"


def cell(value: Any, kind: str, lang: str) -> str:
    if _missing(value):
        return "—"
    if kind == "int":
        return fmt.number(int(value), lang)
    if kind in ("float", "km2"):
        return fmt.number(float(value), lang, decimals=1)
    if kind == "percent":
        return fmt.percent(float(value), lang)
    if kind == "label":
        return label(str(value), lang)
    if kind == "date":
        return fmt.jalali(str(value), with_time="T" in str(value), lang=lang)
    if kind == "bool":
        return t("word.yes" if bool(value) else "word.no", lang)
    if kind.startswith("key:"):
        try:
            return t(f"{kind[4:]}.{value}", lang)
        except KeyError:
            return str(value)
    return str(value)


def display_frame(df: pd.DataFrame, cols: Sequence[Col], lang: str) -> pd.DataFrame:
    """A copy of ``df`` with only ``cols``, values as display text, headers translated."""
    return pd.DataFrame({t(c.header, lang): [cell(v, c.kind, lang) for v in df[c.name]] for c in cols if c.name in df})


def show(df: pd.DataFrame, cols: Sequence[Col], lang: str) -> None:
    """``df`` as a dataframe of display text (see :func:`display_frame`)."""
    st.dataframe(display_frame(df, cols, lang), hide_index=True, width="stretch")


# The service-gap table of siting.gaps.compute_gaps, as the applicant and planner pages show it.
GAP_COLUMNS: tuple[Col, ...] = (
    Col("rank", "word.rank", "int"), Col("county", "word.county"),
    Col("uncovered_population", "word.uncovered_population", "int"),
    Col("settlements", "word.settlements", "int"), Col("area_km2", "word.area_km2", "km2"),
)


def conflict_frame(pairs: pd.DataFrame, lang: str, side_a: Sequence[str] | None = None,
                   side_b: Sequence[str] | None = None) -> pd.DataFrame:
    """Conflicting pairs (``proposal_a``, ``proposal_b``, ``distance_m``, ``threshold_m``) as the pages show
    them; ``side_a``/``side_b`` name the two sides (default: the proposal ids)."""
    return pd.DataFrame({
        t("wg.col.a", lang): list(pairs["proposal_a"] if side_a is None else side_a),
        t("wg.col.b", lang): list(pairs["proposal_b"] if side_b is None else side_b),
        t("wg.col.distance", lang): [fmt.distance(d, lang) for d in pairs["distance_m"]],
        t("wg.col.minimum", lang): [fmt.distance(d, lang) for d in pairs["threshold_m"]],
    })
