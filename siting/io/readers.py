"""Reading the files people really have.

GeoJSON, GeoPackage, zipped Shapefile (or a bare .shp with its siblings), CSV
and XLSX. The format is decided by the file's content, not its name; a file
whose extension says one thing and whose bytes say another is refused with
a message saying both. Tables (CSV/XLSX) give their coordinates in columns
found by common English and Persian names; every file may declare its CRS
(geo files carry it, tables take it as an option) and is reprojected to
WGS84.

Nothing here knows about layers: :mod:`siting.io.importer` turns a
:class:`RawTable` into workspace rows and reports bad rows.
"""

from __future__ import annotations

import csv
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj

from siting.errors import InputError
from siting.geo import WGS84
from siting.io.encodings import bom_encoding, read_text
from siting.io.limits import (
    Limits,
    check_file,
    check_xlsx,
    check_zip,
    check_zip_contents,
    current_limits,
)
from siting.io.reasons import Note, Reason
from siting.text import clean_text, match_key, to_ascii_digits

FORMAT_NAMES = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shpzip": "zipped Shapefile",
    "shp": "Shapefile",
    "csv": "CSV",
    "xlsx": "Excel workbook (XLSX)",
    "osm": "OpenStreetMap extract",
}
_EXTENSIONS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shpzip",
    ".shz": "shpzip",
    ".shp": "shp",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".pbf": "osm",
    ".osm": "osm",
}

LAT_NAMES = ("lat", "latitude", "y", "lat_dd", "latdd", "ycoord", "y_coord", "point_y", "northing",
             "عرض", "عرض جغرافیایی", "عرض_جغرافیایی", "عرض جغرافيايي", "y مختصات", "مختصات y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "lon_dd", "londd", "xcoord", "x_coord", "point_x",
             "easting", "طول", "طول جغرافیایی", "طول_جغرافیایی", "طول جغرافيايي", "x مختصات", "مختصات x")
PAIR_NAMES = ("coordinates", "coords", "latlon", "lat_lon", "lat,lon", "location", "مختصات", "موقعیت",
              "مختصات جغرافیایی")


@dataclass
class RawTable:
    """A file read into memory, before any layer-specific checks.

    ``frame`` holds the attribute columns as read (strings for CSV, cells
    for XLSX). ``geometry`` is a WGS84 GeoSeries for geo files; for tables
    it is ``None`` and ``lon``/``lat`` hold the parsed coordinates (NaN where
    missing or bad, the reason in ``coord_errors``).
    """

    path: Path
    format: str
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    coord_errors: dict[int, Reason] = field(default_factory=dict)
    coord_columns: tuple[str, ...] = ()
    source_crs: str | None = None
    notes: list[str] = field(default_factory=list)
    # 1-based data-row number of each position (blank rows are skipped); default 1, 2, 3, ...
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        if len(self.rows) == 0 and len(self.frame):
            self.rows = np.arange(1, len(self.frame) + 1)

    def __len__(self) -> int:
        return len(self.frame)


def sniff_format(path: Path, limits: Limits | None = None) -> str:
    """The file's format from its first bytes (see :data:`FORMAT_NAMES`)."""
    limits = limits or current_limits()
    with open(path, "rb") as fh:
        head = fh.read(4096)
    bom = bom_encoding(head)
    if bom is not None and bom[1] != "UTF-8":
        # UTF-16/UTF-32 text with a byte-order mark (Excel's "Unicode text"): decode the head to look at it
        text = head.decode(bom[0], errors="ignore").lstrip("\ufeff \t\r\n")
        if not text:
            raise InputError(f"{path}: the file is empty", source=str(path), code="empty")
        return "geojson" if text[:1] in ("{", "[") else "csv"
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(f"{path}: the file is empty", source=str(path), code="empty")
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    from siting.io.osm import is_osm_file  # imported here: siting.io.osm imports this module

    if is_osm_file(path) is not None:
        return "osm"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path}: this is an old Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV and import that",
            source=str(path), code="old_excel",
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as zf:
                check_zip(path, zf, limits)
                names = zf.namelist()
        except zipfile.BadZipFile:
            raise InputError(f"{path}: a damaged ZIP archive", source=str(path), code="damaged_zip") from None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.lower().endswith(".shp") for n in names):
            return "shpzip"
        if any(n.lower().endswith(".gpkg") for n in names):
            raise InputError(f"{path}: a ZIP archive holding a GeoPackage; unzip it and import the .gpkg",
                             source=str(path), code="zip_gpkg")
        raise InputError(f"{path}: a ZIP archive with no Shapefile (.shp) or spreadsheet in it", source=str(path), code="zip_nothing")
    if head[:4] == b"\x00\x00\x27\x0a":
        return "shp"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "geojson"
    if b"\x00" in head and not (head.count(b"\x00") <= 4 and _texty(head.replace(b"\x00", b""))):
        raise InputError(f"{path}: a binary file that is none of GeoJSON, GeoPackage, Shapefile, CSV, XLSX or "
                         "OpenStreetMap PBF",
                         source=str(path), code="binary_unknown")
    if stripped[:1] == b"<":
        raise InputError(f"{path}: an XML/HTML document, not a data file (KML is not supported; export GeoJSON)",
                         source=str(path), code="xml_not_data")
    return "csv"


