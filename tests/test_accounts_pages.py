"""Accounts through the pages, CSRF on: the links on /login, self-registration (with a center's
approval when it asks for one, throttled per address), staff accounts made and deactivated by the
center admin, and the all-or-nothing import of candidates from a real .xlsx or CSV."""

from __future__ import annotations

import base64
import csv
import io
import re
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select

from app.auth.models import Center, Role, User
from app.extensions import db
from tests.account_helpers import errors_of, field_block, post_form
from tests.audit_helpers import entries, one, user_id
from tests.conftest import PASSWORD

GOOD = {
    "username": "wang.fang",
    "name": "王芳",
    "contact": "13812345678",
    "password": "Wang-2026!",
    "password2": "Wang-2026!",
}


def staff(**fields) -> dict:
    """The staff form's fields (prefixed ``staff-``: the import form on the same page has a center too)."""
    return {f"staff-{key}": value for key, value in fields.items()}


def sign_in_status(client, username: str, password: str) -> int:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password}).status_code


def test_login_links_to_register_reset_and_verification(client):
    html = client.get("/login").get_data(True)
    for label, href in (("注册", "/register"), ("忘记密码", "/password-reset"), ("证书查验", "/verify")):
        assert re.search(rf'href="[^"]*{href}">{label}</a>', html), label
    assert client.get("/register").status_code == 200 and client.get("/password-reset").status_code == 200


# ---------------------------------------------------------------- registration


def test_registration_shows_every_error_at_once_and_keeps_what_was_typed(client):
    bad = {"username": "王", "name": "", "contact": "1234", "password": "abc", "password2": "abd"}
    response = post_form(client, "/register", bad)
    assert response.status_code == 422
    html = response.get_data(True)
    assert "英文字母" in errors_of(html, "username")[0]
    assert errors_of(html, "name") == ["姓名：请填写"]
    assert "手机号或电子邮箱" in errors_of(html, "contact")[0]
    assert "至少 8 位" in errors_of(html, "password")[0]
    assert errors_of(html, "password2") == ["确认密码：两次输入的密码不一致"]
    assert 'value="王"' in field_block(html, "username") and 'value="1234"' in field_block(html, "contact")
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_without_a_center_is_active_at_once(app, client, make_user):
    make_user("taken")
    clash = post_form(client, "/register", {**GOOD, "username": "taken"})
    assert clash.status_code == 422 and "已被使用" in errors_of(clash.get_data(True), "username")[0]
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 200 and "已可使用" in response.get_data(True)
    assert sign_in_status(client, "wang.fang", "Wang-2026!") == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wang.fang"))
        assert user.role == Role.candidate and user.contact == "13812345678" and user.center is None
    entry = one(app, "account.registered")
    assert entry["details"] == {"username": "wang.fang", "center": None, "pending": False}


def test_a_center_that_approves_keeps_its_registrants_inactive_until_approved(app, client, make_user, login):
    make_user("boss", role="center_admin")
    make_user("stranger", role="center_admin", center="另一中心")
    boss = login("boss")
    saved = post_form(boss, "/staff", {"approve": "y"}, action="/staff/settings")
    assert saved.status_code == 302
    with app.app_context():
        center = db.session.scalar(select(Center).where(Center.name == "测试评价中心"))
        assert center.approve_registrations
        center_id = center.id
    response = post_form(client, "/register", {**GOOD, "center": str(center_id)})
    assert "审核通过后才能登录" in response.get_data(True)
    waiting = client.post("/api/v1/auth/token", json={"username": "wang.fang", "password": "Wang-2026!"})
    assert waiting.status_code == 401 and waiting.get_json()["error"]["code"] == "pending_approval"
    wrong = client.post("/api/v1/auth/token", json={"username": "wang.fang", "password": "Wrong-2026!"})
    assert wrong.get_json()["error"]["code"] == "bad_credentials"  # only the right password learns why
    queue = boss.get("/staff/registrations").get_data(True)
    assert "wang.fang" in queue and "13812345678" in queue
    assert "wang.fang" not in login("stranger").get("/staff/registrations").get_data(True)
    pending = user_id(app, "wang.fang")
    refused = post_form(login("stranger"), "/staff", {}, action=f"/staff/registrations/{pending}/approve")
    assert refused.status_code == 404
    approved = post_form(boss, "/staff/registrations", {}, action=f"/staff/registrations/{pending}/approve")
    assert approved.status_code == 302
    assert sign_in_status(client, "wang.fang", "Wang-2026!") == 200
    assert one(app, "account.registration_approved")["actor"] == "boss"


