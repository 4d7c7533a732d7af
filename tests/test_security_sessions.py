"""Revocable sign-in (issue 11 item 8): sign-out ends the page session on the server, an API client
revokes its token with DELETE /auth/token (contract v1.1), candidates' tokens last one exam day."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.auth.models import ApiToken, LoginSession
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import PASSWORD, csrf_from


def test_a_cookie_captured_before_sign_out_stops_working(app, login, make_user):
    make_user("zhang", name="张三")
    browser = login("zhang")
    cookie = browser.get_cookie("session").value
    assert browser.get("/").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_from(browser.get("/").get_data(as_text=True))})

    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 302  # to the sign-in page
    assert thief.get("/api/v1/standards").status_code == 401
    with app.app_context():
        assert db.session.scalars(select(LoginSession)).all() == []


def test_signing_out_one_browser_keeps_the_other_signed_in(login, make_user):
    make_user("zhang")
    first, second = login("zhang"), login("zhang")
    first.post("/logout", data={"csrf_token": csrf_from(first.get("/").get_data(as_text=True))})
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_a_page_session_expires_after_one_day_of_twelve_hours(app, login, make_user):
    make_user("zhang")
    browser = login("zhang")
    with time_machine.travel(utcnow() + timedelta(hours=11, minutes=59)):
        assert browser.get("/").status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=12, seconds=1)):
        assert browser.get("/").status_code == 302


def test_delete_token_revokes_it(client, make_user, token_for):
    make_user("zhang", role="grader")
    headers = token_for("zhang")
    other = token_for("zhang")
    assert client.get("/api/v1/standards", headers=headers).status_code == 200
    response = client.delete("/api/v1/auth/token", headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    after = client.get("/api/v1/standards", headers=headers)
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "unauthorized"
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401
    assert client.get("/api/v1/standards", headers=other).status_code == 200  # only that token


def test_delete_token_without_a_token_is_401(client):
    assert client.delete("/api/v1/auth/token").status_code == 401
    assert client.delete("/api/v1/auth/token", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_candidate_tokens_last_one_exam_day_and_staff_tokens_thirty_days(app, client, make_user):
    make_user("cand")
    make_user("boss", role="center_admin")
    before = utcnow()
    for username in ("cand", "boss"):
        assert client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).status_code == 200
    with app.app_context():
        rows = {row.user.username: row.expires_at - before for row in db.session.scalars(select(ApiToken))}
    assert timedelta(hours=12) <= rows["cand"] < timedelta(hours=12, minutes=1)
    assert timedelta(days=30) <= rows["boss"] < timedelta(days=30, minutes=1)
