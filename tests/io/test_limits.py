"""Hard limits on untrusted files, checked before the data is expanded (siting.io.limits).

The hostile workbooks run in a child process under a 1.5 GiB address-space limit
(RLIMIT_AS): a reader that expands them first fails the test with a MemoryError instead
of exhausting the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from hostile_files import (
    dtd_xlsx,
    far_cell_xlsx,
    huge_shared_string_xlsx,
    row,
    settlements_xlsx,
    write_xlsx,
    zip_bomb_shapefile,
)

from siting.errors import InputError
from siting.io.limits import Limits, current_limits
from siting.io.readers import read_file

MEMORY_LIMIT = 1536 * 2**20

_CHILD = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from siting.errors import InputError
    from siting.io.readers import read_file
    try:
        raw = read_file(sys.argv[1])
        print(json.dumps({{"ok": len(raw)}}))
    except InputError as exc:
        print(json.dumps({{"refused": str(exc)}}))
""")


def read_in_child(path: Path, env: dict[str, str] | None = None, timeout: float = 60) -> dict:
    """read_file(path) in a memory-limited child; {'ok': rows} or {'refused': message}."""
    p = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=MEMORY_LIMIT), str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    assert p.returncode == 0, f"child failed (exit {p.returncode}): {p.stderr[-2000:]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_defaults_and_environment_overrides():
    d = current_limits({})
    assert d == Limits()
    assert (d.file_bytes, d.rows, d.columns, d.cells, d.cell_chars) == (
        50 * 2**20,
        500_000,
        1_000,
        2_000_000,
        32_767,
    )
    o = current_limits(
        {
            "SITING_LIMIT_FILE_MB": "5",
            "SITING_LIMIT_ROWS": "10",
            "SITING_LIMIT_COMPRESSION_RATIO": "50",
        }
    )
    assert (o.file_bytes, o.rows, o.compression_ratio) == (5 * 2**20, 10, 50)
    with pytest.raises(InputError, match=r"SITING_LIMIT_ROWS='many': expected a positive number"):
        current_limits({"SITING_LIMIT_ROWS": "many"})
    with pytest.raises(InputError, match=r"SITING_LIMIT_CELLS='nan'"):
        current_limits({"SITING_LIMIT_CELLS": "nan"})


def test_cell_at_xfd1048576_refused_before_expansion(tmp_path):
    path = far_cell_xlsx(tmp_path / "far.xlsx")
    assert path.stat().st_size < 10_000
    out = read_in_child(path)
    assert out == {
        "refused": f"{path}: sheet 'Sheet1' has a row 1,048,576; the limit is 500,000 rows "
        "(SITING_LIMIT_ROWS)"
    }


def test_declared_dimension_beyond_the_limits_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "dim.xlsx",
        [row(1, "name", "lat", "lon"), row(2, "a", 32.5, 59.2)],
        dimension="A1:XFD1048576",
    )
    with pytest.raises(
        InputError,
        match=r"dim.xlsx: sheet 'Sheet1' spans A1:XFD1048576 \(1,048,576 rows\); "
        r"the limit is 500,000 rows",
    ):
        read_file(path)


def test_far_column_refused_by_columns_and_cells(tmp_path):
    wide = write_xlsx(
        tmp_path / "wide.xlsx",
        [row(1, "name", "lat", "lon"), b'<row r="2"><c r="ZZ2"><v>1</v></c></row>'],
    )
    with pytest.raises(
        InputError, match=r"wide.xlsx: sheet 'Sheet1' reaches cell ZZ2: A1:ZZ2 \(702 columns\)"
    ):
        read_file(wide, limits=Limits(columns=500))
    with pytest.raises(
        InputError, match=r"reaches cell ZZ2: A1:ZZ2 \(2 × 702 = 1,404 cells\); the limit is 1,000"
    ):
        read_file(wide, limits=Limits(cells=1000))


def test_huge_shared_string_refused_as_a_zip_bomb(tmp_path):
    path = huge_shared_string_xlsx(tmp_path / "sst.xlsx", 64 * 2**20)
    assert path.stat().st_size < 200_000
    out = read_in_child(path)
    assert out["refused"].startswith(
        f"{path}: the archive member xl/sharedStrings.xml is compressed "
    )
    assert (
        "beyond the limit of 200 to 1 (SITING_LIMIT_COMPRESSION_RATIO): refused as a possible ZIP bomb"
        in out["refused"]
    )


def test_shared_string_size_and_length_limits(tmp_path):
    path = huge_shared_string_xlsx(tmp_path / "sst.xlsx", 3 * 2**20)
    with pytest.raises(
        InputError,
        match=r"sst.xlsx: xl/sharedStrings.xml: the shared-strings table decompresses to "
        r"3.0 MiB; the limit is 2 MiB \(SITING_LIMIT_SHARED_STRINGS_MB\)",
    ):
        read_file(path, limits=Limits(compression_ratio=10**6, shared_strings_bytes=2 * 2**20))
    with pytest.raises(InputError, match=r"shared string 1 is longer than 32,767 characters"):
        read_file(path, limits=Limits(compression_ratio=10**6))


def test_long_inline_cell_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "long.xlsx", [row(1, "name", "lat", "lon"), row(2, "x" * 40_000, 32.5, 59.2)]
    )
    with pytest.raises(
        InputError, match=r"long.xlsx: sheet 'Sheet1': cell A2 holds more than 32,767 characters"
    ):
        read_file(path)


