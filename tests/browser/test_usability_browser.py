"""Exam-day usability in Debian's Chromium (issue 13): every role's pages at 1280 and 390 px over the
demonstration data (nothing scrolls sideways, no internal code or field key on a page), and the
exam page's details — 交卷 above the fold, the question before the folded grid on a phone, arrow
keys between the options of a multiple-choice question, no live site menu, disabled buttons that
look disabled, the extension notice — and the proctor's confirmed 强制收卷.

Screenshots go to $SCREENSHOT_DIR when set (to look at them), else to the test's tmp directory."""

from __future__ import annotations

import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app, timeutil
from app.auth.models import User
from app.cli import init_db
from app.demo import DEMO_PASSWORD, load_demo
from app.eligibility.models import Application, ApplicationStatus
from app.exams import attempts as exam_ops
from app.exams import proctoring
from app.exams.models import Attempt, AttemptStatus
from app.extensions import db
from app.papers.models import Paper
from app.sessions.models import Enrollment, ExamSession, SessionStatus
from tests.browser.test_exam_browser import ARGS, CHROMIUM, wait_until
from tests.conftest import PASSWORD, _config
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (make browser)",
    ),
]

WIDTHS = {"wide": (1280, 900), "phone": (390, 844)}
# What no page may show a person: an API key path or an internal code.
LEAKS = re.compile(
    r"candidate\.\w+|\b(?:theory_minutes|practical_minutes|capacity|papers_missing|stations_insufficient|"
    r"proctors_insufficient|duration_too_short)\b|Not Found|Forbidden"
)

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
      if (wide.length > 5) break;
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demonstration data (a session in every state) served on a loopback port."""
    base = tmp_path_factory.mktemp("demo")
    app = create_app(_config(f"sqlite:///{base / 'demo.db'}", base))
    with app.app_context():
        init_db()
        load_demo()
        db.session.commit()
        ids = {
            "open": db.session.scalar(select(ExamSession.id).where(ExamSession.status == SessionStatus.theory_open)),
            "scheduled": db.session.scalar(select(ExamSession.id).where(ExamSession.status == SessionStatus.scheduled)),
            "paper": db.session.scalar(select(Paper.id).order_by(Paper.id)),
            "pending": db.session.scalar(
                select(Application.id).where(Application.status == ApplicationStatus.eligible).order_by(Application.id)
            ),
        }
        open_session = db.session.get(ExamSession, ids["open"])
        ids["room"] = open_session.rooms[0].id
        # a candidate of the open session who has not started yet, and one who has
        started = {a.enrollment_id for a in db.session.scalars(select(Attempt))}
        fresh = [e for e in open_session.enrollments if e.id not in started]
        ids["fresh"] = fresh[0].user.username if fresh else None
        ids["cand_app"] = db.session.scalar(
            select(Application.id).join(User, User.id == Application.user_id).where(User.username == "cand01")
        )
        db.session.remove()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_port}", "ids": ids, "app": app}
    httpd.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pages(ids: dict) -> dict[str, list[str]]:
    candidate = [
        "/",
        "/exams/",
        f"/exams/{ids['scheduled']}/ticket",
        "/eligibility/profile",
        "/eligibility/check",
        "/eligibility/applications",
        "/sessions/",  # 403: a Chinese page with a way back
    ]
    if ids["cand_app"]:
        candidate.append(f"/eligibility/applications/{ids['cand_app']}")
    admin = [
        "/sessions/",
        "/sessions/new",
        f"/sessions/{ids['scheduled']}",
        f"/sessions/{ids['open']}",
        f"/sessions/{ids['scheduled']}/tickets",
        "/eligibility/review",
        "/banks/",
        "/banks/import",
        "/banks/items/1/preview",
        "/banks/items/1/edit",
        f"/sessions/{ids['scheduled']}/edit",
        "/papers/",
        f"/papers/{ids['paper']}",
        f"/papers/{ids['paper']}/print",
        "/exams/proctor",
        f"/exams/rooms/{ids['room']}",
        "/staff",
        "/standards/3-01-01-04",
        "/standards/590008",
        "/no-such-page",  # 404
    ]
    if ids["pending"]:
        admin.append(f"/eligibility/applications/{ids['pending']}")
    return {
        "cand01": candidate,
        "center_admin": admin,
        "proctor1": ["/exams/proctor", f"/exams/rooms/{ids['room']}"],
        "grader1": ["/", "/standards/3-01-04-03"],
    }


def _login(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _slug(path: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", path).strip("_") or "home"


def test_no_page_of_any_role_scrolls_sideways_or_shows_a_code(demo, chromium, shots):
    base, ids = demo["url"], demo["ids"]
    problems = []
    for username, paths in _pages(ids).items():
        for label, (width, height) in WIDTHS.items():
            context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            _login(page, base, username)
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state()
                page.screenshot(path=str(shots / f"{username}-{_slug(path)}-{label}.png"), full_page=True)
                measured = page.evaluate(OVERFLOW_JS)
                if measured["scroll"] > measured["width"]:
                    problems.append(f"{username} {path} at {width}px: {measured}")
                leak = LEAKS.search(page.inner_text("body"))
                if leak:
                    problems.append(f"{username} {path}: shows {leak.group(0)!r}")
            context.close()
    # the exam page of a candidate who has not started, at both widths
    if ids["fresh"]:
        for label, (width, height) in WIDTHS.items():
            context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            _login(page, base, ids["fresh"])
            page.goto(f"{base}/exams/{ids['open']}/take")
            page.wait_for_selector("#exam-questions .question")
            page.screenshot(path=str(shots / f"exam-take-{label}.png"), full_page=False)
            measured = page.evaluate(OVERFLOW_JS)
            if measured["scroll"] > measured["width"]:
                problems.append(f"exam page at {width}px: {measured}")
            question = page.locator("#exam-questions .question").bounding_box()
            submit = page.locator("#exam-submit").bounding_box()
            assert submit["y"] + submit["height"] <= height, f"交卷 below the fold at {width}px"
            assert question["y"] < height * 0.6, f"the question starts at y={question['y']} at {width}px"
            if label == "phone":
                # the grid is folded under the question; the sticky bar stays small
                assert page.locator("#exam-grid-box").get_attribute("open") is None
                assert page.locator("#exam-grid-box").bounding_box()["y"] > question["y"]
                assert page.locator(".exam-bar").bounding_box()["height"] < 110
            else:
                assert page.locator("#exam-grid-box").get_attribute("open") is not None
            context.close()
    assert not problems, "\n".join(problems)


def test_exam_page_keys_menu_disabled_buttons_and_the_extension_notice(app, exam_setup, chromium, shots):
    sid = exam_setup["sid"]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        _login(page, base, "stu1", PASSWORD)
        page.goto(f"{base}/exams/{sid}/take")
        page.wait_for_selector("#exam-grid button")
        # the site menu is not live during the exam: no navigation link leaves the paper
        assert page.locator("header nav a").count() == 0
        assert page.locator("header a").count() == 0
        # 上一题 on question 1 is disabled and looks it
        prev = page.locator("#exam-prev")
        assert prev.is_disabled()
        assert prev.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
        assert float(prev.evaluate("b => getComputedStyle(b).opacity")) < 0.6
        # find the multiple-choice question; arrow keys move between its checkboxes
        count = page.locator("#exam-grid button").count()
        for index in range(count):
            page.locator("#exam-grid button").nth(index).click()
            if page.locator("#exam-questions input[type=checkbox]").count():
                break
        boxes = page.locator("#exam-questions input[type=checkbox]")
        assert boxes.count() >= 3, "the fixture paper holds a multiple-choice question"
        boxes.nth(0).focus()
        page.keyboard.press("ArrowDown")
        assert boxes.nth(1).evaluate("b => b === document.activeElement")
        page.keyboard.press("Space")
        assert boxes.nth(1).is_checked() and not boxes.nth(0).is_checked()
        page.keyboard.press("ArrowUp")
        assert boxes.nth(0).evaluate("b => b === document.activeElement")
        page.keyboard.press("ArrowUp")  # wraps to the last option
        assert boxes.nth(boxes.count() - 1).evaluate("b => b === document.activeElement")
        # a proctor grants 15 minutes: the page says so, with the new deadline in Beijing time
        with app.app_context():
            enrollment = db.session.scalar(
                select(Enrollment).join(User, User.id == Enrollment.user_id).where(User.username == "stu1")
            )
            proctor = db.session.scalar(select(User).where(User.username == "proc1"))
            now = timeutil.utcnow()
            proctoring.grant_extension(enrollment, 15, "机器故障", proctor, now)
            db.session.commit()
            deadline = db.session.scalar(select(Attempt.deadline).where(Attempt.enrollment_id == enrollment.id))
            db.session.remove()
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.locator("#exam-grid button").nth(0).click()
        page.locator("#exam-questions .option input").first.check()  # a save brings the new deadline
        wait_until(page, "!document.getElementById('exam-notice').hidden", timeout_ms=15000)
        notice = page.locator("#exam-notice").text_content()
        expected = (deadline + timedelta(0)).astimezone(timeutil.CHINA).strftime("%H:%M")
        assert "延长考试时间 15 分钟" in notice and expected in notice, notice
        page.screenshot(path=str(shots / "exam-extension-notice-wide.png"))
        # 确认交卷 is disabled while answers are unsaved: offline, answer, open the summary
        context.set_offline(True)
        page.locator("#exam-grid button").nth(1).click()
        page.locator("#exam-questions .option input").first.check()
        page.click("#exam-submit")
        yes = page.locator("#exam-confirm-yes")
        assert yes.is_disabled() and yes.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
        page.screenshot(path=str(shots / "exam-confirm-disabled-wide.png"))
        # back online the answer is saved, 确认交卷 works, and the page shows the finished state
        page.click("#exam-confirm-no")
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_until(page, "document.getElementById('exam-save').textContent.includes('全部答案已保存')")
        page.set_viewport_size({"width": 390, "height": 844})
        page.click("#exam-submit")
        page.click("#exam-confirm-yes")
        page.wait_for_selector("#exam-done:not([hidden])")
        assert page.locator("#exam-clock").is_hidden() and page.locator("#exam-message").is_hidden()
        page.screenshot(path=str(shots / "exam-finished-phone.png"))
        context.close()
    finally:
        httpd.shutdown()
        thread.join(5)


def test_force_close_asks_first(app, exam_setup, chromium, shots):
    sid, room = exam_setup["sid"], exam_setup["room"]
    with app.app_context():
        student = db.session.scalar(select(User).where(User.username == "stu2"))
        exam_ops.start_attempt(sid, student, timeutil.utcnow())
        db.session.commit()
        db.session.remove()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        _login(page, base, "proc1", PASSWORD)
        page.goto(f"{base}/exams/rooms/{room}")
        assert page.get_by_label("延长（分钟）").count() == 2  # the minutes box has a label
        form = page.locator("form[action$='/stu2/force-close']")
        assert not form.is_visible()  # folded in the row's one action menu (issue 27 item 12)
        page.locator("tr:has(form[action$='/stu2/force-close']) details.row-actions > summary").click()
        form.get_by_label("收卷原因").fill("身体不适")
        questions = []
        page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
        form.locator("button").click()
        page.wait_for_timeout(300)
        assert questions and "强制收取" in questions[0]

        def status() -> AttemptStatus:
            with app.app_context():
                value = db.session.scalar(select(Attempt.status).join(User, User.id == Attempt.user_id))
                db.session.remove()
                return value

        assert status() == AttemptStatus.in_progress  # dismissed: nothing happened
        page.once("dialog", lambda d: d.accept())
        form.locator("button").click()
        page.wait_for_load_state()
        page.wait_for_selector("text=已强制收取")
        assert status() == AttemptStatus.submitted
        page.screenshot(path=str(shots / "proctor-room-after-force-close-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()
    finally:
        httpd.shutdown()
        thread.join(5)
