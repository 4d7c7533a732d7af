"""The exam page before the start in Debian's Chromium (issue 27 item 6): the countdown runs on the
server's clock (static/js/countdown.js, no inline script under the CSP) and the page opens the exam by
itself at the start; before that, the exam client is not even loaded."""

from __future__ import annotations

from datetime import timedelta

from app import timeutil
from app.extensions import db
from app.sessions.models import ExamSession, SessionStatus
from tests.browser.test_exam_browser import browser, pytestmark, server, wait_until  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def test_the_waiting_page_counts_down_and_opens_the_exam_at_the_start(app, server, browser, exam_setup):  # noqa: F811
    sid = exam_setup["sid"]
    start = timeutil.utcnow() + timedelta(seconds=6)
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        session.status, session.theory_start = SessionStatus.scheduled, start
        db.session.commit()
    page = browser.new_context(locale="zh-CN").new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{server}/login")
    page.fill("#username", "stu1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/exams/{sid}/take")
    assert page.locator("#waiting-title").inner_text() == "理论考试尚未开始"
    assert page.locator("#exam-grid").count() == 0  # no paper before the start
    first = page.locator("#countdown").inner_text()
    assert first.startswith("0:00:0") and first != "0:00:00"
    # the script ticks: the shown seconds go down
    wait_until(
        page, f"document.getElementById('countdown') && document.getElementById('countdown').textContent !== '{first}'"
    )
    # at the start the page reloads by itself and the exam opens (the server lets the start through)
    page.wait_for_selector("#exam-grid button", timeout=30_000)
    assert page.url.endswith(f"/exams/{sid}/take")
    assert timeutil.utcnow() >= start
    assert blocked == []
