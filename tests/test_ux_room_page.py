"""The proctor's room (issue 27 item 12): a summary line 作答中 / 已交卷 / 未开始 / 异常, one action
menu per row, the full width, bounded reasons named by their label (item 14)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.exams import attempts as exam_ops
from app.exams import proctoring
from app.extensions import db
from tests.conftest import csrf_from
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def _summary(html: str) -> dict[str, int]:
    line = html[html.index('class="room-summary"') : html.index("</p>", html.index('class="room-summary"'))]
    return {label: int(n) for label, n in re.findall(r"(作答中|已交卷|未开始|异常) <strong>(\d+)</strong>", line)}


def test_room_summary_line_counts_every_state_and_the_silent(app, exam_setup, login):
    sid, room = exam_setup["sid"], exam_setup["room"]
    browser = login("proc1")
    html = browser.get(f"/exams/rooms/{room}").get_data(True)
    assert _summary(html) == {"作答中": 0, "已交卷": 0, "未开始": 2, "异常": 0}
    assert "container wide" in html  # the full width on large screens
    with app.app_context():
        student = db.session.scalar(select(User).where(User.username == "stu2"))
        exam_ops.start_attempt(sid, student, timeutil.utcnow() - timedelta(minutes=5))
        db.session.commit()
    html = browser.get(f"/exams/rooms/{room}").get_data(True)
    # started five minutes ago and not heard from since: answering, and 异常 (more than 2 minutes silent)
    assert _summary(html) == {"作答中": 1, "已交卷": 0, "未开始": 1, "异常": 1}
    assert "超过 2 分钟未联系" in html
    # one folded action menu per row, holding that row's forms
    assert html.count('<details class="row-actions">') == 2
    assert len(re.findall(r'<form method="post" action="[^"]+/(?:extension|incident|force-close)"', html)) == 5
    response = browser.post(
        f"/exams/rooms/{room}/candidates/stu2/force-close", data={"csrf_token": csrf_from(html), "reason": "身体不适"}
    )
    assert response.status_code == 302
    html = browser.get(f"/exams/rooms/{room}").get_data(True)
    assert _summary(html) == {"作答中": 0, "已交卷": 1, "未开始": 1, "异常": 0}


def test_an_incident_counts_as_abnormal_and_reasons_are_bounded_by_label(app, exam_setup, login):
    room = exam_setup["room"]
    browser = login("proc1")
    html = browser.get(f"/exams/rooms/{room}").get_data(True)
    assert f'maxlength="{proctoring.REASON_MAX}"' in html
    long = "很" * (proctoring.REASON_MAX + 1)
    refused = browser.post(
        f"/exams/rooms/{room}/candidates/stu1/incident",
        data={"csrf_token": csrf_from(html), "reason": long},
        follow_redirects=True,
    )
    text = refused.get_data(True)
    assert f"违纪情况：不能超过 {proctoring.REASON_MAX} 个字" in text
    assert _summary(text)["异常"] == 0  # nothing was recorded
    browser.post(
        f"/exams/rooms/{room}/candidates/stu1/incident", data={"csrf_token": csrf_from(html), "reason": "夹带"}
    )
    html = browser.get(f"/exams/rooms/{room}").get_data(True)
    assert _summary(html) == {"作答中": 0, "已交卷": 0, "未开始": 2, "异常": 1}
    assert "有违纪记录" in html
