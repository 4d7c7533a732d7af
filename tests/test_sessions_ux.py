"""Session pages and API for issue 27 items 4, 6, 7, 14 and issue 28's room capacity, with CSRF on:
a full room refuses one more unless the center gives a reason (kept in the audit log); rooms are corrected
and deleted (not while occupied); a draft session is deleted (only a draft); 重新组卷 asks a reason;
settings that break later are refused at entry naming the field; an unknown username is told in words."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import timeutil
from app.auth.models import User
from app.banks.models import Item
from app.errors import Invalid
from app.extensions import db
from app.sessions import enrolment
from app.sessions.models import Enrollment, ExamSession, Room, SessionPaper, SessionStatus, StaffAssignment
from tests.audit_helpers import entries
from tests.conftest import csrf_from
from tests.test_sessions_fixtures import LEVEL, STANDARD, approved, build_papers, session_body


def page_text(response) -> str:
    return html.unescape(response.get_data(True))


def flashes(text: str) -> str:
    """What the page tells: its flashes, and the messages beside the fields (issue 27 item 5)."""
    return " ".join(re.findall(r'class="(?:flash|error)[^"]*"[^>]*>(.*?)<', text, re.S))


def plan(app, client, make_user, token_for, monkeypatch, *, capacity=2, candidates=3, start_in=timedelta(days=2)):
    """A draft session of center 测试评价中心 (theory room A101 of ``capacity``), ``candidates`` approved."""
    make_user("admin1", "center_admin")
    admin = token_for("admin1")
    body = session_body(start=timeutil.utcnow() + start_in)
    sid = client.post("/api/v1/sessions", json=body, headers=admin).get_json()["id"]
    room = client.post(
        f"/api/v1/sessions/{sid}/rooms", json={"name": "A101", "capacity": capacity, "kind": "theory"}, headers=admin
    ).get_json()["id"]
    allowed = approved(monkeypatch)
    names = [make_user(f"stu{n}", center="测试评价中心") for n in range(1, candidates + 1)]
    with app.app_context():
        for name in names:
            allowed.add((db.session.scalar(select(User.id).where(User.username == name)), STANDARD, LEVEL))
    return {"sid": sid, "room": room, "admin": admin, "names": names}


def seated(app, room_id: int) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(Enrollment.seat).where(Enrollment.room_id == room_id)))


# ---------------------------------------------------------------- issue 28: room capacity


def test_api_enrols_beyond_capacity_with_a_warning_and_an_audit_entry(app, client, make_user, token_for,
                                                                      monkeypatch):  # fmt: skip
    # Contract v1.0 answers 201 for an approved candidate and leaves capacity to readiness; the API
    # therefore warns (room_over_capacity) and the audit log keeps the override, with or without a reason.
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=2, candidates=3)
    url = f"/api/v1/sessions/{p['sid']}/candidates"
    for name in ("stu1", "stu2"):
        r = client.post(url, json={"username": name, "room": p["room"]}, headers=p["admin"])
        assert r.status_code == 201 and r.get_json()["warnings"] == []
    assert entries(app, "session.capacity_override") == []
    over = client.post(
        url, json={"username": "stu3", "room": p["room"], "capacity_reason": "临时加座一张"}, headers=p["admin"]
    )
    assert over.status_code == 201 and over.get_json()["seat"] == 3
    (warning,) = over.get_json()["warnings"]
    assert warning["code"] == "room_over_capacity" and "容量 2 人" in warning["message"]
    (entry,) = entries(app, "session.capacity_override")
    assert entry["details"]["reason"] == "临时加座一张" and entry["details"]["seated"] == 3
    assert entry["actor"] == "admin1"
    readiness = client.get(f"/api/v1/sessions/{p['sid']}/readiness", headers=p["admin"]).get_json()
    assert "room_over_capacity" in {problem["code"] for problem in readiness["problems"]}


def test_page_asks_for_a_reason_once_the_room_is_full_and_seats_are_reused(app, client, make_user, token_for,
                                                                           monkeypatch, login):  # fmt: skip
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=2, candidates=3)
    browser = login("admin1")
    sid = p["sid"]
    page = page_text(browser.get(f"/sessions/{sid}"))
    assert "A101（0/2）" in page
    for name in ("stu1", "stu2"):
        token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
        data = {"csrf_token": token, "username": name, "room": str(p["room"])}
        assert browser.post(f"/sessions/{sid}/candidates", data=data).status_code == 302
    page = page_text(browser.get(f"/sessions/{sid}"))
    assert "A101（2/2，已满）" in page and "（已满）" in page
    token = csrf_from(page)
    refused = browser.post(f"/sessions/{sid}/candidates", data={"csrf_token": token, "username": "stu3",
                                                                "room": str(p["room"])})  # fmt: skip
    text = page_text(refused)
    assert refused.status_code == 409 and "考场「A101」已满" in flashes(text)
    assert 'name="capacity_reason"' in text and 'value="stu3"' in text  # asked for, and nothing to retype
    assert seated(app, p["room"]) == [1, 2]
    done = browser.post(f"/sessions/{sid}/candidates", data={"csrf_token": token, "username": "stu3",
                                                             "room": str(p["room"]), "capacity_reason": "考生临时调入"})  # fmt: skip
    assert done.status_code == 302 and seated(app, p["room"]) == [1, 2, 3]
    assert "超员 1 人" in page_text(browser.get(f"/sessions/{sid}"))
    # a removed candidate's seat is offered again (seats stay within the room)
    with app.app_context():
        first = db.session.scalar(select(Enrollment).where(Enrollment.room_id == p["room"], Enrollment.seat == 1))
        enrolment.remove_candidate(db.session.get(ExamSession, sid), first.id)
        enrolment.remove_candidate(
            db.session.get(ExamSession, sid),
            db.session.scalar(select(Enrollment.id).where(Enrollment.room_id == p["room"], Enrollment.seat == 3)),
        )
        db.session.commit()
    again = client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": p["room"]},
                        headers=p["admin"])  # fmt: skip
    assert again.status_code == 201 and again.get_json()["seat"] == 1


def test_roster_import_refuses_rows_beyond_capacity(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=2, candidates=3)
    with app.app_context():
        session = db.session.get(ExamSession, p["sid"])
        content = "用户名,考场\nstu1,A101\nstu2,A101\nstu3,A101\n".encode()
        with pytest.raises(Invalid) as refused:
            enrolment.import_roster(session, content, "r.csv")
        rows = refused.value.details["rows"]
        db.session.rollback()
    assert [r["username"] for r in rows] == ["stu3"] and "已满" in rows[0]["message"]
    assert seated(app, p["room"]) == []


# ---------------------------------------------------------------- item 6: rooms and draft sessions


def test_room_is_corrected_and_an_empty_one_deleted(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=2, candidates=2)
    sid, room = p["sid"], p["room"]
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": room}, headers=p["admin"])
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu2", "room": room}, headers=p["admin"])
    browser = login("admin1")
    form = page_text(browser.get(f"/sessions/{sid}/rooms/{room}/edit"))
    assert 'value="A101"' in form and "已安排 2 名考生" in form
    token = csrf_from(form)
    typo = {"csrf_token": token, "name": "A102", "kind": "theory", "capacity": "1", "room_type": "computer_lab"}
    small = browser.post(f"/sessions/{sid}/rooms/{room}/edit", data=typo)
    assert small.status_code == 422 and "已安排 2 名考生，容量不能小于 2" in flashes(page_text(small))
    assert 'value="A102"' in page_text(small)  # what was typed stays
    with app.app_context():
        assert db.session.get(Room, room).name == "A101"  # nothing kept
    saved = browser.post(f"/sessions/{sid}/rooms/{room}/edit", data={**typo, "capacity": "40"})
    assert saved.status_code == 302
    with app.app_context():
        kept = db.session.get(Room, room)
        assert (kept.name, kept.capacity) == ("A102", 40)
    # an occupied room offers no delete button, and a forced delete is refused with the counts
    detail = page_text(browser.get(f"/sessions/{sid}"))
    assert f"/sessions/{sid}/rooms/{room}/delete" not in detail and "有人员，不能删除" in detail
    refused = browser.post(f"/sessions/{sid}/rooms/{room}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "考场「A102」已安排2 名考生，不能删除" in flashes(page_text(refused))
    with app.app_context():
        assert db.session.get(Room, room) is not None
    # an empty room is deleted, with a confirmation, and the deletion is audited
    spare = client.post(f"/api/v1/sessions/{sid}/rooms", json={"name": "B9", "capacity": 5, "kind": "theory"},
                        headers=p["admin"]).get_json()["id"]  # fmt: skip
    detail = page_text(browser.get(f"/sessions/{sid}"))
    assert 'data-confirm="删除考场「B9」（理论考场，容量 5）？删除后不能恢复。"' in detail
    assert browser.post(f"/sessions/{sid}/rooms/{spare}/delete", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Room, spare) is None
    assert [e["details"]["room"] for e in entries(app, "session.room_deleted")] == ["B9"]


def test_only_a_draft_session_is_deleted(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=1)
    sid = p["sid"]
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": p["room"]}, headers=p["admin"])
    browser = login("admin1")
    detail = page_text(browser.get(f"/sessions/{sid}"))
    assert (
        "删除草稿批次「2026年第一批社团会员管理员四级」：其 1 个考场、0 项考务人员安排和 1 名考生的报名将一并删除"
        in detail
    )
    token = csrf_from(detail)
    # a scheduled one (papers assigned) keeps its delete refused
    with app.app_context():
        other = ExamSession(center_id=db.session.get(ExamSession, sid).center_id, name="已排考批次",
                            standard_id=STANDARD, level=LEVEL, status=SessionStatus.scheduled,
                            theory_start=timeutil.utcnow() + timedelta(days=3))  # fmt: skip
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert "删除草稿批次" not in page_text(browser.get(f"/sessions/{other_id}"))
    refused = browser.post(f"/sessions/{other_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "只有草稿状态的批次可以删除" in flashes(page_text(refused))
    gone = browser.post(f"/sessions/{sid}/delete", data={"csrf_token": token})
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/sessions/")
    with app.app_context():
        assert db.session.get(ExamSession, sid) is None and db.session.get(ExamSession, other_id) is not None
        assert db.session.scalar(select(func.count(Enrollment.id))) == 0
    (entry,) = entries(app, "session.deleted")
    assert entry["details"]["candidates"] == 1 and entry["actor"] == "admin1"
    assert entry["center"] == "测试评价中心"


# ---------------------------------------------------------------- item 4: 重新组卷 and 移除


def assembled(run: int) -> list:
    for item in db.session.scalars(select(Item).where(Item.external_id.like("T-%"))):
        item.external_id = f"old{run}-{item.external_id}"  # build_papers names its items T-0…
    db.session.flush()
    return build_papers(2)


def test_reassembly_on_a_scheduled_session_needs_a_reason_and_is_logged(app, client, make_user, token_for,
                                                                        monkeypatch, login):  # fmt: skip
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=2)
    sid = p["sid"]
    for name in ("stu1", "stu2"):
        client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": name, "room": p["room"]},
                    headers=p["admin"])  # fmt: skip
    # the bank and the solver are not what is tested: each assembly gives two new forms of its own items
    made = iter(range(100))
    monkeypatch.setattr(enrolment, "assemble_papers", lambda *args, **kwargs: assembled(next(made)))
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    first = browser.post(f"/sessions/{sid}/papers", data={"csrf_token": token, "forms": "2"})
    assert first.status_code == 302  # the first assembly needs no reason
    with app.app_context():
        before = sorted(db.session.scalars(select(SessionPaper.paper_id).where(SessionPaper.session_id == sid)))
        assert db.session.get(ExamSession, sid).status == SessionStatus.scheduled
    detail = page_text(browser.get(f"/sessions/{sid}"))
    assert "重新组卷将作废已分配的 2 套试卷，2 名考生的试卷将被替换" in detail and 'name="reason" required' in detail
    blank = browser.post(f"/sessions/{sid}/papers", data={"csrf_token": token, "forms": "2", "reason": " "})
    assert blank.status_code == 422 and "请填写重新组卷的理由" in flashes(page_text(blank))
    with app.app_context():
        same = sorted(db.session.scalars(select(SessionPaper.paper_id).where(SessionPaper.session_id == sid)))
    assert same == before
    assert entries(app, "session.papers_reassigned") == []
    done = browser.post(f"/sessions/{sid}/papers", data={"csrf_token": token, "forms": "2", "reason": "题库更正"})
    assert done.status_code == 302
    with app.app_context():
        after = sorted(db.session.scalars(select(SessionPaper.paper_id).where(SessionPaper.session_id == sid)))
    assert after != before
    (entry,) = entries(app, "session.papers_reassigned")
    assert entry["details"]["reason"] == "题库更正" and sorted(entry["details"]["replaced"]) == before
    assert entry["details"]["candidates"] == 2 and entry["details"]["status"] == "scheduled"


def test_removals_say_what_will_happen(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=1)
    sid = p["sid"]
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": p["room"]}, headers=p["admin"])
    make_user("proc1", "proctor")
    client.post(f"/api/v1/sessions/{sid}/staff", json={"username": "proc1", "role": "proctor", "room": p["room"]},
                headers=p["admin"])  # fmt: skip
    with app.app_context():
        ticket = db.session.scalar(select(Enrollment.ticket_no))
    detail = page_text(login("admin1").get(f"/sessions/{sid}"))
    assert f"将 stu1（stu1）移出本批次？其准考证号 {ticket} 作废且不再使用，A101 第 1 座空出" in detail
    assert "移除 proc1（proc1）的监考人员安排（A101）？" in detail and "A101的监考人数减少 1 名" in detail


# ---------------------------------------------------------------- item 7: refused at entry


def test_a_second_level_session_needs_its_review_minutes(app, client, make_user, token_for, login):
    make_user("admin1", "center_admin")
    admin = token_for("admin1")
    body = session_body(start=timeutil.utcnow() + timedelta(days=2), level="二级", theory_minutes=120,
                        practical_minutes=120)  # fmt: skip
    missing = client.post("/api/v1/sessions", json=body, headers=admin)
    assert missing.status_code == 422
    error = missing.get_json()["error"]
    assert error["details"]["field"] == "review_minutes"
    # 3-01-01-04 1.9.2 综合评审主要针对二级/技师和一级/高级技师; 1.9.4 综合评审时长不少于30min
    assert error["message"] == "请填写综合评审时长（分钟）：二级设有综合评审（1.9.2），时长不少于 30 分钟（1.9.4）"
    assert client.post("/api/v1/sessions", json={**body, "review_minutes": 30}, headers=admin).status_code == 201
    # 四级 has no 综合评审: nothing to fill in
    four = session_body(start=timeutil.utcnow() + timedelta(days=2))
    assert client.post("/api/v1/sessions", json=four, headers=admin).status_code == 201
    # the page says the same, naming the field
    browser = login("admin1")
    token = csrf_from(browser.get("/sessions/new").get_data(True))
    start = (timeutil.utcnow() + timedelta(days=2)).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")
    page = browser.post("/sessions/new", data={"csrf_token": token, "name": "二级批次", "target": f"{STANDARD}|二级",
                                               "theory_start": start, "theory_minutes": "120",
                                               "practical_minutes": "120"})  # fmt: skip
    assert page.status_code == 422 and "请填写综合评审时长（分钟）：二级设有综合评审（1.9.2）" in flashes(
        page_text(page)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(ExamSession.id))) == 2


def test_a_past_submission_deadline_is_refused(app, client, make_user, token_for, login):
    make_user("admin1", "center_admin")
    admin = token_for("admin1")
    body = session_body(start=timeutil.utcnow() + timedelta(days=2), level="二级", theory_minutes=120,
                        practical_minutes=120, review_minutes=60)  # fmt: skip
    sid = client.post("/api/v1/sessions", json=body, headers=admin).get_json()["id"]
    url = f"/api/v1/sessions/{sid}/review/deadline"
    past = client.put(url, json={"due": (timeutil.utcnow() - timedelta(minutes=1)).isoformat()}, headers=admin)
    assert past.status_code == 422
    error = past.get_json()["error"]
    assert (
        error["details"]["field"] == "due" and "材料提交截止时间" in error["message"] and "已经过去" in error["message"]
    )
    ahead = client.put(url, json={"due": (timeutil.utcnow() + timedelta(days=1)).isoformat()}, headers=admin)
    assert ahead.status_code == 200
    # the page (datetime-local, Beijing time) says the same and keeps the deadline that was set
    browser = login("admin1")
    manage = browser.get(f"/practical/{sid}/review/manage").get_data(True)
    yesterday = (timeutil.utcnow() - timedelta(days=1)).astimezone(timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")
    page = browser.post(f"/practical/{sid}/review/deadline", data={"csrf_token": csrf_from(manage), "due": yesterday},
                        follow_redirects=True)  # fmt: skip
    assert "材料提交截止时间" in flashes(page_text(page)) and "已经过去" in flashes(page_text(page))
    with app.app_context():
        row = db.session.get(ExamSession, sid).component_row("review")
        assert row.submissions_due > timeutil.utcnow()


def test_a_proctor_needs_a_theory_room_on_the_page(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=0)
    sid = p["sid"]
    make_user("proc1", "proctor")
    practical = client.post(f"/api/v1/sessions/{sid}/rooms", json={"name": "实操室", "capacity": 10,
                                                                   "kind": "practical", "stations": 3},
                            headers=p["admin"]).get_json()["id"]  # fmt: skip
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    for room, message in (("", "请为监考人员选择理论考场"), (str(practical), "「实操室」是操作技能考核场所")):
        r = browser.post(f"/sessions/{sid}/staff", data={"csrf_token": token, "username": "proc1", "role": "proctor",
                                                         "room": room})  # fmt: skip
        assert r.status_code == 422 and message in flashes(page_text(r))
    with app.app_context():
        assert db.session.scalar(select(func.count(StaffAssignment.id))) == 0
    ok = browser.post(f"/sessions/{sid}/staff", data={"csrf_token": token, "username": "proc1", "role": "proctor",
                                                      "room": str(p["room"])})  # fmt: skip
    assert ok.status_code == 302
    # the API keeps the contract's room: null (readiness flags it)
    make_user("proc2", "proctor")
    api = client.post(f"/api/v1/sessions/{sid}/staff", json={"username": "proc2", "role": "proctor", "room": None},
                      headers=p["admin"])  # fmt: skip
    assert api.status_code == 201


# ---------------------------------------------------------------- item 14: an unknown username


def test_an_unknown_username_is_told_in_words(app, client, make_user, token_for, monkeypatch, login):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=5, candidates=0)
    sid = p["sid"]
    make_user("elsewhere", center="另一中心")  # a candidate of another center: answered like an unknown name
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    said = {}
    for name in ("ghost", "elsewhere"):
        r = browser.post(f"/sessions/{sid}/candidates", data={"csrf_token": token, "username": name, "room": ""})
        assert r.status_code == 409
        said[name] = flashes(page_text(r))
    assert "找不到可报名的考生「ghost」：请核对用户名" in said["ghost"] and "「社团会员管理员」四级" in said["ghost"]
    assert STANDARD not in said["ghost"] and "not_approved" not in said["ghost"]
    assert said["elsewhere"] == said["ghost"].replace("ghost", "elsewhere")  # existence does not leak
    api = client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "ghost"}, headers=p["admin"])
    assert api.status_code == 409 and api.get_json()["error"]["code"] == "not_approved"
    # the center's own candidate without an approval is told that
    make_user("mine", center="测试评价中心")
    r = browser.post(f"/sessions/{sid}/candidates", data={"csrf_token": token, "username": "mine", "room": ""})
    assert "考生 mine 没有经本机构审核通过的「社团会员管理员」四级申报" in flashes(page_text(r))


def test_the_api_corrects_and_deletes_rooms_and_a_draft_session(app, client, make_user, token_for, monkeypatch):
    p = plan(app, client, make_user, token_for, monkeypatch, capacity=2, candidates=1)
    sid, room, admin = p["sid"], p["room"], p["admin"]
    url = f"/api/v1/sessions/{sid}/rooms/{room}"
    client.post(f"/api/v1/sessions/{sid}/candidates", json={"username": "stu1", "room": room}, headers=admin)
    small = client.put(url, json={"name": "A101", "capacity": 0, "kind": "theory"}, headers=admin)
    assert small.status_code == 422 and small.get_json()["error"]["details"]["field"] == "capacity"
    fixed = client.put(url, json={"name": "A103", "capacity": 3, "kind": "theory"}, headers=admin)
    assert fixed.status_code == 200 and fixed.get_json()["name"] == "A103" and fixed.get_json()["capacity"] == 3
    busy = client.delete(url, headers=admin)
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "room_in_use"
    assert client.delete(f"/api/v1/sessions/{sid}/rooms/99999", headers=admin).status_code == 404
    make_user("rival", "center_admin", center="别的中心")
    assert client.delete(f"/api/v1/sessions/{sid}", headers=token_for("rival")).status_code == 404
    assert client.delete(f"/api/v1/sessions/{sid}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/sessions/{sid}", headers=admin).status_code == 404
