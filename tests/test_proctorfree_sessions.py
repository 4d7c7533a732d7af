"""The session pages' forms after a refusal (issue 27 item 5): the page again with every value typed,
the message beside the field it names, by the label the page shows, and in a summary above the form
linking to it — nothing saved; and the staff / candidates tables are stacked on phones with their
移除 labelled (item 13)."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from sqlalchemy import func, select

from app import timeutil
from app.extensions import db
from app.sessions.models import ExamSession, Room, StaffAssignment
from tests.conftest import csrf_from
from tests.test_sessions_ux import plan


def _month_ahead() -> str:
    """A start a month from now, as the form's datetime-local field sends it (Beijing time)."""
    return (timeutil.utcnow() + timedelta(days=30)).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT09:00")


def _field(text: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea) id="{re.escape(field_id)}"[^>]*>', text)
    assert match, field_id
    return match.group(0)


def _beside(text: str, field_id: str, message: str) -> None:
    assert f'<div id="{field_id}-error"><p class="error" role="alert">{message}</p></div>' in text
    assert 'aria-invalid="true"' in _field(text, field_id)


def test_staff_refusal_stands_beside_the_username_keeping_what_was_typed(app, client, make_user, token_for,
                                                                         monkeypatch, login):  # fmt: skip
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=0)
    sid = p["sid"]
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    data = {"csrf_token": token, "username": "nobody", "role": "grader", "room": "", "panel": "甲组"}
    r = browser.post(f"/sessions/{sid}/staff", data=data)
    assert r.status_code == 422
    text = html_lib.unescape(r.get_data(True))
    message = "本机构没有用户名为 nobody 的工作人员"
    _beside(text, "staff-username", message)
    assert f'<a href="#staff-username">用户名</a>：{message}' in text
    assert 'value="nobody"' in _field(text, "staff-username") and 'value="甲组"' in _field(text, "staff-panel")
    assert '<option value="grader" selected>' in text
    assert 'class="flash flash-error" role="status">' not in text  # beside the field, not flashed
    with app.app_context():
        assert db.session.scalar(select(func.count(StaffAssignment.id))) == 0


def test_room_name_is_bounded_and_named_beside_its_field(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=0)
    sid = p["sid"]
    browser = login("admin1")
    page = browser.get(f"/sessions/{sid}").get_data(True)
    assert 'maxlength="100"' in _field(page, "room-name")
    token = csrf_from(page)
    long = "实" * 101
    r = browser.post(f"/sessions/{sid}/rooms", data={"csrf_token": token, "name": long, "kind": "theory",
                                                     "capacity": "30", "stations": "4"})  # fmt: skip
    assert r.status_code == 422
    text = r.get_data(True)
    _beside(text, "room-name", "考场名称不能超过 100 个字符")
    assert f'value="{long}"' in _field(text, "room-name") and 'value="30"' in _field(text, "room-capacity")
    ok = browser.post(f"/sessions/{sid}/rooms", data={"csrf_token": token, "name": "实" * 100, "kind": "theory",
                                                      "capacity": "30"})  # fmt: skip
    assert ok.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(Room.name).where(Room.session_id == sid))) == ["A101", "实" * 100]


def test_the_room_edit_form_names_the_capacity_beside_it(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=2)
    sid, room = p["sid"], p["room"]
    for name in ("stu1", "stu2"):
        client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": name, "room": room}, headers=p["admin"])
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}/rooms/{room}/edit").get_data(True))
    data = {"csrf_token": token, "name": "A102", "kind": "theory", "capacity": "1", "stations": ""}
    r = browser.post(f"/sessions/{sid}/rooms/{room}/edit", data=data)
    assert r.status_code == 422
    text = r.get_data(True)
    message = "考场「A101」已安排 2 名考生，容量不能小于 2"
    _beside(text, "capacity", message)
    assert f'<a href="#capacity">容量</a>：{message}' in text and 'value="A102"' in _field(text, "name")
    with app.app_context():
        assert (db.session.get(Room, room).name, db.session.get(Room, room).capacity) == ("A101", 5)


def test_the_session_form_names_its_field_beside_it(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=0)
    sid = p["sid"]
    browser = login("admin1")
    page = browser.get(f"/sessions/{sid}/edit").get_data(True)
    assert 'maxlength="200"' in _field(page, "name")
    with app.app_context():
        before = db.session.get(ExamSession, sid).name
    form = {"csrf_token": csrf_from(page), "name": "批" * 201, "theory_start": _month_ahead(), "theory_minutes": "90",
            "practical_minutes": "60"}  # fmt: skip
    r = browser.post(f"/sessions/{sid}/edit", data=form)
    assert r.status_code == 422
    text = r.get_data(True)
    _beside(text, "name", "批次名称不能超过 200 个字符")
    assert '<a href="#name">批次名称</a>：批次名称不能超过 200 个字符' in text
    assert f'value="{"批" * 201}"' in _field(text, "name") and 'value="90"' in _field(text, "theory_minutes")
    with app.app_context():
        assert db.session.get(ExamSession, sid).name == before


def test_staff_and_candidates_tables_stack_with_their_remove_labelled(app, client, make_user, token_for,
                                                                      monkeypatch, login):  # fmt: skip
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=1)
    sid = p["sid"]
    make_user("proc1", "proctor", center="测试评价中心")
    client.post(f"/api/v1/sessions/{sid}/staff", json={"username": "proc1", "role": "proctor", "room": p["room"]},
                headers=p["admin"])  # fmt: skip
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": p["room"]}, headers=p["admin"])
    text = login("admin1").get(f"/sessions/{sid}").get_data(True)
    for table in ("session-staff", "session-candidates", "session-rooms"):
        body = text[text.index(f'<table class="grid stack {table}">') :]
        body = body[: body.index("</table>")]
        assert '<div class="table-wrap">' not in text[text.index(f"{table}") - 40 : text.index(f"{table}")]
        cells = re.findall(r'<td data-label="操作" class="row-buttons">(.*?)</td>', body, re.S)
        assert cells, table
        if table != "session-rooms":
            assert all("移除</button>" in cell for cell in cells), table
