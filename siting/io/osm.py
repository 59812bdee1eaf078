"""Reading OpenStreetMap extracts (``.osm.pbf`` and ``.osm`` XML): places, boundaries and lines.

Three readers turn an extract into a :class:`~siting.io.readers.RawTable`, the form every other
reader gives, so :mod:`siting.io.importer` imports it with its row-by-row report:

* :func:`read_osm_places`: settlements (``place=city|town|village|hamlet``) as points, with
  Persian and English names, kind, population and official code;
* :func:`read_osm_boundaries`: administrative boundaries (``boundary=administrative`` at chosen
  ``admin_level`` values) as multipolygons;
* :func:`read_osm_lines`: ways carrying one key (``highway`` by default) as line strings, with
  the tags a travel-time model needs.

Why pyosmium (``import osmium``)
--------------------------------
pyosmium binds libosmium, the C++ library of the people who maintain OpenStreetMap's core
tooling (Jochen Topf and Sarah Hoffmann: libosmium, osmium-tool, osm2pgsql, Nominatim). It reads
both ``.osm.pbf`` and ``.osm`` XML, streams the file (filters run in C++, so only the tagged
objects asked for reach Python), and assembles multipolygon areas from closed ways and relations
with libosmium's area assembler. pyrosm was the alternative: its 0.25 release (checked 2026-12)
installs here with current dependencies, so it is not abandoned, but it reads PBF only, is built
to load a whole extract into memory as arrays and brings protobuf and rapidjson along.

Untrusted input
---------------
A ``.osm.pbf`` compresses extremely well: one million regular nodes fit in 40 kB, so the 50 MiB
limit on input files (:attr:`~siting.io.limits.Limits.file_bytes`) bounds nothing by itself.
Before osmium builds its node-location index, :func:`check_osm_file` walks the file's block
structure in Python, decompresses each block within a bounded buffer (at most 32 MiB per block,
the format's own ceiling, and :attr:`~siting.io.limits.Limits.unzipped_bytes` in all) and counts
nodes, ways and relations, refusing a file over :data:`MAX_NODES`, :data:`MAX_WAYS` or
:data:`MAX_RELATIONS`. An XML file is streamed through expat once with the same counts, and a
DTD (``<!DOCTYPE``, ``<!ENTITY``) is refused. History files, lz4/zstd blocks and a NUL character
in a block's string table are refused too; a tag value that is not UTF-8 is left empty with a
note. A truncated or damaged file is an
:class:`~siting.errors.InputError` naming the file and the byte or line, never a traceback.

Places: which ``place`` values are settlements
----------------------------------------------
``city`` and ``town`` become kind ``city``; ``village`` and ``hamlet`` become ``village`` (as
:func:`siting.vocab.parse_settlement_kind` already reads "hamlet"). ``isolated_dwelling``, ``farm``, ``locality`` (a named
spot, often uninhabited), ``neighbourhood``, ``suburb``, ``quarter`` and the rest are not
settlements and are skipped; the note says how many of each.
"""

from __future__ import annotations

import lzma
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import geopandas as gpd
import numpy as np
import osmium
import osmium.filter
import osmium.geom
import osmium.io
import pandas as pd
import shapely
import shapely.wkb

from siting.errors import InputError
from siting.io.limits import Limits, check_file, current_limits
from siting.io.readers import RawTable
from siting.io.reasons import Note, Reason
from siting.text import clean_text, match_key, parse_number

#: Nodes an extract may hold: osmium keeps every node's location in memory to build ways and areas
#: (a synthetic 3-million-node extract peaked 75 MiB above the interpreter, ``benchmarks/bench_osm.py``).
#: A whole-country extract is refused; cut it to the province first.
MAX_NODES = 5_000_000
#: Ways an extract may hold.
MAX_WAYS = 1_000_000
#: Relations an extract may hold.
MAX_RELATIONS = 200_000
#: The PBF format's own ceilings: a block header of at most 64 KiB, a block of at most 32 MiB.
MAX_BLOB_HEADER = 64 * 1024
MAX_BLOB = 32 * 2**20

#: ``place`` value → settlement kind (the values :func:`siting.vocab.parse_settlement_kind` accepts).
PLACE_KINDS: dict[str, str] = {"city": "city", "town": "city", "village": "village", "hamlet": "village"}

_WGS84 = "EPSG:4326"
_OSMIUM_FORMAT = {"osm.pbf": "pbf", "osm": "osm"}
_XML_START = re.compile(
    rb"^(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE\s+osm\b[^\[>]*(?:\[.*?\])?\s*>\s*)?"
    rb"(?:<!--.*?-->\s*)*<osm[\s>/]", re.DOTALL)


# -- recognising and checking the file ------------------------------------------------------


