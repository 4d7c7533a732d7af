"""A second certificate for the same level (issue 27 item 2): enrolment warns — the API answers 201
with a warning, the page asks for a written reason first — and publication gives a passer who
already holds a valid certificate of that standard and level a result but no second certificate,
saying why; after a revocation the re-sit earns a new one."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.results.models import Certificate

from .audit_helpers import entries
from .conftest import csrf_from
from .results_fixtures import flow_fixture  # noqa: F401  (fixture)

LEVEL = "四级"


def _certified(flow, username: str = "c1") -> tuple[int, str]:
    """A session in which ``username`` passed 四级 and got a certificate; (session id, number)."""
    sid = flow.session([username])
    flow.theory(sid, username, 80)
    flow.practical(sid, username, 75)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    number = flow.results(sid)[username]["certificate_no"]
    assert number
    return sid, number


def _certificates(flow, username: str = "c1") -> int:
    with flow.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        return db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.user_id == user_id))


def test_api_enrolment_of_a_holder_answers_201_with_a_warning_and_publish_issues_no_second(flow):
    _, number = _certified(flow)
    flow.user("c2")
    sid = flow.session(["c2"])  # a new session of the same standard and level
    room = flow.client.get(f"/api/v1/sessions/{sid}", headers=flow.admin).get_json()["rooms"][0]["id"]
    r = flow.client.post(
        f"/api/v1/sessions/{sid}/candidates",
        json={"username": "c1", "room": room, "reason": "证书遗失申请重考"},
        headers=flow.admin,
    )
    assert r.status_code == 201  # contract v1.0: never a new refusal
    [warning] = r.get_json()["warnings"]
    assert warning["code"] == "certificate_held" and warning["certificates"][0]["number"] == number
    assert number in warning["message"] and "不会再颁发第二张" in warning["message"]
    [held] = entries(flow.app, "session.certificate_holder_enrolled")
    assert held["details"] == {"candidate": "c1", "held": [number], "reason": "证书遗失申请重考"}

    for username in ("c1", "c2"):
        flow.theory(sid, username, 90)
        flow.practical(sid, username, 90)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    rows = flow.results(sid)
    assert rows["c1"]["passed"] is True and rows["c1"]["certificate_no"] is None
    assert rows["c1"]["certificate_held"] == number and number in rows["c1"]["certificate_note"]
    assert rows["c2"]["certificate_no"] and rows["c2"]["certificate_held"] is None
    assert _certificates(flow, "c1") == 1  # never a second valid 四级 certificate
    [published] = entries(flow.app, "results.published")[-1:]
    assert published["details"]["already_certified"] == 1


def test_api_enrolment_without_a_reason_still_201(flow):
    _certified(flow)
    sid = flow.session([])
    r = flow.client.post(
        f"/api/v1/sessions/{sid}/candidates", json={"username": "c1", "room": None}, headers=flow.admin
    )
    assert r.status_code == 201 and r.get_json()["warnings"][0]["code"] == "certificate_held"
    flow.user("c3")  # holds nothing: no warning
    r3 = flow.client.post(
        f"/api/v1/sessions/{sid}/candidates", json={"username": "c3", "room": None}, headers=flow.admin
    )
    assert r3.status_code == 201 and r3.get_json()["warnings"] == []


def test_page_asks_for_a_reason_first_then_enrols_with_it(flow, login):
    _, number = _certified(flow)
    sid = flow.session([])
    browser = login("admin1")
    page = browser.get(f"/sessions/{sid}").get_data(True)
    assert 'name="reason"' in page and "再次报名理由" in page
    token = csrf_from(page)
    refused = browser.post(f"/sessions/{sid}/candidates", data={"username": "c1", "room": "", "csrf_token": token})
    html = refused.get_data(True)
    assert refused.status_code == 409
    assert "已持有本职业同等级的有效证书" in html and number in html and "请填写再次报名理由" in html
    assert re.search(r'name="reason"[^>]*required', html)  # the field is now required, and kept the username
    assert 'value="c1"' in html
    assert "尚无考生" in html  # nothing enrolled
    done = browser.post(
        f"/sessions/{sid}/candidates",
        data={"username": "c1", "room": "", "reason": "原证书姓名有误，重新考核", "csrf_token": token},
        follow_redirects=True,
    )
    text = done.get_data(True)
    assert done.status_code == 200 and "已报名" in text and "理由已记入审计日志" in text
    [held] = entries(flow.app, "session.certificate_holder_enrolled")
    assert held["details"]["reason"] == "原证书姓名有误，重新考核"


def test_published_roster_and_candidate_page_say_why_there_is_no_certificate(flow, login):
    flow.certificate_settings()
    _, number = _certified(flow)
    sid = flow.session([])
    r = flow.client.post(
        f"/api/v1/sessions/{sid}/candidates", json={"username": "c1", "room": None}, headers=flow.admin
    )
    assert r.status_code == 201
    flow.theory(sid, "c1", 70)
    flow.practical(sid, "c1", 70)
    flow.end_theory(sid)
    browser = login("admin1")
    page = browser.get(f"/results/sessions/{sid}").get_data(True)
    done = browser.post(f"/results/sessions/{sid}/publish", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    text = done.get_data(True)
    assert "1 人合格，0 人获发证书" in text and "1 人已持有同等级有效证书，未重复发证" in text
    assert f'已持有同等级有效证书 <a href="/results/certificates/{number}">{number}</a>，未重复发证' in text
    mine = login("c1").get("/results/mine").get_data(True)
    assert "本次合格不再重复发证" in mine and number in mine


def test_after_revocation_the_resit_earns_a_new_certificate_without_a_warning(flow):
    _, number = _certified(flow)
    r = flow.client.post(f"/api/v1/certificates/{number}/revoke", json={"reason": "材料不实"}, headers=flow.admin)
    assert r.status_code == 200
    sid = flow.session(["c1"])  # enrolled through the API: no warning now
    assert entries(flow.app, "session.certificate_holder_enrolled") == []
    flow.theory(sid, "c1", 65)
    flow.practical(sid, "c1", 65)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    row = flow.results(sid)["c1"]
    assert row["certificate_no"] and row["certificate_no"] != number and row["certificate_held"] is None
    assert _certificates(flow, "c1") == 2  # the revoked one and the new valid one


def test_roster_import_refuses_a_holder_without_a_reason_and_takes_one_with_it(flow, login):
    _, number = _certified(flow)
    sid = flow.session([])
    flow.user("c3")
    browser = login("admin1")
    token = csrf_from(browser.get(f"/sessions/{sid}").get_data(True))

    def send(rows: list[str]):
        content = ("\n".join(["用户名,考场,再次报名理由", *rows]) + "\n").encode("utf-8")
        return browser.post(
            f"/sessions/{sid}/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), "r.csv")},
            content_type="multipart/form-data",
            follow_redirects=True,
        ).get_data(True)

    refused = send(["c3,,", "c1,,"])
    assert "未导入任何考生" in refused and "第 3 行" in refused and number in refused
    assert entries(flow.app, "session.certificate_holder_enrolled") == []
    taken = send(["c3,,", "c1,,证书遗失后重新考核"])
    assert "已导入 2 名考生" in taken
    [held] = entries(flow.app, "session.certificate_holder_enrolled")
    assert held["details"] == {"candidate": "c1", "held": [number], "reason": "证书遗失后重新考核"}
