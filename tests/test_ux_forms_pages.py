"""Page forms (issue 27 items 5, 9, 14): every error at once beside its field, by label, with the
typed values kept; the profile's one form saves the 证件 with 保存资料; bounded free text; no 删除
for evidence already attached; the edit form is not offered for a 平台题库 item; one pair of brackets."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.banks.models import Item
from app.eligibility.identity import identity_of
from app.eligibility.models import Application
from app.extensions import db
from app.uploads import EvidenceFile
from tests.conftest import csrf_from
from tests.test_banks_api import STD, sample_items
from tests.test_eligibility_pages import PDF

VALID_ID = "11010519491231002X"  # GB 11643-1999's own example (check character X)


def _user(app, username: str):
    return db.session.scalar(select(User).where(User.username == username))


def _profile_page(browser) -> str:
    page = browser.get("/eligibility/profile")
    assert page.status_code == 200
    return page.get_data(True)


def _value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


# ---------------------------------------------------------------- item 9: one form


def test_saving_the_profile_saves_the_identity_edit_too(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    # one form holds both the 证件 and the 申报资料 (no separate 保存证件信息 form to forget)
    assert html.count('action="/eligibility/profile"') == 1 and "保存证件信息" not in html
    profile_form = html[html.index('id="profile-form"') : html.index("</form>", html.index('id="profile-form"'))]
    assert 'name="id_number"' in profile_form and 'name="birth_date"' in profile_form
    response = browser.post(
        "/eligibility/profile",
        data={"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-05-01",
              "id_type": "居民身份证", "id_number": VALID_ID.lower()},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert identity_of(_user(app, "cand")).id_number == VALID_ID
    assert _value_of(_profile_page(browser), "id_number") == VALID_ID


def test_a_bad_identity_number_saves_nothing_and_says_so_beside_the_field(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    response = browser.post(
        "/eligibility/profile",
        data={"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-05-01",
              "id_type": "居民身份证", "id_number": "110105194912310021"},
    )  # fmt: skip
    page = response.get_data(True)
    assert response.status_code == 422
    assert "已保存" not in page
    assert 'aria-describedby="id_number-error"' in page and 'id="id_number-error"' in page
    assert _value_of(page, "id_number") == "110105194912310021"  # what was typed stays
    assert _value_of(page, "birth_date") == "1990-05-01"
    with app.app_context():
        assert identity_of(_user(app, "cand")).id_number == ""
        assert db.session.scalar(select(db.func.count()).select_from(Application)) == 0


def test_a_new_candidate_saves_the_profile_before_having_a_number_for_the_id(app, make_user, login):
    # the form preselects 居民身份证 with a blank number; nothing is stored yet: untouched, not required
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    assert _value_of(html, "id_number") == ""
    response = browser.post(
        "/eligibility/profile",
        data={"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-05-01",
              "id_type": "居民身份证", "id_number": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(True)[:2000]
    page = _profile_page(browser)
    assert _value_of(page, "birth_date") == "1990-05-01" and "须为18位" not in page
    with app.app_context():
        assert identity_of(_user(app, "cand")).id_number == ""


def test_a_stored_number_cannot_be_blanked_silently(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    token = csrf_from(_profile_page(browser))
    data = {"csrf_token": token, "action": "save", "birth_date": "1990-05-01", "id_type": "居民身份证"}
    assert browser.post("/eligibility/profile", data={**data, "id_number": VALID_ID}).status_code == 302
    response = browser.post("/eligibility/profile", data={**data, "id_number": ""})
    assert response.status_code == 422 and "须为18位" in response.get_data(True)
    with app.app_context():
        assert identity_of(_user(app, "cand")).id_number == VALID_ID


def test_the_summary_names_a_field_once(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    response = browser.post(
        "/eligibility/profile",
        data={"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-05-01",
              "id_type": "居民身份证", "id_number": "11010519491231002"},
    )  # fmt: skip
    page = response.get_data(True)
    assert response.status_code == 422
    summary = page[page.index("error-summary") : page.index("</div>", page.index("error-summary"))]
    assert '<a href="#id_number">证件号码</a>：居民身份证号码须为18位' in summary, summary
    assert "证件号码：证件号码" not in re.sub(r"<[^>]+>", "", page)
    # beside the field the message still names it
    beside = page[page.index('id="id_number-error"') :][:300]
    assert "证件号码：" in beside


def test_a_long_number_in_the_identity_field_is_a_message_on_the_form_not_a_bare_page(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    number = "9" * 25  # past 64 bits: once a bare 422 page 「id_number」的数值超出允许范围
    response = browser.post(
        "/eligibility/profile",
        data={"csrf_token": csrf_from(html), "action": "save", "id_type": "居民身份证", "id_number": number},
    )
    page = response.get_data(True)
    assert response.status_code == 422
    assert "「id_number」" not in page and 'name="birth_date"' in page
    assert "证件号码" in page and _value_of(page, "id_number") == number


def test_every_profile_error_at_once_beside_its_field_by_label(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    data = {"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-13-40",
            "work-0-occupation": "社团会员管理员", "work-0-start": "不是日期", "work-0-end": "",
            "work-1-occupation": "", "work-1-start": "2015-01-01", "work-1-end": "",
            "certificates-0-occupation": "社团会员管理员", "certificates-0-level": "五级", "certificates-0-issued": ""}  # fmt: skip
    response = browser.post("/eligibility/profile", data=data)
    page = response.get_data(True)
    assert response.status_code == 422
    summary = page[page.index("error-summary") : page.index("</div>", page.index("error-summary"))]
    assert "请修改以下 4 处" in summary
    for field_id in ("birth_date", "work-0-start", "work-1-occupation", "certificates-0-issued"):
        assert f'href="#{field_id}"' in summary, field_id
        assert f'id="{field_id}-error"' in page, field_id
    assert "工作经历第 1 条" in page and "工作经历第 2 条" in page
    assert "candidate." not in page and "字段：" not in page
    assert _value_of(page, "work-0-start") == "不是日期" and _value_of(page, "work-0-occupation") == "社团会员管理员"


# ---------------------------------------------------------------- item 14: evidence, brackets, bounds


def test_attached_evidence_offers_no_delete_and_the_flash_has_one_pair_of_brackets(app, make_user, login):
    make_user("cand", center="甲中心")
    browser = login("cand")
    html = _profile_page(browser)
    for label in ("身份证明", "工作证明"):
        browser.post(
            "/eligibility/evidence",
            data={"csrf_token": csrf_from(html), "label": label, "file": (io.BytesIO(PDF), "a.pdf")},
            content_type="multipart/form-data",
        )
    with app.app_context():
        ids = sorted(db.session.scalars(select(EvidenceFile.id)))
    data = {"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-05-01",
            "work-0-occupation": "社团会员管理员", "work-0-start": "2010-03-01", "work-0-end": ""}  # fmt: skip
    assert browser.post("/eligibility/profile", data=data).status_code == 302
    check = browser.get("/eligibility/check").get_data(True)
    target = re.search(r'name="target" value="([^"]+)"', check).group(1)
    form = {"csrf_token": csrf_from(check), "target": target, "evidence": str(ids[0])}
    applied = browser.post("/eligibility/apply", data=form, follow_redirects=True)
    assert applied.status_code == 200
    text = applied.get_data(True)
    flashed = re.search(r'class="flash flash-success"[^>]*>([^<]+)<', text).group(1)
    assert "已提交申报" in flashed and not re.search(r"（[^）]*（", flashed), flashed
    with app.app_context():
        cited = {e["id"] for a in db.session.scalars(select(Application)) for e in a.evidence or []}
    page = _profile_page(browser)
    for file_id in ids:
        offered = f'action="/eligibility/evidence/{file_id}/delete"' in page
        assert offered == (file_id not in cited), file_id
    assert cited and "已随申报提交，不能删除" in page


def _apply_once(app, browser) -> int:
    """A saved profile and one application from it; the application's id."""
    html = _profile_page(browser)
    data = {"csrf_token": csrf_from(html), "action": "save", "birth_date": "1990-05-01",
            "work-0-occupation": "社团会员管理员", "work-0-start": "2010-03-01", "work-0-end": ""}  # fmt: skip
    assert browser.post("/eligibility/profile", data=data).status_code == 302
    check = browser.get("/eligibility/check").get_data(True)
    target = re.search(r'name="target" value="([^"]+)"', check).group(1)
    browser.post("/eligibility/apply", data={"csrf_token": csrf_from(check), "target": target})
    with app.app_context():
        return db.session.scalar(select(Application.id).order_by(Application.id.desc()))