def is_osm_file(path: str | Path) -> str | None:
    """``"osm.pbf"`` or ``"osm"`` (XML) when the file's first bytes are an OpenStreetMap extract.

    A PBF starts with a 4-byte big-endian length and a block header of type ``OSMHeader``; an XML
    extract with ``<?xml ...?>`` (optional) and the root element ``<osm``. The name is not looked at.

    Parameters
    ----------
    path
        The file to look at (only its first 64 KiB are read).

    Returns
    -------
    str or None
        The format, or ``None`` for anything else (also for a file that cannot be read).
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(MAX_BLOB_HEADER + 4)
    except OSError:
        return None
    if len(head) > 4:
        n = int.from_bytes(head[:4], "big")
        if 0 < n <= MAX_BLOB_HEADER and len(head) >= 4 + n:
            try:
                kind, _ = _blob_header(head[4 : 4 + n])
            except _Damaged:
                kind = ""
            if kind == "OSMHeader":
                return "osm.pbf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _XML_START.match(text):
        return "osm"
    return None


@dataclass(frozen=True)
class OsmCounts:
    """What :func:`check_osm_file` found: the format, elements and decompressed bytes (PBF)."""

    format: str
    nodes: int
    ways: int
    relations: int
    decompressed_bytes: int = 0


class _Damaged(Exception):
    """A PBF structure that does not parse."""


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise _Damaged("a number runs past its message")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, a, b) of each protobuf field: the value in ``a`` for a varint,
    the payload ``buf[a:b]`` for a length-delimited field."""
    end = len(buf) if end is None else end
    i = start
    while i < end:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            yield number, wire, value, i
        elif wire == 2:
            length, i = _varint(buf, i)
            if i + length > end:
                raise _Damaged("a field runs past its message")
            yield number, wire, i, i + length
            i += length
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
            if i > end:
                raise _Damaged("a field runs past its message")
        else:
            raise _Damaged(f"wire type {wire} is not protobuf")


def _blob_header(buf: bytes) -> tuple[str, int]:
    kind, size = "", -1
    for number, wire, a, b in _fields(buf):
        if number == 1 and wire == 2:
            kind = buf[a:b].decode("ascii", "replace")
        elif number == 3 and wire == 0:
            size = a
    if not kind or size < 0:
        raise _Damaged("a block header without its type or size")
    return kind, size


_HIGH_BYTES = bytes(range(128))


def _count_varints(payload: bytes) -> int:
    """Numbers in a packed varint field: the bytes whose high bit is clear."""
    return len(payload) - len(payload.translate(None, _HIGH_BYTES))


def _inflate(path: Path, where: str, blob: bytes) -> bytes:
    raw_size = -1
    data: bytes | None = None
    for number, wire, a, b in _fields(blob):
        if number == 2 and wire == 0:
            raw_size = a
        elif wire == 2 and number == 1:
            data = blob[a:b]
        elif wire == 2 and number in (3, 4):
            try:
                if number == 3:
                    d = zlib.decompressobj()
                    data = d.decompress(blob[a:b], MAX_BLOB + 1)
                else:
                    data = lzma.LZMADecompressor().decompress(blob[a:b], MAX_BLOB + 1)
            except (zlib.error, lzma.LZMAError) as exc:
                raise InputError(f"{path}: {where}: damaged compressed data ({exc})", source=str(path), code="osm_unreadable") from None
        elif wire == 2 and number in (5, 6, 7):
            method = {5: "bzip2", 6: "lz4", 7: "zstd"}[number]
            raise InputError(f"{path}: {where} is compressed with {method}, which is not read; convert the file "
                             "with `osmium cat -o out.osm.pbf` (zlib)", source=str(path), code="osm_unreadable")
    if data is None:
        raise InputError(f"{path}: {where} holds no data", source=str(path), code="osm_unreadable")
    if len(data) > MAX_BLOB:
        raise InputError(f"{path}: {where} decompresses to more than 32 MiB, the PBF format's limit",
                         source=str(path), code="osm_unreadable")
    if raw_size >= 0 and len(data) != raw_size:
        raise InputError(f"{path}: {where} decompresses to {len(data):,} bytes but declares {raw_size:,} "
                         "(damaged)", source=str(path), code="osm_unreadable")
    return data


def _count_block(block: bytes) -> tuple[int, int, int]:
    """Nodes, ways and relations of a PrimitiveBlock; a NUL character in its string table is refused
    (libosmium keeps strings NUL-terminated, so one inside a string would shift every later tag)."""
    nodes = ways = relations = 0
    for number, wire, a, b in _fields(block):
        if number == 1 and wire == 2:
            for k, (_, swire, sa, sb) in enumerate(_fields(block, a, b)):
                if swire == 2 and block.find(b"\x00", sa, sb) >= 0:
                    raise _Damaged(f"string {k} of its string table holds a NUL character; NUL characters are "
                                   "refused in text")
        if number != 2 or wire != 2:
            continue
        for g, gwire, ga, gb in _fields(block, a, b):
            if gwire != 2:
                continue
            if g == 1:
                nodes += 1
            elif g == 2:
                for d, dwire, da, db in _fields(block, ga, gb):
                    if d == 1:
                        nodes += _count_varints(block[da:db]) if dwire == 2 else 1
            elif g == 3:
                ways += 1
            elif g == 4:
                relations += 1
    return nodes, ways, relations


def _check_counts(path: Path, nodes: int, ways: int, relations: int, where: str) -> None:
    for what, n, most in (("nodes", nodes, MAX_NODES), ("ways", ways, MAX_WAYS),
                          ("relations", relations, MAX_RELATIONS)):
        if n > most:
            raise InputError(f"{path}: more than {most:,} {what} ({where}); the limit on an OpenStreetMap extract "
                             f"is {most:,} {what} (siting.io.osm.MAX_{what.upper()}): cut the extract to the "
                             "province first, e.g. `osmium extract -p province.geojson`", source=str(path), code="osm_unreadable")


