"""The dashboard's pages and the navigation sections they appear in.

A page is a :class:`PageSpec`: its file under ``ui/pages/``, the section it
belongs to, and a stable URL path. The title comes from ``ui/i18n.py``
(``page.<name>``), so it follows the language switch. Sections appear in
:data:`SECTIONS` order and only when they hold a page, so a slot waiting for
a page that does not exist yet shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .i18n import t

UI_DIR = Path(__file__).resolve().parent

# Section keys in display order; a section's title is the i18n key ``nav.<section>``.
SECTIONS: tuple[str, ...] = ("applicant", "working_group", "directorate", "planning", "data")


@dataclass(frozen=True)
class PageSpec:
    name: str  # file ui/pages/<name>.py; title key page.<name>
    section: str  # one of SECTIONS
    url_path: str
    icon: str
    default: bool = False

    @property
    def path(self) -> Path:
        return UI_DIR / "pages" / f"{self.name}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("applicant", "applicant", "applicant", ":material/add_location_alt:", default=True),
    PageSpec("tracker_my_applications", "applicant", "my-applications", ":material/folder_open:"),
    PageSpec("working_group", "working_group", "working-group", ":material/groups:"),
    PageSpec("tracker_agenda", "working_group", "agenda", ":material/gavel:"),
    PageSpec("tracker_queue", "directorate", "queue", ":material/inbox:"),
    PageSpec("planner", "planning", "planner", ":material/map:"),
    PageSpec("scenarios", "planning", "scenarios", ":material/insights:"),
    PageSpec("data", "data", "data", ":material/database:"),
)


def sections(lang: str, pages: tuple[PageSpec, ...] = PAGES) -> dict[str, list[st.Page]]:
    """``st.navigation``'s argument: section title -> its pages, titles in ``lang``."""
    out: dict[str, list[st.Page]] = {}
    for section in SECTIONS:
        members = [p for p in pages if p.section == section]
        if members:
            out[t(f"nav.{section}", lang)] = [
                st.Page(p.path, title=t(f"page.{p.name}", lang), icon=p.icon, url_path=p.url_path, default=p.default)
                for p in members
            ]
    return out
