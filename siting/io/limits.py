"""Hard limits on untrusted input files, checked before anything is expanded in memory.

A file from outside (a CLI argument, a dashboard upload, a proposals or candidates file) is
checked in this order, each step refusing with :class:`~siting.errors.InputError` naming the
file and what exceeded which limit:

1. it is a regular file (a named pipe, device or socket is refused: reading one can block
   forever) no larger than :attr:`Limits.file_bytes`;
2. a ZIP (XLSX workbook, zipped Shapefile): from its central directory, the number of members,
   each member's and the total decompressed size, and each member's compression ratio;
3. an XLSX: every XML part it will read is streamed through expat with a byte budget: a DTD
   (``<!DOCTYPE``/``<!ENTITY``) is refused, the sheet's ``<dimension>``, its rows, columns and
   cells, the shared-strings table's size and each cell's length are checked before openpyxl
   and pandas expand anything;
4. a CSV: rows, columns, cells and cell length are counted while streaming (see
   :mod:`siting.io.readers`); GeoJSON/GeoPackage/Shapefile: feature and field counts from the
   file's metadata before the features are read.

The defaults keep any accepted input under 1 GiB of peak memory (see
``benchmarks/bench_hostile_files.py``); each can be overridden with an environment variable
(``SITING_LIMIT_<NAME>``, see :data:`ENV`), documented in ``docs/security.md``.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from xml.parsers import expat

from siting.errors import InputError

MiB = 2**20


@dataclass(frozen=True)
class Limits:
    """The limits an input file must stay within (defaults in brackets).

    Attributes
    ----------
    file_bytes
        Size of the file as stored (50 MiB; the dashboard's upload limit is the same).
    rows, columns, cells
        Data rows (or features), columns (or fields) and rows × columns of a table
        (500,000; 1,000; 2,000,000). For an XLSX sheet the cells are counted over the
        rectangle openpyxl fills: last row × last column.
    cell_chars
        Characters in one cell or shared string (32,767, Excel's own limit).
    unzipped_bytes
        Decompressed size of one ZIP member and of all members together (400 MiB).
    shared_strings_bytes
        Decompressed size of an XLSX's shared-strings table, which is read whole (100 MiB).
    compression_ratio
        Decompressed ÷ compressed size of a ZIP member larger than 1 MiB decompressed (200).
    zip_members
        Members of a ZIP archive (10,000).
    """

    file_bytes: int = 50 * MiB
    rows: int = 500_000
    columns: int = 1_000
    cells: int = 2_000_000
    cell_chars: int = 32_767
    unzipped_bytes: int = 400 * MiB
    shared_strings_bytes: int = 100 * MiB
    compression_ratio: int = 200
    zip_members: int = 10_000


#: Environment variable → (field, multiplier): sizes are given in MiB.
ENV: dict[str, tuple[str, int]] = {
    "SITING_LIMIT_FILE_MB": ("file_bytes", MiB),
    "SITING_LIMIT_ROWS": ("rows", 1),
    "SITING_LIMIT_COLUMNS": ("columns", 1),
    "SITING_LIMIT_CELLS": ("cells", 1),
    "SITING_LIMIT_CELL_CHARS": ("cell_chars", 1),
    "SITING_LIMIT_UNZIPPED_MB": ("unzipped_bytes", MiB),
    "SITING_LIMIT_SHARED_STRINGS_MB": ("shared_strings_bytes", MiB),
    "SITING_LIMIT_COMPRESSION_RATIO": ("compression_ratio", 1),
    "SITING_LIMIT_ZIP_MEMBERS": ("zip_members", 1),
}
assert {f for f, _ in ENV.values()} == {f.name for f in fields(Limits)}


def current_limits(environ: os._Environ[str] | dict[str, str] | None = None) -> Limits:
    """The default :class:`Limits`, with any ``SITING_LIMIT_*`` environment variable applied.

    >>> current_limits({"SITING_LIMIT_ROWS": "1000"}).rows
    1000
    >>> current_limits({}).file_bytes == 50 * 2**20
    True
    """
    env = os.environ if environ is None else environ
    changes = {}
    for var, (name, unit) in ENV.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not (value == value and 0 < value < 1e15):
            raise InputError(f"{var}={raw!r}: expected a positive number", source=var)
        changes[name] = int(value * unit)
    return replace(Limits(), **changes)


def _mib(n: int) -> str:
    return f"{n / MiB:,.1f} MiB" if n % MiB else f"{n // MiB:,} MiB"


def _refuse(path: Path | str, what: str, code: str | None = None, **params: Any) -> InputError:
    return InputError(f"{path}: {what}", source=str(path), code=code, params=params)


def check_file(path: Path, limits: Limits) -> os.stat_result:
    """Refuse anything but a regular file within :attr:`Limits.file_bytes`; return its ``stat``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _refuse(path, "file not found", "not_found") from None
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror})") from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise _refuse(path, "is a folder, not a file", "not_a_file")
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a character device"
            if stat.S_ISCHR(mode)
            else "a block device"
            if stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise _refuse(path, f"is {kind}, not a regular file; only regular files are read", "not_a_file")
    if st.st_size > limits.file_bytes:
        raise _refuse(
            path,
            f"{_mib(st.st_size)} is larger than the {_mib(limits.file_bytes)} limit on input files "
            "(SITING_LIMIT_FILE_MB)",
            "too_large", size_mb=round(st.st_size / MiB, 1), limit_mb=round(limits.file_bytes / MiB, 1),
        )
    return st