def _check_header(path: Path, where: str, data: bytes) -> None:
    """Refuse a history file: several versions of each object, where an extract holds the current one."""
    try:
        required = [data[a:b] for number, wire, a, b in _fields(data) if number == 4 and wire == 2]
    except _Damaged as exc:
        raise InputError(f"{path}: {where}: damaged file header ({exc})", source=str(path), code="osm_unreadable") from None
    if b"HistoricalInformation" in required:
        raise InputError(f"{path}: an OpenStreetMap history file (every version of each object); import a current "
                         "extract instead", source=str(path), code="osm_unreadable")


def _scan_pbf(path: Path, limits: Limits) -> OsmCounts:
    nodes = ways = relations = 0
    inflated = 0
    blocks = 0
    pos = 0
    with open(path, "rb") as fh:
        while True:
            head = fh.read(4)
            if not head:
                break
            where = f"block {blocks + 1} (byte {pos:,})"
            if len(head) < 4:
                raise InputError(f"{path}: the file ends inside {where}: truncated", source=str(path), code="osm_unreadable")
            n = int.from_bytes(head, "big")
            if not 0 < n <= MAX_BLOB_HEADER:
                raise InputError(f"{path}: {where}: a block header of {n:,} bytes; the file is damaged or not "
                                 "an OpenStreetMap PBF", source=str(path), code="osm_unreadable")
            header = fh.read(n)
            if len(header) < n:
                raise InputError(f"{path}: the file ends inside {where}: truncated", source=str(path), code="osm_unreadable")
            try:
                kind, size = _blob_header(header)
            except _Damaged as exc:
                raise InputError(f"{path}: {where}: damaged block header ({exc})", source=str(path), code="osm_unreadable") from None
            if size > MAX_BLOB:
                raise InputError(f"{path}: {where} announces {size:,} bytes; the PBF format's limit is 32 MiB "
                                 "(damaged file)", source=str(path), code="osm_unreadable")
            if blocks == 0 and kind != "OSMHeader":
                raise InputError(f"{path}: the first block is {kind!r}, not 'OSMHeader'", source=str(path), code="osm_unreadable")
            blob = fh.read(size)
            if len(blob) < size:
                raise InputError(f"{path}: the file ends inside {where}: truncated", source=str(path), code="osm_unreadable")
            if kind == "OSMHeader":
                try:
                    header_data = _inflate(path, where, blob)
                except _Damaged as exc:
                    raise InputError(f"{path}: {where}: damaged file header ({exc})", source=str(path), code="osm_unreadable") from None
                _check_header(path, where, header_data)
            elif kind == "OSMData":
                try:
                    data = _inflate(path, where, blob)
                    inflated += len(data)
                    if inflated > limits.unzipped_bytes:
                        raise InputError(
                            f"{path}: decompresses to more than {limits.unzipped_bytes / 2**20:,.1f} MiB (at {where}); "
                            "the limit is SITING_LIMIT_UNZIPPED_MB", source=str(path), code="osm_unreadable")
                    n_nodes, n_ways, n_rels = _count_block(data)
                except _Damaged as exc:
                    raise InputError(f"{path}: {where}: damaged data ({exc})", source=str(path), code="osm_unreadable") from None
                nodes, ways, relations = nodes + n_nodes, ways + n_ways, relations + n_rels
                _check_counts(path, nodes, ways, relations, f"counted up to {where}")
            blocks += 1
            pos += 4 + n + size
    if blocks == 0:
        raise InputError(f"{path}: the file is empty", source=str(path), code="empty")
    return OsmCounts("osm.pbf", nodes, ways, relations, inflated)


class _XmlScan:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.counts = Counter[str]()
        self.depth = 0
        self.root: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.depth == 0:
            self.root = name
            if name != "osm":
                raise _Damaged(f"the root element is <{name}>, not <osm> (an OSM change or other file)")
        self.depth += 1
        if self.depth == 2 and name in ("node", "way", "relation"):
            self.counts[name] += 1
            if self.counts[name] % 10_000 == 0:
                _check_counts(self.path, self.counts["node"], self.counts["way"], self.counts["relation"],
                              "counted so far")

    def end(self, name: str) -> None:
        self.depth -= 1


def _no_dtd(*_args: object) -> None:
    raise _Damaged("declares a DTD (<!DOCTYPE> or <!ENTITY>); documents with a DTD are refused "
                   "(entity expansion can exhaust memory)")