def _texty(head: bytes) -> bool:
    """Whether ``head`` reads as text (a few stray NUL bytes aside): the decoder then names the line."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the head
    return True


_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _refuse_json_nul(path: Path, limits: Limits) -> None:
    """A GeoJSON string holding an escaped NUL (GDAL would cut the text there): refused, naming the line."""
    with open(path, "rb") as fh:
        data = fh.read(limits.file_bytes + 1)
    m = _JSON_NUL.search(data)
    if m:
        at = m.end() - 6
        line = data.count(b"\n", 0, at) + 1
        raise InputError(f"{path}: line {line}, byte {at}: a NUL character (\\u0000) in a string; NUL characters "
                         "are refused in text", source=str(path),
                         code="nul_character", params={"line": line})


def detect_format(path: str | Path, limits: Limits | None = None) -> str:
    """Format by content, checked against the extension.

    The file must be a regular file within the size limit (:mod:`siting.io.limits`): a named
    pipe or device is refused before it is opened.
    """
    path = Path(path)
    limits = limits or current_limits()
    check_file(path, limits)
    actual = sniff_format(path, limits)
    expected = _EXTENSIONS.get(path.suffix.lower())
    if expected is None:
        raise InputError(
            f"{path}: unknown extension {path.suffix!r}; accepted: .geojson .json .gpkg .zip (Shapefile) .shp .csv .xlsx "
            ".osm.pbf .osm (OpenStreetMap)",
            source=str(path), code="unknown_extension", params={"extension": path.suffix, "accepted": " ".join(
                sorted(_EXTENSIONS))},
        )
    if expected != actual:
        raise InputError(
            f"{path}: the extension says {FORMAT_NAMES[expected]} but the content is {FORMAT_NAMES[actual]}",
            source=str(path), code="wrong_content", params={"expected": expected, "actual": actual},
        )
    return actual


def parse_crs(crs: str | int | None, *, what: str = "--crs") -> str | None:
    """Validate a declared CRS ('EPSG:32640', 32640, a PROJ string); return it as text."""
    if crs in (None, ""):
        return None
    text = to_ascii_digits(str(crs)).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise InputError(f"{what}: {crs!r} is not a coordinate reference system (try EPSG:4326 or EPSG:32640)",
                         code="bad_crs", params={"crs": str(crs)}) from None
    return text


def read_file(path: str | Path, *, crs: str | None = None, layer: str | None = None,
              sheet: str | None = None, coordinates: bool | str = True, limits: Limits | None = None) -> RawTable:
    """Read any accepted file into a :class:`RawTable` (coordinates in WGS84).

    Parameters
    ----------
    crs
        CRS of the coordinates in a CSV/XLSX (default WGS84 lon/lat), or of a
        geo file that carries none (a Shapefile without .prj). A geo file's
        own CRS always wins.
    layer, sheet
        Layer of a GeoPackage holding several; sheet of an XLSX workbook.
    coordinates
        For CSV/XLSX: find and parse coordinate columns (False for plain
        tables such as a census; ``"optional"`` for a table that may have
        none, such as an office register naming villages: every row is then
        missing its coordinates).
    limits
        Limits on the file (default: :func:`siting.io.limits.current_limits`), checked before
        the data is expanded in memory.
    """
    path = Path(path)
    limits = limits or current_limits()
    fmt = detect_format(path, limits)
    crs = parse_crs(crs)
    if fmt == "osm":
        from siting.io.osm import read_osm_places

        raw = read_osm_places(path, limits=limits)
        if len(raw) == 0:
            raise InputError(f"{path}: no settlements (place=city, town, village or hamlet) in the OpenStreetMap "
                             "extract", source=str(path), code="osm_no_settlements")
        if crs is not None and not pyproj.CRS.from_user_input(crs).equals(pyproj.CRS.from_epsg(4326)):
            raw.notes.append(Note("osm_crs_ignored", f"an OpenStreetMap extract is always WGS84; --crs {crs} ignored", crs=crs))
        return raw
    if fmt in ("csv", "xlsx"):
        frame = _read_csv(path, limits) if fmt == "csv" else _read_xlsx(path, sheet, limits)
        _refuse_nul(path, frame)
        frame = frame.dropna(how="all") if len(frame) else frame
        if frame.shape[1] == 0 or len(frame) == 0:
            raise InputError(f"{path}: no data rows (only a header, or nothing)", source=str(path), code="no_data_rows")
        rows = frame.index.to_numpy() + 1
        raw = RawTable(path, fmt, frame.reset_index(drop=True), rows=rows)
        if coordinates:
            _table_coordinates(raw, crs, optional=coordinates == "optional")
        return raw
    if fmt == "geojson":
        _refuse_json_nul(path, limits)
    raw = _read_geo(path, fmt, crs, layer, limits)
    _refuse_nul(path, raw.frame)
    return raw


def _refuse_nul(path: Path, frame: pd.DataFrame) -> None:
    """Refuse a NUL character in a column name or a text cell, naming the row and column."""
    for i, col in enumerate(frame.columns):
        if "\x00" in str(col):
            raise InputError(f"{path}: the name of column {i + 1} holds a NUL character; NUL characters are refused",
                             source=str(path), code="nul_character", params={"column": i + 1})
    for col in frame.columns:
        values = frame[col]
        if values.dtype != object:
            continue
        hit = values.map(lambda v: isinstance(v, str) and "\x00" in v).to_numpy(dtype=bool)
        if hit.any():
            row = int(np.flatnonzero(hit)[0])
            label = frame.index[row]
            shown = int(label) + 1 if isinstance(label, int | np.integer) else row + 1
            raise InputError(f"{path}: row {shown}, column {col!r}: a NUL character in the text; "
                             "NUL characters are refused", source=str(path), code="nul_character",
                             params={"row": int(shown), "column": str(col)})


def _csv_shape(path: Path, encoding: str, sep: str, limits: Limits) -> tuple[int, bool]:
    """Stream the CSV once: refuse too many rows, columns, cells or too long a cell, and a row with more
    fields than the header; return (header columns, whether some row has blank extra fields)."""
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, skipinitialspace=True)
        try:
            header = next(reader, [])
        except csv.Error as exc:
            raise InputError(f"{path}: not a well-formed CSV at line 1 ({exc})", source=str(path), code="csv_malformed",
                             params={"line": 1}) from None
        width = len(header)
        if width > limits.columns:
            raise InputError(f"{path}: the header has {width:,} columns; the limit is {limits.columns:,} "
                             "(SITING_LIMIT_COLUMNS)", source=str(path), code="too_many_columns",
                             params={"limit": limits.columns})
        rows = 0
        blank_extras = False
        try:
            for fields_ in reader:
                if not fields_:
                    continue
                rows += 1
                if rows > limits.rows:
                    raise InputError(f"{path}: more than {limits.rows:,} data rows (SITING_LIMIT_ROWS)", code="too_many_rows",
                                     params={"limit": limits.rows},
                                     source=str(path))
                if rows * width > limits.cells:
                    raise InputError(f"{path}: more than {limits.cells:,} cells ({rows:,} rows × {width:,} columns; "
                                     "SITING_LIMIT_CELLS)", source=str(path), code="too_many_cells",
                                     params={"limit": limits.cells})
                if len(fields_) > width:
                    extra = fields_[width:]
                    if any(f.strip() for f in extra):
                        raise InputError(
                            f"{path}: line {reader.line_num} (data row {rows}) has {len(fields_)} fields but the "
                            f"header has {width} columns; a quote or delimiter is probably missing",
                            source=str(path), code="csv_malformed", params={"line": reader.line_num})
                    blank_extras = True
                if len(fields_) > limits.columns:
                    raise InputError(f"{path}: line {reader.line_num} has {len(fields_):,} fields; the limit is "
                                     f"{limits.columns:,} (SITING_LIMIT_COLUMNS)", source=str(path))
                for j, f in enumerate(fields_):
                    if len(f) > limits.cell_chars:
                        raise InputError(f"{path}: line {reader.line_num} (data row {rows}), column {j + 1}: more "
                                         f"than {limits.cell_chars:,} characters (SITING_LIMIT_CELL_CHARS)",
                                         source=str(path))
        except csv.Error as exc:
            raise InputError(f"{path}: not a well-formed CSV at line {reader.line_num} ({exc})", code="csv_malformed",
                             params={"line": reader.line_num},
                             source=str(path)) from None
    return width, blank_extras


def _read_csv(path: Path, limits: Limits | None = None) -> pd.DataFrame:
    limits = limits or current_limits()
    decoded = read_text(path, limits.file_bytes)  # strict: refuses damaged UTF-8 and NUL characters
    lines = decoded.text.splitlines()[:20] if len(decoded.text) < 2**20 else decoded.text[:2**20].splitlines()[:20]
    sample = "\n".join(lines)
    encoding = decoded.encoding
    del decoded  # the text is streamed again below instead of held in memory
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    width, blank_extras = _csv_shape(path, encoding, sep, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)  # blank trailing fields, dropped on purpose
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                                encoding=encoding, index_col=False,
                                usecols=list(range(width)) if blank_extras and width else None,
                                engine="c" if len(sep) == 1 else "python")
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f" at line {m.group(1)}" if m else ""
        raise InputError(f"{path}: not a well-formed CSV{where} ({exc})".replace("\n", " "), source=str(path),
                         code="csv_malformed", params={"line": int(m.group(1)) if m else None}) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty", source=str(path), code="empty") from None
    frame.columns = [clean_text(c) or f"column {i + 1}" for i, c in enumerate(frame.columns)]
    frame = frame.astype(object)
    return frame.where(frame.notna() & (frame != ""), None)


def _read_xlsx(path: Path, sheet: str | None, limits: Limits | None = None) -> pd.DataFrame:
    limits = limits or current_limits()
    try:
        with zipfile.ZipFile(path) as zf:
            check_xlsx(path, zf, limits, sheet)
    except zipfile.BadZipFile:
        raise InputError(f"{path}: a damaged ZIP archive", source=str(path), code="damaged_zip") from None
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError(f"{path}: not a readable XLSX workbook ({exc.__class__.__name__})", source=str(path),
                         code="xlsx_unreadable") from None
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise InputError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(names)}", source=str(path))
        chosen = sheet
    else:
        chosen = names[0]
    try:
        frame = pd.read_excel(book, sheet_name=chosen, dtype=object)
    except Exception as exc:  # openpyxl raises many kinds for a broken sheet
        raise InputError(f"{path}: sheet {chosen!r} is not readable ({exc.__class__.__name__}: {exc})",
                         source=str(path)) from None
    frame.columns = [clean_text(c) or f"column {i + 1}" for i, c in enumerate(frame.columns)]
    return frame.astype(object).where(frame.notna(), None)


def find_column(columns, names) -> str | None:
    """First column whose normalised name is one of ``names`` (English or Persian)."""
    wanted = {match_key(n) for n in names}
    for col in columns:
        if match_key(col) in wanted:
            return col
    return None


_DMS = re.compile(
    r"^\s*(?P<deg>-?\d+(?:\.\d+)?)\s*[°d:\s]\s*(?:(?P<min>\d+(?:\.\d+)?)\s*['′m:\s]\s*)?"
    r"(?:(?P<sec>\d+(?:\.\d+)?)\s*(?:\"|″|′′|''|s)?\s*)?(?P<hem>[NSEWnsew])?\s*$"
)


class CoordinateRangeError(InputError):
    """A number too large to be a coordinate (``1e400`` overflows to infinity): out of range, not missing."""


def _overflows(value: object) -> bool:
    """Whether ``value`` is written as a number whose magnitude overflows a float (e.g. '1e400', '-۱e۹۹۹')."""
    if isinstance(value, float):
        return not np.isfinite(value) and value == value
    text = to_ascii_digits(clean_text(value) or "").replace("٫", ".").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text, re.ASCII):
        return False
    return not np.isfinite(float(text))


#: What separates the two numbers of a pasted pair: a comma (Latin or Persian), a semicolon or spaces.
_PAIR_SEPARATOR = re.compile(r"\s*[,،;؛]\s*|\s+")


class CoordinatePairError(InputError):
    """A pasted "lat lon" pair that cannot be read, with a ``code`` a screen can say in Persian:
    ``pair_count`` (not two numbers), ``pair_outside`` (neither order lies in the region) or
    ``pair_ambiguous`` (both orders do)."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def split_coordinate_pair(text: object) -> tuple[str, str] | None:
    """The two parts of a pasted pair ('32.8663 59.2211', '۳۲٫۸۶۶۳، ۵۹٫۲۲۱۱', '32.8663,59.2211'), or
    ``None`` when ``text`` holds one value only.

    A comma between two plain decimals separates them (a decimal comma is not accepted: write ٫ or .);
    thousands separators make no sense in degrees.

    >>> split_coordinate_pair("۳۲٫۸۶۶۳، ۵۹٫۲۲۱۱")
    ('32.8663', '59.2211')
    >>> split_coordinate_pair("32.8663") is None
    True
    """
    raw = clean_text(text)
    if raw is None:
        return None
    norm = to_ascii_digits(raw).replace("٫", ".").strip()
    parts = [p for p in _PAIR_SEPARATOR.split(norm) if p]
    if len(parts) < 2:
        return None
    if not all(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", p, re.ASCII) for p in parts):
        if _DMS.match(norm):
            return None  # one value in degrees, minutes and seconds ('32°52′13″N')
        if len(parts) == 2:
            return parts[0], parts[1]  # each part is read (and refused) as a coordinate of its own
    if len(parts) != 2:
        raise CoordinatePairError("pair_count", f"{raw!r}: expected two numbers (latitude and longitude), "
                                  f"found {len(parts)} parts", value=raw)
    return parts[0], parts[1]


def parse_coordinate_pair(text: object, inside: Callable[[float, float], bool]) -> tuple[float, float]:
    """(lon, lat) from a pair pasted into one field, in either order, decided by the region.

    ``inside(lon, lat)`` says whether a point lies in the region (e.g. ``lambda x, y:
    bool(ws.in_region(x, y)[0])``): the order that puts the point inside is the one meant. Persian and
    Arabic-Indic digits, the Persian decimal separator ٫, and a comma, Persian comma, semicolon or
    spaces between the two numbers are accepted.

    Raises :class:`CoordinatePairError` (an :class:`InputError`) when the text is not two numbers, when
    neither order lies inside the region, or when both do (the order cannot be told); and the errors of
    :func:`parse_coordinate` for a part that is not a number.

    >>> inside = lambda lon, lat: 58 < lon < 61 and 30 < lat < 35
    >>> parse_coordinate_pair("32.8663 59.2211", inside), parse_coordinate_pair("۵۹٫۲۲۱۱، ۳۲٫۸۶۶۳", inside)
    ((59.2211, 32.8663), (59.2211, 32.8663))
    """
    parts = split_coordinate_pair(text)
    if parts is None:
        raise CoordinatePairError("pair_count", f"{clean_text(text)!r}: expected two numbers (latitude and "
                                  "longitude)", value=clean_text(text) or "")
    a, b = (parse_coordinate(p) for p in parts)
    if a is None or b is None:  # pragma: no cover - split parts are never blank
        raise CoordinatePairError("pair_count", f"{text!r}: expected two numbers", value=str(text))
    fits = [(lon, lat) for lat, lon in ((a, b), (b, a))
            if -90 <= lat <= 90 and -180 <= lon <= 180 and inside(lon, lat)]
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise CoordinatePairError("pair_outside", f"{a}, {b}: neither order (latitude, longitude) lies inside the "
                                  "region", a=a, b=b)
    if fits[0] == fits[1]:
        return fits[0]
    raise CoordinatePairError("pair_ambiguous", f"{a}, {b}: both orders lie inside the region; enter latitude and "
                              "longitude in their own fields", a=a, b=b)


def parse_coordinate(value: object) -> float | None:
    """A coordinate in decimal degrees, from '32.87', '۳۲٫۸۷', '32°52′13″N' or 32.87.

    (Text is NFKC-normalised first, which turns the double prime ″ into two
    primes ′′; both spellings are accepted.)

    ``None`` for blanks; :class:`InputError` (a ``ValueError``) for text that is not a
    coordinate, including minutes or seconds of 60 or more.

    >>> parse_coordinate("59°30′36″E")
    59.51
    >>> parse_coordinate("59°99′99″E")
    Traceback (most recent call last):
    ...
    siting.errors.InputError: '59°99′99″E': minutes 99 are not below 60
    """
    from siting.text import parse_number

    try:
        value_f = parse_number(value)
    except ValueError:
        if _overflows(value):
            raise CoordinateRangeError(f"{value!r} is far out of range for a coordinate") from None
    else:
        if value_f is not None and not np.isfinite(value_f):
            raise CoordinateRangeError(f"{value!r} is not a finite number")
        return value_f
    text = to_ascii_digits(clean_text(value) or "")
    m = _DMS.match(text)
    if not m or (m.group("min") is None and m.group("sec") is None and m.group("hem") is None):
        raise InputError(f"{value!r} is not a number")
    if "." in m.group("deg") and (m.group("min") is not None or m.group("sec") is not None):
        raise InputError(f"{value!r} is not a number (decimal degrees cannot have minutes or seconds; "
                         "two numbers? give latitude and longitude apart, or as a pair)")
    for part in ("min", "sec"):
        if m.group(part) is not None and float(m.group(part)) >= 60:
            name = "minutes" if part == "min" else "seconds"
            raise InputError(f"{value!r}: {name} {m.group(part)} are not below 60")
    deg = float(m.group("deg"))
    val = abs(deg) + float(m.group("min") or 0) / 60 + float(m.group("sec") or 0) / 3600
    if deg < 0 or (m.group("hem") or "").upper() in ("S", "W"):
        val = -val
    return val


def _table_coordinates(raw: RawTable, crs: str | None, *, optional: bool = False) -> None:
    cols = list(raw.frame.columns)
    lat_col, lon_col = find_column(cols, LAT_NAMES), find_column(cols, LON_NAMES)
    n = len(raw.frame)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if lat_col and lon_col:
        raw.coord_columns = (lon_col, lat_col)
        for i, (xv, yv) in enumerate(zip(raw.frame[lon_col], raw.frame[lat_col], strict=True)):
            _parse_pair(raw, i, xv, yv, lon, lat, lon_col, lat_col)
    else:
        pair = find_column(cols, PAIR_NAMES)
        if not pair and optional:
            raw.notes.append(Note("no_coordinate_columns_placed",
                                  "no coordinate columns: every row is placed at the settlement it names, or rejected"))
            raw.source_crs = WGS84
            raw.lon, raw.lat = lon, lat
            return
        if not pair:
            found = ", ".join(map(str, cols))
            raise InputError(
                f"{raw.path}: no coordinate columns; expected latitude and longitude columns "
                f"(lat/lon, latitude/longitude, y/x, عرض جغرافیایی/طول جغرافیایی) or one 'coordinates' column; "
                f"found: {found}",
                source=str(raw.path), code="no_coordinate_columns", params={"found": found},
            )
        raw.coord_columns = (pair,)
        for i, v in enumerate(raw.frame[pair]):
            text = to_ascii_digits(clean_text(v) or "")
            parts = [p for p in re.split(r"[,;\s]+", text) if p]
            if not parts:
                raw.coord_errors[i] = Reason("pair_missing", f"missing coordinates in column {pair!r}", column=pair)
                continue
            if len(parts) != 2:
                raw.coord_errors[i] = Reason("pair_malformed", f"column {pair!r}: {v!r} is not 'latitude, longitude'",
                                             column=pair, value=clean_text(v))
                continue
            _parse_pair(raw, i, parts[1], parts[0], lon, lat, pair, pair)
    if crs is not None and not pyproj.CRS.from_user_input(crs).equals(pyproj.CRS.from_epsg(4326)):
        ok = ~np.isnan(lon) & ~np.isnan(lat)
        t = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
        x, y = t.transform(lon[ok], lat[ok])
        lon[ok], lat[ok] = x, y
        bad = ok & ~(np.isfinite(lon) & np.isfinite(lat))
        for k in np.flatnonzero(bad):
            raw.coord_errors[int(k)] = Reason("not_transformable", f"coordinates cannot be transformed from {crs}",
                                              source_crs=crs)
        raw.source_crs = crs
        raw.notes.append(Note("reprojected", f"coordinates reprojected from {crs} to WGS84", crs=crs))
    else:
        raw.source_crs = WGS84
        big = (np.abs(lon) > 180) | (np.abs(lat) > 180)
        if big.sum() > 0 and big.sum() >= 0.5 * (~np.isnan(lon)).sum():
            raise InputError(
                f"{raw.path}: coordinates look projected (values like {lon[big][0]:.0f}, {lat[big][0]:.0f}); "
                "declare their CRS with --crs, e.g. --crs EPSG:32640",
                source=str(raw.path), code="coordinates_projected",
                params={"x": round(float(lon[big][0])), "y": round(float(lat[big][0]))},
            )
    raw.lon, raw.lat = lon, lat


def is_blank(v: object) -> bool:
    """None, NaN or only whitespace."""
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _parse_pair(raw: RawTable, i: int, xv, yv, lon, lat, lon_col: str, lat_col: str) -> None:
    if is_blank(xv) and is_blank(yv):
        raw.coord_errors[i] = Reason("missing_coordinates", "missing coordinates")
        return
    try:
        x = parse_coordinate(xv)
    except ValueError as exc:
        raw.coord_errors[i] = Reason("bad_coordinate", f"{lon_col} {exc}", column=lon_col, value=clean_text(xv),
                                     detail=str(exc))
        return
    try:
        y = parse_coordinate(yv)
    except ValueError as exc:
        raw.coord_errors[i] = Reason("bad_coordinate", f"{lat_col} {exc}", column=lat_col, value=clean_text(yv),
                                     detail=str(exc))
        return
    if x is None or y is None:
        raw.coord_errors[i] = Reason("missing_coordinate", f"missing {lon_col if x is None else lat_col}",
                                     column=lon_col if x is None else lat_col)
        return
    lon[i], lat[i] = x, y


def _read_geo(path: Path, fmt: str, crs: str | None, layer: str | None, limits: Limits | None = None) -> RawTable:
    limits = limits or current_limits()
    target: str = str(path)
    read_layer = None
    if fmt == "shpzip":
        with zipfile.ZipFile(path) as zf:
            check_zip(path, zf, limits)
            check_zip_contents(path, zf, limits, [i.filename for i in zf.infolist() if not i.is_dir()])
            shps = [n for n in zf.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
            names = set(zf.namelist())
        if len(shps) > 1 and layer is None:
            raise InputError(f"{path}: the archive holds several Shapefiles ({', '.join(shps)}); choose one with --layer-name",
                             source=str(path), code="gpkg_several_layers", params={"layers": ", ".join(shps)})
        shp = shps[0] if layer is None else next((s for s in shps if Path(s).stem == layer), None)
        if shp is None:
            raise InputError(f"{path}: no Shapefile named {layer!r} in the archive", source=str(path))
        stem = shp[:-4]
        missing = [ext for ext in (".dbf", ".shx") if not ({stem + ext, stem + ext.upper()} & names)]
        if missing:
            raise InputError(f"{path}: the Shapefile {shp} lacks its {', '.join(missing)} part(s)", source=str(path),
                             code="shapefile_parts_missing", params={"parts": " ".join(missing)})
        target = f"/vsizip/{path}/{shp}"
    elif fmt == "shp":
        missing = [ext for ext in (".dbf", ".shx") if not path.with_suffix(ext).exists()]
        if missing:
            raise InputError(f"{path}: the Shapefile lacks its {', '.join(missing)} file(s) beside it; zip them together",
                             source=str(path), code="shapefile_parts_missing", params={"parts": " ".join(missing)})
        for ext in (".dbf", ".shx", ".prj", ".cpg"):
            if path.with_suffix(ext).exists():
                check_file(path.with_suffix(ext), limits)
    elif fmt == "gpkg":
        try:
            layers = [str(r[0]) for r in pyogrio.list_layers(path)]
        except Exception as exc:
            raise InputError(f"{path}: not a readable GeoPackage ({exc})", source=str(path), code="not_readable",
                             params={"format": "gpkg"}) from None
        if not layers:
            raise InputError(f"{path}: the GeoPackage has no layers", source=str(path), code="gpkg_no_layers")
        if layer is not None:
            if layer not in layers:
                raise InputError(f"{path}: no layer {layer!r}; layers: {', '.join(layers)}", source=str(path))
            read_layer = layer
        elif len(layers) == 1:
            read_layer = layers[0]
        else:
            raise InputError(f"{path}: the GeoPackage has several layers ({', '.join(layers)}); choose one with --layer-name",
                             source=str(path), code="gpkg_several_layers", params={"layers": ", ".join(layers)})
    try:
        info = pyogrio.read_info(target, layer=read_layer)
    except Exception as exc:  # pyogrio's DataSourceError, GDAL errors
        msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputError(f"{path}: not a readable {FORMAT_NAMES[fmt]} ({msg})", source=str(path), code="not_readable",
                         params={"format": fmt}) from None
    n_features, n_fields = int(info.get("features") or 0), len(info.get("fields", ())) + 1
    if n_features > limits.rows:
        raise InputError(f"{path}: {n_features:,} features; the limit is {limits.rows:,} (SITING_LIMIT_ROWS)",
                         code="too_many_rows", params={"limit": limits.rows},
                         source=str(path))
    if n_fields > limits.columns:
        raise InputError(f"{path}: {n_fields:,} fields; the limit is {limits.columns:,} (SITING_LIMIT_COLUMNS)",
                         source=str(path), code="too_many_columns", params={"limit": limits.columns})
    if n_features * n_fields > limits.cells:
        raise InputError(f"{path}: {n_features:,} features × {n_fields:,} fields = {n_features * n_fields:,} cells; "
                         f"the limit is {limits.cells:,} (SITING_LIMIT_CELLS)", source=str(path),
                         code="too_many_cells", params={"limit": limits.cells})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not parse column as JSON": we parse cells ourselves
            gdf = pyogrio.read_dataframe(target, layer=read_layer)
    except Exception as exc:  # pyogrio's DataSourceError, GDAL errors
        msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputError(f"{path}: not a readable {FORMAT_NAMES[fmt]} ({msg})", source=str(path), code="not_readable",
                         params={"format": fmt}) from None
    if len(gdf) == 0:
        raise InputError(f"{path}: no features", source=str(path), code="no_features")
    notes: list[str] = []
    if gdf.crs is None:
        if crs is None and fmt in ("shp", "shpzip"):
            raise InputError(f"{path}: the Shapefile has no .prj (no CRS); declare it with --crs, e.g. --crs EPSG:4326",
                             source=str(path), code="shapefile_no_prj")
        gdf = gdf.set_crs(crs or WGS84)
    elif crs is not None and not gdf.crs.equals(pyproj.CRS.from_user_input(crs)):
        notes.append(Note("declared_crs_kept", f"the file declares {gdf.crs.to_string()}; --crs {crs} ignored",
                              declared=gdf.crs.to_string(), crs=crs))
    source_crs = gdf.crs.to_string()
    if not gdf.crs.equals(pyproj.CRS.from_epsg(4326)):
        gdf = gdf.to_crs(WGS84)
        notes.append(Note("reprojected", f"reprojected from {source_crs} to WGS84", crs=source_crs))
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame.columns = [clean_text(c) or f"column {i + 1}" for i, c in enumerate(frame.columns)]
    frame = frame.astype(object).where(frame.notna(), None)
    return RawTable(path, fmt, frame.reset_index(drop=True), geometry=gdf.geometry.reset_index(drop=True),
                    source_crs=source_crs, notes=notes)
