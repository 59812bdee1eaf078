"""Joining census population to place points (villages and cities) by code and name.

:func:`join_population` gives each point the population and households of the census place it is,
in three passes, each only over what the earlier passes left:

1. **code**: the official census code, where both sides have it;
2. **exact**: the same name after normalisation (:func:`place_key`: :func:`siting.text.match_key`,
   i.e. Arabic ي/ك, digits, diacritics, hamza forms, spaces and ZWNJ folded, so «حسین‌آباد»,
   «حسین آباد» and «حسيناباد» are one name);
3. **fuzzy**: the most similar name with a score of at least ``threshold`` (0–100).

Names are compared only within a **scope**: the rural district, district and county the point
states, each level used when the census knows it (a stated level the census does not know, e.g. a
misspelt rural district, is dropped and noted); a point stating none is compared with the whole
census. So two villages of the same name in different rural districts go to their own points.

**Qualifiers are identity.** A trailing word such as «علیا»/«سفلی», «بالا»/«پایین», «کهنه»/«نو»,
«بزرگ»/«کوچک», «شمالی»/«جنوبی», «یک»/«دو», «اول»/«دوم» or a number is read as a qualifier
(:data:`QUALIFIERS`; «علیا»/«سفلی»/«سفلا»/«وسطی» also when written joined to the name). Two names
whose qualifiers differ («X علیا» and «X سفلی», «X» and «X ۲») are different places and are never
joined, not even fuzzily. Names whose qualifiers mean the same («X علیا» and «X بالا», «X ۱» and «X یک»)
are compared by the rest of the name and can join as fuzzy matches (shown with both spellings).
Exact matching compares whole names, so «ده نو» and «دهنو» (spacing only) are an exact match.

**Ambiguity.** Two or more candidates equally good (the same normalised name twice in the scope, a
code on two rows, or fuzzy scores within ``margin`` of the best) make the point *ambiguous*: every
candidate is listed and nothing is joined. The join is one-to-one: a census place claimed by two or
more points in the same pass is *contested*, those points are ambiguous and the place is joined to
none (nor offered to a later pass).

A census place joined to no point keeps its population as **not located**, summed per county,
district and rural district in :attr:`JoinResult.not_located`; a point joined to no census place
gets no population (``<NA>``), never a guess.

**Why rapidfuzz** for the fuzzy pass: it is maintained (MIT, regular releases, wheels for every
platform), its scorers are C++ (tens of millions of short-string comparisons a second), and
:func:`rapidfuzz.process.cdist` scores a whole block of points against a block of census names in one
call, which suits the per-scope blocks here; ``difflib`` is pure Python and two orders slower,
``python-Levenshtein``/``fuzzywuzzy`` are superseded by it. The default scorer is
:func:`rapidfuzz.fuzz.ratio` (normalised Indel similarity), applied to the names without spaces,
ZWNJ and qualifiers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from siting.errors import InputError
from siting.io.census import normalise_code, strip_level_word
from siting.text import clean_text, match_key

SCOPE_LEVELS: tuple[str, ...] = ("county", "district", "rural_district")
STATUSES: tuple[str, ...] = ("code", "exact", "fuzzy", "ambiguous", "unmatched")
MAX_CANDIDATES = 20
"""Most candidates listed for one ambiguous point (how many there were is in its note)."""
FUZZY_BLOCK_CELLS = 4_000_000
"""Most scores computed at once (points × census names) in the fuzzy pass; larger blocks are chunked."""

_QUALIFIER_WORDS: dict[str, tuple[str, ...]] = {
    "upper": ("علیا", "بالا", "بالایی", "فوقانی", "علیه"),
    "lower": ("سفلی", "سفلا", "پایین", "پائین", "پایینی", "تحتانی", "سفلای"),
    "middle": ("وسطی", "وسطا", "وسط", "میانی"),
    "old": ("کهنه", "کهنه‌", "قدیم", "قدیمی", "کهن"),
    "new": ("نو", "جدید", "تازه"),
    "big": ("بزرگ", "کلان"),
    "small": ("کوچک", "کوچیک", "خرد"),
    "north": ("شمالی",),
    "south": ("جنوبی",),
    "east": ("شرقی",),
    "west": ("غربی",),
    "1": ("یک", "اول", "یکم"),
    "2": ("دو", "دوم"),
    "3": ("سه", "سوم"),
    "4": ("چهار", "چهارم"),
    "5": ("پنج", "پنجم"),
    "6": ("شش", "ششم"),
    "7": ("هفت", "هفتم"),
    "8": ("هشت", "هشتم"),
}
QUALIFIERS: dict[str, str] = {match_key(w): cls for cls, words in _QUALIFIER_WORDS.items() for w in words}
"""Folded qualifier word → its meaning (``"upper"``, ``"lower"``, ``"2"``, …)."""
_GLUED = tuple(match_key(w) for w in ("علیا", "سفلی", "سفلا", "وسطی", "وسطا"))
_NUMBER_WORD = match_key("شماره")

# Fast path of match_key for text made only of these characters (checked equal in the tests).
_FAST_CHARS = frozenset("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآئءأإؤيكىةۀـ \u200c"
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
_FAST_FOLD = str.maketrans({
    "آ": "ا", "أ": "ا", "إ": "ا", "ئ": "ی", "ؤ": "و", "ء": None, "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه",
    "ۀ": "ه", "ـ": None, " ": None, "\u200c": None,
    **{c: str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}, **{c: str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")},
    **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
})
_WORDS = re.compile(r"[ \u200c]+")


def _fold(text: str) -> str:
    """:func:`siting.text.match_key` of one word or name, quickly for plain Persian/ASCII text."""
    if _FAST_CHARS.issuperset(text):
        return text.translate(_FAST_FOLD)
    return match_key(text)


class PlaceKey(NamedTuple):
    """How a place name is compared.

    Attributes
    ----------
    full
        The whole name folded (:func:`siting.text.match_key`): the exact-match key.
    base
        The name without its trailing qualifiers, folded: what the fuzzy scorer compares.
    qualifiers
        The qualifiers' meanings, sorted (``("upper",)``, ``("2",)``, ``()``): names whose
        qualifiers differ are never joined.
    """

    full: str
    base: str
    qualifiers: tuple[str, ...]


def place_key(name: object) -> PlaceKey:
    """The :class:`PlaceKey` of a place name.

    >>> place_key("حسين آباد عليا")
    PlaceKey(full='حسینابادعلیا', base='حسیناباد', qualifiers=('upper',))
    >>> place_key("حسین‌آباد بالا").qualifiers == place_key("حسین آباد علیا").qualifiers
    True
    >>> place_key("کلاته ۲").qualifiers, place_key("کلاته دو").qualifiers
    (('2',), ('2',))
    >>> place_key("ده نو").full == place_key("دهنو").full
    True
    """
    if value_blank(name):
        return PlaceKey("", "", ())
    text = str(name)
    if not _FAST_CHARS.issuperset(text):
        text = clean_text(text) or ""
    words = [w for w in (_fold(w) for w in _WORDS.split(text)) if w]
    if not words:
        return PlaceKey("", "", ())
    full = "".join(words)
    quals: list[str] = []
    last = words[-1]
    for suffix in _GLUED:
        if last.endswith(suffix) and len(last) >= len(suffix) + 2:
            words[-1:] = [last[: -len(suffix)], suffix]
            break
    while len(words) > 1:
        w = words[-1]
        if w in QUALIFIERS:
            quals.append(QUALIFIERS[w])
        elif w.isascii() and w.isdigit():
            quals.append(str(int(w)))
        else:
            break
        words.pop()
        if len(words) > 1 and words[-1] == _NUMBER_WORD:
            words.pop()
    return PlaceKey(full, "".join(words), tuple(sorted(quals)))


def value_blank(v: object) -> bool:
    """None, NaN, pandas NA or only whitespace."""
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and v != v:
        return True
    return isinstance(v, str) and not v.strip()


def scope_key(value: object) -> str:
    """A county, district or rural-district name folded for comparison, without its level word.

    >>> scope_key("دهستان حومه") == scope_key("حومه")
    True
    """
    if value_blank(value):
        return ""
    return match_key(strip_level_word(value))


@dataclass(frozen=True)
class JoinResult:
    """The outcome of :func:`join_population`.

    Attributes
    ----------
    population, households
        Per point (``Int64``, index aligned to the points): the joined census figures, ``<NA>`` where
        the point was not joined.
    matches
        One row per point (``side == "point"``, in the points' order) and one per census place joined
        to no point (``side == "census"``): ``status`` (code, exact, fuzzy, ambiguous, unmatched),
        ``score`` (fuzzy), ``point`` (the points' index label), ``point_name``, ``census_row``,
        ``census_code``, ``census_name``, ``population``, ``scope`` (the level names were compared
        within), ``county``/``district``/``rural_district`` (of the census place, or as the point
        states them), ``candidates`` (list of dicts: census_row, code, name, score) and ``note``.
    counts
        ``code``, ``exact``, ``fuzzy``, ``ambiguous``, ``unmatched_points``, ``unmatched_census``,
        ``not_located_population``, plus ``points``, ``census`` and ``located_population``.
    not_located
        Population of the census places joined to no point, summed per ``level`` (county, district,
        rural_district): columns level, county, district, rural_district, places, households,
        population.
    threshold
        The fuzzy threshold used.
    """

    population: pd.Series
    households: pd.Series
    matches: pd.DataFrame
    counts: dict[str, int]
    not_located: pd.DataFrame
    threshold: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: counts, not-located totals and every match row."""
        def plain(v: Any) -> Any:
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.floating):
                return float(v)
            if v is pd.NA or (isinstance(v, float) and v != v):
                return None
            return v

        rows = [{k: plain(v) for k, v in rec.items()} for rec in self.matches.to_dict("records")]
        located = [{k: plain(v) for k, v in rec.items()} for rec in self.not_located.to_dict("records")]
        return {"threshold": self.threshold, "counts": dict(self.counts), "not_located": located,
                "matches": rows, "notes": list(self.notes)}

    def summary_lines(self) -> list[str]:
        """What the join did and what a person should check next, in English."""
        c = self.counts
        joined = c["code"] + c["exact"] + c["fuzzy"]
        lines = [f"{joined:,} of {c['points']:,} points got a census population: {c['code']:,} by official "
                 f"code, {c['exact']:,} by name, {c['fuzzy']:,} by a similar name (score ≥ {self.threshold:g})."]
        if c["fuzzy"]:
            fz = self.matches[self.matches["status"] == "fuzzy"]
            lines.append(f"Check the {c['fuzzy']:,} similar-name matches (status 'fuzzy': both spellings and "
                         f"the score are listed); the lowest score is {float(fz['score'].min()):.1f}.")
        if c["ambiguous"]:
            lines.append(f"{c['ambiguous']:,} points are ambiguous (two or more census places fit equally well, "
                         "all listed under 'candidates') and got no population: add the official census code "
                         "or the rural district to these points and join again.")
        if c["unmatched_points"]:
            lines.append(f"{c['unmatched_points']:,} points match no census place and got no population: check "
                         "their spelling and the county, district and rural district they state.")
        if c["unmatched_census"]:
            rd = self.not_located[self.not_located["level"] == "rural_district"].head(3)
            worst = "; ".join(f"{r.rural_district or '?'} ({r.county or '?'}) {int(r.population):,}"
                              for r in rd.itertuples())
            lines.append(f"{c['unmatched_census']:,} census places ({c['not_located_population']:,} people) match "
                         f"no point: their population is not located on the map"
                         + (f"; most in rural districts {worst}." if worst else "."))
        else:
            lines.append("Every census place was joined to a point.")
        return lines


class _Side:
    """Codes, name keys and scope ids of one side (census or points), positional."""

    def __init__(self, frame: pd.DataFrame, ids: dict[str, int], cache: dict[str, PlaceKey]) -> None:
        n = len(frame)
        self.n = n
        self.names = _column(frame, "name_fa", n)
        codes: dict[Any, str] = {}
        self.codes = []
        for v in _column(frame, "code", n):
            try:
                code = codes.get(v) if isinstance(v, Hashable) else None
            except TypeError:
                code = None
            if code is None:
                try:
                    code = normalise_code(v)
                except ValueError:
                    code = ""
                if isinstance(v, Hashable):
                    codes[v] = code
            self.codes.append(code)
        self.keys = []
        for v in self.names:
            text = "" if v is None else str(v)
            key = cache.get(text)
            if key is None:
                key = cache[text] = place_key(text)
            self.keys.append(key)
        self.full = np.array([k.full for k in self.keys], dtype=object)
        self.scope_names = {lv: _column(frame, lv, n) for lv in SCOPE_LEVELS}
        scope = np.zeros((n, 3), dtype=np.int64)
        for j, lv in enumerate(SCOPE_LEVELS):
            values = [None if v is None else str(v) for v in self.scope_names[lv]]
            where, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
            sids = np.zeros(len(uniques) + 1, dtype=np.int64)  # the last one for the NA sentinel -1
            for u, value in enumerate(uniques):
                k = scope_key(value)
                sids[u] = 0 if not k else ids.setdefault(f"{j}:{k}", len(ids) + 1)
            scope[:, j] = sids[where]
        self.scope = scope


def _column(frame: pd.DataFrame, col: str, n: int) -> list[Any]:
    if col not in frame.columns:
        return [None] * n
    s = frame[col]
    values = s.astype(object).where(s.notna(), None).tolist()
    return [None if (v.__class__ is str and not v.strip()) or (isinstance(v, float) and v != v) else v
            for v in values]


def _figures(frame: pd.DataFrame, col: str) -> list[int | None]:
    if col not in frame.columns:
        return [None] * len(frame)
    values = _column(frame, col, len(frame))
    raw = pd.Series(values, dtype=object)
    num = pd.to_numeric(raw.map(lambda v: v if v is None or isinstance(v, int | float | np.number) else
                                _number_or_nan(v)), errors="coerce").astype("float64")
    bad = num.isna().to_numpy() & raw.notna().to_numpy()
    bad |= ~np.isfinite(num.fillna(0).to_numpy()) | (num.fillna(0).to_numpy() < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"census column {col!r}, position {i + 1}: {values[i]!r} is not a non-negative number; "
                         "read the census with siting.io.census.read_census")
    return [None if v != v else round(v) for v in num.tolist()]


def _number_or_nan(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


_LEVEL_LABEL = {0: "all", 1: "county", 2: "district", 3: "rural district"}


def join_population(census: pd.DataFrame, points: pd.DataFrame, *, threshold: float = 90.0,
                    scorer: Callable[..., float] = fuzz.ratio, margin: float = 2.0) -> JoinResult:
    """Join census population and households to place points, one-to-one.

    Parameters
    ----------
    census
        Census places, as :func:`siting.io.census.read_census` returns them: ``name_fa`` and
        ``population`` required; ``code``, ``households``, ``county``, ``district``,
        ``rural_district`` and ``row`` used when present.
    points
        Place points: ``name_fa`` (or ``code``) required; ``code``, ``name_en``, ``county``,
        ``district``, ``rural_district`` used when present (each may be None).
    threshold
        Lowest fuzzy score (0–100) that joins.
    scorer
        A rapidfuzz scorer (or any ``f(a, b, score_cutoff=None) -> float`` on 0–100), applied to the
        names' :attr:`PlaceKey.base`.
    margin
        Fuzzy candidates scoring within ``margin`` of the best are equally good: the point is ambiguous.

    Returns
    -------
    JoinResult

    Raises
    ------
    InputError
        A required column is missing, a census figure is not a number, or an option is out of range.

    Examples
    --------
    >>> census = pd.DataFrame({"code": ["29010101001", "29010102001"], "name_fa": ["گل", "گل"],
    ...                        "population": [120, 80], "rural_district": ["الف", "ب"]})
    >>> points = pd.DataFrame({"name_fa": ["گل", "گل"], "rural_district": ["ب", "دهستان الف"]})
    >>> r = join_population(census, points)
    >>> r.population.tolist(), r.counts["exact"]
    ([80, 120], 2)
    """
    if not isinstance(census, pd.DataFrame) or not isinstance(points, pd.DataFrame):
        raise InputError("join_population: census and points must be pandas DataFrames")
    for col in ("name_fa", "population"):
        if col not in census.columns:
            raise InputError(f"census: no {col!r} column; columns: {', '.join(map(str, census.columns))}")
    if "name_fa" not in points.columns and "code" not in points.columns:
        raise InputError(f"points: no 'name_fa' or 'code' column; columns: {', '.join(map(str, points.columns))}")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 100:
        raise InputError(f"threshold {threshold!r} is not a score from 0 to 100")
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin <= 100:
        raise InputError(f"margin {margin!r} is not a score difference from 0 to 100")

    ids: dict[str, int] = {}
    cache: dict[str, PlaceKey] = {}
    cs = _Side(census, ids, cache)
    ps = _Side(points, ids, cache)
    c_pop = _figures(census, "population")
    c_hh = _figures(census, "households")
    c_rows = ([_row_number(v, i) for i, v in enumerate(census["row"].tolist())]
              if "row" in census.columns else list(range(1, cs.n + 1)))

    joined_c = np.full(cs.n, -1, dtype=np.int64)  # point position joined to each census place
    blocked_c = np.zeros(cs.n, dtype=bool)  # contested: offered to no later pass
    status: list[str | None] = [None] * ps.n
    target = np.full(ps.n, -1, dtype=np.int64)
    score: list[float | None] = [None] * ps.n
    cands: list[list[dict[str, Any]]] = [[] for _ in range(ps.n)]
    notes: list[str] = [""] * ps.n

    def cand(c: int, s: float | None = None) -> dict[str, Any]:
        return {"census_row": c_rows[c], "code": cs.codes[c] or None, "name": cs.names[c],
                "score": None if s is None else round(float(s), 1)}

    def settle(stage: str, tentative: dict[int, tuple[int, float | None]]) -> None:
        claims: dict[int, list[int]] = defaultdict(list)
        for p, (c, _) in tentative.items():
            claims[c].append(p)
        for c, claimants in claims.items():
            if len(claimants) == 1:
                p = claimants[0]
                status[p], target[p], score[p] = stage, c, tentative[p][1]
                joined_c[c] = p
                continue
            blocked_c[c] = True
            for p in claimants:
                status[p] = "ambiguous"
                cands[p] = [cand(c, tentative[p][1])]
                notes[p] = _join_note(notes[p], f"{stage} pass: the census place is also claimed by "
                                                f"{len(claimants) - 1} other point(s); joined to none")

    # 1. official code
    c_by_code: dict[str, list[int]] = defaultdict(list)
    p_by_code: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(cs.codes):
        if code:
            c_by_code[code].append(i)
    for i, code in enumerate(ps.codes):
        if code:
            p_by_code[code].append(i)
    tentative: dict[int, tuple[int, float | None]] = {}
    for code, plist in p_by_code.items():
        clist = c_by_code.get(code)
        if not clist:
            continue
        if len(clist) == 1:
            for p in plist:
                tentative[p] = (clist[0], None)
            continue
        for p in plist:
            status[p] = "ambiguous"
            cands[p] = [cand(c) for c in clist[:MAX_CANDIDATES]]
            notes[p] = f"code {code} is on {len(clist)} census rows"
        blocked_c[clist] = True
    settle("code", tentative)

    # scope of each point: the levels it states that the census knows (worked out per distinct triple)
    known: set[tuple[int, int, int]] = set()
    for t in {tuple(r) for r in cs.scope.tolist()}:
        for mask in range(8):
            known.add((t[0] if mask & 1 else 0, t[1] if mask & 2 else 0, t[2] if mask & 4 else 0))
    p_triples = [tuple(r) for r in ps.scope.tolist()]
    per_triple: dict[tuple[int, ...], tuple[tuple[int, int, int], list[int]]] = {}
    for t in set(p_triples):
        cons = [0, 0, 0]
        dropped = []
        for j in range(3):
            if not t[j]:
                continue
            trial = list(cons)
            trial[j] = t[j]
            if tuple(trial) in known:
                cons = trial
            else:
                dropped.append(j)
        per_triple[t] = ((cons[0], cons[1], cons[2]), dropped)
    scope_of = [per_triple[t][0] for t in p_triples]
    cons_arr = np.array(scope_of, dtype=np.int64).reshape(ps.n, 3)
    depth = np.where(cons_arr[:, 2] > 0, 3, np.where(cons_arr[:, 1] > 0, 2, np.where(cons_arr[:, 0] > 0, 1, 0)))
    scope_label = [_LEVEL_LABEL[int(d)] for d in depth]
    for p, t in enumerate(p_triples):
        dropped = per_triple[t][1]
        if dropped and status[p] is None:
            notes[p] = "not in the census, so not used to narrow the match: " + ", ".join(
                f"{SCOPE_LEVELS[j].replace('_', ' ')} {ps.scope_names[SCOPE_LEVELS[j]][p]!r}" for j in dropped)

    # 2. exact name: every (point, census place) pair of the same name, kept where their scopes agree
    pending = np.array([p for p in range(ps.n) if status[p] is None], dtype=np.int64)
    nameless = pending[ps.full[pending] == ""] if len(pending) else pending
    for p in nameless.tolist():
        status[p] = "unmatched"
        notes[p] = _join_note(notes[p], "no name and no census code")
    pending = pending[ps.full[pending] != ""] if len(pending) else pending
    avail = np.flatnonzero((joined_c < 0) & ~blocked_c & (cs.full != ""))
    found, listed = _exact_candidates(ps.full[pending], cons_arr[pending], pending, cs.full[avail],
                                      cs.scope[avail], avail)
    tentative = {}
    for p, k in found.items():
        if k == 1:
            tentative[p] = (listed[p][0], 100.0)
            continue
        status[p] = "ambiguous"
        cands[p] = [cand(c, 100.0) for c in listed[p]]
        shown = f" (the first {MAX_CANDIDATES} listed)" if k > MAX_CANDIDATES else ""
        notes[p] = _join_note(notes[p], f"the name is on {k} census places in the {scope_label[p]} scope{shown}")
    settle("exact", tentative)

    # 3. fuzzy name, block by block
    qual_ids: dict[tuple[str, ...], int] = {}
    c_qual = np.array([qual_ids.setdefault(k.qualifiers, len(qual_ids)) for k in cs.keys], dtype=np.int64)
    p_qual = np.array([qual_ids.setdefault(k.qualifiers, len(qual_ids)) for k in ps.keys], dtype=np.int64)
    groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for p in range(ps.n):
        if status[p] is None:
            groups[scope_of[p]].append(p)
    tentative = {}
    for block, plist in groups.items():
        free = (joined_c < 0) & ~blocked_c & (cs.full != "")
        for j, k in enumerate(block):
            if k:
                free &= (cs.scope[:, j] == 0) | (cs.scope[:, j] == k)
        cpos = np.flatnonzero(free)
        if len(cpos) == 0:
            continue
        choices = [cs.keys[c].base for c in cpos]
        step = max(1, FUZZY_BLOCK_CELLS // len(cpos))
        for lo in range(0, len(plist), step):
            chunk = plist[lo:lo + step]
            scores = process.cdist([ps.keys[p].base for p in chunk], choices, scorer=scorer, dtype=np.float64,
                                   score_cutoff=threshold if threshold > 0 else None)
            scores = np.asarray(scores, dtype=np.float64)
            scores[p_qual[chunk][:, None] != c_qual[cpos][None, :]] = -1.0
            for qi, p in enumerate(chunk):
                row = scores[qi]
                best = float(row.max())
                if best < threshold or best < 0:
                    continue
                near = np.flatnonzero((row >= best - margin) & (row >= threshold))
                if len(near) == 1:
                    tentative[p] = (int(cpos[near[0]]), best)
                    continue
                order = near[np.argsort(-row[near], kind="stable")][:MAX_CANDIDATES]
                status[p] = "ambiguous"
                cands[p] = [cand(int(cpos[k]), row[k]) for k in order]
                shown = f"; the first {MAX_CANDIDATES} listed" if len(near) > MAX_CANDIDATES else ""
                notes[p] = _join_note(notes[p], f"{len(near)} census places score within {margin:g} of the best "
                                                f"({best:.1f}){shown}")
    settle("fuzzy", tentative)

    for p in range(ps.n):
        if status[p] is None:
            status[p] = "unmatched"

    # figures per point
    pop = [c_pop[target[p]] if target[p] >= 0 else None for p in range(ps.n)]
    hh = [c_hh[target[p]] if target[p] >= 0 else None for p in range(ps.n)]
    population = pd.Series(pd.array(pop, dtype="Int64"), index=points.index, name="population")
    households = pd.Series(pd.array(hh, dtype="Int64"), index=points.index, name="households")

    unmatched_c = np.flatnonzero(joined_c < 0).tolist()
    tg = target.tolist()
    cols: dict[str, list[Any]] = {
        "side": ["point"] * ps.n + ["census"] * len(unmatched_c),
        "status": [*status, *["unmatched"] * len(unmatched_c)],
        "score": [score[p] if status[p] == "fuzzy" else None for p in range(ps.n)] + [None] * len(unmatched_c),
        "point": [*points.index, *[None] * len(unmatched_c)],
        "point_name": [*ps.names, *[None] * len(unmatched_c)],
        "census_row": [c_rows[c] if c >= 0 else None for c in tg] + [c_rows[c] for c in unmatched_c],
        "census_code": [(cs.codes[c] or None) if c >= 0 else None for c in tg]
        + [cs.codes[c] or None for c in unmatched_c],
        "census_name": [cs.names[c] if c >= 0 else None for c in tg] + [cs.names[c] for c in unmatched_c],
        "population": [*pop, *[c_pop[c] for c in unmatched_c]],
        "scope": [*scope_label, *[None] * len(unmatched_c)],
    }
    for lv in SCOPE_LEVELS:
        cn, pn = cs.scope_names[lv], ps.scope_names[lv]
        cols[lv] = [cn[c] if c >= 0 else pn[p] for p, c in enumerate(tg)] + [cn[c] for c in unmatched_c]
    cols["candidates"] = [*cands, *[[] for _ in unmatched_c]]
    cols["note"] = [n or None for n in notes] + [
        "claimed by two or more points (ambiguous); joined to none" if blocked_c[c] else None for c in unmatched_c]
    matches = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
    for col in ("population", "census_row"):
        matches[col] = pd.array(cols[col], dtype="Int64")
    matches["score"] = pd.to_numeric(matches["score"]).astype("float64")

    not_located = _not_located(cs, unmatched_c, c_pop, c_hh)
    located_pop = sum(v for v in pop if v is not None)
    counts = {s: sum(1 for x in status if x == s) for s in ("code", "exact", "fuzzy", "ambiguous")}
    counts.update({
        "unmatched_points": sum(1 for x in status if x == "unmatched"),
        "unmatched_census": len(unmatched_c),
        "not_located_population": int(sum(c_pop[c] or 0 for c in unmatched_c)),
        "points": ps.n, "census": cs.n, "located_population": int(located_pop),
    })
    return JoinResult(population, households, matches, counts, not_located, float(threshold))


def _exact_candidates(p_full: np.ndarray, p_cons: np.ndarray, p_pos: np.ndarray, c_full: np.ndarray,
                      c_scope: np.ndarray, c_pos: np.ndarray) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Census places of the same name whose scope agrees, per point: (how many, the first
    :data:`MAX_CANDIDATES` of them).

    A point's stated level must equal the census place's where both state it. The pairs are found by
    equi-joins, one per combination of the levels a point states and the levels a census place lacks,
    on the name and exactly the levels both state; a name shared by many places is counted, and only
    its first places are listed, so the work stays bounded by the points × :data:`MAX_CANDIDATES`.
    """
    counts: dict[int, int] = defaultdict(int)
    listed: dict[int, list[int]] = defaultdict(list)
    if len(p_pos) == 0 or len(c_pos) == 0:
        return counts, listed
    left = pd.DataFrame({"p": p_pos, "full": p_full, "k0": p_cons[:, 0], "k1": p_cons[:, 1], "k2": p_cons[:, 2]})
    pmask = (p_cons > 0).astype(np.int64) @ np.array([1, 2, 4])
    right = pd.DataFrame({"c": c_pos, "full": c_full, "k0": c_scope[:, 0], "k1": c_scope[:, 1],
                          "k2": c_scope[:, 2]})
    zmask = (c_scope == 0).astype(np.int64) @ np.array([1, 2, 4])
    for m in np.unique(pmask).tolist():
        lm = left[pmask == m]
        for z in np.unique(zmask).tolist():
            keys = ["full", *(f"k{j}" for j in range(3) if m >> j & 1 and not z >> j & 1)]
            rz = right[zmask == z]
            sizes = rz.groupby(keys, sort=False).size().rename("n").reset_index()
            hit = lm[["p", *keys]].merge(sizes, on=keys, how="inner")
            for p, n in zip(hit["p"].tolist(), hit["n"].tolist(), strict=True):
                counts[p] += n
            head = rz.groupby(keys, sort=False).head(MAX_CANDIDATES)
            pairs = lm[["p", *keys]].merge(head[["c", *keys]], on=keys, how="inner")
            for p, c in zip(pairs["p"].tolist(), pairs["c"].tolist(), strict=True):
                listed[p].append(c)
    for p in listed:
        listed[p] = sorted(listed[p])[:MAX_CANDIDATES]
    return counts, listed


def _row_number(v: Any, i: int) -> int:
    """The census's own row number, or the position (1-based) where it has none."""
    try:
        return i + 1 if value_blank(v) else int(v)
    except (TypeError, ValueError, OverflowError):
        return i + 1


def _join_note(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def _not_located(cs: _Side, unmatched: Iterable[int], c_pop: list[int | None],
                 c_hh: list[int | None]) -> pd.DataFrame:
    rows = [{"county": cs.scope_names["county"][c], "district": cs.scope_names["district"][c],
             "rural_district": cs.scope_names["rural_district"][c], "population": c_pop[c] or 0,
             "households": c_hh[c] or 0} for c in unmatched]
    cols = ["level", "county", "district", "rural_district", "places", "households", "population"]
    if not rows:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(rows).fillna({"county": "", "district": "", "rural_district": ""})
    out = []
    for level, keys in (("county", ["county"]), ("district", ["county", "district"]),
                        ("rural_district", ["county", "district", "rural_district"])):
        g = frame.groupby(keys, sort=True, dropna=False).agg(
            places=("population", "size"), households=("households", "sum"),
            population=("population", "sum")).reset_index()
        g["level"] = level
        out.append(g.sort_values(["population", *keys], ascending=[False, *[True] * len(keys)], kind="stable"))
    result = pd.concat(out, ignore_index=True)
    for col in ("county", "district", "rural_district"):
        if col not in result.columns:
            result[col] = None
        result[col] = result[col].map(lambda v: None if value_blank(v) else v).astype(object)
    result = result[cols]
    return result.astype({"places": "int64", "households": "int64", "population": "int64"})