def _scan_xml(path: Path) -> OsmCounts:
    scan = _XmlScan(path)
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(2**20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Damaged as exc:
        raise InputError(f"{path}: line {parser.CurrentLineNumber}: {exc}", source=str(path), code="osm_unreadable",
                         params={"line": parser.CurrentLineNumber}) from None
    except expat.ExpatError as exc:
        raise InputError(f"{path}: not well-formed XML (line {exc.lineno}, column {exc.offset}: "
                         f"{expat.ErrorString(exc.code)})", source=str(path), code="xml_malformed",
                         params={"line": exc.lineno}) from None
    except LookupError as exc:  # <?xml encoding="..."?> names an encoding Python does not know
        raise InputError(f"{path}: the XML declaration names an unknown text encoding ({exc})",
                         source=str(path)) from None
    c = scan.counts
    _check_counts(path, c["node"], c["way"], c["relation"], "in all")
    return OsmCounts("osm", c["node"], c["way"], c["relation"])


def check_osm_file(path: str | Path, limits: Limits | None = None) -> OsmCounts:
    """Check an extract before it is read: a regular file within the size limit, an OSM file by
    content, well-formed, and within :data:`MAX_NODES`, :data:`MAX_WAYS` and :data:`MAX_RELATIONS`.

    Parameters
    ----------
    path
        The ``.osm.pbf`` or ``.osm`` file.
    limits
        Limits on input files (default :func:`~siting.io.limits.current_limits`).

    Returns
    -------
    OsmCounts
        The format and how many nodes, ways and relations the file holds.

    Raises
    ------
    InputError
        Naming the file and what is wrong (not an OSM file, truncated, damaged, too large).
    """
    path = Path(path)
    limits = limits or current_limits()
    check_file(path, limits)
    fmt = is_osm_file(path)
    if fmt is None:
        raise InputError(f"{path}: not an OpenStreetMap extract (expected a .osm.pbf, whose first block is "
                         "'OSMHeader', or .osm XML with an <osm> root)", source=str(path),
                         code="osm_not_an_extract")
    return _scan_pbf(path, limits) if fmt == "osm.pbf" else _scan_xml(path)


# -- reading ---------------------------------------------------------------------------------


def _script(text: str | None) -> str | None:
    """``"fa"`` when most letters are Arabic script, ``"en"`` when most are Latin, else ``None``.

    >>> _script("بیرجند"), _script("Birjand"), _script("Бирдженд"), _script("123")
    ('fa', 'en', None, None)
    """
    if not text:
        return None
    arabic = latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
            arabic += 1
        elif unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
    if arabic and arabic >= latin:
        return "fa"
    if latin > arabic:
        return "en"
    return None


@dataclass
class _Collect:
    """Rows being gathered: the element keys in reading order and what each row holds."""

    path: Path
    limits: Limits
    notes: list[str] = field(default_factory=list)
    keys: list[tuple[str, int]] = field(default_factory=list)
    rows: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    areas: dict[tuple[str, int], Any] = field(default_factory=dict)
    area_errors: dict[tuple[str, int], str] = field(default_factory=dict)
    long_values: int = 0
    nul_values: int = 0
    not_utf8: int = 0
    duplicates: int = 0

    def get(self, tags: Any, key: str) -> str | None:
        """The tag's value; ``None`` (counted for a note) when its bytes are not UTF-8."""
        try:
            value = tags.get(key)
        except UnicodeDecodeError:
            self.not_utf8 += 1
            return None
        return None if value is None else str(value)

    def tag(self, tags: Any, key: str) -> str | None:
        value = self.get(tags, key)
        if value is None:
            return None
        if len(value) > self.limits.cell_chars:
            self.long_values += 1
            return None
        if "\x00" in value:
            self.nul_values += 1
            return None
        return str(value)

    def add(self, key: tuple[str, int], row: dict[str, Any]) -> bool:
        """Add a row; ``False`` (counted for a note) for an object already read: the first one is kept."""
        if key in self.rows:
            self.duplicates += 1
            return False
        if len(self.keys) >= self.limits.rows:
            raise InputError(f"{self.path}: more than {self.limits.rows:,} rows (SITING_LIMIT_ROWS)",
                             source=str(self.path), code="too_many_rows", params={"limit": self.limits.rows})
        self.keys.append(key)
        self.rows[key] = row
        return True

    def finish_notes(self) -> None:
        if self.long_values:
            self.notes.append(Note("osm_long_values", f"{self.long_values} tag value(s) longer than "
                                   f"{self.limits.cell_chars:,} characters left empty (SITING_LIMIT_CELL_CHARS)",
                                   count=self.long_values, limit=self.limits.cell_chars))
        if self.duplicates:
            self.notes.append(Note("osm_duplicates", f"{self.duplicates} object(s) appear more than once in the "
                                   "file; the first of each is kept", count=self.duplicates))
        if self.not_utf8:
            self.notes.append(Note("osm_not_utf8", f"{self.not_utf8} tag value(s) that are not UTF-8 text left empty",
                                   count=self.not_utf8))
        if self.nul_values:
            self.notes.append(Note("osm_nul_values", f"{self.nul_values} tag value(s) holding a NUL character left "
                                   "empty (NUL characters are refused in text)", count=self.nul_values))


def _names(c: _Collect, tags: Any) -> dict[str, str | None]:
    name = c.tag(tags, "name")
    name_fa = c.tag(tags, "name:fa")
    name_en = c.tag(tags, "name:en")
    script = _script(clean_text(name))
    return {"name_fa": name_fa or (name if script == "fa" else None),
            "name_en": name_en or (name if script == "en" else None),
            "name": name}


def _iterate(path: Path, fp: osmium.FileProcessor) -> Iterator[Any]:
    """osmium's objects, with its errors (damaged data, XML errors) as :class:`InputError`."""
    try:
        yield from fp
    except InputError:
        raise
    except (RuntimeError, ValueError, OverflowError, OSError, osmium.InvalidLocationError) as exc:
        # libosmium: RuntimeError for damaged PBF/XML, ValueError for an id that is not a number
        msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputError(f"{path}: not a readable OpenStreetMap extract ({msg})", source=str(path),
                         code="osm_unreadable") from None


def _processor(path: Path, fmt: str) -> osmium.FileProcessor:
    return osmium.FileProcessor(osmium.io.File(str(path), _OSMIUM_FORMAT[fmt]))


def _wkb(factory: osmium.geom.WKBFactory, make: Any, obj: Any) -> Any:
    return shapely.wkb.loads(bytes.fromhex(make(obj)))


def _way_nodes(way: Any) -> tuple[list[tuple[float, float]], list[int]]:
    """Known (lon, lat) of a way's nodes and the ids of the nodes missing from the file."""
    known, missing = [], []
    for n in way.nodes:
        if n.location.valid():
            known.append((n.location.lon, n.location.lat))
        else:
            missing.append(n.ref)
    return known, missing


def _missing_text(missing: list[int], total: int) -> str:
    shown = ", ".join(str(m) for m in missing[:5]) + (", …" if len(missing) > 5 else "")
    return f"{len(missing)} of its {total} nodes are not in the file (node {shown})"


def _clip_shape(clip: Any) -> Any:
    if clip is None:
        return None
    if not isinstance(clip, shapely.Polygon | shapely.MultiPolygon) or clip.is_empty:
        raise InputError(f"clip: expected a non-empty shapely Polygon or MultiPolygon in lon/lat, got "
                         f"{type(clip).__name__}", source="clip")
    minx, miny, maxx, maxy = clip.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError(f"clip: bounds {clip.bounds} are not longitude/latitude (WGS84)", source="clip")
    if not clip.is_valid:
        clip = shapely.make_valid(clip)
    shapely.prepare(clip)
    return clip


def _area_key(area: Any) -> tuple[str, int]:
    return ("w" if area.from_way() else "r", area.orig_id())


def _collect_area(c: _Collect, factory: osmium.geom.WKBFactory, area: Any) -> None:
    key = _area_key(area)
    try:
        geom = _wkb(factory, factory.create_multipolygon, area)
    except (RuntimeError, ValueError) as exc:
        c.area_errors[key] = f"its rings do not form a polygon ({exc})"
        return
    if geom.is_empty:
        c.area_errors[key] = "its rings do not form a polygon"
        return
    c.areas[key] = geom


def _no_area_reason(kind: str, row: dict[str, Any], c: _Collect, key: tuple[str, int]) -> str:
    if key in c.area_errors:
        return c.area_errors[key]
    if kind == "w":
        if row.get("missing"):
            return _missing_text(row["missing"], row["total"])
        if not row.get("closed"):
            return "an open way, not a closed area"
        return "its ring does not form a polygon (it crosses itself or has too few nodes)"
    rtype = row.get("type")
    if rtype not in ("multipolygon", "boundary"):
        return f"a relation of type {rtype!r}, which is not an area (multipolygon or boundary)"
    return ("its multipolygon could not be assembled: member ways are missing from the extract or its rings "
            "are not closed")


def _repaired_ring(row: dict[str, Any]) -> Any:
    """A point inside a closed way's ring that the area assembler refused (it crosses itself), or None."""
    if row.get("missing") or not row.get("closed") or len(row.get("known", ())) < 4:
        return None
    fixed = shapely.make_valid(shapely.Polygon(row["known"]))
    parts = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts).representative_point()


