"""PDFs with active content (JavaScript on opening, additional actions, the /JavaScript names tree)
are refused at upload, naming the field, on every path that takes a PDF (app/uploads.py ``parses``:
evidence, continuing-education claims and rating evidence cite those uploads; 综合评审 materials);
综合评审 materials are served as attachments under a cleaned name, never inline to a reviewer.
The PDFs are built with pypdf, the library that parses them on upload."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from sqlalchemy import func, select

from app import timeutil
from app.extensions import db
from app.practical.models import ReviewMaterial
from app.uploads import EvidenceFile
from tests.test_practical_api import setup_fixture  # noqa: F401  (fixture)
from tests.test_uploads_api import post_file


def _script() -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")}
    )


def pdf(active: str | None = None) -> bytes:
    """A one-page PDF; ``active``: where it carries JavaScript (or a plain /OpenAction destination)."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    root = writer._root_object
    if active == "open_action":
        root[NameObject("/OpenAction")] = writer._add_object(_script())
    elif active == "chained":  # a harmless /GoTo whose /Next runs the script
        go = DictionaryObject(
            {
                NameObject("/S"): NameObject("/GoTo"),
                NameObject("/D"): ArrayObject([page.indirect_reference, NameObject("/Fit")]),
                NameObject("/Next"): writer._add_object(_script()),
            }
        )
        root[NameObject("/OpenAction")] = writer._add_object(go)
    elif active == "names":
        writer.add_js("app.alert('x');")
    elif active == "aa":
        root[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): writer._add_object(_script())})
    elif active == "page_aa":
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(_script())})
    elif active == "destination":  # opens at page 1, fit: no script
        root[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
    elif active == "zoom":
        root[NameObject("/OpenAction")] = ArrayObject(
            [page.indirect_reference, NameObject("/XYZ"), NumberObject(0), NumberObject(0), NumberObject(1)]
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ACTIVE = ["open_action", "chained", "names", "aa", "page_aa"]


@pytest.mark.parametrize("active", ACTIVE)
def test_an_upload_with_active_content_is_refused_and_nothing_is_kept(app, client, make_user, token_for, active):
    make_user("cand")
    refused = post_file(client, token_for("cand"), pdf(active), "证明.pdf")
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "pdf_active_content" and error["details"]["field"] == "file"
    assert "证明材料文件" in error["message"] and "脚本" in error["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "evidence")
    assert not os.path.isdir(folder) or not os.listdir(folder)


@pytest.mark.parametrize("active", [None, "destination", "zoom"])
def test_a_pdf_that_only_opens_at_a_page_is_accepted(client, make_user, token_for, active):
    make_user("cand")
    assert post_file(client, token_for("cand"), pdf(active), "证明.pdf").status_code == 201


@pytest.fixture
def materials(app, client, setup, token_for):
    s = setup(level="二级", reviewers=3)
    due = (timeutil.utcnow() + timedelta(hours=1)).isoformat()
    assert (
        client.put(f"/api/v1/sessions/{s['sid']}/review/deadline", json={"due": due}, headers=s["admin"]).status_code
        == 200
    )
    url = f"/api/v1/sessions/{s['sid']}/review/materials"
    candidate = token_for("c1")

    def send(content: bytes, name: str = "技术总结.pdf"):
        data = {"kind": "summary", "file": (io.BytesIO(content), name)}
        return client.post(url, data=data, headers=candidate, content_type="multipart/form-data")

    return send


def test_review_material_with_open_action_javascript_is_refused(app, materials):
    refused = materials(pdf("open_action"))
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "pdf_active_content" and error["details"]["field"] == "file"
    assert error["details"]["where"] == "/OpenAction" and error["message"].startswith("材料文件：")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewMaterial)) == 0


def test_review_material_is_served_as_an_attachment_under_a_clean_name(app, materials, login, token_for):
    """Before the fix: ``Content-Disposition: inline`` with the uploader's raw name."""
    ok = materials(pdf(), name="../稿件/论文<终稿1>.html")
    assert ok.status_code == 201, ok.get_json()
    with app.app_context():
        material = db.session.scalar(select(ReviewMaterial))
    response = login("r1").get(f"/practical/materials/{material.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "inline" not in disposition
    assert "filename*=UTF-8''%E8%AE%BA%E6%96%87%E7%BB%88%E7%A8%BF1.pdf" in disposition  # 论文终稿1.pdf
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    assert material.original_name == "论文终稿1.html"  # kept cleaned (no path, no angle brackets)
