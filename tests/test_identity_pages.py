"""The candidate profile's 证件 and photo (printed on certificates, 人社鉴发〔2021〕1号): a 居民身份证
number checked with its GB 11643-1999 check digit, other 证件 by form, and a photo accepted only when
Pillow decodes it as a JPEG or PNG picture. A refused input changes nothing. CSRF stays on."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import select

from app.auth.models import User
from app.eligibility.models import CandidateProfile
from app.extensions import db
from tests.conftest import csrf_from
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)

GB_EXAMPLE = "11010519491231002X"  # the example number of GB 11643-1999 (check character X)


def _profile(app, username="c1") -> CandidateProfile | None:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user_id))
        if profile is not None:
            db.session.expunge(profile)
        return profile


@pytest.fixture
def candidate(make_user, login):
    make_user("c1", name="王小明")
    browser = login("c1")
    return browser, csrf_from(browser.get("/eligibility/profile").get_data(True))


def _save_id(browser, token, id_type, number):
    return browser.post("/eligibility/identity", data={"csrf_token": token, "id_type": id_type, "id_number": number})


def test_valid_resident_id_is_saved(app, candidate):
    browser, token = candidate
    assert _save_id(browser, token, "居民身份证", GB_EXAMPLE).status_code == 302
    profile = _profile(app)
    assert (profile.id_type, profile.id_number) == ("居民身份证", GB_EXAMPLE)


def test_lower_case_x_is_stored_as_capital(app, candidate):
    browser, token = candidate
    assert _save_id(browser, token, "居民身份证", " 11010519491231002x ").status_code == 302
    assert _profile(app).id_number == GB_EXAMPLE


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验码不正确"),  # one check character off
        ("11010519491231002", "须为18位"),
        ("11010519490230002X", "出生日期19490230不存在"),
        ("1101051949123100AX", "前17位须为数字"),
    ],
)
def test_bad_resident_id_is_422_naming_the_field(app, candidate, number, message):
    browser, token = candidate
    r = _save_id(browser, token, "居民身份证", number)
    assert r.status_code == 422
    page = r.get_data(True)
    assert message in page and "证件号码" in page
    assert _profile(app) is None or _profile(app).id_number == ""


def test_other_id_types_by_form(app, candidate):
    browser, token = candidate
    assert _save_id(browser, token, "护照", "E12345678").status_code == 302
    assert _profile(app).id_type == "护照"
    assert _save_id(browser, token, "护照", "=1+1").status_code == 422
    assert _save_id(browser, token, "学生证", "123456").status_code == 422
    assert _profile(app).id_number == "E12345678"


def test_identity_form_needs_csrf(candidate):
    browser, _ = candidate
    assert browser.post("/eligibility/identity", data={"id_type": "护照", "id_number": "E1234567"}).status_code == 400


def _image(kind: str, size=(300, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(out, format=kind)
    return out.getvalue()


def _upload(browser, token, content: bytes, name="photo.png"):
    return browser.post(
        "/eligibility/photo",
        data={"csrf_token": token, "photo": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_photo_decoded_and_stored_as_jpeg(app, candidate):
    browser, token = candidate
    page = _upload(browser, token, _image("PNG")).get_data(True)
    assert "照片已上传" in page
    profile = _profile(app)
    path = os.path.join(app.config["UPLOAD_FOLDER"], "photos", profile.photo)
    with Image.open(path) as stored:
        assert stored.format == "JPEG" and stored.size == (300, 400)
    r = browser.get("/eligibility/photo")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a picture at all", "无法识别为图片"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "无法识别为图片"),  # the magic bytes alone are not a picture
        (_image("GIF"), "只接受 JPEG 或 PNG"),
        (_image("PNG", (40, 40)), "图片太小"),
    ],
)
def test_bad_photo_is_refused_and_nothing_stored(app, candidate, content, message):
    browser, token = candidate
    page = _upload(browser, token, content).get_data(True)
    assert message in page
    profile = _profile(app)
    assert profile is None or profile.photo is None
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "photos")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_certificate_carries_the_identity_and_photo(app, flow, login):
    flow.user("c1", name="王小明")
    browser = login("c1")
    token = csrf_from(browser.get("/eligibility/profile").get_data(True))
    _save_id(browser, token, "居民身份证", GB_EXAMPLE)
    _upload(browser, token, _image("JPEG"))
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", 70)
    flow.practical(sid, "c1", 70)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    number = flow.results(sid)["c1"]["certificate_no"]
    page = browser.get(f"/results/certificates/{number}").get_data(True)
    assert GB_EXAMPLE in page and "居民身份证" in page and "照片未登记" not in page
    photo = browser.get(f"/results/certificates/{number}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    # The public verification never shows the 证件号码
    assert GB_EXAMPLE not in flow.client.get(f"/api/v1/certificates/{number}").get_data(True)
