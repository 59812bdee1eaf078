"""Document checks with real generated files (Pillow and pypdf), and storing them."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from tracker_helpers import (
    RURAL_SITE,
    good_file,
    jpeg,
    natural_applicant,
    pdf_of,
    png,
    scan_image,
    scan_pdf,
    snapshot,
    version,
)

from siting.tracker import DocumentRejected, TrackerInputError, TransitionError
from siting.tracker.documents import FileStore, check_document, sniff_format


@pytest.fixture()
def kinds(workflow):
    return workflow.documents


@pytest.fixture()
def limits(workflow):
    return workflow.limits


def codes(check):
    return [p.code for p in check.problems]


def rewrite(pdf: bytes, change) -> bytes:
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_accepted_files_report_their_facts(kinds, limits):
    pdf = scan_pdf(4)
    c = check_document(pdf, kinds["birth_certificate"], limits)
    assert c.ok and (c.format, c.media_type, c.pages) == ("pdf", "application/pdf", 4)
    assert c.sha256 == hashlib.sha256(pdf).hexdigest() and c.size == len(pdf)
    c = check_document(jpeg(900, 1200), kinds["national_card"], limits)
    assert c.ok and (c.format, c.width, c.height) == ("jpeg", 900, 1200)
    assert check_document(png(600, 800), kinds["photo"], limits).ok


def test_type_comes_from_the_content_not_the_name(kinds, limits):
    assert sniff_format(jpeg()) == "jpeg" and sniff_format(png()) == "png" and sniff_format(scan_pdf(1)) == "pdf"
    # a JPEG is not a PDF, whatever it is called
    c = check_document(jpeg(), kinds["birth_certificate"], limits)
    assert codes(c) == ["wrong_type"] and "باید PDF باشد" in c.problems[0].message_fa
    # an executable renamed .pdf, a text file, an empty file
    assert codes(check_document(b"MZ\x90\x00" + b"\x00" * 100, kinds["photo"], limits)) == ["unknown_type"]
    assert codes(check_document(b"%!PS-Adobe", kinds["statute"], limits)) == ["unknown_type"]
    assert codes(check_document(b"", kinds["photo"], limits)) == ["empty"]


def test_size_limit(kinds, limits):
    big = pdf_of([scan_image(2480, 3508)] * 4, resolution=300)
    from dataclasses import replace

    small = replace(limits, max_bytes=len(big) - 1)
    c = check_document(big, kinds["statute"], small)
    assert codes(c) == ["too_large"] and "مگابایت" in c.problems[0].message_fa


def test_pdf_page_counts(kinds, limits):
    assert codes(check_document(scan_pdf(1), kinds["birth_certificate"], limits)) == ["pdf_too_few_pages"]
    c = check_document(scan_pdf(13), kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_too_many_pages"] and "13 pages" in c.problems[0].message_en
    assert check_document(scan_pdf(12), kinds["birth_certificate"], limits).ok


def test_one_certificate_page_per_pdf_page(kinds, limits):
    # a blank page (no scan) and a page holding two scans side by side
    blank = rewrite(scan_pdf(2), lambda w: w.add_blank_page())
    c = check_document(blank, kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_page_without_scan"] and "Page 3" in c.problems[0].message_en

    def merge(w):
        other = PdfReader(io.BytesIO(scan_pdf(1))).pages[0]
        w.pages[0].merge_transformed_page(other, [0.5, 0, 0, 0.5, 0, 0])

    c = check_document(rewrite(scan_pdf(2), merge), kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_several_scans_per_page"] and "Page 1 " in c.problems[0].message_en


def test_unreadable_scans_are_refused(kinds, limits):
    # 400 px across an A4 page is about 48 dpi
    low = pdf_of([scan_image(400, 566)] * 2, resolution=48)
    c = check_document(low, kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_low_resolution"]
    assert "48 dpi" in c.problems[0].message_en and "نقطه در اینچ" in c.problems[0].message_fa
    c = check_document(jpeg(300, 420), kinds["national_card"], limits)
    assert codes(c) == ["image_low_resolution"] and "300×420" in c.problems[0].message_en
    buf = io.BytesIO()
    Image.new("RGB", (900, 1200), "white").save(buf, "PNG")
    assert codes(check_document(buf.getvalue(), kinds["national_card"], limits)) == ["image_blank"]


def test_encrypted_and_active_pdfs_are_refused(kinds, limits):
    pdf = scan_pdf(2)
    c = check_document(rewrite(pdf, lambda w: w.encrypt("secret")), kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_encrypted"] and "رمز" in c.problems[0].message_fa
    c = check_document(rewrite(pdf, lambda w: w.add_open_action(JavaScript("app.alert(1)"))),
                       kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_active_content"] and "JavaScript" in c.problems[0].message_en
    c = check_document(rewrite(pdf, lambda w: w.add_attachment("run.exe", b"MZ")), kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_active_content"] and "EmbeddedFiles" in c.problems[0].message_en

    def launch(w):
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        w._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})

    c = check_document(rewrite(pdf, launch), kinds["birth_certificate"], limits)
    assert codes(c) == ["pdf_active_content"] and "Launch" in c.problems[0].message_en


def test_damaged_files_are_refused(kinds, limits):
    pdf = scan_pdf(2)
    assert codes(check_document(pdf[: len(pdf) // 2], kinds["birth_certificate"], limits)) == ["pdf_truncated"]
    broken = pdf.replace(b"/Type /Pages", b"/Type /Pagez").replace(b"xref", b"xreg")
    assert codes(check_document(broken, kinds["birth_certificate"], limits)) == ["pdf_damaged"]
    image = jpeg()
    assert codes(check_document(image[: len(image) // 3], kinds["national_card"], limits)) == ["image_damaged"]


def test_file_store_names_by_uuid_and_checks_the_hash(tmp_path):
    store = FileStore(tmp_path / "files")
    name = store.put(b"hello")
    assert len(name) == 36 and name.count("-") == 4
    assert store.get(name, hashlib.sha256(b"hello").hexdigest()) == b"hello"
    path = next((tmp_path / "files").glob("*/*"))
    assert path.name == name and oct(path.stat().st_mode & 0o777) == "0o600"
    path.write_bytes(b"tampered")
    with pytest.raises(LookupError, match="changed since it was uploaded"):
        store.get(name, hashlib.sha256(b"hello").hexdigest())
    with pytest.raises(LookupError):
        store.get("../../etc/passwd", "x")


# -- through the tracker -------------------------------------------------------------------------------
def test_upload_stores_checked_files_and_replaces_older_ones(world, tmp_path):
    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(50))
    app = t.create_application(world.alice, a.id, "rural", "new", site=RURAL_SITE)
    person = a.people[0].id
    content, _ = good_file("birth_certificate")
    doc = t.upload_document(world.alice, app.id, "birth_certificate", content, "../../شناسنامه.pdf",
                            person_id=person)
    assert (doc.original_name, doc.pages, doc.current) == ("شناسنامه.pdf", 4, True)
    view, data = t.read_document(world.alice, doc.id)
    assert data == content and view.sha256 == hashlib.sha256(content).hexdigest()
    stored = list((tmp_path / "files").glob("*/*"))
    assert len(stored) == 1 and stored[0].name != "شناسنامه.pdf"

    again = t.upload_document(world.alice, app.id, "birth_certificate", scan_pdf(2), "b.pdf", person_id=person)
    docs = t.get_application(world.alice, app.id).documents
    assert [(d.id, d.current) for d in docs] == [(doc.id, False), (again.id, True)]
    assert not any(m.kind == "birth_certificate" for m in t.get_application(world.alice, app.id).missing_documents)


def test_rejected_uploads_store_nothing(world, tmp_path):
    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(51))
    app = t.create_application(world.alice, a.id, "rural", "new", site=RURAL_SITE)
    person = a.people[0].id
    before = snapshot(t)
    with pytest.raises(DocumentRejected) as info:
        t.upload_document(world.alice, app.id, "birth_certificate", jpeg(300, 300), "scan.pdf", person_id=person)
    assert info.value.problems[0][0] == "wrong_type"
    assert "scan.pdf" in info.value.message_fa and "PDF" in info.value.message_fa
    with pytest.raises(TrackerInputError, match="say whose"):
        t.upload_document(world.alice, app.id, "photo", jpeg(), "p.jpg")
    with pytest.raises(TrackerInputError, match="not asked of a natural person"):
        t.upload_document(world.alice, app.id, "statute", scan_pdf(2), "s.pdf")
    with pytest.raises(TrackerInputError, match="unknown document"):
        t.upload_document(world.alice, app.id, "passport", jpeg(), "p.jpg", person_id=person)
    assert snapshot(t) == before
    assert not list((tmp_path / "files").glob("*/*"))


def test_documents_of_a_done_step_are_frozen(world):
    from tracker_helpers import do_step, to_agenda

    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(52))
    app = t.create_application(world.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(world, app.id, world.alice)
    t.record_decision(world.wg, app.id, "approve", "ok", expected_version=version(world, app.id))
    do_step(world, app.id, "credit_record", world.alice)
    with pytest.raises(TransitionError, match="ask the directorate to return it"):
        t.upload_document(world.alice, app.id, "credit_record", jpeg(), "c.jpg")
