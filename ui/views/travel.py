"""The distance/time switch and the service areas (isochrones) the pages draw for travel time.

Streamlit-free: the pages call these and draw what they return. The switch applies
:meth:`siting.rules.Rules.with_measure` to the rules the pages hand to the library (coverage, gaps,
validation, the optimizer), which honour :meth:`~siting.rules.Rules.measures`; the service areas come
from :func:`siting.network.isochrones` on :func:`siting.network.workspace_network`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import shapely

from siting import fmt
from siting.network import attach, isochrones, workspace_network
from siting.rules import Rules
from siting.vocab import LICENCE_TYPES, label
from siting.workspace import Workspace

MEASURES: tuple[str, ...] = ("distance", "time")
RGBA = tuple[int, int, int, int]
#: Fill of each licence type's service areas (the office colours, faint).
ISOCHRONE_FILL: Mapping[str, RGBA] = MappingProxyType({"urban": (23, 92, 170, 45), "rural": (24, 140, 62, 45)})
ISOCHRONE_LINE: RGBA = (40, 40, 120, 160)
ROUND = 5  # about a metre, as the other map layers


@dataclass(frozen=True)
class MeasureSwitch:
    """Whether travel time can be chosen on this workspace and rules, and what the switch starts at.

    ``reason`` is the :mod:`ui.i18n` key saying why "time" cannot be chosen (``None`` when it can);
    ``default`` is the rules file's measure when every licence type has the same, else "distance".

    >>> MeasureSwitch(False, "measure.no_roads", "distance").options
    ('distance',)
    """

    available: bool
    reason: str | None
    default: str

    @property
    def options(self) -> tuple[str, ...]:
        """The measures that can be chosen."""
        return MEASURES if self.available else ("distance",)


def measure_switch(ws: Workspace, rules: Rules) -> MeasureSwitch:
    """What the distance/time switch offers for ``ws`` and ``rules``.

    Travel time needs a roads layer in the workspace and a ``service_time_min`` for every licence
    type in the rules; without either the switch stays on distance and says why.

    Parameters
    ----------
    ws
        The workspace (its ``roads`` layer may be empty).
    rules
        The rules of the rules file.

    Returns
    -------
    MeasureSwitch
    """
    measures = set(rules.measures().values())
    default = measures.pop() if len(measures) == 1 else "distance"
    if not len(getattr(ws, "roads", ())):
        return MeasureSwitch(False, "measure.no_roads", "distance")
    if any(v is None for v in rules.service_times().values()):
        return MeasureSwitch(False, "measure.no_times", "distance")
    return MeasureSwitch(True, None, default)


def apply_measure(rules: Rules, measure: str | None) -> Rules:
    """``rules`` with every licence type served by ``measure`` (``None``: as the rules file says).

    The rules are returned unchanged when they already say ``measure`` for every type, so the
    distance view is exactly today's. Raises :class:`~siting.errors.RulesError` for an unknown
    measure or "time" without service times.

    Parameters
    ----------
    rules
        The rules (perhaps with the planner's changes).
    measure
        "distance", "time" or ``None``.

    Returns
    -------
    Rules
    """
    if measure is None or all(m == measure for m in rules.measures().values()):
        return rules
    return rules.with_measure(measure)


def service_text(rules: Rules, measure: str, licence_type: str, lang: str = "fa") -> str:
    """What "covered" means under ``measure``, for the types ``licence_type`` stands for.

    >>> from siting.rules import load_rules
    >>> service_text(load_rules(), "time", "rural", "en")
    'travel time by road ≤ 30 min (rural ICT)'
    """
    types = LICENCE_TYPES if licence_type == "any" else (licence_type,)
    parts = []
    for lt in types:
        sec = rules.for_type(lt)
        if measure == "time":
            value = fmt.number(sec.service_time_min or 0, lang)
            parts.append(f"زمان سفر در راه ≤ {value} دقیقه ({label(lt, lang)})" if lang == "fa"
                         else f"travel time by road ≤ {value} min ({label(lt, lang)})")
        else:
            value = fmt.number(sec.service_radius_m / 1000, lang, decimals=1)
            parts.append(f"فاصلهٔ مستقیم ≤ {value} کیلومتر ({label(lt, lang)})" if lang == "fa"
                         else f"straight-line distance ≤ {value} km ({label(lt, lang)})")
    return ("؛ " if lang == "fa" else "; ").join(parts)


def office_isochrones(ws: Workspace, rules: Rules, licence_type: str = "any", lang: str = "fa", *,
                      county: str | None = None) -> dict[str, Any]:
    """The service area of every serving office of ``licence_type`` ('urban', 'rural' or 'any'),
    each within its type's ``service_time_min``, as a GeoJSON FeatureCollection for the map.

    Areas are those from which the office is reached in the time (trips towards the office:
    ``to_sources=True``). Raises :class:`~siting.errors.InputError` without a roads layer.

    Parameters
    ----------
    ws
        The workspace.
    rules
        Rules giving each type's service time.
    licence_type
        'urban', 'rural' or 'any' (both, each with its own time).
    lang
        Language of the tooltips.
    county
        Only offices in this county (``None``: all).

    Returns
    -------
    dict
        Features with ``office_id``, ``licence_type``, ``minutes``, ``area_km2``, ``fill`` and ``tip``.
    """
    net = workspace_network(ws)
    features: list[dict[str, Any]] = []
    types = LICENCE_TYPES if licence_type == "any" else (licence_type,)
    for lt in types:
        rows = np.asarray(ws.index.office_rows[lt])
        if county and len(rows):
            rows = rows[(ws.offices["county"].to_numpy()[rows] == county)]
        minutes = rules.for_type(lt).service_time_min
        if not len(rows) or minutes is None:
            continue
        areas = isochrones(net.graph, net.offices.subset(rows), float(minutes), to_sources=True)
        for src, area_km2, geom in zip(areas["source"], areas["area_km2"], areas.geometry, strict=True):
            office = ws.offices.iloc[int(rows[int(src)])]
            name = office["name"] or office["office_id"]
            tip = (f"ناحیهٔ خدمت {name}: تا {fmt.number(minutes, lang)} دقیقه با راه "
                   f"({fmt.number(area_km2, lang)} کیلومتر مربع)" if lang == "fa"
                   else f"service area of {name}: within {fmt.number(minutes, lang)} min by road "
                        f"({fmt.number(area_km2, lang)} km²)")
            features.append(_feature(geom, {"office_id": office["office_id"], "licence_type": lt,
                                            "minutes": float(minutes), "area_km2": float(area_km2),
                                            "fill": list(ISOCHRONE_FILL[lt]), "tip": tip}))
    return {"type": "FeatureCollection", "features": features}


def site_isochrone(ws: Workspace, rules: Rules, licence_type: str, lon: float, lat: float,
                   lang: str = "fa") -> dict[str, Any]:
    """The service area a new office of ``licence_type`` at (lon, lat) would have (trips towards it,
    within the type's service time), as a FeatureCollection of one feature; empty when the site is
    off the network (farther than the longest off-road leg from every road) — its own walking disc
    is then all it reaches, which the feature still shows.

    Parameters
    ----------
    ws, rules
        The workspace and the rules giving the service time.
    licence_type
        'urban' or 'rural'.
    lon, lat
        The site (WGS84).
    lang
        Language of the tooltip.

    Returns
    -------
    dict
    """
    net = workspace_network(ws)
    minutes = rules.for_type(licence_type).service_time_min
    if minutes is None:
        return {"type": "FeatureCollection", "features": []}
    site = attach(net.graph, [lon], [lat], net.params)
    area = isochrones(net.graph, site, float(minutes), to_sources=True)
    km2 = float(area["area_km2"].iat[0])
    on = bool(site.on_network[0])
    tip = (f"ناحیهٔ خدمت محل پیشنهادی: تا {fmt.number(minutes, lang)} دقیقه با راه" if lang == "fa"
           else f"service area of the candidate site: within {fmt.number(minutes, lang)} min by road")
    if not on:
        tip += (" — بیرون از شبکهٔ راه‌ها" if lang == "fa" else " — off the road network")
    return {"type": "FeatureCollection", "features": [
        _feature(area.geometry.iat[0], {"licence_type": licence_type, "minutes": float(minutes), "area_km2": km2,
                                        "on_network": on, "fill": [220, 20, 60, 35], "tip": tip})]}


def legend_items(licence_type: str, lang: str = "fa") -> Sequence[tuple[RGBA, str]]:
    """Legend swatches of the service areas drawn for ``licence_type``."""
    types = LICENCE_TYPES if licence_type == "any" else (licence_type,)
    return [(ISOCHRONE_FILL[lt], (f"ناحیهٔ خدمت با زمان سفر ({label(lt, lang)})" if lang == "fa"
                                  else f"travel-time service area ({label(lt, lang)})")) for lt in types]


def _feature(geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    geom = shapely.set_precision(geom, 10 ** -ROUND) if not geom.is_empty else geom
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


__all__ = ["ISOCHRONE_FILL", "MEASURES", "MeasureSwitch", "apply_measure", "legend_items", "measure_switch",
           "office_isochrones", "service_text", "site_isochrone"]
