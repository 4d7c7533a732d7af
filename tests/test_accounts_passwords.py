"""Password rules on every path, the password change (other sign-ins end) and the one-time reset
code an admin issues (usable once, for PASSWORD_RESET_MINUTES, only for their own center's users)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app import timeutil
from app.auth.models import LoginSession, PasswordReset, User
from app.auth.operations import create_user
from app.auth.passwords import common_passwords, password_problems
from app.demo import DEMO_PASSWORD
from app.errors import Invalid
from app.extensions import db
from tests.account_helpers import errors_of, field_block, post_form
from tests.audit_helpers import entries, one, user_id
from tests.conftest import PASSWORD

# ---------------------------------------------------------------- the rules


def test_the_suites_and_the_demos_passwords_are_accepted():
    assert password_problems(PASSWORD, "zhang") == []
    assert password_problems(DEMO_PASSWORD, "cand03") == []


@pytest.mark.parametrize(
    ("password", "username", "message"),
    [
        ("Kq7#pzW", "zhang", "密码至少 8 位"),  # 7 characters: one short of the rule
        ("        ", "zhang", "密码不能只由空白字符组成"),
        ("zhangsan", "zhangsan", "密码不能与用户名相同"),
        ("ZhangSan", "zhangsan", "密码不能与用户名相同"),  # case does not make it another password
        ("12345678", "zhang", "这是最常见的密码之一"),
        ("qwerty123", "zhang", "这是最常见的密码之一"),
        ("Password", "zhang", "这是最常见的密码之一"),
        ("bbbbbbbbbb", "zhang", "密码不能由同一个字符重复组成"),
    ],
)
def test_each_rule_refuses(password, username, message):
    assert any(message in problem for problem in password_problems(password, username))


def test_eight_characters_pass_where_seven_do_not():
    assert password_problems("Kq7#pzWx", "zhang") == []
    assert password_problems("Kq7#pzW", "zhang") == ["密码至少 8 位"]


def test_the_shipped_list_holds_the_most_common_passwords():
    common = common_passwords()
    assert len(common) >= 200
    assert {"aaaaaa", "123456", "password", "12345678", "qwerty123"} <= common
    assert PASSWORD not in common and DEMO_PASSWORD not in common


def test_create_user_applies_the_rules(app):
    with app.app_context():
        with pytest.raises(Invalid) as caught:
            create_user("wang", "password", "candidate")
        assert caught.value.details["field"] == "password"
        assert create_user("wang", "Wang-2026-ok", "candidate").check_password("Wang-2026-ok")


def test_cli_refuses_a_weak_password_and_creates_nothing(app):
    """The operator's command keeps the contract's rules (6 characters, as always) and still refuses
    six spaces, one character repeated and the username (issue 28 item 11: 'aaaaaa' was accepted)."""
    runner = app.test_cli_runner()
    for weak, why in (("aaaaaa", "同一个字符"), ("      ", "空白"), ("li-li1", None), ("12345", "至少 6 位")):
        username = "li-li1" if why is None else "li"
        result = runner.invoke(
            args=["users", "create", "--username", username, "--password", weak, "--role", "candidate"]
        )
        assert result.exit_code != 0 and (why or "用户名相同") in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username.in_(["li", "li-li1"]))) is None
    made = runner.invoke(args=["users", "create", "--username", "li", "--password", "secret", "--role", "candidate"])
    assert made.exit_code == 0, made.output


def test_every_self_service_path_refuses_a_common_password():
    assert any("最常见" in p for p in password_problems("12345678", "li"))
    assert not password_problems("12345678", "li", operator=True)


# ---------------------------------------------------------------- change


def test_change_shows_every_error_beside_its_field(make_user, login):
    make_user("zhang")
    browser = login("zhang")
    response = post_form(
        browser,
        "/account/password",
        {"current_password": "wrong-one", "new_password": "zhang", "new_password2": "other"},
    )
    assert response.status_code == 422
    html = response.get_data(True)
    assert errors_of(html, "current_password") == ["当前密码：不正确"]
    assert "密码至少 8 位" in errors_of(html, "new_password")[0]
    assert "密码不能与用户名相同" in errors_of(html, "new_password")[0]
    assert errors_of(html, "new_password2") == ["确认新密码：两次输入的密码不一致"]


def test_change_ends_the_other_sign_ins_and_keeps_this_one(app, client, make_user, login, token_for):
    make_user("zhang")
    here, elsewhere = login("zhang"), login("zhang")
    token = token_for("zhang")
    assert client.get("/api/v1/standards", headers=token).status_code == 200
    new = "Zhang-new-2026"
    response = post_form(
        here, "/account/password", {"current_password": PASSWORD, "new_password": new, "new_password2": new}
    )
    assert response.status_code == 200 and "密码已更新" in response.get_data(True)
    assert here.get("/account/password").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/account/password").status_code == 302  # the other one is signed out
    assert client.get("/api/v1/standards", headers=token).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "zhang", "password": new}).status_code == 200
    entry = one(app, "account.password_changed")
    assert entry["actor"] == "zhang" and entry["details"]["sessions_ended"] == 1
    assert entry["details"]["tokens_revoked"] == 1
    with app.app_context():
        assert db.session.scalar(select(LoginSession).where(LoginSession.user_id == user_id(app, "zhang")))


# ---------------------------------------------------------------- reset codes


def _issue(app, admin_browser, username: str):
    response = post_form(admin_browser, "/staff", {}, action=f"/staff/{user_id(app, username)}/reset-code")
    return response


def _code(response) -> str:
    import re

    return re.search(r"<output>([A-Z0-9-]+)</output>", response.get_data(True)).group(1)


def _redeem(client, username: str, code: str, password: str = "Fresh-pass-2026"):
    return post_form(
        client, "/password-reset", {"username": username, "code": code, "password": password, "password2": password}
    )


def test_a_code_resets_once_and_is_stored_hashed(app, client, make_user, login):
    make_user("zhang", center="测试评价中心")
    make_user("boss", role="center_admin")
    victim_browser = login("zhang")
    issued = _issue(app, login("boss"), "zhang")
    assert issued.status_code == 200
    code = _code(issued)
    with app.app_context():
        stored = db.session.scalar(select(PasswordReset))
        assert stored.digest == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        assert code.replace("-", "") not in stored.digest
    reset = _redeem(client, "zhang", code.lower())  # typed in lower case: still the code
    assert reset.status_code == 200 and "新密码已生效" in reset.get_data(True)
    assert victim_browser.get("/account/password").status_code == 302  # earlier sign-ins ended
    again = _redeem(client, "zhang", code, "Another-pass-2026")
    assert again.status_code == 422 and "已用过" in errors_of(again.get_data(True), "code")[0]
    assert (
        client.post("/api/v1/auth/token", json={"username": "zhang", "password": "Fresh-pass-2026"}).status_code == 200
    )
    assert one(app, "account.reset_code_issued")["actor"] == "boss"
    assert one(app, "account.password_reset")["actor"] == "zhang"


def test_a_code_expires_after_the_configured_minutes(app, client, make_user, login):
    make_user("zhang", center="测试评价中心")
    make_user("boss", role="center_admin")
    start = timeutil.utcnow()
    with time_machine.travel(start, tick=False) as clock:
        code = _code(_issue(app, login("boss"), "zhang"))
        clock.shift(timedelta(minutes=30, seconds=1))
        late = _redeem(client, "zhang", code)
    assert late.status_code == 422 and "已过期" in errors_of(late.get_data(True), "code")[0]
    assert client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD}).status_code == 200


def test_a_code_works_within_its_minutes_and_a_new_one_voids_the_old(app, client, make_user, login):
    make_user("zhang", center="测试评价中心")
    make_user("boss", role="center_admin")
    boss = login("boss")
    start = timeutil.utcnow()
    with time_machine.travel(start, tick=False) as clock:
        first = _code(_issue(app, boss, "zhang"))
        second = _code(_issue(app, boss, "zhang"))
        assert _redeem(client, "zhang", first).status_code == 422
        clock.shift(timedelta(minutes=29, seconds=59))
        assert _redeem(client, "zhang", second).status_code == 200


def test_another_centers_user_is_404_and_a_candidate_may_not_issue(app, make_user, login):
    make_user("zhang", center="测试评价中心")
    make_user("boss", role="center_admin")
    make_user("stranger", role="center_admin", center="另一中心")
    make_user("li", center="测试评价中心")
    assert _issue(app, login("stranger"), "zhang").status_code == 404
    assert _issue(app, login("li"), "zhang").status_code == 403
    assert _issue(app, login("boss"), "stranger").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(PasswordReset)) is None
    assert entries(app, "account.reset_code_issued") == []


def test_reset_page_explains_and_shows_every_error(client):
    page = client.get("/password-reset").get_data(True)
    assert "机构的管理员" in page and "重置码" in page
    response = _redeem(client, "", "", "short")
    html = response.get_data(True)
    assert response.status_code == 422
    assert errors_of(html, "username") == ["用户名：请填写"]
    assert errors_of(html, "code") == ["重置码：请填写"]
    assert "至少 8 位" in errors_of(html, "password")[0]


def _label_of(html: str, name: str) -> str:
    return re.search(r"<label[^>]*>([^<]*)</label>", field_block(html, name)).group(1).split("（")[0].strip()


@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("/account/password", {"current_password": "wrong-one", "new_password": "short", "new_password2": "other"}),
        ("/password-reset", {"username": "", "code": "", "password": "short", "password2": "other"}),
        ("/register", {"username": "王", "name": "", "contact": "1", "password": "short", "password2": "other"}),
    ],
)
def test_each_error_names_its_field_by_the_label_shown(client, make_user, login, page, data):
    make_user("zhang")
    browser = login("zhang") if page == "/account/password" else client
    html = post_form(browser, page, data).get_data(True)
    for name in data:
        errors = errors_of(html, name)
        assert errors, (page, name)
        label = _label_of(html, name)
        assert all(e.startswith(f"{label}：") for e in errors), (page, name, label, errors)
    if page != "/register":  # the pages that set a new password label both fields so
        assert _label_of(html, "new_password2" if page == "/account/password" else "password2") == "确认新密码"


def test_the_reset_api_names_the_fields_as_its_page_does(client):
    response = client.post(
        "/api/v1/auth/password-reset", json={"username": "", "code": "", "password": "short", "password2": "other"}
    )
    assert response.status_code == 422
    errors = response.get_json()["error"]["details"]["errors"]
    assert set(errors) == {"username", "code", "password", "password2"}  # the API's own keys
    assert errors["password"].startswith("新密码：") and "至少 8 位" in errors["password"]
    assert errors["password2"] == "确认新密码：两次输入的密码不一致"


def test_guessing_codes_is_throttled(app, client, make_user):
    make_user("zhang")
    codes = [_redeem(client, "zhang", f"AAAAA-BBBB{i}").status_code for i in range(11)]
    assert codes[:10] == [422] * 10 and codes[10] == 429