def test_a_rejected_registration_stays_inactive(app, client, make_user, login):
    make_user("boss", role="center_admin")
    boss = login("boss")
    post_form(boss, "/staff", {"approve": "y"}, action="/staff/settings")
    with app.app_context():
        center_id = db.session.scalar(select(Center.id).where(Center.name == "测试评价中心"))
    post_form(client, "/register", {**GOOD, "center": str(center_id)})
    pending = user_id(app, "wang.fang")
    assert (
        post_form(boss, "/staff/registrations", {}, action=f"/staff/registrations/{pending}/reject").status_code == 302
    )
    assert sign_in_status(client, "wang.fang", "Wang-2026!") == 401
    assert "wang.fang" not in boss.get("/staff/registrations").get_data(True)


def test_registration_is_throttled_per_address(app, client):
    app.config["REGISTER_LIMIT"] = 3
    codes = [post_form(client, "/register", {**GOOD, "username": f"user{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    other = app.test_client()
    page = other.get("/register", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(True)).group(1)
    elsewhere = other.post(
        "/register", data={**GOOD, "username": "user9", "csrf_token": token}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert elsewhere.status_code == 200  # another address is not affected


# ---------------------------------------------------------------- staff accounts


def _initial_password(html: str, username: str) -> str:
    row = re.search(rf"<td>{re.escape(username)}</td>.*?<code>([^<]+)</code>", html, re.S)
    return row.group(1)


def test_center_admin_creates_staff_of_their_own_center(app, client, make_user, login):
    make_user("boss", role="center_admin")
    boss = login("boss")
    response = post_form(boss, "/staff", staff(username="grader7", name="赵七", role="grader"), action="/staff/new")
    assert response.status_code == 200
    password = _initial_password(response.get_data(True), "grader7")
    assert sign_in_status(client, "grader7", password) == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "grader7"))
        assert user.role == Role.grader and user.center.name == "测试评价中心"
    assert one(app, "account.created")["details"]["role"] == "grader"
    # an expert is the platform admin's to make; a center admin's form refuses it beside the field
    refused = post_form(boss, "/staff", staff(username="exp1", name="专家", role="expert"), action="/staff/new")
    assert refused.status_code == 422 and errors_of(refused.get_data(True), "staff-role") == ["角色：请从列表中选择"]


def test_platform_admin_creates_an_expert_without_a_center_and_staff_of_any_center(app, make_user, login):
    make_user("root", role="admin")
    make_user("boss", role="center_admin", center="另一中心")
    root = login("root")
    assert (
        post_form(root, "/staff", staff(username="exp1", name="专家", role="expert"), action="/staff/new").status_code
        == 200
    )
    missing = post_form(root, "/staff", staff(username="grader2", name="钱二", role="grader"), action="/staff/new")
    assert missing.status_code == 422 and errors_of(missing.get_data(True), "staff-center") == [
        "所属机构：请从列表中选择"
    ]
    with app.app_context():
        center_id = db.session.scalar(select(Center.id).where(Center.name == "另一中心"))
    data = staff(username="grader2", name="钱二", role="grader", center=str(center_id))
    assert post_form(root, "/staff", data, action="/staff/new").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "exp1")).center is None
        assert db.session.scalar(select(User).where(User.username == "grader2")).center_id == center_id


def test_deactivation_ends_sign_ins_and_stays_in_the_center(app, client, make_user, login, token_for):
    make_user("boss", role="center_admin")
    make_user("stranger", role="center_admin", center="另一中心")
    make_user("grader1", role="grader")
    grader_browser, token = login("grader1"), token_for("grader1")
    target = user_id(app, "grader1")
    assert post_form(login("stranger"), "/staff", {}, action=f"/staff/{target}/deactivate").status_code == 404
    boss = login("boss")
    assert post_form(boss, "/staff", {}, action=f"/staff/{target}/deactivate").status_code == 302
    assert grader_browser.get("/account/password").status_code == 302
    assert client.get("/api/v1/standards", headers=token).status_code == 401
    refused = client.post("/api/v1/auth/token", json={"username": "grader1", "password": PASSWORD})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "account_inactive"
    assert "已停用" in boss.get("/staff").get_data(True)
    own = post_form(boss, "/staff", {}, action=f"/staff/{user_id(app, 'boss')}/deactivate", follow_redirects=True)
    assert "不能停用或启用自己的账号" in own.get_data(True)
    assert post_form(boss, "/staff", {}, action=f"/staff/{target}/activate").status_code == 302
    assert sign_in_status(client, "grader1", PASSWORD) == 200
    assert [e["action"] for e in entries(app, "account.") if e["action"].endswith("activated")] == [
        "account.deactivated",
        "account.activated",
    ]


