"""Large map layers as files the browser fetches once, not JSON inside every rerun.

A page's deck is sent to the browser whole on every rerun (the applicant's map on the sample
workspace: 600 KB), and deck.gl rebuilds every layer whose ``data`` is a new array, which is every
layer of a parsed spec: without a GPU, tessellating the gap and county polygons again and uploading
the settlements and hexagons again is most of what a person waits for after a click. When the
server serves the app's ``static/`` folder (``server.enableStaticServing``, on in
``.streamlit/config.toml``), a layer whose data is at least :data:`MIN_BYTES` is written once to
``static/maps/<sha256>.json`` and the layer carries its URL instead: a later rerun with the same data
sends the same URL, which deck.gl compares as a string and does not load or rebuild again.

Only map data the pages already show to anyone who opens the map goes there (the workspace's region,
counties, gaps, hexagons, settlements, offices): files are named by the hash of their content,
written atomically (a reader never sees half a file), touched when used again, and the oldest are
removed past :data:`MAX_FILES`. Without static serving (or when the folder cannot be written) the
data stays inline, as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from ui.views.picking import base_layer

_log = logging.getLogger(__name__)

# The layers made of the workspace's map data, which anyone who opens a map sees (never the tracker's
# proposals or conflicts: files under static/ are served without a sign-in).
PUBLIC_LAYERS = frozenset({"region", "counties", "choropleth", "gaps", "isochrones", "pick-cells",
                           "settlements", "offices"})
MIN_BYTES = 16_384  # smaller layers stay inline: a request costs more than they do
MAX_FILES = 400  # past this many files the least recently used are removed
SUBDIR = "maps"
URL_PREFIX = "app/static/maps/"  # relative to the page, as Streamlit documents for static files


def static_dir() -> Path | None:
    """``static/maps`` beside the running app's main script, or None when static serving is off."""
    try:
        if not st.get_option("server.enableStaticServing"):
            return None
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx()
    except Exception:
        return None
    if ctx is None or not getattr(ctx, "main_script_path", None):
        return None
    return Path(ctx.main_script_path).resolve().parent / "static" / SUBDIR


def _write(folder: Path, name: str, payload: bytes) -> bool:
    path = folder / name
    try:
        if path.exists():
            os.utime(path)  # used again: the newest, kept when old files are removed
            return True
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, path)  # atomic: a browser never reads half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
        return True
    except OSError as exc:
        _log.warning("map data kept inline: cannot write %s (%s)", path, exc)
        return False


def _prune(folder: Path) -> None:
    files = [p for p in folder.glob("*.json") if not p.name.startswith(".")]
    if len(files) <= MAX_FILES:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for p in files[: len(files) - MAX_FILES]:
        p.unlink(missing_ok=True)


def serialise(data: Any) -> bytes:
    """A layer's data as the deck's JSON would carry it (compact, UTF-8)."""
    return json.dumps(data, default=default_serialize, separators=(",", ":"), ensure_ascii=False).encode()


def externalise(layers: list[pdk.Layer], folder: Path | None = None) -> list[pdk.Layer]:
    """``layers`` with the data of each large :data:`PUBLIC_LAYERS` one replaced by the URL of a file
    holding it (in ``folder``, default :func:`static_dir`; unchanged when that is None)."""
    folder = folder if folder is not None else static_dir()
    if folder is None:
        return layers
    for layer in layers:
        if base_layer(getattr(layer, "id", "")) not in PUBLIC_LAYERS:
            continue
        data = getattr(layer, "data", None)
        if not isinstance(data, list | dict) or getattr(layer, "use_binary_transport", False):
            continue
        payload = serialise(data)
        if len(payload) < MIN_BYTES:
            continue
        name = hashlib.sha256(payload).hexdigest()[:40] + ".json"
        if _write(folder, name, payload):
            layer.data = URL_PREFIX + name
    return layers


def read(url: str, folder: Path) -> Any:
    """The data behind a URL written by :func:`externalise` (tests read the deck as the browser does)."""
    if not url.startswith(URL_PREFIX):
        raise ValueError(f"not a map data URL: {url!r}")
    name = url[len(URL_PREFIX):]
    if "/" in name or not name.endswith(".json"):
        raise ValueError(f"not a map data URL: {url!r}")
    return json.loads((folder / name).read_text(encoding="utf-8"))
