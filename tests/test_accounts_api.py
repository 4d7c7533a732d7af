"""The account operations through the API: the same rules and errors as the pages, as JSON."""

from __future__ import annotations

from tests.conftest import PASSWORD

NEW = "Fresh-pass-2026"


def test_register_reports_every_field_at_once_then_creates(client):
    bad = client.post("/api/v1/auth/register", json={"username": "x", "password": 12345678})
    assert bad.status_code == 422
    errors = bad.get_json()["error"]["details"]["errors"]
    assert set(errors) == {"username", "name", "contact", "password"}
    assert errors["password"] == "密码：请输入密码"  # a number is not a password
    body = {"username": "zhou", "name": "周", "contact": "zhou@example.com", "password": NEW, "password2": NEW}
    created = client.post("/api/v1/auth/register", json=body)
    assert created.status_code == 201 and created.get_json() == {
        "username": "zhou",
        "active": True,
        "pending_approval": False,
    }
    assert client.post("/api/v1/auth/token", json={"username": "zhou", "password": NEW}).status_code == 200


def test_change_keeps_the_calling_token_and_revokes_the_others(client, make_user, token_for):
    make_user("zhang")
    mine, other = token_for("zhang"), token_for("zhang")
    body = {"current_password": PASSWORD, "new_password": NEW, "new_password2": NEW}
    response = client.post("/api/v1/auth/password", json=body, headers=mine)
    assert response.status_code == 200 and response.get_json() == {"sessions_ended": 0, "tokens_revoked": 1}
    assert client.get("/api/v1/standards", headers=mine).status_code == 200
    assert client.get("/api/v1/standards", headers=other).status_code == 401
    weak = client.post(
        "/api/v1/auth/password",
        json={"current_password": NEW, "new_password": "zhang", "new_password2": "zhang"},
        headers=mine,
    )
    assert weak.status_code == 422 and weak.get_json()["error"]["details"]["field"] == "new_password"


def test_admin_creates_staff_issues_a_code_and_the_code_resets(client, make_user, token_for):
    make_user("boss", role="center_admin")
    make_user("stranger", role="center_admin", center="另一中心")
    boss = token_for("boss")
    created = client.post(
        "/api/v1/users", json={"username": "proctor5", "name": "吴五", "role": "proctor"}, headers=boss
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["center"] == "测试评价中心" and body["role"] == "proctor"
    assert (
        client.post("/api/v1/auth/token", json={"username": "proctor5", "password": body["password"]}).status_code
        == 200
    )
    assert client.post("/api/v1/users/proctor5/reset-code", headers=token_for("stranger")).status_code == 404
    issued = client.post("/api/v1/users/proctor5/reset-code", headers=boss)
    assert issued.status_code == 201
    reset = {"username": "proctor5", "code": issued.get_json()["code"], "password": NEW, "password2": NEW}
    assert client.post("/api/v1/auth/password-reset", json=reset).status_code == 200
    assert client.post("/api/v1/auth/password-reset", json=reset).status_code == 422  # once only
    assert client.post("/api/v1/auth/token", json={"username": "proctor5", "password": NEW}).status_code == 200


def test_deactivation_through_the_api(client, make_user, token_for):
    make_user("boss", role="center_admin")
    make_user("stranger", role="center_admin", center="另一中心")
    make_user("grader1", role="grader")
    grader = token_for("grader1")
    assert client.post("/api/v1/users/grader1/deactivate", headers=token_for("stranger")).status_code == 404
    assert client.post("/api/v1/users/grader1/deactivate", headers=grader).status_code == 403
    boss = token_for("boss")
    response = client.post("/api/v1/users/grader1/deactivate", headers=boss)
    assert response.status_code == 200 and response.get_json() == {"username": "grader1", "active": False}
    assert client.get("/api/v1/standards", headers=grader).status_code == 401
    assert client.post("/api/v1/users/grader1/deactivate", headers=boss).status_code == 409
    assert client.post("/api/v1/users/grader1/activate", headers=boss).status_code == 200


def test_a_username_taken_between_check_and_write_is_a_422(app, client, monkeypatch):
    """Two registrations of one name at once both pass the check; the second write is refused on the
    username (the unique index), not a 500, and leaves nothing."""
    from app.auth import registration

    monkeypatch.setattr(registration, "username_taken", lambda username: False)
    body = {"username": "zhou", "name": "周", "contact": "13900000000", "password": NEW, "password2": NEW}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    again = client.post("/api/v1/auth/register", json=body)
    assert again.status_code == 422 and again.get_json()["error"]["details"]["field"] == "username"
