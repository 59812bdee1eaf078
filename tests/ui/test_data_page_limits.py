"""Data page: a hostile or damaged upload is refused with a sentence naming the uploaded file, nothing saved."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from apptest_helpers import assert_clean, sha256, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from hostile_files import dtd_xlsx

from siting.io.limits import current_limits
from ui.views.upload import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parents[2]


def _upload(at, name: str, data: bytes, mime: str):
    uploader = next(u for u in at.file_uploader if u.key.startswith("data.upload"))
    uploader.set_value((name, data, mime)).run()
    assert_clean(at)
    return at


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_workbook_with_a_dtd_is_refused(steward_page, workspace_copy, tmp_path):
    before = sha256(workspace_copy)
    at = _upload(
        steward_page(), "روستاها.xlsx", dtd_xlsx(tmp_path / "x.xlsx").read_bytes(), XLSX
    )
    assert texts(at.error) == ["فایل خوانده نشد؛ چیزی ذخیره نشد."]
    detail = " ".join(texts(at.caption))
    assert "روستاها.xlsx: xl/worksheets/sheet1.xml: declares a DTD" in detail
    assert str(tmp_path) not in detail and "upload.xlsx" not in detail
    assert sha256(workspace_copy) == before


def test_damaged_utf8_upload_is_refused_not_garbled(steward_page, workspace_copy):
    data = (
        "office_id,licence_type,lat,lon\nدفتر,rural,33.96,58.33\n".encode()
        + b"X\xff,rural,33.9,58.3\n"
    )
    at = _upload(steward_page(), "دفاتر.csv", data, "text/csv")
    assert texts(at.error) == ["فایل خوانده نشد؛ چیزی ذخیره نشد."]
    # said in Persian from the refusal's code (the command line keeps the English sentence)
    assert (
        "جزئیات: «\u2068دفاتر.csv\u2069»: فایل UTF-8 است جز ۱ بایت نامعتبر (نخستین در سطر ۳)"
        in " ".join(texts(at.caption))
    )


def test_upload_limit_matches_the_file_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert (
        config["server"]["maxUploadSize"] * 2**20 == MAX_UPLOAD_BYTES == current_limits().file_bytes
    )
