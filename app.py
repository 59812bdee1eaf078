"""Dashboard entry point (placeholder until the dashboard issue lands)."""

import streamlit as st

from siting.coverage import compute_coverage
from siting.workspace import Workspace

st.set_page_config(page_title="siting", layout="wide")
ws = Workspace.load()
if ws.is_sample:
    st.warning("دادهٔ نمونه (ساختگی) — غیررسمی / SAMPLE DATA — not official")
st.json(compute_coverage(ws).to_dict())