def _osm_id(key: tuple[str, int]) -> str:
    return f"{key[0]}{key[1]}"


def _row_note(i: int, osm_id: str, reason: Reason) -> Note:
    """A row's reason repeated among the notes, with the reason's own code and params."""
    return Note("osm_row_reason", f"row {i + 1} ({osm_id}): {reason}", row=i + 1, id=osm_id,
                reason=getattr(reason, "code", None), reason_params=dict(getattr(reason, "params", {})))


def read_osm_places(path: str | Path, *, clip: Any = None, limits: Limits | None = None) -> RawTable:
    """Settlements of an OpenStreetMap extract: ``place=city|town|village|hamlet`` as points.

    Nodes give their location; closed ways and multipolygon relations give a point inside their
    area (:meth:`shapely.Geometry.representative_point`). Elements tagged ``isolated_dwelling``,
    ``locality``, ``neighbourhood``, ``suburb`` or another non-settlement value are skipped and
    counted in a note. An area whose place node of the same name lies inside it (the node and the
    area of one town) is dropped in favour of the node, also with a note.

    Parameters
    ----------
    path
        A ``.osm.pbf`` or ``.osm`` (XML) file; the format is taken from the content.
    clip
        A shapely Polygon or MultiPolygon in lon/lat: places outside it are dropped and counted in
        a note. An element with no location of its own stays (as a row with a coordinate error)
        unless every node of it that is known lies outside.
    limits
        Limits on input files (default :func:`~siting.io.limits.current_limits`).

    Returns
    -------
    RawTable
        Format ``"osm"``; columns ``osm_id`` (``n123``/``w45``/``r6``), ``name_fa`` (``name:fa``,
        else ``name`` when it is in Persian script), ``name_en`` (``name:en``, else a Latin
        ``name``), ``name`` (as tagged), ``kind`` (``city``/``village``), ``place`` (as tagged),
        ``population`` (a number, or empty when the tag is not one: a note names the row),
        ``code`` (``ref:sci``, ``ref:ir:sci`` or ``ref``). Coordinates are in ``lon``/``lat``; an
        element without a usable location has NaN there and the reason in ``coord_errors``.
        ``rows`` numbers the settlements in reading order (nodes, then ways, then relations, as
        the file stores them), before clipping.

    Raises
    ------
    InputError
        The file is not an OSM extract, is damaged or truncated, or exceeds a limit.
    """
    path = Path(path)
    limits = limits or current_limits()
    counts = check_osm_file(path, limits)
    shape = _clip_shape(clip)
    c = _Collect(path, limits)
    skipped: Counter[str] = Counter()
    factory = osmium.geom.WKBFactory()
    fp = (_processor(path, counts.format).with_areas(osmium.filter.KeyFilter("place"))
          .with_filter(osmium.filter.KeyFilter("place")))
    for obj in _iterate(path, fp):
        if obj.is_area():
            _collect_area(c, factory, obj)
            continue
        place = c.get(obj.tags, "place")
        kind = PLACE_KINDS.get((place or "").strip().lower())
        if kind is None:
            skipped[(place or "")[:40]] += 1
            continue
        key = (obj.type_str(), obj.id)
        pop_raw = c.tag(obj.tags, "population")
        code = c.tag(obj.tags, "ref:sci") or c.tag(obj.tags, "ref:ir:sci") or c.tag(obj.tags, "ref")
        row: dict[str, Any] = {**_names(c, obj.tags), "kind": kind, "place": place, "population_raw": pop_raw,
                               "code": code}
        if obj.is_node():
            loc = obj.location
            row["point"] = (loc.lon, loc.lat) if loc.valid() else None
        elif obj.is_way():
            known, missing = _way_nodes(obj)
            row.update(known=known, missing=missing, total=len(obj.nodes), closed=obj.is_closed())
        else:
            row["type"] = c.get(obj.tags, "type")
            try:
                row["members"] = [(m.type, m.ref) for m in obj.members if m.role in ("label", "admin_centre")]
            except UnicodeDecodeError:
                row["members"] = []
                c.not_utf8 += 1
        c.add(key, row)
    c.finish_notes()
    return _places_table(c, shape, skipped)