def test_a_long_rejection_reason_is_refused_beside_the_field_and_kept(app, make_user, login):
    make_user("cand", center="甲中心")
    make_user("boss", role="center_admin", center="甲中心")
    application_id = _apply_once(app, login("cand"))
    boss = login("boss")
    page = boss.get(f"/eligibility/applications/{application_id}").get_data(True)
    assert 'maxlength="1000"' in page
    reason = "理由" * 1500  # 3,000 characters
    response = boss.post(
        f"/eligibility/applications/{application_id}/decide",
        data={"csrf_token": csrf_from(page), "action": "reject", "reason": reason},
    )
    text = response.get_data(True)
    assert response.status_code == 422
    assert "审核意见不能超过 1000 个字" in text and "表单已过期" not in text
    assert reason in text  # typed reason kept
    with app.app_context():
        assert db.session.get(Application, application_id).status.decided is False
    ok = boss.post(
        f"/eligibility/applications/{application_id}/decide",
        data={"csrf_token": csrf_from(page), "action": "reject", "reason": "工作年限不足"},
    )
    assert ok.status_code == 302


# ---------------------------------------------------------------- bank item edit (items 5, 14)


@pytest.fixture
def banks(make_user, login, client, token_for):
    make_user("boss", role="center_admin")
    make_user("root", role="admin")
    platform = sample_items(per_cell=1, levels=("五级",))
    assert (
        client.post(f"/api/v1/banks/{STD}/items", json={"items": platform}, headers=token_for("root")).status_code
        == 201
    )
    own = [{**item, "external_id": "C" + item["external_id"]} for item in platform]
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": own}, headers=token_for("boss")).status_code == 201
    return login("boss")


