"""Uploads through the API (app/uploads.py): the id a claim or a self-assessment cites; only files that
parse as PDF/JPEG/PNG; a file is its owner's — another person gets 404, and may not cite it."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.auth.models import User
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
