"""The census village table ("abadi" workbook) of the Statistical Centre of Iran.

:func:`read_census` reads the 1395 (2016) census table of villages and cities in either of the two
forms it is found in:

* the **published hierarchical layout**: one table in which county (شهرستان), district (بخش) and
  rural-district (دهستان) subtotal rows are followed by the places under them, with columns such as
  «کد», «نام» (or «شرح», «نام آبادی»), «خانوار», «جمعیت» (and perhaps «مرد», «زن»), Persian headers and
  digits, title rows above the header row and blank rows. A row's level is told by its code's length
  (default: province 2 digits, county 4, district 6, rural district 8, village 11; see
  ``code_lengths``); where the code is missing, by the name's first word (شهرستان, بخش, دهستان,
  استان, or «جمع» for a grand total). Every place gets the names and codes of the subtotal rows
  enclosing it, and every subtotal (households and population) is checked against the sum of the
  rows directly under it;
* the **plain layout**: one row per place with columns for the code, name, population, households and
  the county, district and rural district names (English or Persian headers).

**Cities.** A row whose name starts with the word «شهر» followed by a space or ZWNJ («شهر بیرجند»), or
whose kind column (نوع) says شهر/city, is a city: kind ``"city"``, the word «شهر» removed from its
name, placed under the enclosing district (cities belong to no rural district), whatever the length
of its code. «شهرک …» and «شهرآباد» are villages: the first word must be «شهر» itself. The code is
not used to tell cities: the published tables give cities codes of several forms.

**Rows.** ``row`` is the data row of the source as :mod:`siting.io.readers` numbers it: 1 is the first
row after the (detected) header row; in a workbook blank rows count, so that row *n* is *n* lines below
the header, in a CSV blank lines are not counted (as in every import report). A row that
cannot be used (no name, a population or household figure that is not a whole number from 0 to
:data:`MAX_FIGURE`, a code already used, a code not under its parent's code, a code of a length that
is no level) is reported as an error and skipped; the other rows still go through. A subtotal that
disagrees with its rows is a *mismatch*: reported with the stated and computed figures, never
blocking.

Codes held as numbers by a spreadsheet keep their digits (``29010101001.0`` → ``"29010101001"``);
a code whose leading zero a spreadsheet dropped cannot be recovered and is reported by its length.
A second header row repeated under a page break is skipped. Only a single header row is read:
a header spread over two rows (e.g. «جمعیت» over «مرد»/«زن»/«جمع») must be flattened first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from siting.errors import InputError
from siting.io.importer import Issue, IssueLog
from siting.io.readers import find_column, is_blank, read_file
from siting.io.reasons import Reason
from siting.text import clean_text, match_key, parse_number

LEVELS: tuple[str, ...] = ("province", "county", "district", "rural_district", "village")
DEFAULT_CODE_LENGTHS: dict[str, int] = {"province": 2, "county": 4, "district": 6, "rural_district": 8,
                                        "village": 11}
MAX_FIGURE = 100_000_000
"""Largest population or household figure accepted for one row (more than Iran's population)."""
HEADER_SCAN_ROWS = 30
"""How many rows are searched for the header row below title rows."""
MAX_CODE_DIGITS = 20

OUTPUT_COLUMNS: tuple[str, ...] = ("row", "code", "name_fa", "kind", "households", "population", "county",
                                   "county_code", "district", "district_code", "rural_district",
                                   "rural_district_code")

# Column names people use, per field (matched after match_key folding).
CENSUS_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "geocode", "abadi_code", "village_code", "کد", "کد آبادی", "کد آماری", "کد سکونتگاه",
             "کد روستا", "کد محل", "شناسه", "کد جغرافیایی"),
    "name_fa": ("name_fa", "name", "نام", "شرح", "نام آبادی", "نام روستا", "نام سکونتگاه", "نام محل", "عنوان",
                "آبادی", "نام و نوع آبادی", "village", "settlement", "place"),
    "population": ("population", "pop", "جمعیت", "جمعیت کل", "تعداد جمعیت", "جمع جمعیت", "جمعیت 1395",
                   "جمعیت (نفر)", "population_2016", "pop2016", "total population"),
    "households": ("households", "household", "hh", "خانوار", "تعداد خانوار", "خانوار 1395",
                   "تعداد خانوارها", "خانوار (تعداد)"),
    "male": ("male", "men", "مرد", "مردان", "جمعیت مرد"),
    "female": ("female", "women", "زن", "زنان", "جمعیت زن"),
    "kind": ("kind", "type", "settlement_type", "نوع", "نوع آبادی", "نوع سکونتگاه"),
    "county": ("county", "county_name", "shahrestan", "شهرستان", "نام شهرستان"),
    "county_code": ("county_code", "کد شهرستان"),
    "district": ("district", "district_name", "bakhsh", "بخش", "نام بخش"),
    "district_code": ("district_code", "کد بخش"),
    "rural_district": ("rural_district", "rural_district_name", "dehestan", "دهستان", "نام دهستان"),
    "rural_district_code": ("rural_district_code", "dehestan_code", "کد دهستان"),
}