def test_xlsx_rows_counted_while_streaming(tmp_path):
    path = settlements_xlsx(tmp_path / "rows.xlsx", 1_200)
    assert len(read_file(path)) == 1_200
    out = read_in_child(path, env={"SITING_LIMIT_ROWS": "1000"})
    assert out == {
        "refused": f"{path}: sheet 'Sheet1' has a row 1,001; the limit is 1,000 rows (SITING_LIMIT_ROWS)"
    }


def test_dtd_in_a_workbook_refused(tmp_path):
    path = dtd_xlsx(tmp_path / "dtd.xlsx")
    with pytest.raises(
        InputError,
        match=r"dtd.xlsx: xl/worksheets/sheet1.xml: declares a DTD \(<!DOCTYPE> or "
        r"<!ENTITY>\); documents with a DTD are refused",
    ):
        read_file(path)


def test_zipped_shapefile_bomb_refused(tmp_path):
    path = zip_bomb_shapefile(tmp_path / "bomb.zip", 64 * 2**20)
    out = read_in_child(path)
    assert out["refused"].startswith(f"{path}: the archive member a.dbf is compressed ")
    assert "refused as a possible ZIP bomb" in out["refused"]


def test_zip_members_and_total_size(tmp_path):
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(12):
            zf.writestr(f"f{i}.shp", b"\x00\x00\x27\x0a")
    with pytest.raises(
        InputError,
        match=r"many.zip: the archive has 12 members; the limit is 10 "
        r"\(SITING_LIMIT_ZIP_MEMBERS\)",
    ):
        read_file(many, limits=Limits(zip_members=10))
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w") as zf:
        zf.writestr("a.shp", os.urandom(700_000))
        zf.writestr("a.dbf", os.urandom(700_000))
    with pytest.raises(
        InputError, match=r"big.zip: the archive decompresses to 1.3 MiB in all; the limit is 1 MiB"
    ):
        read_file(big, limits=Limits(unzipped_bytes=2**20))


def test_named_pipe_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    out = read_in_child(fifo, timeout=30)
    assert out == {
        "refused": f"{fifo}: is a named pipe (FIFO), not a regular file; only regular files are read"
    }


def test_character_device_refused():
    with pytest.raises(InputError, match=r"^/dev/zero: is a character device, not a regular file"):
        read_file("/dev/zero")


def test_file_size_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("name,lat,lon\n" + "a,32.5,59.2\n" * 100_000, encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"big.csv: 1.1 MiB is larger than the 1 MiB limit on input files "
        r"\(SITING_LIMIT_FILE_MB\)",
    ):
        read_file(path, limits=Limits(file_bytes=2**20))


def test_csv_rows_columns_cells_and_cell_length(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,lat,lon\n" + "a,32.5,59.2\n" * 20, encoding="utf-8")
    assert len(read_file(path, limits=Limits(rows=20))) == 20
    with pytest.raises(InputError, match=r"t.csv: more than 19 data rows \(SITING_LIMIT_ROWS\)"):
        read_file(path, limits=Limits(rows=19))
    with pytest.raises(InputError, match=r"t.csv: the header has 3 columns; the limit is 2"):
        read_file(path, limits=Limits(columns=2))
    with pytest.raises(InputError, match=r"t.csv: more than 50 cells \(17 rows × 3 columns"):
        read_file(path, limits=Limits(cells=50))
    long = tmp_path / "long.csv"
    long.write_text(
        "name,lat,lon\nab,32.5,59.2\n" + "x" * 40_000 + ",32.5,59.2\n", encoding="utf-8"
    )
    with pytest.raises(
        InputError, match=r"long.csv: line 3 \(data row 2\), column 1: more than 32,767 characters"
    ):
        read_file(long)


def test_csv_row_with_more_fields_than_the_header(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("name,lat,lon\nروستا,32.5,59.2,اضافه\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"extra.csv: line 2 \(data row 1\) has 4 fields but the header has 3 "
        r"columns",
    ):
        read_file(path)
    later = tmp_path / "later.csv"
    later.write_text("name,lat,lon\na,32.5,59.2\nb,32.6,59.3,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"later.csv: line 3 \(data row 2\) has 4 fields"):
        read_file(later)


def test_csv_blank_trailing_fields_are_dropped(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("name,lat,lon\na,32.5,59.2,\nb,32.6,59.3,,\n", encoding="utf-8")
    raw = read_file(path)
    assert list(raw.frame.columns) == ["name", "lat", "lon"]
    assert raw.frame["name"].tolist() == ["a", "b"] and raw.rows.tolist() == [1, 2]
    assert raw.lon.tolist() == [59.2, 59.3]


def test_geojson_feature_limit(tmp_path):
    path = tmp_path / "pts.geojson"
    feats = [
        {
            "type": "Feature",
            "properties": {"name": f"p{i}"},
            "geometry": {"type": "Point", "coordinates": [59.2, 32.5]},
        }
        for i in range(30)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    assert len(read_file(path, limits=Limits(rows=30))) == 30
    with pytest.raises(
        InputError, match=r"pts.geojson: 30 features; the limit is 29 \(SITING_LIMIT_ROWS\)"
    ):
        read_file(path, limits=Limits(rows=29))


def test_deeply_nested_geojson_refused(tmp_path):
    path = tmp_path / "deep.geojson"
    depth = 100_000
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":'
        + "[" * depth
        + "]" * depth
        + '},"geometry":null}]}',
        encoding="utf-8",
    )
    out = read_in_child(path)
    assert out["refused"].startswith(f"{path}: not a readable GeoJSON (")
    assert "nested" in out["refused"]
