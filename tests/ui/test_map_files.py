"""Large map layers as files under static/maps (ui/components/mapfiles.py): what is written, what
stays inline, and the applicant page's deck as the browser receives it."""

from __future__ import annotations

import json
import os
import time

import pydeck as pdk
from apptest_helpers import STATIC_MAPS, deck_spec, open_app

from ui.components import mapfiles


def _points(n: int, name: str = "روستا") -> list[dict]:
    return [{"lon": 59.0 + i / 1000, "lat": 32.0 + i / 2000, "tip": f"{name} {i}"} for i in range(n)]


def test_a_large_public_layer_becomes_a_file_with_the_same_data(tmp_path):
    big, small = _points(400), _points(3)
    assert len(mapfiles.serialise(big)) >= mapfiles.MIN_BYTES > len(mapfiles.serialise(small))
    layers = [pdk.Layer("ScatterplotLayer", data=big, id="settlements"),
              pdk.Layer("ScatterplotLayer", data=small, id="offices"),
              pdk.Layer("ScatterplotLayer", data=big, id="proposals")]  # tracker data: never a public file
    mapfiles.externalise(layers, tmp_path)
    url = layers[0].data
    assert isinstance(url, str) and url.startswith(mapfiles.URL_PREFIX)
    assert mapfiles.read(url, tmp_path) == big  # Persian kept, every record the same
    assert layers[1].data == small and layers[2].data == big
    assert [p.name for p in tmp_path.iterdir()] == [url.removeprefix(mapfiles.URL_PREFIX)]
    # the same data again: the same URL (deck.gl sees an unchanged string), no second file
    again = [pdk.Layer("ScatterplotLayer", data=_points(400), id="settlements")]
    mapfiles.externalise(again, tmp_path)
    assert again[0].data == url and len(list(tmp_path.iterdir())) == 1


def test_the_least_recently_used_files_go_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(mapfiles, "MAX_FILES", 3)
    urls = []
    for k in range(3):
        layer = pdk.Layer("ScatterplotLayer", data=_points(400, f"v{k}"), id="settlements")
        mapfiles.externalise([layer], tmp_path)
        urls.append(layer.data)
    old = time.time() - 100
    for i, u in enumerate(urls):  # the first file was used last: it is kept
        os.utime(tmp_path / u.removeprefix(mapfiles.URL_PREFIX), (old + (10 - i), old + (10 - i)))
    mapfiles.externalise([pdk.Layer("ScatterplotLayer", data=_points(400, "v3"), id="settlements")], tmp_path)
    names = {p.name for p in tmp_path.glob("*.json")}
    assert len(names) == 3
    assert urls[2].removeprefix(mapfiles.URL_PREFIX) not in names  # the oldest one
    assert urls[0].removeprefix(mapfiles.URL_PREFIX) in names


def test_an_unwritable_folder_keeps_the_data_inline(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    big = _points(400)
    layer = pdk.Layer("ScatterplotLayer", data=big, id="settlements")
    mapfiles.externalise([layer], blocker / "maps")
    assert layer.data == big


def test_urls_outside_the_folder_are_not_read(tmp_path):
    for bad in ("app/static/maps/../../../etc/passwd", "app/static/maps/a/b.json", "/etc/passwd"):
        try:
            mapfiles.read(bad, tmp_path)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_the_applicant_map_sends_its_large_layers_as_files():
    at = open_app("applicant")
    sent = deck_spec(at, resolve=False)
    by_id = {lyr["id"]: lyr for lyr in sent["layers"]}
    assert len(json.dumps(sent, ensure_ascii=False).encode()) < 100_000  # was 600 KB with the data inline
    for lid in ("settlements", "pick-cells"):
        url = by_id[lid]["data"]
        assert isinstance(url, str) and url.startswith(mapfiles.URL_PREFIX), lid
        data = mapfiles.read(url, STATIC_MAPS)
        assert isinstance(data, list) and data and {"lon", "lat"} <= set(data[0]) if lid == "settlements" else data
    # the same run again sends the same URLs: nothing for the browser to load or rebuild
    at.run()
    again = {lyr["id"]: lyr["data"] for lyr in deck_spec(at, resolve=False)["layers"]}
    assert all(again[lid] == by_id[lid]["data"] for lid in ("settlements", "pick-cells", "gaps", "counties"))
