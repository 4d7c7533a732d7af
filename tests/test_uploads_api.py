"""Uploads through the API (app/uploads.py): the id a claim or a self-assessment cites; only files that
parse as PDF/JPEG/PNG; a file is its owner's — another person gets 404, and may not cite it."""

from __future__ import annotations

import errno
import io
import os

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from app import uploads
from app.auth.models import User
from app.eligibility import identity
from app.errors import Invalid
from app.extensions import db
from app.uploads import EvidenceFile, owned_uploads
from tests.test_eligibility_pages import PDF, PNG


def post_file(client, token, content: bytes, name: str, label: str | None = "学时证明"):
    data = {"file": (io.BytesIO(content), name)}
    if label is not None:
        data["label"] = label
    return client.post("/api/v1/uploads", data=data, content_type="multipart/form-data", headers=token)


def test_an_upload_is_its_owners(app, client, make_user, token_for):
    make_user("ce_owner", role="grader", center="甲中心")
    make_user("ce_other", role="grader", center="甲中心")
    owner, other = token_for("ce_owner"), token_for("ce_other")

    created = post_file(client, owner, PDF, "证明.pdf")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["label"] == "学时证明" and body["content_type"] == "application/pdf" and body["size"] == len(PDF)

    mine = client.get(f"/api/v1/uploads/{body['id']}", headers=owner)
    assert mine.status_code == 200 and mine.data == PDF
    assert mine.headers["Content-Disposition"].startswith("attachment")
    theirs = client.get(f"/api/v1/uploads/{body['id']}", headers=other)
    assert theirs.status_code == 404
    assert [f["id"] for f in client.get("/api/v1/uploads", headers=other).get_json()["uploads"]] == []

    with app.app_context():
        stranger = db.session.scalar(select(User).where(User.username == "ce_other"))
        try:
            owned_uploads(stranger, [body["id"]])
        except Invalid as exc:
            assert exc.details["field"] == "evidence.0"
        else:
            raise AssertionError("another person's upload was accepted as evidence")


def test_a_file_that_does_not_parse_is_refused_and_nothing_is_kept(app, client, make_user, token_for):
    make_user("ce_bad", role="candidate")
    token = token_for("ce_bad")
    forged = post_file(client, token, b"%PDF-1.4\nnot really a pdf", "x.pdf")
    assert forged.status_code == 422 and forged.get_json()["error"]["details"]["field"] == "file"
    missing = client.post("/api/v1/uploads", data={}, headers=token)
    assert missing.status_code == 422 and missing.get_json()["error"]["details"]["field"] == "file"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert post_file(client, token, PNG, "photo.png", label=None).get_json()["label"] == "photo.png"


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, client, make_user, token_for, monkeypatch):
    """Issue 28 item 9: a small PNG announcing 13000 × 13000 pixels (850 MB decoded) is refused from its
    header, as evidence and as a photo; nothing is kept."""
    bomb = _png(13000, 13000)
    assert len(bomb) < 200_000
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self, *a: decoded.append(self.size))
    make_user("bomber")
    headers = token_for("bomber")
    refused = post_file(client, headers, bomb, "bomb.png")
    assert refused.status_code == 422 and refused.get_json()["error"]["details"]["field"] == "file"
    assert decoded == [], decoded
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
        with pytest.raises(Invalid) as photo:
            identity.decode_photo(bomb)
        assert photo.value.details["field"] == "photo" and "像素过多" in photo.value.message


def test_a_full_disk_keeps_neither_row_nor_file(app, client, make_user, token_for, monkeypatch):
    """Issue 28 item 5: the file is written (temporary name, fsync, rename) before the row commits; when
    the disk refuses, the request answers 503 and neither a row nor a partial file is left."""
    make_user("full_disk")
    headers = token_for("full_disk")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads.os, "fsync", no_space)
    failed = post_file(client, headers, PDF, "证明.pdf")
    assert failed.status_code == 503 and failed.get_json()["error"]["code"] == "storage_unavailable"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
        folder = uploads.evidence_dir()
    assert not os.path.isdir(folder) or os.listdir(folder) == []
    monkeypatch.undo()
    kept = post_file(client, headers, PDF, "证明.pdf").get_json()
    with app.app_context():
        assert sorted(os.listdir(folder)) == [db.session.get(EvidenceFile, kept["id"]).stored_name]


def test_a_file_written_for_a_request_that_fails_later_is_removed(app, make_user):
    """The rollback removes what was staged: a request that uploads and then fails leaves no file."""
    make_user("late_failure")
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "late_failure"))
        file = uploads.store_upload(user, "证书", "a.pdf", io.BytesIO(PDF))
        path = uploads.path_of(file)
        assert os.path.exists(path)
        db.session.rollback()
        assert not os.path.exists(path)
