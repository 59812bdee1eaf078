"""Encodings without silent damage (siting.io.encodings through read_file)."""

from __future__ import annotations

import json

import pytest

from siting.errors import InputError
from siting.io.encodings import decode_bytes
from siting.io.readers import parse_coordinate, read_file

TEXT = "نام,lat,lon\nبیرجند,32.8663,59.2211\nقاین,33.7267,59.1844\nطبس,33.5958,56.9244\n"


def test_utf8_with_one_bad_byte_is_refused_with_line_and_byte(tmp_path):
    data = TEXT.encode("utf-8")
    at = data.index("قاین".encode()) + 2  # inside the second data row
    bad = data[:at] + b"\xff" + data[at:]
    path = tmp_path / "damaged.csv"
    path.write_bytes(bad)
    with pytest.raises(InputError) as exc:
        read_file(path)
    msg = str(exc.value)
    assert msg.startswith(
        f"{path}: the file is UTF-8 except for 1 invalid byte(s), at line 3 (data row 2), "
        f"byte {at}: 0xff;"
    )
    assert "not reinterpreted as another encoding" in msg


def test_utf8_damage_is_never_decoded_as_windows_1256():
    data = TEXT.encode("utf-8")
    bad = data.replace(
        b"\n", b"\n\x81", 1
    )  # 0x81 is پ in Windows-1256: the old reader decoded the whole file so
    with pytest.raises(InputError, match="UTF-8 except for 1 invalid byte"):
        decode_bytes(bad, "f.csv")


def test_many_bad_bytes_are_counted(tmp_path):
    data = TEXT.encode("utf-8").replace(b",", b"\xfe,")
    with pytest.raises(
        InputError,
        match=r"except for 8 invalid byte\(s\), at line 1 \(the header\), byte 6: 0xfe; "
        r"line 1 \(the header\), byte 11: 0xfe; line 2 \(data row 1\), byte 29: "
        r"0xfe and 5 more;",
    ):
        decode_bytes(data, "f.csv")


def test_whole_windows_1256_file_is_read(tmp_path):
    path = tmp_path / "ansi.csv"
    arabic_forms = TEXT.replace("نام", "نام روستا").replace(
        "ی", "ي"
    )  # Windows-1256 has the Arabic yeh only
    path.write_bytes(arabic_forms.encode("cp1256"))
    raw = read_file(path)
    assert raw.frame["نام روستا"].tolist() == [
        "بيرجند",
        "قاين",
        "طبس",
    ]  # as written; the importer normalises
    assert raw.lat.tolist() == [32.8663, 33.7267, 33.5958]


def test_bytes_no_encoding_explains_are_refused():
    # Windows-1256 has no 0x81 0x8d... mixture problem; but a Latin-1 file full of C1 bytes is neither
    data = b"name,lat,lon\n\x80\x9f\x85,32.5,59.2\n"
    decoded = decode_bytes(
        data, "f.csv"
    )  # every byte is a Windows-1256 character: read, not mangled into U+FFFD
    assert "\ufffd" not in decoded.text and decoded.name == "Windows-1256"


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_unicode_with_a_bom_is_read(tmp_path, codec, bom):
    path = tmp_path / "unicode.txt"
    path.write_bytes(
        bom + TEXT.replace(",", "\t").encode(codec)
    )  # Excel's "Unicode text" is tab-separated UTF-16
    raw = read_file(path)
    assert raw.frame["نام"].tolist() == ["بیرجند", "قاین", "طبس"]
    assert raw.lon.tolist() == [59.2211, 59.1844, 56.9244]


def test_utf16_with_bom_but_broken_is_refused(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        b"\xff\xfe" + TEXT.encode("utf-16-le")[:-1] + b"\x00\xd8"
    )  # a lone surrogate at the end
    with pytest.raises(
        InputError,
        match=r"broken.csv: starts with a UTF-16 byte-order mark but is not valid UTF-16",
    ):
        read_file(path)


def test_nul_in_csv_refused_with_the_line(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(TEXT.replace("قاین", "قا\x00ین").encode("utf-8"))
    with pytest.raises(
        InputError, match=r"nul.csv: line 3 \(data row 2\) holds a NUL character \(byte 0\)"
    ):
        read_file(path)


def test_nul_in_geojson_property_refused_with_row_and_column(tmp_path):
    path = tmp_path / "nul.geojson"
    feats = [
        {
            "type": "Feature",
            "properties": {"name": n},
            "geometry": {"type": "Point", "coordinates": [59.2, 32.5]},
        }
        for n in ("الف", "ب\u0000ج")
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    with pytest.raises(
        InputError, match=r"nul.geojson: line 1, byte \d+: a NUL character \(\\u0000\) in a string"
    ):
        read_file(path)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("59°30′36″E", 59.51),
        ("32°52′13″N", 32 + 52 / 60 + 13 / 3600),
        ("۵۹°۵۹′۵۹٫۵″", 59 + 59 / 60 + 59.5 / 3600),
        ("59 0 0 W", -59.0),
    ],
)
def test_dms_read(text, value):
    assert parse_coordinate(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("59°99′99″E", "minutes 99 are not below 60"),
        ("59°30′60″E", "seconds 60 are not below 60"),
        ("32°60′N", "minutes 60 are not below 60"),
        ("1e999", "'1e999' is far out of range for a coordinate"),
    ],
)
def test_dms_out_of_range_refused(text, message):
    with pytest.raises(InputError, match=message):
        parse_coordinate(text)


def test_dms_out_of_range_is_a_row_error(tmp_path):
    path = tmp_path / "dms.csv"
    path.write_text("name,lat,lon\na,32°52′13″N,59°99′99″E\n", encoding="utf-8")
    raw = read_file(path)
    assert raw.coord_errors == {0: "lon '59°99′99″E': minutes 99 are not below 60"}


def test_non_finite_numbers_refused():
    from siting.text import parse_number

    with pytest.raises(InputError, match="'1e999' is not a finite number"):
        parse_number("1e999")
    with pytest.raises(InputError, match="inf is not a finite number"):
        parse_number(float("inf"))


def test_nul_in_a_data_frame_cell_refused_with_row_and_column(tmp_path):
    import pandas as pd

    from siting.io.readers import _refuse_nul

    with pytest.raises(
        InputError, match=r"f.xlsx: row 2, column 'name': a NUL character in the text"
    ):
        _refuse_nul(
            tmp_path / "f.xlsx", pd.DataFrame({"name": ["a", "b\x00c"], "n": [1, 2]}, dtype=object)
        )
