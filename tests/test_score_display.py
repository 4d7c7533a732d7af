"""Scores and names (issue 27 item 11): two decimals cut toward zero on every page (the stored value
unrounded, the pass rule unchanged: 59.995 shows 59.99 beside 不合格, never 60.00); people named by
their names (王考评（grader3）); and one rule for when a candidate sees the theory score — the
center's setting, applied to the exam page after 交卷, 我的考试 and GET /attempts alike."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.models import User
from app.exams.models import Attempt
from app.extensions import db
from scoring.display import points_text, score_text
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)

from .conftest import csrf_from


def test_two_decimals_cut_toward_zero_never_up():
    assert score_text(77.33333333333333) == "77.33"
    assert score_text(59.995) == "59.99" and score_text(59.99999999) == "59.99"
    assert score_text(60) == "60.00" and score_text(0.29) == "0.29" and score_text(100.0) == "100.00"
    assert score_text(None) == "—" and points_text(12.5) == "12.5" and points_text(15.0) == "15"


def _attempt_id(flow, sid: int, username: str) -> int:
    with flow.app.app_context():
        enrollment = flow.enrollment(sid, username)
        return db.session.scalar(select(Attempt.id).where(Attempt.enrollment_id == enrollment.id))


def test_results_roster_shows_two_decimals_and_keeps_59_995_failing(flow, login):
    sid = flow.session(["c1", "c2"])
    flow.theory(sid, "c1", 77.33333333333333)
    flow.theory(sid, "c2", 59.995)
    flow.practical(sid, "c1", 80)
    flow.practical(sid, "c2", 80)
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    rows = flow.results(sid)
    assert rows["c2"]["theory"] == 59.995 and rows["c2"]["passed"] is False  # stored unrounded, rule unchanged
    html = login("admin1").get(f"/results/sessions/{sid}").get_data(True)
    assert '<span class="ok">77.33</span>' in html and '<span class="bad">59.99</span>' in html
    assert "77.3333" not in html and "60.00" not in html and "59.995" not in html
    mine = login("c2").get("/results/mine").get_data(True)
    assert "59.99" in mine and "60.00" not in mine and "不合格" in mine


def _set_release(browser, value: str):
    page = browser.get("/results/settings").get_data(True)
    assert "理论知识考试成绩的显示时间" in page
    return browser.post(
        "/results/settings/scores",
        data={"theory_release": value, "csrf_token": csrf_from(page)},
        follow_redirects=True,
    )


def test_default_shows_the_theory_score_at_once_everywhere(flow, login, token_for):
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", 77.33333333333333)
    aid = _attempt_id(flow, sid, "c1")
    body = flow.client.get(f"/api/v1/attempts/{aid}", headers=token_for("c1")).get_json()
    assert body["score"] == 77.33333333333333 and body["score_text"] == "77.33" and body["score_pending"] is False
    browser = login("c1")
    finished = browser.get(f"/exams/{sid}/take").get_data(True)
    assert "理论知识考试成绩" in finished and "77.33 分" in finished and "成绩待发布" not in finished
    mine = browser.get("/exams/").get_data(True)
    assert "理论知识考试成绩 77.33 分" in mine  # the same rule: no 成绩待发布 beside a score shown


def test_after_publication_setting_withholds_it_on_every_path_until_published(flow, login, token_for):
    admin = login("admin1")
    saved = _set_release(admin, "published").get_data(True)
    assert "已保存：成绩发布后再显示" in saved
    assert re.search(r'value="published" checked', saved)
    sid = flow.session(["c1"])
    flow.theory(sid, "c1", 87.5)
    flow.practical(sid, "c1", 66)
    aid = _attempt_id(flow, sid, "c1")
    headers = token_for("c1")
    body = flow.client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()
    assert body["status"] == "submitted" and body["score"] is None and body["score_pending"] is True
    browser = login("c1")
    finished = browser.get(f"/exams/{sid}/take").get_data(True)
    assert "成绩待发布" in finished and "87.5" not in finished
    mine = browser.get("/exams/").get_data(True)
    assert "成绩待发布" in mine and "87.5" not in mine
    flow.end_theory(sid)
    assert flow.publish(sid).status_code == 200
    body = flow.client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()
    assert body["score"] == 87.5 and body["score_text"] == "87.50"
    assert "87.50 分" in browser.get(f"/exams/{sid}/take").get_data(True)


def test_the_setting_refuses_an_unknown_value_and_is_audited(flow, login):
    admin = login("admin1")
    bad = _set_release(admin, "tomorrow").get_data(True)
    assert "理论成绩显示时间：请选择" in bad
    _set_release(admin, "published")
    log = admin.get("/audit/").get_data(True)
    assert "理论成绩显示时间设置" in log
    assert "（空） → 成绩发布后显示" in re.sub(r"<[^>]+>", "", log)


def test_missing_graders_are_named_by_name(flow, login):
    with flow.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "g3"))
        user.name = "王考评"
        db.session.commit()
    sid = flow.session(["c1"])
    for n in (1, 2):
        sheet = flow.client.get(f"/api/v1/sessions/{sid}/practical/sheet", headers=flow.graders[1]).get_json()
        sections = {s["area"]: s["max"] * 0.7 for s in sheet["sections"]}
        assert (
            flow.client.put(
                f"/api/v1/sessions/{sid}/practical/c1", json={"sections": sections}, headers=flow.graders[n]
            ).status_code
            == 200
        )
    r = flow.client.post(f"/api/v1/sessions/{sid}/practical/c1/finalize", json={}, headers=flow.admin)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert "尚有考评员未评分：王考评（g3）" in error["message"] and error["details"]["missing"] == ["g3"]
    page = login("admin1").get(f"/practical/{sid}/practical/manage").get_data(True)
    assert "王考评（g3）：未评" in page and "王考评（g3）" in page