_LEVEL_WORDS: dict[str, str] = {
    match_key("استان"): "province",
    match_key("شهرستان"): "county",
    match_key("بخش"): "district",
    match_key("دهستان"): "rural_district",
}
_TOTAL_NAMES = {match_key(w) for w in ("جمع", "جمع کل", "کل", "کل استان", "جمع استان", "total", "grand total")}
_TOTAL_WORDS = {match_key(w) for w in ("جمع", "total")}


def _is_total(name: str) -> bool:
    """«جمع», «جمع کل», «جمع دهستان …», «total …»: a total row, not a place."""
    return match_key(name) in _TOTAL_NAMES or _first_word(name)[0] in _TOTAL_WORDS
_CITY_WORD = match_key("شهر")
_CITY_KINDS = {match_key(w) for w in ("شهر", "شهری", "city", "town", "urban")}
_VILLAGE_KINDS = {match_key(w) for w in ("روستا", "روستایی", "آبادی", "ده", "village", "rural", "hamlet")}
_BLANK_FIGURES = {"-", "–", "—", "..", "...", "*"}
_SEPARATORS = re.compile(r"[\s\u200c]+")
_CODE_PUNCT = re.compile(r"[\s\u200c\-_/.]+")


def _first_word(name: str) -> tuple[str, str]:
    """The name's first word (folded) and the rest of the name (cleaned)."""
    parts = _SEPARATORS.split(name, maxsplit=1)
    return match_key(parts[0]), (parts[1].strip() if len(parts) > 1 else "")


def strip_level_word(name: object) -> str | None:
    """A county, district or rural-district name without its leading level word.

    >>> strip_level_word("دهستان  حومه")
    'حومه'
    >>> strip_level_word("شهرستان شهر بابک")
    'شهر بابک'
    >>> strip_level_word("بخشآباد")
    'بخشآباد'
    """
    text = clean_text(name)
    if not text:
        return None
    word, rest = _first_word(text)
    if word in _LEVEL_WORDS and rest:
        return rest
    return text


def city_name(name: str) -> str | None:
    """The city's name if ``name`` is written «شهر …» (the word شهر then a space or ZWNJ), else None.

    >>> city_name("شهر‌ بیرجند")
    'بیرجند'
    >>> city_name("شهرک صنعتی") is None, city_name("شهرآباد") is None
    (True, True)
    """
    word, rest = _first_word(name)
    return rest if word == _CITY_WORD and rest else None


def normalise_code(value: object) -> str:
    """A census code as a string of ASCII digits; ``""`` for a blank.

    Persian digits, spaces and dashes are accepted; a number held as a float by a spreadsheet keeps
    its digits. Raises :class:`~siting.errors.InputError` for anything else.

    >>> normalise_code("۲۹۰۱-۰۱")
    '290101'
    >>> normalise_code(29010101001.0)
    '29010101001'
    """
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= MAX_CODE_DIGITS:
        return value  # the common case, quickly
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        raise InputError(f"code {value!r} is not a number code")
    if isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise InputError(f"code {value!r} is not a whole number")
        value = int(value)
    text = clean_text(value) or ""
    text = _CODE_PUNCT.sub("", text)
    if not text:
        return ""
    if not text.isascii() or not text.isdigit():
        raise InputError(f"code {value!r} is not made of digits")
    if len(text) > MAX_CODE_DIGITS:
        raise InputError(f"code {value!r} has {len(text)} digits; a census code has at most {MAX_CODE_DIGITS}")
    return text


