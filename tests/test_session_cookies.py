"""The signed session cookie (app/session_cookies.py): the same cookies as Flask's, its serializer
built once per secret key."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from tests.conftest import PASSWORD, csrf_from


def test_a_request_without_a_session_sets_no_cookie(client):
    response = client.get("/api/v1/standards", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "Set-Cookie" not in response.headers


def test_a_page_sign_in_still_holds_across_requests(app, client, make_user):
    make_user("cand1")
    page = client.get("/login")
    assert "Cookie" in page.headers.get("Vary", "")  # the CSRF token lives in the session
    response = client.post(
        "/login", data={"username": "cand1", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 302 and "session=" in response.headers["Set-Cookie"]
    assert client.get("/account/password").status_code == 200  # signed in by the cookie


def test_the_serializer_is_kept_until_the_secret_key_changes(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"x": 1})
    old = app.secret_key
    app.secret_key = "another-secret-key-for-this-test-only"
    try:
        second = interface.get_signing_serializer(app)
        assert second is not first
        assert SecureCookieSessionInterface().get_signing_serializer(app).loads(second.dumps({"x": 1})) == {"x": 1}
        app.config["SECRET_KEY_FALLBACKS"] = [old]  # a rotated key: the old cookie is still read
        assert interface.get_signing_serializer(app).loads(cookie) == {"x": 1}
    finally:
        app.secret_key = old
        app.config["SECRET_KEY_FALLBACKS"] = []
