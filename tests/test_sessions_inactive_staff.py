"""A deactivated account on a session's staff (1.9.3 监考人员、考评人员与考生配比: the ratios count
people who proctor and grade; a deactivated account can do neither): it cannot be assigned (pages and
API, 422 naming the person and the field), readiness does not count it and names it, and deactivating
someone still on a session's staff warns the admin on /staff which sessions — the deactivation goes
through."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.sessions import enrolment
from app.sessions.models import ExamSession, StaffAssignment
from tests.conftest import csrf_from
from tests.test_sessions_api import allow, create
from tests.test_sessions_fixtures import approved, build_papers


def _staff(client, admin, sid, username, role, room=None):
    return client.post(
        f"/api/v1/sessions/{sid}/staff",
        json={"username": username, "role": role, "room": room, "panel": None},
        headers=admin,
    )


@pytest.fixture
def ready_session(app, client, make_user, token_for, monkeypatch):
    """A 四级 session of 3-01-01-04 that is ready: 2 proctors in A101, 3 graders (3人以上单数), 1 candidate."""
    make_user("admin1", "center_admin")
    admin = token_for("admin1")
    sid = create(client, admin, name="十二月四级批次").get_json()["id"]
    theory = client.post(
        f"/api/v1/sessions/{sid}/rooms", json={"name": "A101", "capacity": 30, "kind": "theory"}, headers=admin
    ).get_json()["id"]
    client.post(
        f"/api/v1/sessions/{sid}/rooms",
        json={"name": "实操室", "capacity": 10, "kind": "practical", "stations": 3},
        headers=admin,
    )
    for name in ("p1", "p2"):
        make_user(name, "proctor")
        assert _staff(client, admin, sid, name, "proctor", theory).status_code == 201
    for name, person in (("g1", "考评甲"), ("g2", "考评乙"), ("g3", "考评丙")):
        make_user(name, "grader", name=person)
        assert _staff(client, admin, sid, name, "grader").status_code == 201
    make_user("stu1")
    allow(app, approved(monkeypatch), "stu1")
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": theory}, headers=admin)
    with app.app_context():
        enrolment.attach_papers(db.session.get(ExamSession, sid), build_papers(2))
        db.session.commit()
    assert client.get(f"/api/v1/sessions/{sid}/readiness", headers=admin).get_json() == {"ready": True, "problems": []}
    return admin, sid, theory


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _deactivate_on_staff_page(app, login, username: str):
    browser = login("admin1")
    token = csrf_from(browser.get("/staff").get_data(True))
    response = browser.post(f"/staff/{_user_id(app, username)}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302
    return browser.get("/staff").get_data(True)


def test_deactivating_a_staffed_grader_goes_through_and_warns_which_session(app, client, login, ready_session):
    page = _deactivate_on_staff_page(app, login, "g3")
    text = re.sub(r"<[^>]+>", "", page)
    assert "已停用 考评丙" in text
    assert page.index("已停用 考评丙") < page.index("flash-warning")  # what was done, then what is left
    warning = re.search(r'class="flash flash-warning"[^>]*>([^<]*)<', page)
    assert warning, text[:2000]
    assert "考评丙（g3）" in warning.group(1) and "「十二月四级批次」" in warning.group(1)
    assert "考评人员" in warning.group(1) and "1.9.3" in warning.group(1)
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.username == "g3")) is False
        # the assignment stays for the admin to remove: nothing is done behind their back
        assert db.session.scalar(select(db.func.count()).select_from(StaffAssignment)) == 5


def test_deactivating_someone_on_no_session_warns_nothing(app, client, login, make_user, ready_session):
    make_user("g9", "grader", name="闲置考评")
    page = _deactivate_on_staff_page(app, login, "g9")
    assert "已停用 闲置考评" in page and "flash-warning" not in page


def test_readiness_does_not_count_a_deactivated_grader_and_names_them(app, client, login, ready_session):
    admin, sid, _ = ready_session
    _deactivate_on_staff_page(app, login, "g3")
    body = client.get(f"/api/v1/sessions/{sid}/readiness", headers=admin).get_json()
    assert body["ready"] is False
    codes = {p["code"] for p in body["problems"]}
    # 1.9.3 考评人员为3人以上单数: two active graders left
    assert "staff_inactive" in codes and {"grader_panel_even", "grader_panel_too_small"} <= codes, codes
    [named] = [p["message"] for p in body["problems"] if p["code"] == "staff_inactive"]
    assert "考评丙（g3）" in named and "已停用" in named and "1.9.3" in named
    assert not any("g3" in p["message"] for p in body["problems"] if p["code"] != "staff_inactive")


def test_readiness_does_not_count_a_deactivated_proctor(app, client, login, ready_session):
    admin, sid, _ = ready_session
    _deactivate_on_staff_page(app, login, "p2")
    body = client.get(f"/api/v1/sessions/{sid}/readiness", headers=admin).get_json()
    # 1.9.3 每个考场不少于2名监考人员: one active proctor left in A101
    assert "proctors_insufficient" in {p["code"] for p in body["problems"]}
    assert any(p["code"] == "staff_inactive" and "p2" in p["message"] for p in body["problems"])


def test_the_api_refuses_a_deactivated_account_naming_the_person_and_the_field(app, client, login, ready_session):
    admin, sid, theory = ready_session
    _deactivate_on_staff_page(app, login, "g3")
    with app.app_context():
        db.session.execute(db.delete(StaffAssignment).where(StaffAssignment.user_id == _user_id(app, "g3")))
        db.session.commit()
    r = _staff(client, admin, sid, "g3", "grader")
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["details"]["field"] == "username"
    assert "考评丙（g3）" in error["message"] and "已停用" in error["message"] and "用户名" in error["message"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(StaffAssignment)) == 4  # nothing added


def test_the_session_page_refuses_a_deactivated_proctor(app, client, login, make_user, ready_session):
    _, sid, theory = ready_session
    make_user("p9", "proctor", name="监考停")
    _deactivate_on_staff_page(app, login, "p9")
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    response = browser.post(
        f"/sessions/{sid}/staff",
        data={"csrf_token": token, "username": "p9", "role": "proctor", "room": str(theory)},
        follow_redirects=True,
    )
    text = re.sub(r"<[^>]+>", "", response.get_data(True))
    assert "监考停（p9）的账号已停用" in text and "已安排 监考停" not in text
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(StaffAssignment)) == 5