def _bad_figure(exc: InputError, fld: str, value: object) -> Reason:
    """The reason of a figure :func:`_figure` refused."""
    return Reason("census_bad_figure", str(exc), field=fld, value=clean_text(value), detail=str(exc))


def _bad_code(exc: InputError, value: object) -> Reason:
    """The reason of a code :func:`normalise_code` refused."""
    return Reason("census_bad_code", str(exc), value=clean_text(value), detail=str(exc))


def _figure(value: object, what: str) -> int | None:
    """A whole, non-negative count up to :data:`MAX_FIGURE`; None for a blank or a dash."""
    if isinstance(value, str) and value.strip() in _BLANK_FIGURES:
        return None
    try:
        number = parse_number(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a number") from None
    if number is None:
        return None
    if number < 0:
        raise InputError(f"{what} {value!r} is negative")
    if not float(number).is_integer():
        raise InputError(f"{what} {value!r} is not a whole number")
    if number > MAX_FIGURE:
        raise InputError(f"{what} {value!r} is more than {MAX_FIGURE:,}, more than Iran's population")
    return int(number)


@dataclass
class CensusReport(IssueLog):
    """What :func:`read_census` read, kept, skipped and found wrong.

    Attributes
    ----------
    file, layout
        The file read and its layout (``"hierarchical"`` or ``"plain"``).
    rows_read
        Data rows below the header (blank rows not counted).
    villages, cities
        Places kept, by kind.
    subtotals_checked
        Subtotal rows whose figures were compared with the rows under them.
    mismatches
        One dict per subtotal figure that disagrees: ``row``, ``level``, ``name``, ``code``, ``field``
        (``"population"`` or ``"households"``), ``stated``, ``computed``, ``difference`` (stated −
        computed) and ``skipped_rows`` (rows under it that were skipped as errors, a likely cause).
    issues
        Row problems (:class:`siting.io.importer.Issue`): errors skip the row, warnings do not.
    header_line
        1-based line of the header row in the file (1 unless title rows stand above it).
    notes
        What else a reader should know (columns used, skipped repeated headers).
    """

    file: str
    layout: Literal["hierarchical", "plain"] = "hierarchical"
    rows_read: int = 0
    villages: int = 0
    cities: int = 0
    subtotals_checked: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    header_line: int = 1
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the report."""
        return {
            "file": self.file,
            "layout": self.layout,
            "rows_read": self.rows_read,
            "villages": self.villages,
            "cities": self.cities,
            "rejected": len({i.row for i in self.errors}),
            "warnings": len(self.warnings),
            "subtotals_checked": self.subtotals_checked,
            "mismatches": list(self.mismatches),
            "header_line": self.header_line,
            "notes": list(self.notes),
            "rows": [asdict(i) for i in self.issues],
        }

    def summary_line(self) -> str:
        """One line for people."""
        return (f"{self.file}: {self.villages} villages and {self.cities} cities from {self.rows_read} rows "
                f"({self.layout} layout); {len({i.row for i in self.errors})} rows skipped, "
                f"{len(self.warnings)} warnings; {self.subtotals_checked} subtotals checked, "
                f"{len(self.mismatches)} figures disagree")


# -- header ----------------------------------------------------------------------------------

def _is_header(cells: list[object], fields: Mapping[str, str] | None = None) -> bool:
    keys = {match_key(c) for c in cells if isinstance(c, str)}
    given = dict(fields or {})
    has = {f: bool(keys & {match_key(a) for a in (*CENSUS_ALIASES[f], *([given[f]] if f in given else []))})
           for f in ("code", "name_fa", "population")}
    return has["population"] and (has["code"] or has["name_fa"])


def _unique_names(cells: list[object]) -> list[str]:
    out: list[str] = []
    for j, c in enumerate(cells):
        name = clean_text(int(c) if isinstance(c, float) and c.is_integer() else c) or f"column {j + 1}"
        base, k = name, 2
        while name in out:
            name, k = f"{base} ({k})", k + 1
        out.append(name)
    return out


def _table(path: Path, sheet: str | None, fields: Mapping[str, str] | None,
           report: CensusReport) -> tuple[pd.DataFrame, list[int]]:
    """The data rows under the detected header row, and their data-row numbers."""
    raw = read_file(path, coordinates=False, sheet=sheet)
    frame = raw.frame
    lines = [int(r) for r in raw.rows]
    if _is_header(list(frame.columns), fields):
        return frame.set_axis(_unique_names(list(frame.columns)), axis=1), lines
    for pos in range(min(HEADER_SCAN_ROWS, len(frame))):
        cells = list(frame.iloc[pos])
        if _is_header(cells, fields):
            top = lines[pos]
            data = frame.iloc[pos + 1:].reset_index(drop=True)
            data = data.set_axis(_unique_names(cells), axis=1)
            report.header_line = top + 1
            report.notes.append(f"header row found on line {top + 1} (title rows above it skipped)")
            if len(data) == 0:
                raise InputError(f"{path}: no data rows under the header row on line {top + 1}",
                                 source=str(path))
            return data, [r - top for r in lines[pos + 1:]]
    found = ", ".join(map(str, frame.columns))
    raise InputError(
        f"{path}: no header row with a population column (جمعیت / population) and a code or name column "
        f"(کد / نام / شرح) in the first {HEADER_SCAN_ROWS} rows; first row: {found}", source=str(path))


def _columns(frame: pd.DataFrame, fields: Mapping[str, str] | None, path: Path) -> dict[str, str | None]:
    cols = list(frame.columns)
    out: dict[str, str | None] = {}
    used: set[str] = set()
    for fld, name in (fields or {}).items():
        if fld not in CENSUS_ALIASES:
            raise InputError(f"{path}: unknown census field {fld!r}; fields: {', '.join(CENSUS_ALIASES)}",
                             source=str(path))
        clean = clean_text(name)
        if clean not in cols:
            raise InputError(f"{path}: column {name!r} given for {fld} is not in the header; columns: "
                             f"{', '.join(cols)}", source=str(path))
        out[fld] = clean
        used.add(str(clean))
    for fld, aliases in CENSUS_ALIASES.items():
        if fld not in out:
            col = find_column([c for c in cols if c not in used], aliases)
            out[fld] = col
            if col:
                used.add(col)
    return out


def _code_lengths(code_lengths: Mapping[str, int] | None) -> dict[str, int]:
    if code_lengths is None:
        return dict(DEFAULT_CODE_LENGTHS)
    unknown = set(code_lengths) - set(LEVELS)
    if unknown:
        raise InputError(f"code_lengths: unknown level(s) {', '.join(sorted(unknown))}; levels: {', '.join(LEVELS)}")
    merged = {**DEFAULT_CODE_LENGTHS, **code_lengths}
    previous = 0
    for level in LEVELS:
        n = merged[level]
        if isinstance(n, bool) or not isinstance(n, int) or n <= previous:
            raise InputError(f"code_lengths: {level} = {n!r}; each level needs a whole number of digits "
                             f"greater than the level above ({previous})")
        previous = n
    return merged


# -- rows ------------------------------------------------------------------------------------

@dataclass
class _Node:
    row: int
    level: str
    name: str
    code: str
    population: int | None
    households: int | None
    children: list[_Node] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    def total(self, fld: str) -> int:
        stated = getattr(self, fld)
        return stated if stated is not None else self.computed(fld)

    def computed(self, fld: str) -> int:
        return (sum(c.total(fld) for c in self.children)
                + sum(p[fld] for p in self.places if p[fld] is not None))


class _Reader:
    """Shared row handling of both layouts."""

    def __init__(self, path: Path, frame: pd.DataFrame, rows: list[int], cols: dict[str, str | None],
                 lengths: dict[str, int], report: CensusReport) -> None:
        self.path, self.frame, self.rows, self.cols = path, frame, rows, cols
        self.lengths, self.report = lengths, report
        self.by_length = {n: level for level, n in lengths.items()}
        self.codes: dict[str, int] = {}
        self.places: list[dict[str, Any]] = []

    def cell(self, i: int, fld: str) -> Any:
        col = self.cols.get(fld)
        return None if col is None else self.frame.iat[i, self.frame.columns.get_loc(col)]

    def error(self, row: int, reason: Reason, fld: str | None = None) -> None:
        self.report.add(row, reason, field=fld)

    def warn(self, row: int, reason: Reason, fld: str | None = None) -> None:
        self.report.add(row, reason, severity="warning", field=fld)

    def figures(self, i: int, row: int) -> tuple[int | None, int | None, bool]:
        """(population, households, whether both were usable); an unusable figure is reported, None."""
        out: dict[str, int | None] = {}
        ok = True
        for fld in ("population", "households"):
            try:
                out[fld] = _figure(self.cell(i, fld), fld)
            except InputError as exc:
                self.error(row, _bad_figure(exc, fld, self.cell(i, fld)), fld)
                out[fld], ok = None, False
        return out["population"], out["households"], ok

    def check_place_figures(self, i: int, row: int, pop: int | None, hh: int | None) -> None:
        if pop is None:
            self.warn(row, Reason("census_no_population", "no population figure; stored as unknown"), "population")
        if pop is not None and hh is not None and hh > pop:
            self.warn(row, Reason("census_households_exceed", f"{hh} households but only {pop} people", households=hh,
                                  population=pop), "households")
        if pop is not None and (self.cols.get("male") or self.cols.get("female")):
            counts: dict[str, int | None] = {}
            for fld in ("male", "female"):
                try:
                    counts[fld] = _figure(self.cell(i, fld), fld)
                except InputError as exc:
                    self.warn(row, _bad_figure(exc, fld, self.cell(i, fld)), fld)
                    return
            male, female = counts["male"], counts["female"]
            if male is not None and female is not None and male + female != pop:
                self.warn(row, Reason("census_sexes_disagree", f"men {male} + women {female} = {male + female}, not "
                                      f"the population {pop}", male=male, female=female, total=male + female,
                                      population=pop), "population")

    def code(self, i: int, row: int) -> str | None:
        try:
            return normalise_code(self.cell(i, "code"))
        except InputError as exc:
            self.error(row, _bad_code(exc, self.cell(i, "code")), "code")
            return None

    def kind_of(self, i: int, row: int) -> str | None:
        value = self.cell(i, "kind")
        if is_blank(value):
            return None
        key = match_key(value)
        if key in _CITY_KINDS:
            return "city"
        if key in _VILLAGE_KINDS:
            return "village"
        self.warn(row, Reason("census_unknown_kind", f"kind {value!r} is neither city (شهر) nor village (روستا); told "
                              "from the name", value=clean_text(value)), "kind")
        return None

    def level_of_code(self, code: str, row: int) -> str | None:
        level = self.by_length.get(len(code))
        if level is None:
            expected = ", ".join(f"{n} ({lv.replace('_', ' ')})" for lv, n in self.lengths.items())
            self.error(row, Reason("census_code_length", f"code {code!r} has {len(code)} digits; a census code has "
                                   f"{expected}", code=code, digits=len(code), expected=expected,
                                   lengths=dict(self.lengths)), "code")
        return level

    def place(self, row: int, code: str, name: str, kind: str, pop: int | None, hh: int | None,
              parents: Mapping[str, tuple[str | None, str | None]]) -> dict[str, Any] | None:
        if code and code in self.codes:
            self.error(row, Reason("census_duplicate_code", f"code {code} is already used on row {self.codes[code]}; "
                                   "row skipped", code=code, row=self.codes[code]), "code")
            return None
        if code:
            self.codes[code] = row
        rec = {"row": row, "code": code or None, "name_fa": name, "kind": kind, "households": hh,
               "population": pop}
        for level in ("county", "district", "rural_district"):
            pname, pcode = parents.get(level, (None, None))
            rec[level], rec[f"{level}_code"] = pname, pcode
        self.places.append(rec)
        return rec


def _read_plain(r: _Reader) -> None:
    prefix_fields = ("county", "district", "rural_district")
    for i, row in enumerate(r.rows):
        named = _name_and_code(r, i, row)
        if named is None:
            continue
        name, code = named
        word, rest = _first_word(name)
        if not code and (_is_total(name) or (word in _LEVEL_WORDS and rest)):
            r.warn(row, Reason("census_total_row", f"{name!r} is a total or subtotal row in a one-row-per-place table; "
                               "skipped", name=name), "name_fa")
            continue
        pop, hh, ok = r.figures(i, row)
        if not ok:
            continue
        kind = r.kind_of(i, row)
        city = city_name(name)
        if city is not None:
            name, kind = city, "city"
        kind = kind or "village"
        parents: dict[str, tuple[str | None, str | None]] = {}
        bad = False
        for level in prefix_fields:
            pname = strip_level_word(_int_text(r.cell(i, level)))
            try:
                pcode = normalise_code(r.cell(i, f"{level}_code")) or None
            except InputError as exc:
                r.error(row, _bad_code(exc, r.cell(i, f"{level}_code")), f"{level}_code")
                bad = True
                break
            if pcode is None and code and len(code) == r.lengths["village"] and kind == "village":
                pcode = code[: r.lengths[level]]
            if pcode and code and not code.startswith(pcode):
                r.error(row, Reason("census_not_under_code", f"code {code} is not under its {level.replace('_', ' ')} "
                                    f"code {pcode}; row skipped", code=code, level=level, parent_code=pcode), "code")
                bad = True
                break
            parents[level] = (pname, pcode)
        if bad:
            continue
        if not code:
            r.warn(row, Reason("census_no_code", "no code"), "code")
        elif len(code) not in (r.lengths["village"],) and kind == "village":
            r.warn(row, Reason("census_village_code_length", f"code {code} has {len(code)} digits; a village code has "
                               f"{r.lengths['village']}", code=code, digits=len(code), expected=r.lengths["village"]),
                   "code")
        if r.place(row, code, name, kind, pop, hh, parents) is not None:
            r.check_place_figures(i, row, pop, hh)


def _name_and_code(r: _Reader, i: int, row: int) -> tuple[str, str] | None:
    """A data row's cleaned name and code, or ``None`` (reported) when the code is bad or the name missing."""
    name = clean_text(_int_text(r.cell(i, "name_fa")))
    code = r.code(i, row)
    if code is None:
        return None
    if not name:
        r.error(row, Reason("no_name", "no name"), "name_fa")
        return None
    return name, code


def _int_text(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _is_repeated_header(r: _Reader, i: int) -> bool:
    for fld in ("population", "name_fa", "code"):
        col = r.cols.get(fld)
        if col is not None:
            v = r.cell(i, fld)
            if isinstance(v, str) and match_key(v) == match_key(col):
                return True
    return False


def _read_hierarchical(r: _Reader) -> None:
    open_: dict[str, _Node | None] = dict.fromkeys(LEVELS[:-1])
    roots: list[_Node] = []
    level_names = {"province": "province", "county": "county", "district": "district",
                   "rural_district": "rural district", "village": "village"}
    for i, row in enumerate(r.rows):
        if _is_repeated_header(r, i):
            r.report.notes.append(f"row {row}: a repeated header row, skipped")
            continue
        named = _name_and_code(r, i, row)
        if named is None:
            continue
        name, code = named
        word, rest = _first_word(name)
        if (not code and is_blank(r.cell(i, "population")) and is_blank(r.cell(i, "households"))
                and not (word in _LEVEL_WORDS and rest)):
            r.warn(row, Reason("census_note_row", f"{name!r}: no code and no figures; not a data row (a note?), skipped",
                               name=name))
            continue
        kind = r.kind_of(i, row)
        city = city_name(name)
        level: str | None
        if word in _LEVEL_WORDS and rest and kind is None:
            level = _LEVEL_WORDS[word]
            if code and len(code) != r.lengths[level]:
                r.warn(row, Reason("census_level_code_length", f"the name says {level_names[level]} but code {code} "
                                   f"has {len(code)} digits, not {r.lengths[level]}; taken as a {level_names[level]}",
                                   level=level, code=code, digits=len(code), expected=r.lengths[level]), "code")
        elif city is not None or kind == "city":
            level = "city"
            if city is not None:
                name = city
        elif not code and _is_total(name):
            if r.codes or r.places or any(n is not None for n in open_.values()):
                r.warn(row, Reason("census_total_below", f"{name!r}: a total row below the rows it sums; not checked, "
                                   "skipped", name=name), "name_fa")
                continue
            level = "province"
        elif code:
            level = r.level_of_code(code, row)
            if level is None:
                continue
            if kind == "village" and level != "village":
                r.warn(row, Reason("census_kind_code_level", f"kind says village but the code's {len(code)} digits "
                                   f"say {level_names[level]}; taken as a subtotal", digits=len(code), level=level),
                       "kind")
        else:
            level = "village"
        pop, hh, ok = r.figures(i, row)
        if level in ("village", "city"):
            home = ("rural_district", "district", "county", "province") if level == "village" else (
                "district", "county", "province")
            parent = next((open_[lv] for lv in home if open_[lv] is not None), None)
            if not ok:
                if parent is not None:
                    parent.skipped += 1
                continue
            ancestors = [n for n in open_.values() if n is not None and n.code]
            if level == "city":
                ancestors = [n for n in ancestors if n.level != "rural_district"]
            # the nearest enclosing row with a code (a subtotal not under its own parent is warned about
            # on its row; the places under it follow it)
            wrong = ancestors[-1] if ancestors and code and not code.startswith(ancestors[-1].code) else None
            if wrong is not None:
                r.error(row, Reason("census_not_under", f"code {code} is not under its {level_names[wrong.level]} "
                                    f"{wrong.name!r} (code {wrong.code}, row {wrong.row}); row skipped", code=code,
                                    level=wrong.level, parent=wrong.name, parent_code=wrong.code,
                                    parent_row=wrong.row), "code")
                if parent is not None:
                    parent.skipped += 1
                continue
            if not code:
                r.warn(row, Reason("census_no_code", "no code"), "code")
            parents = {lv: ((n.name, n.code or None) if (n := open_[lv]) is not None else (None, None))
                       for lv in ("county", "district", "rural_district")}
            if level == "city":
                parents["rural_district"] = (None, None)
            rec = r.place(row, code, name, level, pop, hh, parents)
            if rec is None:
                if parent is not None:
                    parent.skipped += 1
                continue
            r.check_place_figures(i, row, pop, hh)
            if parent is not None:
                parent.places.append(rec)
            continue
        # a subtotal row
        if word in _LEVEL_WORDS and rest:
            name = rest
        depth = LEVELS.index(level)
        parent = next((open_[lv] for lv in reversed(LEVELS[:depth]) if open_[lv] is not None), None)
        for lv in LEVELS[depth:-1]:
            open_[lv] = None
        node = _Node(row, level, name, code, pop, hh)
        if code:
            if code in r.codes:
                r.warn(row, Reason("census_subtotal_duplicate_code", f"code {code} is already used on row "
                                   f"{r.codes[code]}", code=code, row=r.codes[code]), "code")
            else:
                r.codes[code] = row
            if parent is not None and parent.code and not code.startswith(parent.code):
                r.warn(row, Reason("census_subtotal_not_under", f"code {code} is not under its "
                                   f"{level_names[parent.level]} {parent.name!r} (code {parent.code}, row "
                                   f"{parent.row}); kept as the {level_names[level]} of the rows below it", code=code,
                                   parent_level=parent.level, parent=parent.name, parent_code=parent.code,
                                   parent_row=parent.row, level=level), "code")
        open_[level] = node
        (parent.children if parent is not None else roots).append(node)
    _check_subtotals(roots, r.report, level_names)


def _check_subtotals(roots: list[_Node], report: CensusReport, level_names: Mapping[str, str]) -> None:
    stack = list(roots)
    nodes: list[_Node] = []
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    for node in sorted(nodes, key=lambda n: n.row):
        if not node.children and not node.places:
            continue
        checked = False
        for fld in ("households", "population"):
            stated = getattr(node, fld)
            if stated is None:
                continue
            checked = True
            computed = node.computed(fld)
            if computed != stated:
                report.mismatches.append({
                    "row": node.row, "level": node.level, "name": node.name, "code": node.code or None,
                    "field": fld, "stated": stated, "computed": computed, "difference": stated - computed,
                    "skipped_rows": node.skipped,
                })
                report.add(node.row, Reason("census_subtotal_mismatch", f"{level_names[node.level]} {node.name!r}: "
                                            f"stated {fld} {stated:,} but its rows add up to {computed:,}",
                                            level=node.level, name=node.name, field=fld, stated=stated,
                                            computed=computed), severity="warning", field=fld)
        report.subtotals_checked += checked


# -- entry point -----------------------------------------------------------------------------

def read_census(path: str | Path, *, sheet: str | None = None, fields: Mapping[str, str] | None = None,
                code_lengths: Mapping[str, int] | None = None) -> tuple[pd.DataFrame, CensusReport]:
    """Read a census village table (published hierarchical layout or one row per place).

    Parameters
    ----------
    path
        A CSV or XLSX file (read by :func:`siting.io.readers.read_file` within the file limits of
        :func:`siting.io.limits.current_limits`).
    sheet
        The workbook's sheet (default: the first).
    fields
        Explicit column for a field, e.g. ``{"population": "جمعیت کل"}``; fields are the keys of
        :data:`CENSUS_ALIASES`. Other fields are found by their usual English or Persian names.
    code_lengths
        Digits of a code at each level, overriding :data:`DEFAULT_CODE_LENGTHS` (keys ``province``,
        ``county``, ``district``, ``rural_district``, ``village``; increasing).

    Returns
    -------
    (places, report)
        ``places`` holds one row per village or city, columns :data:`OUTPUT_COLUMNS`
        (``households`` and ``population`` are ``Int64``, unknown figures ``<NA>``); ``report`` is
        a :class:`CensusReport`.

    Raises
    ------
    InputError
        The file cannot be read (empty, header only, no header row, over the limits, a bad option).
        Problems of single rows are reported in ``report.issues`` instead.
    """
    path = Path(path)
    lengths = _code_lengths(code_lengths)
    report = CensusReport(file=str(path))
    frame, rows = _table(path, sheet, fields, report)
    cols = _columns(frame, fields, path)
    if cols["population"] is None:
        raise InputError(f"{path}: no population column (جمعیت / population); columns: "
                         f"{', '.join(map(str, frame.columns))}", source=str(path))
    if cols["name_fa"] is None:
        raise InputError(f"{path}: no name column (نام / شرح / نام آبادی / name); columns: "
                         f"{', '.join(map(str, frame.columns))}", source=str(path))
    keep = ~frame.apply(lambda s: s.map(is_blank)).all(axis=1).to_numpy()
    frame = frame[keep].reset_index(drop=True)
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    if not rows:
        raise InputError(f"{path}: no data rows under the header", source=str(path))
    report.rows_read = len(rows)
    plain = any(cols[f] is not None for f in ("county", "district", "rural_district"))
    report.layout = "plain" if plain else "hierarchical"
    used = {f: c for f, c in cols.items() if c is not None}
    report.notes.append("columns: " + ", ".join(f"{f} ← {c!r}" for f, c in used.items()))
    reader = _Reader(path, frame, rows, cols, lengths, report)
    (_read_plain if plain else _read_hierarchical)(reader)
    out = pd.DataFrame({
        col: (pd.array([p[col] for p in reader.places], dtype="Int64") if col in ("households", "population")
              else pd.array([p[col] for p in reader.places], dtype="int64") if col == "row"
              else pd.Series([p[col] for p in reader.places], dtype=object))
        for col in OUTPUT_COLUMNS})
    report.villages = int((out["kind"] == "village").sum())
    report.cities = int((out["kind"] == "city").sum())
    if not len(out):
        report.notes.append("no village or city rows were kept")
    return out, report
