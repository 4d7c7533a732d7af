"""Pages with CSRF on: plan a session, roster import (all or nothing), tickets, exam and proctor pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

from openpyxl import Workbook

from app import timeutil
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession
from tests.conftest import csrf_from
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_admin_plans_a_session_in_the_browser_pages(app, login, make_user):
    make_user("admin1", "center_admin")
    browser = login("admin1")
    # tomorrow 09:00 Beijing time, whatever day the suite runs: the theory window must still be ahead
    tomorrow = (timeutil.utcnow().astimezone(timeutil.CHINA) + timedelta(days=1)).date()
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=timeutil.CHINA)
    page = browser.get("/sessions/new").get_data(True)
    form = {
        "csrf_token": csrf_from(page),
        "name": "十二月批次",
        "standard": "3-01-01-04",
        "level": "四级",
        "theory_start": start.strftime("%Y-%m-%dT%H:%M"),
        "theory_minutes": "50",
        "practical_minutes": "60",
    }
    short = browser.post("/sessions/new", data=form)
    assert short.status_code == 422 and "少于标准规定的 60 分钟" in short.get_data(True)
    form["theory_minutes"] = "90"
    created = browser.post("/sessions/new", data=form)
    assert created.status_code == 302
    with app.app_context():
        session = db.session.query(ExamSession).one()
        assert session.theory_start == start and session.theory_start.hour == 1  # 09:00 Beijing = 01:00 UTC
        sid = session.id
    detail = browser.get(f"/sessions/{sid}").get_data(True)
    assert "准备情况" in detail and "papers_missing" in detail
    token = csrf_from(detail)
    assert (
        browser.post(
            f"/sessions/{sid}/rooms", data={"csrf_token": token, "name": "A101", "kind": "theory", "capacity": "30"}
        ).status_code
        == 302
    )
    assert "A101" in browser.get(f"/sessions/{sid}").get_data(True)
    assert (
        browser.post(f"/sessions/{sid}/rooms", data={"name": "B", "kind": "theory", "capacity": "3"}).status_code == 400
    )


def test_roster_import_lists_bad_rows_and_stores_nothing(app, login, make_user, exam_setup):
    make_user("stu3")
    browser = login("admin1")
    sid = exam_setup["sid"]
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))
    content = xlsx([["用户名", "考场"], ["stu3", "A101"], ["ghost", "A101"], ["stu1", "A101"], ["stu3", "Z9"]])
    response = browser.post(
        f"/sessions/{sid}/import",
        data={"csrf_token": token, "file": (BytesIO(content), "r.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = response.get_data(True)
    assert "未导入任何考生" in text
    assert "第 3 行" in text and "第 4 行" in text and "第 5 行" in text  # unknown, already enrolled, duplicate
    with app.app_context():
        assert db.session.query(Enrollment).filter_by(session_id=sid).count() == 2


def test_tickets_exam_and_proctor_pages(app, login, exam_setup):
    sid, room = exam_setup["sid"], exam_setup["room"]
    tickets = login("admin1").get(f"/sessions/{sid}/tickets").get_data(True)
    assert "准考证" in tickets and "<svg" in tickets and "座位号" in tickets
    with app.app_context():
        numbers = [e.ticket_no for e in db.session.query(Enrollment).filter_by(session_id=sid)]
    assert all(n in tickets for n in numbers)
    candidate = login("stu1")
    mine = candidate.get("/exams/").get_data(True)
    assert "进入考试" in mine
    take = candidate.get(f"/exams/{sid}/take").get_data(True)
    assert "exam.js" in take and 'data-session="' in take
    proctor = login("proc1")
    assert "A101" in proctor.get("/exams/proctor").get_data(True)
    page = proctor.get(f"/exams/rooms/{room}").get_data(True)
    assert "stu1" in page and "未开始" in page
    token = csrf_from(page)
    done = proctor.post(
        f"/exams/rooms/{room}/candidates/stu1/incident",
        data={"csrf_token": token, "reason": "交头接耳"},
        follow_redirects=True,
    ).get_data(True)
    assert "交头接耳" in done and "违纪记录" in done
    assert login("proc2").get(f"/exams/rooms/{room}").status_code == 403
