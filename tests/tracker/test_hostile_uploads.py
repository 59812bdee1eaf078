"""Hostile uploads (issue 9, item 9): files are cleaned, not just checked.

Every file is generated here: PDFs with link and go-to actions, PDF and JPEG polyglots, a PDF whose
content stream inflates to 512 MiB, and file names with path parts, NUL and markup.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from tracker_helpers import RURAL_SITE, jpeg, natural_applicant, png, scan_pdf

from siting.tracker import DocumentRejected
from siting.tracker.documents import (
    MAX_INFLATED_STREAM,
    check_document,
    display_name,
)
from ui.components.tracker_views import md_escape

ZIP = (
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
    + b"\x00" * 16
    + b"\x07\x00\x00\x00evil.sh"
    + b"#!/bin/sh\nrm -rf ~\n"
    + b"PK\x05\x06"
    + b"\x00" * 18
)
HTML = b"<html><script>alert(document.cookie)</script></html>"


def codes(check):
    return [p.code for p in check.problems]


def with_link(pdf: bytes, action: dict) -> bytes:
    """The PDF with a link annotation on its first page carrying ``action``."""
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject(
                [NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]
            ),
            NameObject("/A"): DictionaryObject({NameObject(k): v for k, v in action.items()}),
        }
    )
    w.pages[0][NameObject("/Annots")] = ArrayObject([w._add_object(link)])
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pdf():
    return scan_pdf(4)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("URI", {"/S": NameObject("/URI"), "/URI": TextStringObject("http://attacker.example/x")}),
        (
            "GoToR",
            {
                "/S": NameObject("/GoToR"),
                "/F": TextStringObject("\\\\fileserver\\share\\x.pdf"),
                "/D": ArrayObject([NumberObject(0)]),
            },
        ),
        (
            "GoToE",
            {
                "/S": NameObject("/GoToE"),
                "/D": ArrayObject([NumberObject(0)]),
                "/T": DictionaryObject(
                    {
                        NameObject("/R"): NameObject("/C"),
                        NameObject("/N"): TextStringObject("payload.pdf"),
                    }
                ),
            },
        ),
        ("Launch", {"/S": NameObject("/Launch"), "/F": TextStringObject("cmd.exe")}),
    ],
)
def test_pdfs_with_link_and_go_to_actions_are_refused(workflow, pdf, name, action):
    kind = workflow.documents["birth_certificate"]
    assert check_document(pdf, kind, workflow.limits).ok  # the same file without the link passes
    c = check_document(with_link(pdf, action), kind, workflow.limits)
    assert codes(c) == ["pdf_active_content"]
    assert name in c.problems[0].message_en


def test_data_after_the_last_eof_is_refused(workflow, pdf):
    kind = workflow.documents["birth_certificate"]
    for tail in (ZIP, HTML, b"\n" + ZIP * 100):  # short (inside the last KB) and long
        c = check_document(pdf + tail, kind, workflow.limits)
        assert codes(c) == ["pdf_trailing_data"], tail[:10]
        assert "appended after the end of the PDF" in c.problems[0].message_en
    # line ends after %%EOF are not data
    assert check_document(pdf + b"\r\n\n", kind, workflow.limits).ok


def _bomb(pdf: bytes, inflated: int) -> bytes:
    """The PDF with one more content stream on page 1 that inflates to ``inflated`` zero bytes."""
    comp = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(inflated >> 20)) + comp.flush()
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    stream = EncodedStreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    ref = w._add_object(stream)
    page = w.pages[0]
    contents = page["/Contents"]
    page[NameObject("/Contents")] = ArrayObject(
        [*(contents if isinstance(contents, list) else [contents]), ref]
    )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_a_stream_inflating_past_the_limit_is_refused_without_inflating_it(workflow, pdf):
    kind = workflow.documents["birth_certificate"]
    bomb = _bomb(pdf, 512 << 20)
    assert len(bomb) < workflow.limits.max_bytes  # small on the wire
    start = time.perf_counter()
    c = check_document(bomb, kind, workflow.limits)
    assert codes(c) == ["pdf_decompression_bomb"]
    assert (
        time.perf_counter() - start < 20
    )  # bounded: stops at the limit, never inflates 512 MiB at once
    # a stream just under the limit is fine
    ok = _bomb(pdf, 8 << 20)
    assert MAX_INFLATED_STREAM > 8 << 20 and check_document(ok, kind, workflow.limits).ok


@pytest.mark.parametrize(("fmt", "make"), [("jpeg", jpeg), ("png", png)])
def test_images_are_re_encoded_so_nothing_rides_after_them(workflow, fmt, make):
    kind = workflow.documents["national_card"]
    clean = make()
    for tail in (ZIP, HTML):
        polyglot = clean + tail
        c = check_document(polyglot, kind, workflow.limits)
        assert c.ok and c.format == fmt
        assert (
            tail not in c.content and b"PK\x03\x04" not in c.content and b"<script" not in c.content
        )
        assert c.sha256 == hashlib.sha256(c.content).hexdigest() and c.size == len(c.content)
        end = b"\xff\xd9" if fmt == "jpeg" else b"IEND\xaeB`\x82"
        assert c.content.endswith(end)
        with Image.open(io.BytesIO(c.content)) as img:
            assert img.size == (900, 1200) and (img.format or "").lower() == fmt


def test_exif_and_comments_do_not_survive(workflow):
    img = Image.open(io.BytesIO(jpeg()))
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"  # ImageDescription
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), comment=b"<?php system($_GET['c']); ?>")
    c = check_document(buf.getvalue(), workflow.documents["national_card"], workflow.limits)
    assert c.ok and b"<script>" not in c.content and b"<?php" not in c.content


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("..\\..\\windows\\system32\\x.jpg", "x.jpg"),
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("scan\x00.php\x00.jpg", "scan.php.jpg"),
        ("a\u202egpj.exe", "agpj.exe"),  # right-to-left override
        ("line\r\nbreak.jpg", "line break.jpg"),
        ("", "file"),
        ("C:\\", "file"),
        ("کارت ملی.jpg", "کارت ملی.jpg"),
    ],
)
def test_display_names(raw, shown):
    assert display_name(raw) == shown


def test_markup_in_a_name_is_escaped_where_shown():
    name = display_name("<img src=x onerror=alert(1)>[click](javascript:alert(2))![x](data:x).jpg")
    shown = md_escape(name)
    for token in ("<img", "[click]", "![x]", "]("):
        assert token in name
    unescaped = re.sub(r"\\.", "", shown)  # what is left once every escaped character is taken out
    assert not set("<>[]!`") & set(unescaped)
    assert re.sub(r"\\(.)", r"\1", shown) == name  # nothing lost: it reads the same


def test_upload_stores_the_cleaned_image_under_a_display_name(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(80))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    person = t.get_application(w.alice, app.id).applicant.people[0].id
    hostile_name = "..\\..\\windows\\system32\\\x00<img src=x onerror=alert(1)>.jpg"
    doc = t.upload_document(
        w.alice, app.id, "national_card", jpeg() + ZIP + HTML, hostile_name, person_id=person
    )
    assert doc.original_name == "<img src=x onerror=alert(1)>.jpg"
    assert "\x00" not in doc.original_name and "\\" not in doc.original_name
    view, data = t.read_document(w.alice, doc.id)
    assert b"PK\x03\x04" not in data and b"<script" not in data and data.endswith(b"\xff\xd9")
    assert view.sha256 == hashlib.sha256(data).hexdigest() and view.size == len(data)
    # the PDF polyglot is refused and nothing is stored
    with pytest.raises(DocumentRejected) as info:
        t.upload_document(
            w.alice, app.id, "birth_certificate", scan_pdf(4) + ZIP, "../x.pdf", person_id=person
        )
    assert [p[0] for p in info.value.problems] == ["pdf_trailing_data"]
    assert "x.pdf was not accepted" in info.value.message_en and "../" not in info.value.message_en
