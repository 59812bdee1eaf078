"""Bad files and arguments: exit status 2 and one line naming the file, row or field, never a traceback.

Each command runs as a user runs it (``python -m siting``), under a 1.5 GiB address-space
limit so that an input expanded in memory fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from hostile_files import dtd_xlsx, far_cell_xlsx

from siting.rules import DEFAULT_RULES_PATH
from siting.samples.hand import hand_workspace

MEMORY_LIMIT = 1536 * 2**20


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def siting(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siting", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def refused(p: subprocess.CompletedProcess, message: str) -> None:
    assert p.returncode == 2, f"exit {p.returncode}: {p.stderr[-1500:]}"
    assert "Traceback" not in p.stderr and "this is a bug" not in p.stderr
    assert p.stderr.count("\n") == 1, p.stderr
    assert message in p.stderr, p.stderr


@pytest.fixture()
def ws(tmp_path):
    return hand_workspace().save(tmp_path / "ws.gpkg")


def test_csv_first_data_row_with_more_fields_than_the_header(tmp_path, ws):
    f = tmp_path / "offices.csv"
    f.write_text("office_id,licence_type,lat,lon\nX1,rural,32.87,59.21,extra\n", encoding="utf-8")
    refused(
        siting("import", "offices", f, "-w", ws),
        f"siting: {f}: line 2 (data row 1) has 5 fields but the header has 4 columns",
    )


def test_xlsx_with_a_dtd(tmp_path, ws):
    f = dtd_xlsx(tmp_path / "settlements.xlsx")
    refused(
        siting("import", "settlements", f, "-w", ws),
        f"siting: {f}: xl/worksheets/sheet1.xml: declares a DTD (<!DOCTYPE> or <!ENTITY>)",
    )


def test_unknown_field_refused(tmp_path, ws):
    f = tmp_path / "s.csv"
    f.write_text("name,lat,lon\nروستا,32.87,59.21\n", encoding="utf-8")
    before = ws.read_bytes()
    refused(
        siting("import", "settlements", f, "--field", "evil=name", "-w", ws),
        "siting: --field evil: not a field of the 'settlements' layer; its fields: name_fa, name_en",
    )
    assert ws.read_bytes() == before


@pytest.mark.parametrize("bad", [".nan", ".inf"])
def test_nan_in_the_rules_file(tmp_path, ws, bad):
    rules = tmp_path / "rules.yaml"
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    rules.write_text(
        text.replace(
            "  service_radius_m:\n    value: 3000", f"  service_radius_m:\n    value: {bad}", 1
        ),
        encoding="utf-8",
    )
    refused(
        siting(
            "validate",
            "--lon",
            "59.21",
            "--lat",
            "32.87",
            "--type",
            "urban",
            "--rules",
            rules,
            "-w",
            ws,
        ),
        f"siting: {rules}: urban: service_radius_m: expected a finite number, got",
    )


def test_dms_minutes_beyond_59(ws):
    refused(
        siting("validate", "--lon", "59°99′99″E", "--lat", "32.87", "--type", "rural", "-w", ws),
        "siting: --lon '59°99′99″E': minutes 99 are not below 60",
    )


def test_nul_in_a_text_field(tmp_path, ws):
    f = tmp_path / "s.csv"
    f.write_bytes("name,lat,lon\nروستا,32.87,59.21\nبد\x00نام,32.88,59.22\n".encode())
    refused(
        siting("import", "settlements", f, "-w", ws),
        f"siting: {f}: line 3 (data row 2) holds a NUL character",
    )


def test_damaged_utf8_named_with_line_and_byte(tmp_path, ws):
    f = tmp_path / "s.csv"
    f.write_bytes("name,lat,lon\nروستا,32.87,59.21\n".encode() + b"\xff\xfe,32.88,59.22\n")
    refused(
        siting("import", "settlements", f, "-w", ws),
        f"siting: {f}: the file is UTF-8 except for 2 invalid byte(s), at line 3 (data row 2), byte 36: 0xff",
    )


def test_far_cell_workbook_as_proposals(tmp_path, ws):
    f = far_cell_xlsx(tmp_path / "proposals.xlsx")
    refused(
        siting(
            "validate",
            "--lon",
            "59.21",
            "--lat",
            "32.87",
            "--type",
            "urban",
            "--proposals",
            f,
            "-w",
            ws,
        ),
        f"siting: {f}: sheet 'Sheet1' has a row 1,048,576; the limit is 500,000 rows",
    )


def test_far_cell_workbook_as_candidates(tmp_path, ws):
    f = far_cell_xlsx(tmp_path / "candidates.xlsx")
    refused(
        siting("optimize", "mclp", "--k", "1", "--candidates", f, "-w", ws),
        f"{f}: sheet 'Sheet1' has a row 1,048,576; the limit is 500,000 rows",
    )


def test_far_cell_workbook_import(tmp_path, ws):
    f = far_cell_xlsx(tmp_path / "settlements.xlsx")
    refused(
        siting("import", "settlements", f, "-w", ws),
        f"siting: {f}: sheet 'Sheet1' has a row 1,048,576",
    )


def test_named_pipe_does_not_hang(tmp_path, ws):
    fifo = tmp_path / "offices.csv"
    os.mkfifo(fifo)
    refused(
        siting("import", "offices", fifo, "-w", ws, timeout=60),
        f"siting: {fifo}: is a named pipe (FIFO), not a regular file",
    )
