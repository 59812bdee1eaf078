"""Helpers for the AppTest tests of the dashboard's pages (imported by name: tests/ui is on sys.path)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui.components.maps import unpacked
from ui.views.picking import base_layer

APP = Path(__file__).resolve().parents[2] / "app.py"


def open_app(page: str, *, lang: str = "fa", timeout: float = 60) -> AppTest:
    """The app run once (in ``lang``), then switched to ``ui/pages/<page>.py``, with no exception shown."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    if lang != "fa":
        at.radio(key="lang").set_value(lang).run()
    at.switch_page(f"ui/pages/{page}.py").run()
    assert_clean(at)
    return at


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(at: AppTest) -> None:
    """No exception reached the page (a traceback on screen is a failure)."""
    assert not at.exception, [e.value for e in at.exception]


def texts(elements: Sequence[Any]) -> list[str]:
    return [str(e.value) for e in elements]


def deck_spec(at: AppTest, index: int = 0) -> dict[str, Any]:
    """The deck's JSON as sent, with every layer's data as records or GeoJSON (also when sent as a
    ``data:`` URL, :func:`ui.components.maps.packed`)."""
    spec = json.loads(at.get("deck_gl_json_chart")[index].proto.json)
    for lyr in spec.get("layers", []):
        if "data" in lyr:
            lyr["data"] = unpacked(lyr["data"])
    return spec


def element_path(at: AppTest, element_type: str = "deck_gl_json_chart") -> tuple[int, ...]:
    """Where the first element of ``element_type`` sits in the page's main area (child indices, as the
    browser places it): an element that moves gets built again by the browser (a map: a new WebGL map)."""
    def walk(node: Any, path: tuple[int, ...]) -> tuple[int, ...] | None:
        if getattr(node, "type", None) == element_type:
            return path
        for i, child in sorted((getattr(node, "children", None) or {}).items()):
            found = walk(child, (*path, i))
            if found is not None:
                return found
        return None

    found = walk(at.main, ())
    if found is None:
        raise KeyError(element_type)
    return found


def layer(at: AppTest, layer_id: str, index: int = 0) -> dict[str, Any]:
    """The layer ``layer_id`` of the deck, whatever its generation (``pick-cells~2``)."""
    for lyr in deck_spec(at, index)["layers"]:
        if base_layer(lyr["id"]) == layer_id:
            return lyr
    raise KeyError(layer_id)


def select_on_map(at: AppTest, objects: Mapping[str, list[Mapping[str, Any]]], index: int = 0) -> AppTest:
    """What the browser sends when a person picks an object on the deck: the chart's selection state.

    AppTest has no element class for a pydeck chart, so the selection is set
    as the widget value the frontend would send (a JSON string under the
    chart's element id) and the script reruns with it, which fires the
    chart's ``on_select`` callback as in a browser. (Uses AppTest's
    ``_tree``/``_run``, the path its own ``run()`` takes.)
    """
    chart = at.get("deck_gl_json_chart")[index]
    states = at._tree.get_widget_states()
    kept = [w for w in states.widgets if w.id != chart.proto.id]  # the chart's previous selection, replaced
    del states.widgets[:]
    states.widgets.extend(kept)
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"indices": {k: [0] * len(v) for k, v in objects.items()},
                                                   "objects": objects}})
    return at._run(states)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.table whose columns (or index name) include ``column``."""
    for tbl in at.table:
        df = tbl.value
        if column in df.columns or df.index.name == column:
            return df
    raise AssertionError(f"no table with column {column!r}")
