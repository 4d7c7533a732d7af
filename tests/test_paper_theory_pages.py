"""Pages of theory on paper (书面笔答, 3-01-04-03 1.9.2): the session creation page proposes a paper
sitting where the standard prescribes 书面笔答闭卷 (read from its exam_templates file), the entry
table takes a row of scores in seat order and saves them at once (CSRF on), and the session page
shows the progress."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import timeutil
from app.exams.models import PaperScoreEntry
from app.extensions import db
from app.sessions.models import ExamSession, TheoryMode
from tests.conftest import csrf_from
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _start() -> str:
    tomorrow = (timeutil.utcnow().astimezone(timeutil.CHINA) + timedelta(days=1)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=timeutil.CHINA).strftime("%Y-%m-%dT%H:%M")


def _create(browser, standard: str, level: str, mode: str = "") -> ExamSession:
    page = browser.get("/sessions/new").get_data(True)
    assert "书面笔答闭卷" in page  # the note names what 3-01-04-03 prescribes
    form = {
        "csrf_token": csrf_from(page),
        "name": f"批次 {standard}",
        "target": f"{standard}|{level}",
        "theory_start": _start(),
        "theory_minutes": "90",
        "practical_minutes": "90",
        "theory_mode": mode,
    }
    response = browser.post("/sessions/new", data=form)
    assert response.status_code == 302, response.get_data(True)[:800]
    return db.session.scalar(select(ExamSession).where(ExamSession.name == f"批次 {standard}"))


def test_creation_page_proposes_paper_where_the_standard_prescribes_it(app, login, flow):
    browser = login("admin1")
    with app.app_context():
        assert _create(browser, "3-01-04-03", "四级").theory_mode == TheoryMode.paper  # 1.9.2 书面笔答闭卷
        assert _create(browser, "3-01-01-04", "四级").theory_mode == TheoryMode.machine  # 笔试、机考等
        session = db.session.scalar(select(ExamSession).where(ExamSession.standard_id == "3-01-04-03"))
        assert session.theory_mode == TheoryMode.paper


def test_entry_table_saves_a_row_of_scores_at_once(app, login, flow):
    sid = flow.session(
        ["c1", "c2", "c3"], standard="3-01-04-03", level="四级", theory_mode="paper", practical_minutes=90
    )
    with app.app_context():
        ids = {u: flow.enrollment(sid, u).id for u in ("c1", "c2", "c3")}
    admin = login("admin1")
    page = admin.get(f"/exams/sessions/{sid}/paper-scores").get_data(True)
    assert page.count('class="paper-score') == 3 and "paper_scores.js" in page
    r = admin.post(
        f"/exams/sessions/{sid}/paper-scores",
        data={"csrf_token": csrf_from(page), f"score_{ids['c1']}": "72", f"score_{ids['c2']}": "59.5"},
    )
    assert r.status_code == 302
    proctor = login("p1")
    page = proctor.get(f"/exams/sessions/{sid}/paper-scores").get_data(True)
    assert "已录入第一遍" in page
    # one bad score refuses the whole table: nothing of it is kept
    bad = proctor.post(
        f"/exams/sessions/{sid}/paper-scores",
        data={"csrf_token": csrf_from(page), f"score_{ids['c1']}": "72", f"score_{ids['c2']}": "101"},
    )
    assert bad.status_code == 422 and "0–100" in bad.get_data(True)
    with app.app_context():
        assert len(db.session.scalars(select(PaperScoreEntry)).all()) == 2
    ok = proctor.post(
        f"/exams/sessions/{sid}/paper-scores",
        data={"csrf_token": csrf_from(page), f"score_{ids['c1']}": "72", f"score_{ids['c2']}": "60"},
    )
    assert ok.status_code == 302
    page = proctor.get(f"/exams/sessions/{sid}/paper-scores").get_data(True)
    assert "两遍一致（已定分）：72" in page and "两遍不一致，待第三人裁定" in page
    assert flow.results(sid)["c1"]["theory"] == 72 and flow.results(sid)["c2"]["theory"] is None
    # 缺考 typed in the box, by two people, is absent
    admin_page = admin.get(f"/exams/sessions/{sid}/paper-scores").get_data(True)
    typed = admin.post(
        f"/exams/sessions/{sid}/paper-scores", data={"csrf_token": csrf_from(admin_page), f"score_{ids['c3']}": "缺考"}
    )
    assert typed.status_code == 302
    proctor.post(f"/exams/sessions/{sid}/paper-scores", data={"csrf_token": csrf_from(page), f"score_{ids['c3']}": "Q"})
    assert flow.results(sid)["c3"]["status"]["theory"] == "absent"
    # no CSRF token: refused
    assert proctor.post(f"/exams/sessions/{sid}/paper-scores", data={f"score_{ids['c1']}": "80"}).status_code == 400
    detail = admin.get(f"/sessions/{sid}").get_data(True)
    assert "书面笔答成绩录入" in detail and "两遍一致（已定分）：2 人" in detail and "待第三人裁定：1 人" in detail
