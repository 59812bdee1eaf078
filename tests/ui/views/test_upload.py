"""Uploaded bytes go through the same import as the CLI, write nothing, and are named as uploaded."""

from __future__ import annotations

import hashlib

import pytest

from siting.errors import InputError
from siting.io.importer import ImportOptions
from siting.workspace import Workspace
from ui.views.upload import ChosenFile, prepare_upload, read_uploaded_proposals, staged

OFFICES_CSV = (
    "office_id,name,licence_type,status,lat,lon\n"
    "N1,دفتر تازه,rural,active,۳۲٫۷۱,۵۹٫۵۲\n"
    "N2,بیرون,rural,active,35.70,51.40\n"
    "N3,بی‌مختصات,urban,active,abc,59.2\n"
).encode()


def test_staged_file_is_private_and_removed():
    with staged("../../etc/passwd.csv", b"a,b\n1,2\n") as path:
        assert path.name == "upload.csv" and path.read_bytes() == b"a,b\n1,2\n"
        folder = path.parent
    assert not folder.exists()
    for name, data, words in (("x.exe", b"1", "unknown extension"), ("x.csv", b"", "empty")):
        with pytest.raises(InputError, match=words) as exc, staged(name, data):
            pass
        assert name in str(exc.value)
    with pytest.raises(InputError, match="larger than"), staged("big.csv", b"x" * 11, max_bytes=10):
        pass


def test_prepare_upload_reports_rows_and_writes_nothing(tmp_path, hand_ws):
    path = tmp_path / "ws.gpkg"
    hand_ws.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    ws = Workspace.load(path)
    new, report = prepare_upload(ws, "offices", "دفاتر.csv", OFFICES_CSV, ImportOptions(append=True))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # nothing written
    assert report.file == "دفاتر.csv" and not report.written
    assert (report.rows_read, report.imported, report.rejected) == (3, 1, 2)
    rows = {i.row: i for i in report.errors}
    assert set(rows) == {2, 3} and "outside the region" in rows[2].reason and rows[3].field == "coordinates"
    assert all("siting-upload-" not in i.reason for i in report.issues)
    assert len(new.offices) == len(ws.offices) + 1
    n1 = new.offices[new.offices["office_id"] == "N1"].geometry.iat[0]
    assert (n1.x, n1.y) == (59.52, 32.71)  # Persian digits parsed
    assert new.imports["file"].iat[-1] == "دفاتر.csv" and new.imports["source"].iat[-1] == "دفاتر.csv"
    new.save(path)  # the caller saves once the person confirms
    assert len(Workspace.load(path).offices) == len(ws.offices) + 1


def test_broken_upload_names_the_file(hand_ws):
    for name, data in (("offices.xlsx", b"PK\x03\x04 not really a zip"), ("offices.csv", b"\x00\x01\x02binary"),
                       ("offices.geojson", b"{not json")):
        with pytest.raises(InputError) as exc:
            prepare_upload(hand_ws, "offices", name, data)
        assert name in str(exc.value) and "siting-upload-" not in str(exc.value)


def test_read_uploaded_proposals(hand_ws):
    data = ("proposal_id,name,licence_type,lat,lon\nP1,الف,روستایی,32.71,59.52\nP2,ب,نامعلوم,32.8,59.3\n").encode()
    sites, report = read_uploaded_proposals(hand_ws, "proposals.csv", data)
    assert sites["proposal_id"].tolist() == ["P1"] and sites["licence_type"].tolist() == ["rural"]
    assert report.file == "proposals.csv" and report.errors[0].row == 2 and report.errors[0].field == "licence_type"


def test_chosen_file_the_last_action_wins():
    session: dict = {}
    chosen = ChosenFile(key="p.file", uploader="p.upload")
    assert chosen.current(session) is None and chosen.uploader_key(session) == "p.upload.0"
    chosen.take(session, "mine.csv", b"a")  # an upload: taken, the uploader kept as it is
    assert chosen.current(session) == ("mine.csv", b"a") and chosen.uploader_key(session) == "p.upload.0"
    chosen.use(session, "sample.csv", b"s")  # the page's own file: a new, empty uploader
    assert chosen.current(session) == ("sample.csv", b"s") and chosen.uploader_key(session) == "p.upload.1"
    chosen.take(session, "mine.csv", b"b")  # a file put in the new uploader wins again
    assert chosen.current(session) == ("mine.csv", b"b") and chosen.uploader_key(session) == "p.upload.1"
    chosen.clear(session)
    assert chosen.current(session) is None and chosen.uploader_key(session) == "p.upload.2"
    chosen.clear(session)  # clearing nothing: no error, another empty uploader
    assert chosen.current(session) is None and chosen.uploader_key(session) == "p.upload.3"
    other = ChosenFile(key="q.file", uploader="q.upload")  # pages do not share a file nor an uploader count
    assert other.current(session) is None and other.uploader_key(session) == "q.upload.0"