# ---------------------------------------------------------------- bulk import


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _import(browser, content: bytes, filename: str, center: str = ""):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/staff").get_data(True)).group(1)
    return browser.post(
        "/staff/import",
        data={"csrf_token": token, "import-center": center, "import-file": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_import_from_xlsx_creates_every_row_with_a_password_shown_once(app, client, make_user, login):
    make_user("boss", role="center_admin")
    content = _xlsx(
        [
            ["用户名", "姓名", "联系方式"],
            ["stu001", "张一", 13800000001],
            ["stu002", "李二", "li@example.com"],
            ["stu003", "王三", None],
        ]
    )
    response = _import(login("boss"), content, "名单.xlsx")
    assert response.status_code == 200
    html = response.get_data(True)
    password = _initial_password(html, "stu001")
    assert sign_in_status(client, "stu001", password) == 200
    with app.app_context():
        users = db.session.scalars(select(User).where(User.username.like("stu%")).order_by(User.username)).all()
        assert [(u.name, u.contact, u.center.name) for u in users] == [
            ("张一", "13800000001", "测试评价中心"),
            ("李二", "li@example.com", "测试评价中心"),
            ("王三", "", "测试评价中心"),
        ]
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html).group(1)
    listed = list(csv.reader(io.StringIO(base64.b64decode(link).decode("utf-8-sig"))))
    assert listed[0] == ["用户名", "姓名", "初始密码"] and listed[1] == ["stu001", "张一", password]
    entry = one(app, "account.imported")
    assert entry["details"]["count"] == 3 and entry["center"] == "测试评价中心"


def test_import_is_all_or_nothing_and_names_row_and_column(app, make_user, login):
    make_user("boss", role="center_admin")
    make_user("stu002")
    content = _xlsx(
        [["用户名", "姓名", "联系方式"], ["stu001", "张一", ""], ["stu002", "李二", ""], ["stu001", "", "12"]]
    )
    response = _import(login("boss"), content, "名单.xlsx")
    assert response.status_code == 422
    message = errors_of(response.get_data(True), "import-file")[0]
    assert "第 3 行「用户名」列：stu002 已存在" in message
    assert "第 4 行「用户名」列：与第 2 行重复" in message
    assert "第 4 行「姓名」列：请填写" in message
    assert "第 4 行「联系方式」列" in message
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "stu001")) is None
    assert entries(app, "account.imported") == []


def test_import_of_a_gbk_csv_and_a_file_without_the_columns(app, make_user, login):
    make_user("boss", role="center_admin")
    boss = login("boss")
    ok = _import(boss, "用户名,姓名\r\nstu101,赵六\r\n".encode("gbk"), "名单.csv")
    assert ok.status_code == 200 and "stu101" in ok.get_data(True)
    wrong = _import(boss, "学号,名字\r\n1,赵六\r\n".encode(), "名单.csv")
    assert wrong.status_code == 422 and "缺少「用户名」「姓名」列" in errors_of(wrong.get_data(True), "import-file")[0]


def test_the_platform_admin_imports_into_a_chosen_center(app, make_user, login):
    make_user("root", role="admin")
    make_user("boss", role="center_admin")
    root = login("root")
    content = _xlsx([["用户名", "姓名"], ["stu201", "孙七"]])
    unchosen = _import(root, content, "名单.xlsx")
    assert unchosen.status_code == 422 and errors_of(unchosen.get_data(True), "import-center") == [
        "所属机构：请从列表中选择"
    ]
    with app.app_context():
        center_id = db.session.scalar(select(Center.id).where(Center.name == "测试评价中心"))
    assert _import(root, content, "名单.xlsx", str(center_id)).status_code == 200
