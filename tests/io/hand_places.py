"""The hand workspace with extra villages, for the tests of registers and census joins."""

from __future__ import annotations

import pandas as pd
import shapely

from siting.samples.hand import HAND_SOURCE, hand_workspace
from siting.workspace import Workspace, make_layer


def hand_with_villages(extra: dict[str, tuple[str, str, float, float]],
                       population: dict[str, int] | None = None) -> Workspace:
    """The hand workspace plus villages ``{code: (name, county, lon, lat)}`` (population from
    ``population`` by code, else unknown)."""
    ws = hand_workspace()
    s = ws.settlements
    population = population or {}
    added = pd.DataFrame({
        "code": list(extra), "name_fa": [v[0] for v in extra.values()], "name_en": [None] * len(extra),
        "kind": ["village"] * len(extra), "population": [population.get(c) for c in extra],
        "county": [v[1] for v in extra.values()], "source": [HAND_SOURCE] * len(extra),
    })
    attrs = pd.concat([pd.DataFrame(s.drop(columns="geometry")), added], ignore_index=True)
    geoms = [*s.geometry, *shapely.points([(v[2], v[3]) for v in extra.values()])]
    return ws.with_layer("settlements", make_layer("settlements", attrs, geoms))
