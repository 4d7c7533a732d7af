"""The proctor's room after a refused action (issue 27 item 5): the room again (422) with that row's menu
open, the typed reason in that row's field and the message beside it naming the field by its label —
nothing recorded. Done: flash and back to the room. The reasons are bounded (item 14): exactly
``REASON_MAX`` characters are taken, one more is refused, on the page and through the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import timeutil
from app.auth.models import User
from app.exams import attempts as exam_ops
from app.exams import proctoring
from app.exams.models import Attempt, AttemptStatus, ProctorAction
from app.extensions import db
from tests.conftest import csrf_from
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)

LIMIT = proctoring.REASON_MAX


def _start(app, sid: int, username: str) -> None:
    with app.app_context():
        student = db.session.scalar(select(User).where(User.username == username))
        exam_ops.start_attempt(sid, student, timeutil.utcnow() - timedelta(minutes=5))
        db.session.commit()


def _actions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ProctorAction.id)))


def _attempt_status(app, username: str):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        attempt = db.session.scalar(select(Attempt).where(Attempt.enrollment.has(user_id=user.id)))
        return attempt.status


def _field(html: str, field_id: str) -> str:
    match = re.search(rf'<input id="{re.escape(field_id)}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


@pytest.mark.parametrize(
    ("action", "label"),
    [("force-close", "收卷原因"), ("incident", "违纪情况"), ("extension", "延时原因")],
)
def test_a_too_long_reason_comes_back_in_its_row_with_the_message_beside_it(app, exam_setup, login, action, label):
    sid, room = exam_setup["sid"], exam_setup["room"]
    _start(app, sid, "stu2")
    browser = login("proc1")
    html = browser.get(f"/exams/rooms/{room}").get_data(True)
    typed = "考生" + "很" * (LIMIT - 1)  # LIMIT + 1 characters
    data = {"csrf_token": csrf_from(html), "reason": typed, "minutes": "10"}
    response = browser.post(f"/exams/rooms/{room}/candidates/stu2/{action}", data=data)
    assert response.status_code == 422
    page = response.get_data(True)
    field = _field(page, f"{action}-stu2-reason")
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    message = f"{label}：不能超过 {LIMIT} 个字（现为 {LIMIT + 1} 个字）"
    beside = page[page.index(field) :]
    assert beside.index(message) < beside.index("</form>")  # the message stands right after the field
    # and in the summary above, the label named once (the link), not again by the message
    assert f'<a href="#{action}-stu2-reason">{label}</a>：不能超过 {LIMIT} 个字' in page
    assert re.search(r'id="actions-stu2">\s*(\{#.*?#\})?\s*<details class="row-actions" open>', page)
    assert page.count('<details class="row-actions" open>') == 1  # only that row
    assert 'value="考生' not in _field(page, "incident-stu1-reason")  # the other row's field is empty
    # nothing changed
    assert _actions(app) == 0
    assert _attempt_status(app, "stu2") == AttemptStatus.in_progress


def test_an_empty_reason_and_bad_minutes_are_named_by_their_labels(app, exam_setup, login):
    sid, room = exam_setup["sid"], exam_setup["room"]
    _start(app, sid, "stu2")
    browser = login("proc1")
    token = csrf_from(browser.get(f"/exams/rooms/{room}").get_data(True))
    response = browser.post(
        f"/exams/rooms/{room}/candidates/stu2/force-close", data={"csrf_token": token, "reason": "   "}
    )
    assert response.status_code == 422
    assert "收卷原因：必须填写" in response.get_data(True)
    response = browser.post(
        f"/exams/rooms/{room}/candidates/stu2/extension",
        data={"csrf_token": token, "minutes": "999", "reason": "机器故障"},
    )
    page = response.get_data(True)
    assert response.status_code == 422
    minutes = _field(page, "extension-stu2-minutes")
    assert 'value="999"' in minutes and 'aria-invalid="true"' in minutes
    assert 'value="机器故障"' in _field(page, "extension-stu2-reason")  # the other field keeps its text too
    assert '<a href="#extension-stu2-minutes">延长（分钟）</a>：延长时间须为 1–240 分钟的整数' in page
    assert _actions(app) == 0


def test_a_refusal_of_state_is_shown_in_the_row_keeping_the_room(app, exam_setup, login):
    """Force-closing a candidate who has not started: the room again, the reason in the row's menu."""
    room = exam_setup["room"]
    browser = login("proc1")
    token = csrf_from(browser.get(f"/exams/rooms/{room}").get_data(True))
    response = browser.post(
        f"/exams/rooms/{room}/candidates/stu1/force-close", data={"csrf_token": token, "reason": "提前离场"}
    )
    assert response.status_code == 422
    page = response.get_data(True)
    assert '<p class="error" role="alert" id="actions-stu1-error">该考生尚未开始作答</p>' in page
    assert re.search(r'id="actions-stu1">\s*<details class="row-actions" open>', page)
    assert _actions(app) == 0


def test_exactly_the_limit_is_taken_and_success_redirects(app, exam_setup, login):
    sid, room = exam_setup["sid"], exam_setup["room"]
    _start(app, sid, "stu2")
    browser = login("proc1")
    token = csrf_from(browser.get(f"/exams/rooms/{room}").get_data(True))
    reason = "很" * LIMIT
    response = browser.post(
        f"/exams/rooms/{room}/candidates/stu2/force-close", data={"csrf_token": token, "reason": reason}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/exams/rooms/{room}")
    assert "已强制收取 stu2 的答卷" in browser.get(f"/exams/rooms/{room}").get_data(True)
    assert _attempt_status(app, "stu2") == AttemptStatus.submitted
    with app.app_context():
        assert db.session.scalar(select(ProctorAction.reason)) == reason


@pytest.mark.parametrize("path", ["incidents", "force-close", "extension"])
def test_the_api_refuses_one_character_more_naming_the_field(app, exam_setup, client, make_user, token_for, path):
    sid = exam_setup["sid"]
    _start(app, sid, "stu2")
    proctor = token_for("proc1")
    body = {"reason": "很" * (LIMIT + 1)} | ({"minutes": 10} if path == "extension" else {})
    url = f"/api/v1/sessions/{sid}/candidates/stu2/{path}"
    response = client.post(url, json=body, headers=proctor)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["details"]["field"] == "reason"
    assert any(word in error["message"] for word in ("理由", "原因", "违纪情况"))
    assert str(LIMIT) in error["message"]
    assert _actions(app) == 0
    response = client.post(url, json=body | {"reason": "很" * LIMIT}, headers=proctor)
    assert response.status_code in (200, 201), response.get_json()