def _places_table(c: _Collect, shape: Any, skipped: Counter[str]) -> RawTable:
    n = len(c.keys)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    errors: dict[int, Reason] = {}
    outside = np.zeros(n, dtype=bool)
    node_names: dict[str, list[tuple[float, float]]] = {}
    for key in c.keys:
        row = c.rows[key]
        if key[0] == "n" and row.get("point"):
            node_names.setdefault(match_key(row["name"] or row["name_fa"] or row["name_en"]), []).append(row["point"])
    place_nodes = {_osm_id(k) for k in c.keys if k[0] == "n"}
    dropped_dupes: list[str] = []
    keep = np.ones(n, dtype=bool)
    for i, key in enumerate(c.keys):
        row = c.rows[key]
        kind = key[0]
        if kind == "n":
            if row["point"] is None:
                errors[i] = Reason("osm_node_no_location", f"node {key[1]} has no valid location", id=key[1])
            else:
                lon[i], lat[i] = row["point"]
            continue
        area = c.areas.get(key)
        if area is not None:
            labels = {f"{t}{r}" for t, r in row.get("members", [])} & place_nodes
            same = node_names.get(match_key(row["name"] or row["name_fa"] or row["name_en"]), [])
            if labels or (same and shapely.intersects_xy(area, *np.array(same).T).any()):
                keep[i] = False
                dropped_dupes.append(_osm_id(key))
                continue
            p = area.representative_point()
            lon[i], lat[i] = p.x, p.y
            continue
        if kind == "w" and row["known"] and shape is not None:
            xy = np.array(row["known"])
            if not shapely.intersects_xy(shape, xy[:, 0], xy[:, 1]).any():
                outside[i] = True
                continue
        repaired = _repaired_ring(row) if kind == "w" else None
        if repaired is not None:
            lon[i], lat[i] = repaired.x, repaired.y
            c.notes.append(Note("osm_ring_repaired", f"row {i + 1} ({_osm_id(key)}): its ring crosses itself; a "
                                "point inside the repaired ring is used", row=i + 1, id=_osm_id(key)))
            continue
        what, detail = "way" if kind == "w" else "relation", _no_area_reason(kind, row, c, key)
        errors[i] = Reason("osm_no_location", f"{what} {key[1]}: no location: {detail}", kind=what, id=key[1],
                           detail=detail)
    if shape is not None:
        has = ~np.isnan(lon)
        outside[has] = ~shapely.intersects_xy(shape, lon[has], lat[has])
        if outside.any():
            c.notes.append(Note("osm_outside_clip", f"{int(outside.sum())} place(s) outside the clip polygon dropped",
                                count=int(outside.sum())))
    keep &= ~outside
    if dropped_dupes:
        shown = ", ".join(dropped_dupes[:10]) + (", …" if len(dropped_dupes) > 10 else "")
        c.notes.append(Note("osm_area_dropped", f"{len(dropped_dupes)} place area(s) dropped because their place "
                            f"node (same name, inside the area, or the area's label) is kept: {shown}",
                            count=len(dropped_dupes), names=shown))
    if skipped:
        common = sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = ", ".join(f"{k or '(empty)'} {v}" for k, v in common[:10])
        more = f" and {len(common) - 10} other values ({sum(v for _, v in common[10:])} elements)" \
            if len(common) > 10 else ""
        c.notes.append(Note("osm_not_settlements", f"elements with a place tag that is not a settlement skipped: "
                            f"{parts}{more}", values=parts, more=len(common) - 10 if len(common) > 10 else 0))
    for i in sorted(errors):
        if keep[i]:
            c.notes.append(_row_note(i, _osm_id(c.keys[i]), errors[i]))
    idx = np.flatnonzero(keep)
    pops: list[float | None] = []
    for i in idx.tolist():
        raw = c.rows[c.keys[i]]["population_raw"]
        try:
            p = parse_number(raw)
        except ValueError:
            p = None
            c.notes.append(Note("osm_population_not_a_number", f"row {i + 1} ({_osm_id(c.keys[i])}): population "
                                f"{raw!r} is not a number; left empty", row=i + 1, id=_osm_id(c.keys[i]), value=raw))
        if p is not None and p < 0:
            c.notes.append(Note("osm_population_negative", f"row {i + 1} ({_osm_id(c.keys[i])}): population "
                                f"{raw!r} is negative; left empty", row=i + 1, id=_osm_id(c.keys[i]), value=raw))
            p = None
        pops.append(p)
    cols = ("name_fa", "name_en", "name", "kind", "place")
    frame = pd.DataFrame({
        "osm_id": [_osm_id(c.keys[i]) for i in idx],
        **{col: [c.rows[c.keys[i]][col] for i in idx] for col in cols},
        "population": pops,
        "code": [c.rows[c.keys[i]]["code"] for i in idx],
    }, columns=["osm_id", *cols, "population", "code"]).astype(object)
    frame = frame.where(frame.notna(), None)
    pos = {int(i): k for k, i in enumerate(idx)}
    coord_errors = {pos[i]: reason for i, reason in errors.items() if i in pos}
    return RawTable(c.path, "osm", frame, lon=lon[idx], lat=lat[idx], coord_errors=coord_errors,
                    source_crs=_WGS84, notes=c.notes, rows=idx.astype(np.int64) + 1)


