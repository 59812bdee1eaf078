"""Road speeds and the off-road model (``siting/rules/roads.yaml``), and the road vocabulary.

:func:`load_road_params` reads the speeds per road class, the off-road speed, the longest off-road
leg and the snapping tolerance into a frozen :class:`RoadParams`, checked value by value (a wrong
value raises :class:`~siting.errors.RulesError` naming the file and the parameter).

The vocabulary functions read what road files say into the layer's normalised values:

* :func:`parse_road_class`: OpenStreetMap ``highway`` values (``primary``, ``primary_link``, ...)
  and the Persian and English classes people use (آزادراه, بزرگراه, راه اصلی, راه فرعی,
  راه روستایی, خاکی) to one of :data:`ROAD_CLASSES`;
* :func:`parse_surface`: ``paved`` / ``unpaved`` from OSM ``surface`` values or Persian words;
* :func:`parse_oneway`: OSM ``oneway`` (``yes``/``no``/``-1``) and Persian یک‌طرفه/دوطرفه;
* :func:`parse_maxspeed`: a speed in km/h from ``50``, ``۵۰``, ``50 km/h`` or ``30 mph``.

Which Persian class is which OSM class: آزادراه (freeway) → ``motorway``, بزرگراه (expressway)
→ ``trunk``, راه اصلی (main road) → ``primary``, راه فرعی (secondary road) → ``secondary``,
راه روستایی (rural road: the minor public roads joining villages) → ``unclassified``,
خاکی / راه خاکی (dirt road) → ``track``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from siting.errors import InputError, RulesError
from siting.io.files import load_yaml, package_file
from siting.rules.config import Param
from siting.text import clean_text, match_key, parse_number

#: The road parameters shipped with the package.
DEFAULT_ROADS_PATH = package_file("siting.rules", "roads.yaml")

#: The normalised road classes, fastest first.
ROAD_CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
                "living_street", "service", "road", "track")

_CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "motorway": ("motorway", "motorway_link", "freeway", "آزادراه", "آزاد راه"),
    "trunk": ("trunk", "trunk_link", "expressway", "بزرگراه", "بزرگ راه"),
    "primary": ("primary", "primary_link", "main", "main road", "راه اصلی", "اصلی", "جاده اصلی"),
    "secondary": ("secondary", "secondary_link", "secondary road", "راه فرعی", "فرعی", "جاده فرعی"),
    "tertiary": ("tertiary", "tertiary_link"),
    "unclassified": ("unclassified", "minor", "rural", "rural road", "راه روستایی", "روستایی", "جاده روستایی"),
    "residential": ("residential", "street", "خیابان", "شهری", "معبر شهری"),
    "living_street": ("living_street",),
    "service": ("service", "services", "دسترسی"),
    "road": ("road",),
    "track": ("track", "dirt", "dirt road", "unpaved road", "خاکی", "راه خاکی", "جاده خاکی"),
}
_CLASS_KEYS = {match_key(w): cls for cls, words in _CLASS_WORDS.items() for w in words}

#: OSM ``highway`` values (and Persian words) that are not roads for motor vehicles, or not open.
NOT_FOR_VEHICLES = frozenset({
    "footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor", "via_ferrata", "elevator",
    "platform", "bus_stop", "construction", "proposed", "abandoned", "disused", "razed", "raceway", "escape",
    "emergency_bay", "rest_area", "services_area", "busway", "bus_guideway", "crossing", "traffic_signals",
    "پیاده‌رو", "مسیر پیاده",
})
_NOT_KEYS = {match_key(w) for w in NOT_FOR_VEHICLES}

_PAVED = ("paved", "asphalt", "concrete", "concrete:plates", "concrete:lanes", "paving_stones", "sett",
          "cobblestone", "unhewn_cobblestone", "chipseal", "metal", "wood", "bricks", "آسفالت", "بتن",
          "بتنی", "آسفالته", "رویه‌دار")
_UNPAVED = ("unpaved", "gravel", "fine_gravel", "dirt", "ground", "earth", "sand", "compacted", "grass", "mud",
            "salt", "pebblestone", "rock", "soil", "خاکی", "شنی", "شن", "بی‌رویه", "بدون رویه")
_SURFACE_KEYS = {**{match_key(w): "paved" for w in _PAVED}, **{match_key(w): "unpaved" for w in _UNPAVED}}

_YES = {match_key(w) for w in ("yes", "true", "1", "y", "بله", "آری", "یکطرفه", "یک طرفه", "یک‌طرفه")}
_NO = {match_key(w) for w in ("no", "false", "0", "n", "خیر", "نه", "دوطرفه", "دو طرفه", "دو‌طرفه")}

_SPEED = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.ASCII | re.IGNORECASE)
#: Speeds accepted from a road file, km/h.
MIN_SPEED_KMH, MAX_SPEED_KMH = 1.0, 200.0


def parse_road_class(value: object) -> str | None:
    """The normalised class of a road, ``None`` for a blank; :class:`InputError` when unknown.

    Raises :class:`InputError` too (with "not a road for motor vehicles") for OSM values such as
    ``footway`` or ``construction``.

    >>> parse_road_class("primary_link"), parse_road_class("راه روستایي"), parse_road_class("خاکی")
    ('primary', 'unclassified', 'track')
    >>> parse_road_class("آزادراه"), parse_road_class(" Trunk ")
    ('motorway', 'trunk')
    """
    text = clean_text(value)
    if text is None:
        return None
    key = match_key(text)
    if key in _CLASS_KEYS:
        return _CLASS_KEYS[key]
    if key in _NOT_KEYS:
        raise InputError(f"road class {text!r} is not a road for motor vehicles")
    raise InputError(f"road class {text!r} is not known (expected an OSM highway value such as primary, or "
                     "آزادراه، بزرگراه، راه اصلی، راه فرعی، راه روستایی، خاکی)")


def is_not_for_vehicles(value: object) -> bool:
    """Whether an OSM ``highway`` value is a path, a platform or a road not open to traffic.

    >>> is_not_for_vehicles("footway"), is_not_for_vehicles("primary")
    (True, False)
    """
    return match_key(value) in _NOT_KEYS


def parse_surface(value: object) -> str | None:
    """``"paved"``, ``"unpaved"`` or ``None`` (blank); :class:`InputError` for an unknown surface.

    >>> parse_surface("asphalt"), parse_surface("gravel"), parse_surface("خاکی"), parse_surface("")
    ('paved', 'unpaved', 'unpaved', None)
    """
    text = clean_text(value)
    if text is None:
        return None
    out = _SURFACE_KEYS.get(match_key(text))
    if out is None:
        raise InputError(f"surface {text!r} is not known (expected paved/unpaved, an OSM surface value, "
                         "آسفالت or خاکی)")
    return out


def parse_oneway(value: object) -> tuple[bool, bool]:
    """``(oneway, reversed)``: OSM ``oneway=-1`` is one-way against the drawing direction.

    A blank is two-way; :class:`InputError` for anything else unknown.

    >>> parse_oneway("yes"), parse_oneway("-1"), parse_oneway(None), parse_oneway("یک‌طرفه")
    ((True, False), (True, True), (False, False), (True, False))
    """
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = clean_text(value)
    if text is None:
        return False, False
    if text in ("-1", "reverse"):
        return True, True
    key = match_key(text)
    if key in _YES:
        return True, False
    if key in _NO:
        return False, False
    raise InputError(f"oneway {text!r} is not yes, no or -1")


def parse_maxspeed(value: object) -> int | None:
    """A speed limit in km/h (rounded), ``None`` for a blank; :class:`InputError` when not a speed.

    >>> parse_maxspeed("۸۰"), parse_maxspeed("50 km/h"), parse_maxspeed("30 mph"), parse_maxspeed(None)
    (80, 50, 48, None)
    """
    if isinstance(value, bool):
        raise InputError(f"maxspeed {value!r} is not a speed")
    if isinstance(value, int | float):
        number = parse_number(value)
        unit = None
    else:
        text = clean_text(value)
        if text is None:
            return None
        m = _SPEED.match(text)
        if not m:
            raise InputError(f"maxspeed {text!r} is not a speed in km/h")
        number, unit = float(m.group(1)), (m.group(2) or "").lower()
    if number is None:
        return None
    if unit == "mph":
        number *= 1.609344
    elif unit == "knots":
        number *= 1.852
    if not MIN_SPEED_KMH <= number <= MAX_SPEED_KMH:
        raise InputError(f"maxspeed {value!r} is outside {MIN_SPEED_KMH:.0f}-{MAX_SPEED_KMH:.0f} km/h")
    return round(number)


@dataclass(frozen=True)
class RoadParams:
    """The travel-time model's parameters (see ``siting/rules/roads.yaml``).

    Attributes
    ----------
    class_speeds_kmh
        Speed of each road class (km/h) where no maxspeed is given.
    default_speed_kmh
        Speed of a road of a missing or unknown class.
    unpaved_max_speed_kmh
        Cap on the class speed of an unpaved road.
    offroad_speed_kmh
        Speed of the off-road leg from a place to the road (and of a direct trip between two places
        closer than ``max_offroad_m``).
    max_offroad_m
        Longest off-road leg: a place farther from every road is off the network.
    snap_tolerance_m
        A road end within this distance of another road's vertex is joined to it.
    """

    class_speeds_kmh: Mapping[str, float]
    default_speed_kmh: float = 30.0
    unpaved_max_speed_kmh: float = 30.0
    offroad_speed_kmh: float = 5.0
    max_offroad_m: float = 2000.0
    snap_tolerance_m: float = 5.0
    source: str = ""
    params: Mapping[str, Param] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("default_speed_kmh", "unpaved_max_speed_kmh", "offroad_speed_kmh"):
            _positive(name, getattr(self, name), self.source)
        for name in ("max_offroad_m", "snap_tolerance_m"):
            _non_negative(name, getattr(self, name), self.source)
        for cls, speed in self.class_speeds_kmh.items():
            if cls not in ROAD_CLASSES:
                raise RulesError(f"{self.source or 'road parameters'}: class_speeds_kmh.{cls} is not a road class "
                                 f"({', '.join(ROAD_CLASSES)})")
            _positive(f"class_speeds_kmh.{cls}", speed, self.source)

    def class_speed(self, road_class: str | None, surface: str | None = None) -> float:
        """The speed of a road of ``road_class`` without a maxspeed (km/h).

        >>> p = RoadParams({"primary": 80}, unpaved_max_speed_kmh=30)
        >>> p.class_speed("primary"), p.class_speed("primary", "unpaved"), p.class_speed("nonesuch")
        (80.0, 30.0, 30.0)
        """
        speed = float(self.class_speeds_kmh.get(road_class or "", self.default_speed_kmh))
        if surface == "unpaved":
            speed = min(speed, float(self.unpaved_max_speed_kmh))
        return speed

    def fingerprint(self) -> tuple:
        """A hashable summary of every value, for caches keyed on the parameters."""
        return (tuple(sorted((k, float(v)) for k, v in self.class_speeds_kmh.items())), self.default_speed_kmh,
                self.unpaved_max_speed_kmh, self.offroad_speed_kmh, self.max_offroad_m, self.snap_tolerance_m)


def _positive(name: str, value: Any, source: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise RulesError(f"{source or 'road parameters'}: {name} must be a positive number, got {value!r}")


def _non_negative(name: str, value: Any, source: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise RulesError(f"{source or 'road parameters'}: {name} must be a number ≥ 0, got {value!r}")


_KEYS = ("class_speeds_kmh", "default_speed_kmh", "unpaved_max_speed_kmh", "offroad_speed_kmh", "max_offroad_m",
         "snap_tolerance_m")


def load_road_params(path: str | os.PathLike[str] | None = None) -> RoadParams:
    """Read and check a road parameters file.

    ``path`` defaults to ``$SITING_ROADS`` or the file shipped with the package
    (``siting/rules/roads.yaml``). Every parameter is a mapping with ``value``, ``basis``, ``doc_fa``
    and ``doc_en`` (and ``placeholder: true`` for a stand-in value); a missing, unknown or wrong
    parameter raises :class:`~siting.errors.RulesError` naming the file and the parameter.

    >>> p = load_road_params()
    >>> p.class_speeds_kmh["primary"] > p.class_speeds_kmh["track"], p.params["offroad_speed_kmh"].placeholder
    (True, True)
    """
    path = Path(path or os.environ.get("SITING_ROADS") or DEFAULT_ROADS_PATH)
    raw = load_yaml(path, what="road parameters file", error=RulesError)
    if not isinstance(raw, Mapping):
        raise RulesError(f"{path}: expected the parameters {', '.join(_KEYS)}")
    params: dict[str, Param] = {}
    for name, entry in raw.items():
        if name == "version":
            continue
        if name not in _KEYS:
            raise RulesError(f"{path}: {name} is not a known parameter ({', '.join(_KEYS)})")
        if not isinstance(entry, Mapping) or "value" not in entry:
            raise RulesError(f"{path}: {name}: expected a mapping with 'value', 'basis', 'doc_fa', 'doc_en'")
        if entry.get("basis") not in ("guide", "policy"):
            raise RulesError(f"{path}: {name}.basis must be 'guide' or 'policy', got {entry.get('basis')!r}")
        for key in ("doc_fa", "doc_en"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RulesError(f"{path}: {name}.{key} is missing: every parameter is documented")
        params[name] = Param(name, entry["value"], entry["basis"], bool(entry.get("placeholder", False)),
                             entry["doc_fa"], entry["doc_en"])
    missing = [k for k in _KEYS if k not in params]
    if missing:
        raise RulesError(f"{path}: {', '.join(missing)} missing")
    speeds = params["class_speeds_kmh"].value
    if not isinstance(speeds, Mapping) or not speeds:
        raise RulesError(f"{path}: class_speeds_kmh.value must map road classes to speeds")
    return RoadParams(class_speeds_kmh=dict(speeds), source=str(path), params=params,
                      **{k: params[k].value for k in _KEYS[1:]})


__all__ = ["DEFAULT_ROADS_PATH", "MAX_SPEED_KMH", "MIN_SPEED_KMH", "NOT_FOR_VEHICLES", "ROAD_CLASSES",
           "RoadParams", "is_not_for_vehicles", "load_road_params", "parse_maxspeed", "parse_oneway",
           "parse_road_class", "parse_surface"]
