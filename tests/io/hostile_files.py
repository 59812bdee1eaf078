"""Writers of hostile input files, shared by the limit tests and benchmarks/bench_hostile_files.py.

Every file is written straight to disk with :mod:`zipfile` streaming, so that building a
3-million-row workbook or a 1 GiB shared string never holds the expanded data in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _stream(zf: zipfile.ZipFile, name: str, parts: Iterable[bytes]) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as fh:
        buf = bytearray()
        for part in parts:
            buf += part
            if len(buf) > 1 << 20:
                fh.write(bytes(buf))
                buf.clear()
        fh.write(bytes(buf))


def write_xlsx(
    path: Path,
    rows: Iterable[bytes],
    *,
    dimension: str | None = None,
    shared: Iterable[bytes] | None = None,
    prolog: bytes = b"",
) -> Path:
    """An XLSX whose one sheet holds ``rows`` (each a ``<row>…</row>`` element, as bytes).

    ``shared`` are the ``<si>`` elements of the shared-strings table; ``prolog`` goes before the
    sheet's root element (a DOCTYPE, say).
    """
    shared_list = [] if shared is None else shared
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        dim = b"" if dimension is None else b'<dimension ref="' + dimension.encode() + b'"/>'
        _stream(
            zf,
            "xl/worksheets/sheet1.xml",
            [
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                prolog,
                b"<worksheet " + _NS + b">",
                dim,
                b"<sheetData>",
                *rows,
                b"</sheetData></worksheet>",
            ],
        )
        _stream(
            zf,
            "xl/sharedStrings.xml",
            [
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst ' + _NS + b">",
                *shared_list,
                b"</sst>",
            ],
        )
    return path


def row(r: int, *cells: str | float) -> bytes:
    """A ``<row>`` of inline-string or number cells starting at column A."""
    out = [b'<row r="%d">' % r]
    for j, v in enumerate(cells):
        ref = (chr(65 + j) + str(r)).encode()
        if isinstance(v, str):
            out.append(b'<c r="' + ref + b'" t="inlineStr"><is><t>' + v.encode() + b"</t></is></c>")
        else:
            out.append(b'<c r="' + ref + b'"><v>' + repr(v).encode() + b"</v></c>")
    out.append(b"</row>")
    return b"".join(out)


def settlements_xlsx(path: Path, n_rows: int) -> Path:
    """A plain settlements sheet of ``n_rows`` data rows (name, lat, lon); 3 million rows make about 34 MB."""

    def rows():
        yield row(1, "name", "lat", "lon")
        for i in range(2, n_rows + 2):
            yield (
                b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>3%d.%d</v></c>'
                b'<c r="C%d"><v>59.%d</v></c></row>'
            ) % (i, i, i % 2, i, 2 + i % 2, i % 997, i, i % 991)

    return write_xlsx(
        path,
        rows(),
        shared=[
            b"<si><t>\xd8\xa2\xd8\xa8\xd8\xa7\xd8\xaf\xdb\x8c</t></si>",
            b"<si><t>village</t></si>",
        ],
    )


def far_cell_xlsx(path: Path) -> Path:
    """A 5 KB workbook with a header and one value at XFD1048576 (the last cell Excel has)."""
    rows = [
        row(1, "name", "lat", "lon"),
        row(2, "a", 32.5, 59.2),
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    ]
    return write_xlsx(path, rows)


def huge_shared_string_xlsx(path: Path, n_bytes: int) -> Path:
    """A workbook whose one shared string holds ``n_bytes`` characters (compresses about 1000 to 1)."""

    def si():
        yield b"<si><t>"
        chunk = b"A" * (1 << 20)
        left = n_bytes
        while left > 0:
            yield chunk[:left]
            left -= len(chunk)
        yield b"</t></si>"

    rows = [
        row(1, "name", "lat", "lon"),
        b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>32.5</v></c>'
        b'<c r="C2"><v>59.2</v></c></row>',
    ]
    return write_xlsx(path, rows, shared=si())


def dtd_xlsx(path: Path) -> Path:
    """A workbook whose sheet declares a DTD with an entity (the 'billion laughs' shape, small)."""
    prolog = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return write_xlsx(path, [row(1, "name", "lat", "lon"), row(2, "a", 32.5, 59.2)], prolog=prolog)


def zip_bomb_shapefile(path: Path, n_bytes: int) -> Path:
    """A .zip with a Shapefile's names whose .dbf decompresses to ``n_bytes`` of zeros."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("a.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96)
        zf.writestr("a.shx", b"\x00\x00\x27\x0a" + b"\x00" * 96)
        zero = b"\x00" * (1 << 20)

        def parts():
            left = n_bytes
            while left > 0:
                yield zero[:left]
                left -= len(zero)

        _stream(zf, "a.dbf", parts())
    return path