def _geo_table(c: _Collect, columns: list[str], geoms: list[Any], errors: dict[int, Reason], shape: Any,
               what: str) -> RawTable:
    n = len(c.keys)
    keep = np.ones(n, dtype=bool)
    if shape is not None:
        arr = np.empty(n, dtype=object)
        arr[:] = geoms
        keep = shapely.is_missing(arr) | shapely.intersects(shape, arr)
        if (~keep).any():
            c.notes.append(Note("osm_outside_clip", f"{int((~keep).sum())} {what} outside the clip polygon dropped",
                                count=int((~keep).sum())))
    for i in sorted(errors):
        if keep[i]:
            c.notes.append(_row_note(i, _osm_id(c.keys[i]), errors[i]))
    idx = np.flatnonzero(keep)
    frame = pd.DataFrame({"osm_id": [_osm_id(c.keys[i]) for i in idx],
                          **{col: [c.rows[c.keys[i]].get(col) for i in idx] for col in columns}},
                         columns=["osm_id", *columns]).astype(object)
    frame = frame.where(frame.notna(), None)
    geometry = gpd.GeoSeries([geoms[i] for i in idx], crs=_WGS84)
    pos = {int(i): k for k, i in enumerate(idx)}
    return RawTable(c.path, "osm", frame, geometry=geometry,
                    coord_errors={pos[i]: r for i, r in errors.items() if i in pos}, source_crs=_WGS84,
                    notes=c.notes, rows=idx.astype(np.int64) + 1)


