"""The 申报 pages in the browser's order, with CSRF on: profile → check → apply → review → decision."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import func, select

from app.eligibility.models import Application, CandidateProfile
from app.extensions import db
from app.uploads import EvidenceFile
from tests.conftest import csrf_from


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "#c00").save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Real files: evidence is checked by decoding the image and parsing the PDF (issue 11 item 9).
PNG = _png()
PDF = _pdf()


def _profile_form(csrf: str, **rows) -> dict:
    data = {"csrf_token": csrf, "birth_date": "1990-05-01", "action": "save"}
    data.update(rows)
    return data


def test_profile_to_approved_application(app, make_user, login):
    make_user("cand", center="甲中心", name="张三")
    make_user("boss", role="center_admin", center="甲中心")
    browser = login("cand")

    page = browser.get("/eligibility/profile")
    assert page.status_code == 200 and "我的申报资料" in page.get_data(True)
    # add a work row (nothing saved yet), then save it
    page = browser.post("/eligibility/profile", data=_profile_form(csrf_from(page.get_data(True)), action="add:work"))
    html = page.get_data(True)
    assert 'name="work-0-occupation"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CandidateProfile)) == 0
    response = browser.post(
        "/eligibility/profile",
        data=_profile_form(
            csrf_from(html), **{"work-0-occupation": "社团会员管理员", "work-0-start": "2010-03-01", "work-0-end": ""}
        ),
    )
    assert response.status_code == 302

    # evidence: a PNG is kept
    page = browser.get("/eligibility/profile")
    response = browser.post(
        "/eligibility/evidence",
        data={"csrf_token": csrf_from(page.get_data(True)), "label": "劳动合同", "file": (io.BytesIO(PNG), "合同.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302

    page = browser.get("/eligibility/check?target=3-01-01-04:四级")
    html = page.get_data(True)
    assert "符合申报条件" in html and "累计从事本职业或相关职业工作" in html and "满5年" in html
    response = browser.post("/eligibility/apply", data={"csrf_token": csrf_from(html), "target": "3-01-01-04:四级"})
    assert response.status_code == 302
    with app.app_context():
        application = db.session.scalar(select(Application))
        app_id, file_id = application.id, application.evidence[0]["id"]
        assert application.status.value == "eligible" and application.profile["work"][0]["start"] == "2010-03-01"
    assert "待审核" in browser.get("/eligibility/applications").get_data(True)

    admin = login("boss")
    queue = admin.get("/eligibility/review").get_data(True)
    assert f"#{app_id}" in queue and "张三" in queue
    detail = admin.get(f"/eligibility/applications/{app_id}").get_data(True)
    assert "申报时的资料" in detail and "2010-03-01" in detail and "劳动合同" in detail
    assert admin.get(f"/eligibility/evidence/{file_id}").data == PNG  # the reviewing center sees the evidence
    # no CSRF token: refused, nothing decided
    assert admin.post(f"/eligibility/applications/{app_id}/decide", data={"action": "approve"}).status_code == 400
    response = admin.post(
        f"/eligibility/applications/{app_id}/decide",
        data={"csrf_token": csrf_from(detail), "action": "approve", "reason": "材料齐全，同意"},
    )
    assert response.status_code == 302
    with app.app_context():
        decided = db.session.get(Application, app_id)
        assert decided.status.value == "approved" and decided.decided_by.username == "boss" and decided.decided_at

    mine = browser.get("/eligibility/applications").get_data(True)
    assert "已批准" in mine and "材料齐全，同意" in mine


def test_profile_errors_name_the_row_and_store_nothing(app, make_user, login):
    make_user("cand")
    browser = login("cand")
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    response = browser.post(
        "/eligibility/profile",
        data=_profile_form(
            csrf, **{"work-0-occupation": "社团会员管理员", "work-0-start": "2020-01-01", "work-0-end": "2019-01-01"}
        ),
    )
    assert response.status_code == 422
    text = response.get_data(True)
    # the message names the row and the field by their labels, never the API's key path
    assert "工作经历第 1 条的结束日期：结束日期 2019-01-01 早于开始日期 2020-01-01" in text
    assert "candidate.work" not in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CandidateProfile)) == 0


def test_remove_row(make_user, login):
    make_user("cand")
    browser = login("cand")
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    rows = {
        "work-0-occupation": "甲",
        "work-0-start": "2020-01-01",
        "work-1-occupation": "乙",
        "work-1-start": "2021-01-01",
    }
    html = browser.post("/eligibility/profile", data=_profile_form(csrf, action="remove:work:0", **rows)).get_data(True)
    assert 'value="乙"' in html and 'value="甲"' not in html


def test_evidence_checks_content_and_access(app, make_user, login):
    make_user("cand", center="甲中心")
    make_user("other")
    make_user("boss", role="center_admin", center="甲中心")
    make_user("rival", role="center_admin", center="乙中心")
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    browser = login("cand")

    def upload(content: bytes, name: str):
        csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
        return browser.post(
            "/eligibility/evidence",
            data={"csrf_token": csrf, "label": "材料", "file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        )

    assert "只接受 PDF、JPEG 或 PNG" in upload(b"MZ\x90\x00 not a pdf", "fake.pdf").get_data(True)
    assert "文件超过" in upload(b"%PDF-" + b"x" * 2000, "big.pdf").get_data(True)
    upload(PDF, "证书.pdf")
    with app.app_context():
        files = db.session.scalars(select(EvidenceFile)).all()
        assert [(f.content_type, f.original_name) for f in files] == [("application/pdf", "证书.pdf")]
        file_id = files[0].id
    assert browser.get(f"/eligibility/evidence/{file_id}").data == PDF
    assert login("other").get(f"/eligibility/evidence/{file_id}").status_code == 404
    # a center admin sees it only once it is part of an application they review
    assert login("boss").get(f"/eligibility/evidence/{file_id}").status_code == 404
    csrf = csrf_from(browser.get("/eligibility/check").get_data(True))
    browser.post("/eligibility/apply", data={"csrf_token": csrf, "target": "3-01-01-04:五级"})
    assert login("boss").get(f"/eligibility/evidence/{file_id}").status_code == 200
    assert login("rival").get(f"/eligibility/evidence/{file_id}").status_code == 404
    # cited evidence cannot be deleted
    csrf = csrf_from(browser.get("/eligibility/profile").get_data(True))
    html = browser.post(
        f"/eligibility/evidence/{file_id}/delete", data={"csrf_token": csrf}, follow_redirects=True
    ).get_data(True)
    assert "不能删除" in html


def test_pages_need_the_right_role(make_user, login, client):
    make_user("cand")
    make_user("boss", role="center_admin", center="甲中心")
    assert client.get("/eligibility/profile").status_code == 302  # to the sign-in page
    assert login("cand").get("/eligibility/review").status_code == 403
    assert login("boss").get("/eligibility/profile").status_code == 403
    nav = login("cand").get("/eligibility/profile").get_data(True)
    assert "我的申报资料" in nav and "我的申报" in nav


def test_the_application_snapshot_tables_stack_on_a_phone(app):
    # 申报时的资料 on the application page: every table one card per row at 390 px (.stack), each cell
    # labelled by its column; the 学历 table's six columns once scrolled inside their box instead.
    import re

    profile = {
        "birth_date": "1990-05-01",
        "work": [{"occupation": "社团会员管理员", "start": "2010-03-01", "end": None}],
        "certificates": [{"occupation": "社团会员管理员", "level": "五级", "issued": "2015-01-01"}],
        "education": [
            {"school": "技工学校", "program": "高级技工", "major": "社会工作", "status": "graduated",
             "graduated": "2012-07-01", "assessed": False}
        ],
        "titles": [{"rank": "初级", "matches_field": True, "obtained": "2016-01-01"}],
        "training": [{"level": "四级", "hours": 80, "completion_certificate": True, "completed": "2020-01-01"}],
    }  # fmt: skip
    with app.test_request_context():
        html = str(app.jinja_env.get_template("eligibility/_result.html").module.snapshot(profile))
    tables = re.findall(r"<table([^>]*)><caption>([^<]*)</caption>(.*?)</table>", html, re.S)
    assert [caption for _, caption, _ in tables] == ["工作经历", "证书", "学历", "职称", "预备培训"]
    for attrs, caption, body in tables:
        assert "stack" in attrs, caption
        headers = re.findall(r"<th>([^<]*)</th>", body)
        cells = re.findall(r"<td([^>]*)>", body)
        assert len(cells) == len(headers), caption
        assert [re.search(r'data-label="([^"]*)"', c).group(1) for c in cells] == headers, caption
