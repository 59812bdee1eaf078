"""The siting dashboard: Persian, right-to-left, map first. This file is the router only.

It sets the page, the language (Persian by default, an English switch in the
sidebar) and the direction, and hands over to ``st.navigation``: the pages
live in ``ui/pages/`` and are listed in ``ui/navigation.py``.

Run it on the bundled sample with ``make run``; on another workspace with
``SITING_WORKSPACE=/path/to/workspace.gpkg streamlit run app.py``.

Adding a page:

1. write ``ui/pages/<name>.py`` (widgets, one ``siting`` call, render; cached
   results through ``ui/state.py``, words through ``ui/i18n.py``);
2. add its title ``"page.<name>": ("…", "…")`` to ``ui/i18n.py``;
3. add ``PageSpec("<name>", "<section>", "<url-path>", ":material/<icon>:")``
   to ``PAGES`` in ``ui/navigation.py``, where a commented slot marks the
   place (sections: applicant, working_group, directorate, planning, data).
"""

import streamlit as st

from ui import navigation
from ui.components import layout
from ui.i18n import t

st.set_page_config(page_title=t("app.title"), page_icon="📍", layout="wide",
                   initial_sidebar_state="auto")
lang = layout.language_switch()
layout.apply_direction(lang)
layout.run_page(st.navigation(navigation.sections(lang)), lang)
