"""Going on below 1.9.3's staffing asks for a written reason on the pages (3-01-01-04 1.9.3:
监考人员与考生配比不低于1:15，且每个考场不少于2名监考人员). The reason is kept, audited, shown beside
the results and in their export, and listed by GET /sessions/<id>/results; the API's publish keeps
its v1 behaviour (readiness problems are warnings, not locks)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import delete, select

from app import timeutil
from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.sessions.models import ExamSession, SessionStatus, StaffAssignment, StaffingException
from tests.conftest import csrf_from
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)

REASON = "第二名监考人员临时生病，经中心主任批准由巡考代岗"


def _one_proctor_short(app, flow, **overrides) -> int:
    """A session whose theory room has one proctor where 1.9.3 asks for at least 2."""
    sid = flow.session(["c1"], **overrides)
    with app.app_context():
        p2 = db.session.scalar(select(User.id).where(User.username == "p2"))
        db.session.execute(
            delete(StaffAssignment).where(StaffAssignment.session_id == sid, StaffAssignment.user_id == p2)
        )
        db.session.commit()
    codes = [
        p["code"]
        for p in flow.client.get(f"/api/v1/sessions/{sid}/readiness", headers=flow.admin).get_json()["problems"]
    ]
    assert "proctors_insufficient" in codes
    return sid


def test_open_now_below_the_proctor_minimum_asks_for_a_reason(app, login, flow):
    tomorrow = (timeutil.utcnow() + timedelta(days=1)).isoformat()
    sid = _one_proctor_short(app, flow, theory_start=tomorrow)
    browser = login("admin1")
    page = browser.get(f"/sessions/{sid}").get_data(True)
    assert 'name="reason"' in page and "1.9.3" in page
    refused = browser.post(f"/sessions/{sid}/status", data={"csrf_token": csrf_from(page), "status": "open"})
    assert refused.status_code == 422  # the page again, the message beside the reason (issue 27 item 5)
    with app.app_context():
        assert db.session.get(ExamSession, sid).status == SessionStatus.scheduled
        assert db.session.scalar(select(StaffingException.id)) is None
    page = refused.get_data(True)
    assert '<p class="error" role="alert">人员配备未达到标准' in page
    done = browser.post(
        f"/sessions/{sid}/status", data={"csrf_token": csrf_from(page), "status": "open", "reason": REASON}
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(ExamSession, sid).status == SessionStatus.theory_open
        exception = db.session.scalar(select(StaffingException))
        assert exception.step == "open" and exception.reason == REASON
        assert exception.problems[0]["code"] == "proctors_insufficient"
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.staffing_exception"))
        assert audit.details["reason"] == REASON and audit.details["problems"] == ["proctors_insufficient"]


def test_publish_on_the_page_asks_for_a_reason_shown_with_the_results(app, login, flow):
    sid = _one_proctor_short(app, flow)
    flow.theory(sid, "c1", 80)
    flow.practical(sid, "c1", 80)
    flow.end_theory(sid)
    browser = login("admin1")
    flow.certificate_settings()
    page = browser.get(f"/results/sessions/{sid}").get_data(True)
    assert 'name="reason"' in page
    browser.post(f"/results/sessions/{sid}/publish", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(ExamSession, sid).status != SessionStatus.published
    browser.post(f"/results/sessions/{sid}/publish", data={"csrf_token": csrf_from(page), "reason": REASON})
    with app.app_context():
        assert db.session.get(ExamSession, sid).status == SessionStatus.published
    body = flow.client.get(f"/api/v1/sessions/{sid}/results", headers=flow.admin).get_json()
    assert [(e["step"], e["reason"]) for e in body["staffing_exceptions"]] == [("publish", REASON)]
    assert body["staffing_exceptions"][0]["problems"][0]["code"] == "proctors_insufficient"
    assert REASON in browser.get(f"/results/sessions/{sid}").get_data(True)
    book = load_workbook(BytesIO(browser.get(f"/results/sessions/{sid}/export.xlsx").data))
    notes = book["配备例外"]
    assert notes.cell(2, 1).value == "发布成绩" and notes.cell(2, 2).value == REASON


def test_api_publish_keeps_v1_and_a_full_staff_asks_nothing(app, login, flow):
    sid = _one_proctor_short(app, flow)
    flow.theory(sid, "c1", 80)
    flow.practical(sid, "c1", 80)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200  # the API: warnings, not locks (contract v1)
    assert flow.results(sid)["c1"]["passed"] is True
    full = flow.session(["c2"])
    page = login("admin1").get(f"/results/sessions/{full}").get_data(True)
    assert 'name="reason"' not in page
    assert (
        flow.client.get(f"/api/v1/sessions/{full}/results", headers=flow.admin).get_json()["staffing_exceptions"] == []
    )