def check_zip(path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a ZIP whose central directory announces too many members or too much decompressed data."""
    infos = zf.infolist()
    if len(infos) > limits.zip_members:
        raise _refuse(
            path,
            f"the archive has {len(infos):,} members; the limit is {limits.zip_members:,} "
            "(SITING_LIMIT_ZIP_MEMBERS)", "archive_refused")
    total = 0
    for info in infos:
        if info.file_size > limits.unzipped_bytes:
            raise _refuse(
                path,
                f"the archive member {info.filename} decompresses to {_mib(info.file_size)}; "
                f"the limit is {_mib(limits.unzipped_bytes)} (SITING_LIMIT_UNZIPPED_MB)", "archive_refused")
        if info.file_size > MiB and info.file_size > limits.compression_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _refuse(
                path,
                f"the archive member {info.filename} is compressed {ratio:,.0f} to 1 "
                f"({_mib(info.file_size)} from {info.compress_size:,} bytes), beyond the limit of "
                f"{limits.compression_ratio} to 1 (SITING_LIMIT_COMPRESSION_RATIO): "
                "refused as a possible ZIP bomb", "archive_refused")
        total += info.file_size
    if total > limits.unzipped_bytes:
        raise _refuse(
            path,
            f"the archive decompresses to {_mib(total)} in all; the limit is "
            f"{_mib(limits.unzipped_bytes)} (SITING_LIMIT_UNZIPPED_MB)", "archive_refused")


def check_zip_contents(path: Path, zf: zipfile.ZipFile, limits: Limits, names: list[str]) -> None:
    """Decompress ``names`` as a stream, refusing a member that yields more than its header said."""
    for name in names:
        info = zf.getinfo(name)
        budget = min(info.file_size, limits.unzipped_bytes)
        seen = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(MiB):
                    seen += len(chunk)
                    if seen > budget:
                        raise _refuse(
                            path,
                            f"the archive member {name} decompresses to more than its "
                            "header declares", "archive_refused")
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise _refuse(path, f"the archive member {name} is damaged ({exc})", "archive_refused") from None


# -- XLSX ---------------------------------------------------------------------------------------

_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of 'AB12', 1-based; None for a reference that is not one.

    >>> _cell_ref("XFD1048576")
    (1048576, 16384)
    """
    m = _CELL_REF.match(ref.strip())
    if not m:
        return None
    return int(m.group(2)), _col_number(m.group(1))


def _col_name(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class _Stop(Exception):
    """Raised inside an expat callback to stop the scan with a message."""


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class _SheetScan:
    """Counts a worksheet's rows, columns, cells and cell lengths while expat streams it."""

    def __init__(self, sheet: str, limits: Limits) -> None:
        self.sheet = sheet
        self.limits = limits
        self.row = 0
        self.max_row = 0
        self.max_col = 0
        self.cells = 0
        self.col = 0
        self.text_len = 0
        self.in_text = False

    def _extent(self, rows: int, cols: int, what: str) -> None:
        lim = self.limits
        span = f"A1:{_col_name(cols)}{rows}" if rows and cols else ""
        if rows > lim.rows:
            raise _Stop(
                f"sheet {self.sheet!r} {what} {span} ({rows:,} rows); the limit is {lim.rows:,} rows "
                "(SITING_LIMIT_ROWS)"
            )
        if cols > lim.columns:
            raise _Stop(
                f"sheet {self.sheet!r} {what} {span} ({cols:,} columns); the limit is {lim.columns:,} "
                "columns (SITING_LIMIT_COLUMNS)"
            )
        if rows * cols > lim.cells:
            raise _Stop(
                f"sheet {self.sheet!r} {what} {span} ({rows:,} × {cols:,} = {rows * cols:,} cells); the limit "
                f"is {lim.cells:,} cells (SITING_LIMIT_CELLS)"
            )

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "c":
            self.cells += 1
            ref = _cell_ref(attrs.get("r", "")) if "r" in attrs else None
            self.col = ref[1] if ref else self.col + 1
            if ref and ref[0] > self.row:
                self.row = ref[0]
            if self.col > self.max_col or self.row > self.max_row:
                self.max_col = max(self.max_col, self.col)
                self.max_row = max(self.max_row, self.row)
                self._extent(
                    self.max_row,
                    self.max_col,
                    "reaches cell " + f"{_col_name(self.col)}{self.row}:",
                )
        elif tag == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
            if self.row > self.limits.rows:
                raise _Stop(
                    f"sheet {self.sheet!r} has a row {self.row:,}; the limit is {self.limits.rows:,} rows "
                    "(SITING_LIMIT_ROWS)"
                )
        elif tag in ("v", "t", "f"):
            self.in_text = True
            self.text_len = 0
        elif tag == "dimension":
            span = attrs.get("ref", "")
            last = _cell_ref(span.split(":")[-1])
            if last:
                self._extent(last[0], last[1], "spans")

    def end(self, name: str) -> None:
        if _local(name) in ("v", "t", "f"):
            self.in_text = False

    def chars(self, data: str) -> None:
        if self.in_text:
            self.text_len += len(data)
            if self.text_len > self.limits.cell_chars:
                raise _Stop(
                    f"sheet {self.sheet!r}: cell {_col_name(self.col)}{self.row} holds more than "
                    f"{self.limits.cell_chars:,} characters (SITING_LIMIT_CELL_CHARS)"
                )


class _SharedStrings:
    """Counts shared strings and their lengths."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.count = 0
        self.length = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "si":
            self.count += 1
            self.length = 0
            if self.count > self.limits.cells:
                raise _Stop(
                    f"the shared-strings table holds more than {self.limits.cells:,} strings "
                    "(SITING_LIMIT_CELLS)"
                )

    def end(self, name: str) -> None:
        pass

    def chars(self, data: str) -> None:
        self.length += len(data)
        if self.length > self.limits.cell_chars:
            raise _Stop(
                f"shared string {self.count:,} is longer than {self.limits.cell_chars:,} characters "
                "(SITING_LIMIT_CELL_CHARS)"
            )


def _no_dtd(*_args) -> None:
    raise _Stop(
        "declares a DTD (<!DOCTYPE> or <!ENTITY>); documents with a DTD are refused "
        "(entity expansion can exhaust memory)"
    )


def scan_xml(
    path: Path,
    zf: zipfile.ZipFile,
    member: str,
    budget: int,
    handler=None,
    *,
    budget_name: str = "SITING_LIMIT_UNZIPPED_MB",
) -> None:
    """Stream one XML member of ``zf`` through expat: no DTD, at most ``budget`` bytes, ``handler``'s checks."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.buffer_text = True
    parser.buffer_size = 65536
    if handler is not None:
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.chars
    seen = 0
    try:
        with zf.open(member) as fh:
            while chunk := fh.read(MiB):
                seen += len(chunk)
                if seen > budget:
                    raise _Stop(f"decompresses to more than {_mib(budget)} ({budget_name})")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop as exc:
        raise _refuse(path, f"{member}: {exc}" if "sheet" not in str(exc) else str(exc)) from None
    except expat.ExpatError as exc:
        raise _refuse(
            path,
            f"{member} is not well-formed XML (line {exc.lineno}, column {exc.offset}: "
            f"{expat.ErrorString(exc.code)})", "xlsx_unreadable") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _refuse(path, f"the archive member {member} is damaged ({exc})", "archive_refused") from None


class _Collect:
    def __init__(self, tags: tuple[str, ...]) -> None:
        self.tags = tags
        self.found: list[tuple[str, dict[str, str]]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) in self.tags:
            self.found.append((_local(name), {_local(k): v for k, v in attrs.items()}))

    def end(self, name: str) -> None:
        pass

    def chars(self, data: str) -> None:
        pass


def xlsx_sheets(path: Path, zf: zipfile.ZipFile, limits: Limits) -> list[tuple[str, str]]:
    """(sheet name, ZIP member) of each worksheet, in the workbook's order."""
    names = set(zf.namelist())
    book = _Collect(("sheet",))
    if "xl/workbook.xml" not in names:
        raise _refuse(path, "not a readable XLSX workbook (no xl/workbook.xml)", "xlsx_unreadable")
    scan_xml(path, zf, "xl/workbook.xml", limits.unzipped_bytes, book)
    rels = _Collect(("Relationship",))
    if "xl/_rels/workbook.xml.rels" in names:
        scan_xml(path, zf, "xl/_rels/workbook.xml.rels", limits.unzipped_bytes, rels)
    targets = {a.get("Id"): a.get("Target", "") for _, a in rels.found}
    out = []
    for _, attrs in book.found:
        target = targets.get(attrs.get("id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        member = os.path.normpath(member).replace(os.sep, "/")
        out.append((attrs.get("name", "?"), member))
    return out


def check_xlsx(path: Path, zf: zipfile.ZipFile, limits: Limits, sheet: str | None) -> None:
    """All XLSX checks: ZIP limits, no DTD in any part read, and the chosen sheet's extent and cells."""
    check_zip(path, zf, limits)
    sheets = xlsx_sheets(path, zf, limits)
    names = set(zf.namelist())
    chosen = (
        next((s for s in sheets if s[0] == sheet), None)
        if sheet is not None
        else (sheets[0] if sheets else None)
    )
    worksheets = {m for _, m in sheets}
    for member in sorted(names):
        if not member.endswith((".xml", ".rels")) or member in (
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
        ):
            continue
        if member in worksheets or member.startswith("xl/worksheets/"):
            continue  # only the sheet that is read is parsed (below)
        if member.endswith("sharedStrings.xml"):
            size = zf.getinfo(member).file_size
            if size > limits.shared_strings_bytes:
                raise _refuse(
                    path,
                    f"{member}: the shared-strings table decompresses to {_mib(size)}; the limit is "
                    f"{_mib(limits.shared_strings_bytes)} (SITING_LIMIT_SHARED_STRINGS_MB)",
                )
            scan_xml(
                path,
                zf,
                member,
                limits.shared_strings_bytes,
                _SharedStrings(limits),
                budget_name="SITING_LIMIT_SHARED_STRINGS_MB",
            )
        else:
            scan_xml(path, zf, member, limits.unzipped_bytes)
    if chosen is not None and chosen[1] in names:
        scan_xml(path, zf, chosen[1], limits.unzipped_bytes, _SheetScan(chosen[0], limits))


__all__ = [
    "ENV",
    "Limits",
    "MiB",
    "check_file",
    "check_xlsx",
    "check_zip",
    "check_zip_contents",
    "current_limits",
]
