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


def _cookie_headers(response) -> tuple:
    return sorted(response.headers.getlist("Set-Cookie")), response.headers.get("Vary")


def test_the_short_ways_answer_as_flask_does(app, client, make_user, monkeypatch):
    """Without a Cookie header, and with an empty unmodified session, the interface returns early:
    every request below gets the same Set-Cookie and Vary headers from Flask's own interface."""
    make_user("cand1")

    def visit():
        answers = [
            client.get("/healthz"),
            client.get("/api/v1/standards", headers={"Authorization": "Bearer nope"}),
        ]
        page = client.get("/login")  # no cookie yet: the CSRF token starts the session
        answers.append(page)
        answers.append(
            client.post("/login", data={"username": "cand1", "password": PASSWORD, "csrf_token": csrf_from(page.text)})
        )
        answers.append(client.get("/account/password"))  # with the session cookie
        answers.append(client.get("/api/v1/standards"))  # signed in by the cookie
        client.get("/logout")
        client._cookies.clear()
        return [(answer.status_code, _cookie_headers(answer)) for answer in answers]

    ours = visit()
    monkeypatch.setattr(app, "session_interface", SecureCookieSessionInterface())
    flasks = visit()
    assert [status for status, _ in ours] == [200, 401, 200, 302, 200, 200]

    # Set-Cookie values carry a signature with a timestamp: compare which cookies, not their values
    def names(answers):
        return [(status, [c.split("=", 1)[0] for c in cookies], vary) for status, (cookies, vary) in answers]

    assert names(ours) == names(flasks)
    assert names(ours)[1] == (401, [], "Cookie")  # a bearer call: no cookie; Flask-Login read the session


def test_without_a_secret_key_the_session_is_flasks_null_one(app):
    """The short way for a request without a Cookie header keeps Flask's answer when there is no key
    to sign with: None, which Flask turns into a null session that refuses to be written."""
    old = app.secret_key
    app.secret_key = None
    try:
        with app.test_request_context("/api/v1/standards"):
            from flask import request

            assert app.session_interface.open_session(app, request) is None
            assert SecureCookieSessionInterface().open_session(app, request) is None
    finally:
        app.secret_key = old