def test_item_edit_shows_every_error_beside_its_field_by_label(banks, app):
    with app.app_context():
        own = db.session.scalar(select(Item).where(Item.type == "single", Item.center_id.is_not(None)))
    form = banks.get(f"/banks/items/{own.id}/edit").get_data(True)
    data = {"csrf_token": csrf_from(form), "stem": "", "options": "一\n二", "answer": "D", "area": "不存在的领域",
            "level": "五级", "points": "0", "difficulty": "0.5", "enemy_group": "", "source": "x" * 300}  # fmt: skip
    response = banks.post(f"/banks/items/{own.id}/edit", data=data)
    page = response.get_data(True)
    assert response.status_code == 422
    assert "字段：" not in page and "（字段" not in page
    assert "请修改以下 5 处" in page
    for name, label in (
        ("stem", "题干"),
        ("answer", "答案"),
        ("area", "知识领域"),
        ("points", "分值"),
        ("source", "出处"),
    ):
        assert f'<a href="#{name}">{label}</a>' in page, name
        assert f'id="{name}-error"' in page, name
    assert "一\n二" in page and 'value="' + "x" * 300 + '"' in page  # the typed values stay


def test_platform_items_offer_no_edit_form_to_a_center(banks, app):
    with app.app_context():
        platform = db.session.scalar(select(Item).where(Item.center_id.is_(None)))
        own = db.session.scalar(select(Item).where(Item.center_id.is_not(None)))
    preview = banks.get(f"/banks/items/{platform.id}/preview").get_data(True)
    assert f"/banks/items/{platform.id}/edit" not in preview and "只能由平台管理员修改" in preview
    page = banks.get(f"/banks/items/{platform.id}/edit")
    assert page.status_code == 403
    html = page.get_data(True)
    assert 'name="stem"' not in html and "只能由平台管理员修改" in html
    assert f"/banks/items/{own.id}/edit" in banks.get(f"/banks/items/{own.id}/preview").get_data(True)
    listing = banks.get(f"/banks/?standard={STD}").get_data(True)
    assert f"/banks/items/{platform.id}/edit" not in listing and f"/banks/items/{own.id}/edit" in listing


def test_import_page_column_names_are_row_headers_that_stay_on_one_line(banks):
    html = banks.get(f"/banks/import?standard={STD}").get_data(True)
    assert 'class="grid stack bank-columns"' in html
    assert '<th scope="row" data-label="列">选项A–H</th>' in html


# ---------------------------------------------------------------- 继续教育 claim (item 5) and its bound (item 14)


def test_a_refused_ce_claim_keeps_what_was_typed_with_the_error_beside_its_field(app, make_user, login):
    from tests.test_continuing_education_api import year_now

    make_user("g1", role="grader", center="丙评价中心")
    browser = login("g1")
    page = browser.get("/ce/").get_data(True)
    assert 'name="title" required maxlength="200"' in page
    year = year_now()
    data = {"csrf_token": csrf_from(page), "year": str(year), "form": "学术会议·讲座·访问", "category": "专业科目",
            "title": "社团管理讲座", "date": f"{year - 1}-06-01", "hours": "10"}  # fmt: skip
    response = browser.post("/ce/claim", data=data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert 'id="date-error"' in html and "应在申报年度内" in html and '<a href="#date">日期</a>' in html
    assert 'value="社团管理讲座"' in html and f'value="{year - 1}-06-01"' in html and 'value="10"' in html
    assert browser.post("/ce/claim", data={**data, "date": f"{year}-01-02"}).status_code == 302