def read_osm_boundaries(path: str | Path, *, admin_levels: tuple[str, ...] = ("7", "8"), clip: Any = None,
                        limits: Limits | None = None) -> RawTable:
    """Administrative boundaries (``boundary=administrative``) at the given ``admin_level`` values.

    Relations of type ``multipolygon`` or ``boundary`` and closed ways are assembled into areas by
    libosmium; a relation whose member ways are missing from the extract (common at an extract's
    edge) gives a row without geometry, the reason in ``coord_errors`` and the notes.

    Parameters
    ----------
    path
        A ``.osm.pbf`` or ``.osm`` (XML) file.
    admin_levels
        The ``admin_level`` tag values to keep, as text.
    clip
        A shapely (Multi)Polygon in lon/lat: boundaries that do not intersect it are dropped (they
        are not cut) and counted in a note.
    limits
        Limits on input files (default :func:`~siting.io.limits.current_limits`).

    Returns
    -------
    RawTable
        Format ``"osm"``; columns ``osm_id``, ``admin_level``, ``name_fa``, ``name_en``, ``name``,
        ``ref``; ``geometry`` a WGS84 GeoSeries of MultiPolygons (``None`` where none could be built).
    """
    path = Path(path)
    limits = limits or current_limits()
    levels = {str(v).strip() for v in admin_levels}
    counts = check_osm_file(path, limits)
    shape = _clip_shape(clip)
    c = _Collect(path, limits)
    factory = osmium.geom.WKBFactory()
    admin = osmium.filter.TagFilter(("boundary", "administrative"))
    fp = _processor(path, counts.format).with_areas(admin).with_filter(admin)
    for obj in _iterate(path, fp):
        if obj.is_area():
            _collect_area(c, factory, obj)
            continue
        if obj.is_node():
            continue
        level = c.get(obj.tags, "admin_level")
        if level not in levels:
            continue
        row: dict[str, Any] = {"admin_level": level, **_names(c, obj.tags), "ref": c.tag(obj.tags, "ref")}
        if obj.is_way():
            if not obj.is_closed():
                continue  # a boundary segment (a member of a relation), not a boundary of its own
            known, missing = _way_nodes(obj)
            row.update(known=known, missing=missing, total=len(obj.nodes), closed=True)
        else:
            row["type"] = c.get(obj.tags, "type")
        c.add((obj.type_str(), obj.id), row)
    c.finish_notes()
    geoms: list[Any] = []
    errors: dict[int, Reason] = {}
    for i, key in enumerate(c.keys):
        geoms.append(c.areas.get(key))
        if geoms[-1] is None:
            what, detail = "way" if key[0] == "w" else "relation", _no_area_reason(key[0], c.rows[key], c, key)
            errors[i] = Reason("osm_no_polygon", f"{what} {key[1]}: no polygon: {detail}", kind=what, id=key[1],
                               detail=detail)
    return _geo_table(c, ["admin_level", "name_fa", "name_en", "name", "ref"], geoms, errors, shape,
                      "boundaries")


def read_osm_lines(path: str | Path, *, key: str = "highway", clip: Any = None,
                   limits: Limits | None = None) -> RawTable:
    """Ways tagged with ``key`` (roads by default) as line strings, with their travel tags.

    Parameters
    ----------
    path
        A ``.osm.pbf`` or ``.osm`` (XML) file.
    key
        The tag key a way must carry (``highway``, ``railway``, ...); its value is a column.
    clip
        A shapely (Multi)Polygon in lon/lat: lines that do not intersect it are dropped (they are
        not cut) and counted in a note.
    limits
        Limits on input files (default :func:`~siting.io.limits.current_limits`).

    Returns
    -------
    RawTable
        Format ``"osm"``; columns ``osm_id`` (``w…``), ``key`` (named after it, e.g. ``highway``),
        ``name_fa``, ``name_en``, ``name``, ``maxspeed``, ``surface``, ``oneway`` (tags as written);
        ``geometry`` a WGS84 GeoSeries of LineStrings (``None`` for a way with nodes missing from
        the file, the reason in ``coord_errors`` and the notes).
    """
    path = Path(path)
    limits = limits or current_limits()
    if not isinstance(key, str) or not key.strip() or len(key) > 255:
        raise InputError(f"key: {key!r} is not an OpenStreetMap tag key", source="key")
    if key in ("osm_id", "name_fa", "name_en", "name", "maxspeed", "surface", "oneway"):
        raise InputError(f"key: {key!r} is one of the other columns; choose a key such as 'highway'", source="key")
    counts = check_osm_file(path, limits)
    shape = _clip_shape(clip)
    c = _Collect(path, limits)
    factory = osmium.geom.WKBFactory()
    fp = (_processor(path, counts.format).with_locations()
          .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY)).with_filter(osmium.filter.KeyFilter(key)))
    wkbs: list[str | None] = []
    errors: dict[int, Reason] = {}
    for obj in _iterate(path, fp):
        tags = obj.tags
        if not c.add(("w", obj.id), {key: c.tag(tags, key), **_names(c, tags), "maxspeed": c.tag(tags, "maxspeed"),
                                     "surface": c.tag(tags, "surface"), "oneway": c.tag(tags, "oneway")}):
            continue
        i = len(wkbs)
        wkbs.append(None)
        try:
            wkbs[i] = factory.create_linestring(obj)
        except osmium.InvalidLocationError:
            _, missing = _way_nodes(obj)
            detail = _missing_text(missing, len(obj.nodes))
            errors[i] = Reason("osm_no_line", f"way {obj.id}: no line: {detail}", id=obj.id, detail=detail)
        except (RuntimeError, ValueError):
            detail = f"fewer than two distinct node locations ({len(obj.nodes)} node(s))"
            errors[i] = Reason("osm_no_line", f"way {obj.id}: no line: {detail}", id=obj.id, detail=detail)
    geoms = list(shapely.from_wkb(np.array(wkbs, dtype=object)))
    c.finish_notes()
    return _geo_table(c, [key, "name_fa", "name_en", "name", "maxspeed", "surface", "oneway"], geoms, errors,
                      shape, "lines")


__all__ = [
    "MAX_NODES",
    "MAX_RELATIONS",
    "MAX_WAYS",
    "PLACE_KINDS",
    "OsmCounts",
    "check_osm_file",
    "is_osm_file",
    "read_osm_boundaries",
    "read_osm_lines",
    "read_osm_places",
]
