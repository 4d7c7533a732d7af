"""Sign-in, bearer tokens (401/429), role checks and center scoping."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken, Role, User
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import PASSWORD, csrf_from


def test_token_endpoint_returns_token_and_role(client, make_user):
    make_user("zhang", role="grader")
    response = client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["role"] == "grader"
    assert len(body["token"]) >= 32


def test_token_is_stored_hashed(app, client, make_user):
    make_user("zhang")
    token = client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD}).get_json()["token"]
    with app.app_context():
        digests = db.session.scalars(select(ApiToken.digest)).all()
    assert digests and token not in digests


def test_wrong_password_is_401_with_error_body(client, make_user):
    make_user("zhang")
    response = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "wrong-one"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_credentials"


def test_unknown_user_is_401(client):
    assert client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"}).status_code == 401


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_repeated_failures_for_one_account_answer_429(client, make_user):
    make_user("zhang")
    codes = [
        client.post("/api/v1/auth/token", json={"username": "zhang", "password": "bad"}).status_code for _ in range(6)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    # Even the right password is refused while the account is throttled.
    right = client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD})
    assert right.status_code == 429
    assert right.get_json()["error"]["code"] == "too_many_attempts"


def test_failures_across_accounts_from_one_client_answer_429_past_the_client_limit(app, client, make_user):
    app.config["LOGIN_LIMIT_CLIENT"] = 20  # 200 by default: an exam hall behind one address is not locked
    codes = [
        client.post("/api/v1/auth/token", json={"username": f"user{i}", "password": "bad"}).status_code
        for i in range(21)
    ]
    assert codes[:20] == [401] * 20
    assert codes[20] == 429


def test_successful_sign_ins_are_not_throttled(client, make_user):
    make_user("zhang")
    codes = {
        client.post("/api/v1/auth/token", json={"username": "zhang", "password": PASSWORD}).status_code
        for _ in range(10)
    }
    assert codes == {200}


def test_api_needs_a_valid_token(client, make_user, token_for):
    assert client.get("/api/v1/standards").status_code == 401
    bad = client.get("/api/v1/standards", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"
    make_user("zhang")
    assert client.get("/api/v1/standards", headers=token_for("zhang")).status_code == 200


def test_expired_token_is_refused(app, client, make_user, token_for):
    make_user("zhang")
    headers = token_for("zhang")
    with app.app_context():
        for row in db.session.scalars(select(ApiToken)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/standards", headers=headers).status_code == 401


def test_passwords_are_hashed(app, make_user):
    make_user("zhang")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "zhang"))
        assert user.password_hash != PASSWORD
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert user.check_password(PASSWORD)
        assert not user.check_password(PASSWORD + "x")


def test_login_page_is_chinese_with_csrf(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "登录" in html and "用户名" in html and "密码" in html
    assert csrf_from(html)


def test_login_form_without_csrf_token_is_refused(client, make_user):
    make_user("zhang")
    response = client.post("/login", data={"username": "zhang", "password": PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_and_logout_through_pages(login, make_user):
    make_user("zhang", name="张三")
    browser = login("zhang")
    home = browser.get("/")
    assert home.status_code == 200
    assert "张三" in home.get_data(as_text=True)
    token = csrf_from(home.get_data(as_text=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert browser.get("/").status_code == 302


def test_login_page_failure_is_counted_and_throttled(client, make_user):
    make_user("zhang")
    statuses = []
    for _ in range(6):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": "zhang", "password": "bad", "csrf_token": token})
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429]


def test_next_parameter_only_follows_local_paths(app, make_user):
    make_user("zhang")
    browser = app.test_client()
    for target, expected in [("/standards/", "/standards/"), ("https://evil.example/", "/"), ("//evil.example", "/")]:
        token = csrf_from(browser.get("/login").get_data(as_text=True))
        response = browser.post(
            f"/login?next={target}", data={"username": "zhang", "password": PASSWORD, "csrf_token": token}
        )
        assert response.headers["Location"] == expected
        browser.post("/logout", data={"csrf_token": csrf_from(browser.get("/").get_data(as_text=True))})


def test_role_decorator_answers_403_for_other_roles(login, make_user):
    make_user("cand")
    make_user("boss", role="center_admin", center="甲中心")
    assert login("cand").get("/staff").status_code == 403
    assert login("boss").get("/staff").status_code == 200


def test_center_admin_sees_only_own_center_staff(login, make_user):
    make_user("boss_a", role="center_admin", center="甲中心")
    make_user("grader_a", role="grader", center="甲中心", name="甲考评")
    make_user("boss_b", role="center_admin", center="乙中心")
    make_user("grader_b", role="grader", center="乙中心", name="乙考评")
    make_user("root", role="admin")
    page_a = login("boss_a").get("/staff").get_data(as_text=True)
    assert "grader_a" in page_a and "grader_b" not in page_a and "boss_b" not in page_a
    page_admin = login("root").get("/staff").get_data(as_text=True)
    assert "grader_a" in page_admin and "grader_b" in page_admin


def test_staff_roles_must_name_a_center(app):
    from app.auth.operations import create_user
    from app.errors import Invalid

    with app.app_context():
        try:
            create_user("g", PASSWORD, Role.grader.value)
        except Invalid as exc:
            assert exc.details["field"] == "center"
        else:
            raise AssertionError("a grader without a center was accepted")
        assert db.session.scalar(select(User).where(User.username == "g")) is None
