"""Deciding a text file's encoding without silent damage.

* A byte-order mark decides: UTF-8, UTF-16 (Excel's "Unicode text") or UTF-32, decoded strictly.
* Without one, the file is UTF-8 if every byte sequence is valid UTF-8.
* A file that is UTF-8 except for a few bad bytes (it holds valid multi-byte UTF-8 letters) is
  refused with the line and byte offset of the first bad bytes: it is never reinterpreted whole
  as another encoding, which would store every Persian letter in it as mojibake.
* Windows-1256 (Arabic/Persian "ANSI") only when no byte sequence in the file reads as UTF-8
  and every non-ASCII byte decodes to a character Persian text written in Windows-1256 uses.

NUL characters are refused wherever they appear (naming the line): they truncate text in
many programs and have no place in a data file.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from siting.errors import InputError

BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)

_SURROGATE = re.compile("[\udc80-\udcff]")
# Characters a Windows-1256 Persian/Arabic file plausibly holds outside ASCII: the Arabic block
# (letters, Persian letters, digits, punctuation), ZWNJ/ZWJ and bidi marks, and the few Latin-1
# symbols the code page carries (NBSP, «», ×, ÷, °, accented Latin letters of French names).
_CP1256_ODD = re.compile(
    r"[^\x00-\x7f\u0080-\u00ff\u0152\u0153\u0192\u02c6\u0600-\u06ff\u200c-\u200f\u2013\u2014"
    r"\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


@dataclass(frozen=True)
class Decoded:
    """A text file's encoding (a Python codec name), its display name and its text."""

    encoding: str
    name: str
    text: str


def bom_encoding(head: bytes) -> tuple[str, str] | None:
    """(codec, display name) for a byte-order mark at the start of ``head``, else ``None``.

    >>> bom_encoding(b"\\xff\\xfeh\\x00")
    ('utf-16', 'UTF-16')
    >>> bom_encoding(b"abc") is None
    True
    """
    for bom, codec, name in BOMS:
        if head.startswith(bom):
            return codec, name
    return None


def _where(text: str, index: int) -> str:
    """'line 3 (data row 2)' for a character index (the first line is the header)."""
    line = text.count("\n", 0, index) + 1
    return f"line {line} (the header)" if line == 1 else f"line {line} (data row {line - 1})"


def decode_bytes(data: bytes, source: str) -> Decoded:
    """Decode a whole text file as :mod:`siting.io.encodings` describes; :class:`InputError` otherwise."""
    bom = bom_encoding(data[:4])
    if bom is not None:
        codec, name = bom
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{source}: starts with a {name} byte-order mark but is not valid {name} "
                f"at byte {exc.start} ({exc.reason})",
                source=source, code="bad_bom", params={"encoding": name},
            ) from None
        return _checked(Decoded(codec, name, text), source)
    try:
        return _checked(Decoded("utf-8", "UTF-8", data.decode("utf-8")), source)
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    n_bad = len(data) - len(
        data.decode("utf-8", errors="ignore").encode("utf-8")
    )  # one surrogate per bad byte
    valid_multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - n_bad
    if valid_multibyte > 0 and valid_multibyte >= n_bad:
        shown = []
        first = next(_SURROGATE.finditer(text)).start()
        for m in itertools.islice(_SURROGATE.finditer(text), 3):
            i = m.start()
            offset = len(text[:i].encode("utf-8", errors="surrogateescape"))
            shown.append(f"{_where(text, i)}, byte {offset}: 0x{data[offset]:02x}")
        more = f" and {n_bad - 3} more" if n_bad > 3 else ""
        raise InputError(
            f"{source}: the file is UTF-8 except for {n_bad} invalid byte(s), at {'; '.join(shown)}{more}; "
            "it is not reinterpreted as another encoding (that would garble its Persian text): "
            "fix those bytes or save the file again as UTF-8",
            source=source, code="utf8_invalid_bytes",
            params={"count": n_bad, "line": text.count("\n", 0, first) + 1},
        )
    del text
    cp = data.decode("cp1256", errors="replace")
    odd = _CP1256_ODD.search(cp)
    if odd:
        i = odd.start()
        raise InputError(
            f"{source}: the text is neither UTF-8 nor consistently Windows-1256 (Arabic/Persian): "
            f"{_where(cp, i)}, byte {i}: 0x{data[i]:02x}; save the file as UTF-8",
            source=source, code="unknown_encoding", params={"line": cp.count("\n", 0, i) + 1},
        )
    return _checked(Decoded("cp1256", "Windows-1256", cp), source)


def _checked(decoded: Decoded, source: str) -> Decoded:
    nul = decoded.text.find("\x00")
    if nul >= 0:
        raise InputError(
            f"{source}: {_where(decoded.text, nul)} holds a NUL character (byte 0); NUL characters "
            "are refused in text",
            source=source, code="nul_character", params={"line": decoded.text.count("\n", 0, nul) + 1},
        )
    return decoded


def read_text(path: Path, max_bytes: int) -> Decoded:
    """Read and decode a text file of at most ``max_bytes`` (the caller has checked its size)."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"{path}: larger than the {max_bytes // 2**20} MiB limit", source=str(path), code="too_large",
            params={"size_mb": round(len(data) / 2**20, 1), "limit_mb": max_bytes // 2**20},
        )
    return decode_bytes(data, str(path))
