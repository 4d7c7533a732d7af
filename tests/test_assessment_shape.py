"""The shape under the components: the registry, one-way dependencies, the request boundary,
after-commit file work, the one transition helper, and the reversible components migration."""

from __future__ import annotations

import ast
import os
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app import assessment, create_app, uploads
from app.auth.models import Center
from app.boundary import after_commit, page_action
from app.eligibility import evidence as evidence_ops
from app.eligibility.models import Application, ApplicationStatus
from app.errors import Conflict, Invalid
from app.exams.models import Attempt, AttemptStatus
from app.extensions import db
from app.papers.models import Paper
from app.sessions import enrolment as session_ops
from app.sessions.models import ExamSession, SessionComponent
from app.standards.registry import get_standard
from tests.conftest import _config, csrf_from
from tests.test_eligibility_pages import PDF
from tests.test_exam_api import at, start, window
from tests.test_sessions_fixtures import exam_setup_fixture, session_body  # noqa: F401

APP_DIR = Path(__file__).resolve().parent.parent / "app"


# ---------------------------------------------------------------- the registry


def test_required_components_follow_the_standard(app):
    with app.app_context():
        member = get_standard("3-01-01-04")
        # 3-01-01-04 1.9.2: 二级、一级 add 综合评审 to 理论知识考试 and 操作技能考核
        assert [c.key for c in assessment.required_components(member, "二级")] == ["theory", "practical", "review"]
        assert [c.key for c in assessment.required_components(member, "四级")] == ["theory", "practical"]
        labour = get_standard("3-01-04-03")
        assert [c.label for c in assessment.required_components(labour, "三级")] == ["理论知识考试", "操作技能考核"]
        assert assessment.get("review").minutes_key == "review_minutes"
        assert assessment.get("theory").min_minutes(member.assessment) == 60  # 1.9.4 理论知识考试时长不少于60min
        assert assessment.get("review").min_minutes(member.assessment) == 30  # 综合评审时长不少于30min


def test_pass_rule_is_unrounded_and_absence_fails(app):
    with app.app_context():
        member = get_standard("3-01-01-04")
        practical = assessment.get("practical")
        assert practical.passed(assessment.FinalScore(60.0, assessment.Status.final), member)
        assert not practical.passed(assessment.FinalScore(59.99, assessment.Status.final), member)
        assert not practical.passed(assessment.FinalScore(None, assessment.Status.absent), member)
        assert not practical.passed(assessment.FinalScore(None, assessment.Status.disqualified), member)


def test_session_keeps_its_minutes_as_component_rows(app, client, make_user, token_for):
    make_user("admin1", "center_admin")
    headers = token_for("admin1")
    body = session_body(level="二级", theory_minutes=120, practical_minutes=120, review_minutes=45)
    created = client.post("/api/v1/sessions", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    sid = created.get_json()["id"]
    shown = client.get(f"/api/v1/sessions/{sid}", headers=headers).get_json()
    assert (shown["theory_minutes"], shown["practical_minutes"], shown["review_minutes"]) == (120, 120, 45)
    four = client.post("/api/v1/sessions", json=session_body(review_minutes=30), headers=headers).get_json()["id"]
    with app.app_context():
        rows = db.session.scalars(select(SessionComponent).where(SessionComponent.session_id == sid)).all()
        assert {(r.component, r.minutes) for r in rows} == {("theory", 120), ("practical", 120), ("review", 45)}
        # 四级 has no 综合评审: its minutes are ignored (api-contract), no row is made
        assert db.session.get(ExamSession, four).component_row("review") is None
    assert client.get(f"/api/v1/sessions/{four}", headers=headers).get_json()["review_minutes"] is None


# ---------------------------------------------------------------- dependencies one way


def _imports(folder: Path) -> set[str]:
    """Every module imported anywhere in ``folder`` except under ``if TYPE_CHECKING:`` (types only)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for path in folder.rglob("*.py"):
        visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_sessions_imports_no_component_domain():
    imported = _imports(APP_DIR / "sessions")
    assert not [m for m in imported if m.split(".")[:2] in (["app", "exams"], ["app", "practical"], ["app", "results"])]


def test_the_registry_imports_no_domain():
    imported = _imports(APP_DIR / "assessment")
    domains = {"sessions", "exams", "practical", "results", "eligibility", "papers", "banks"}
    assert not [m for m in imported if m.startswith("app.") and m.split(".")[1] in domains]


def test_advancing_one_session_closes_only_its_own_attempts(app, client, token_for, exam_setup, monkeypatch):
    sid, admin = exam_setup["sid"], exam_setup["admin"]
    first, _ = start(client, token_for, sid)
    other = client.post("/api/v1/sessions", json=session_body(), headers=admin).get_json()["id"]
    room = client.post(
        f"/api/v1/sessions/{other}/rooms", json={"name": "B1", "capacity": 5, "kind": "theory"}, headers=admin
    ).get_json()["id"]
    assert (
        client.post(
            f"/api/v1/sessions/{other}/candidates", json={"username": "stu1", "room": room}, headers=admin
        ).status_code
        == 201
    )
    with app.app_context():
        papers = [db.session.get(Paper, f.paper_id) for f in db.session.get(ExamSession, sid).forms]
        session_ops.attach_papers(db.session.get(ExamSession, other), papers)
        db.session.commit()
    second, _ = start(client, token_for, other)
    _, end = window(app, sid)
    at(monkeypatch, end + timedelta(minutes=1))
    moved = client.post(f"/api/v1/sessions/{sid}/status", json={"status": "scoring"}, headers=admin)
    assert moved.status_code == 200, moved.get_json()
    with app.app_context():
        status = dict(db.session.execute(select(Attempt.id, Attempt.status)).all())
    assert status[first["attempt_id"]] == AttemptStatus.submitted
    assert status[second["attempt_id"]] == AttemptStatus.in_progress  # another session: untouched


def test_scoring_waits_for_a_candidate_with_an_extension(app, client, token_for, exam_setup, monkeypatch):
    sid, admin = exam_setup["sid"], exam_setup["admin"]
    start(client, token_for, sid)
    grant = {"minutes": 20, "reason": "停电"}
    assert (
        client.post(f"/api/v1/sessions/{sid}/candidates/stu1/extension", json=grant, headers=admin).status_code == 201
    )
    _, end = window(app, sid)
    at(monkeypatch, end + timedelta(minutes=1))
    early = client.post(f"/api/v1/sessions/{sid}/status", json={"status": "scoring"}, headers=admin)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "attempts_open"
    at(monkeypatch, end + timedelta(minutes=20))
    assert client.post(f"/api/v1/sessions/{sid}/status", json={"status": "scoring"}, headers=admin).status_code == 200


# ---------------------------------------------------------------- the request boundary


def test_page_action_rolls_back_what_it_flushed(app, login, make_user):
    def failing():
        db.session.add(Center(name="不应保存的机构"))
        db.session.flush()
        raise Invalid("故意失败", field="name")

    def succeeding():
        db.session.add(Center(name="应保存的机构"))
        db.session.flush()

    app.add_url_rule("/_t/fail", "t_fail", lambda: page_action(failing, "/"), methods=["GET"])
    app.add_url_rule("/_t/ok", "t_ok", lambda: page_action(succeeding, "/", "好"), methods=["GET"])
    make_user("someone", "center_admin")
    browser = login("someone")
    assert browser.get("/_t/fail").status_code == 302
    assert browser.get("/_t/ok").status_code == 302
    with app.app_context():
        names = set(db.session.scalars(select(Center.name)))
    assert "应保存的机构" in names and "不应保存的机构" not in names
    assert "故意失败" in browser.get("/").get_data(True)  # the reason is flashed on the next page


def test_failed_edit_page_changes_nothing(app, login, make_user, client, token_for):
    make_user("admin1", "center_admin")
    future = session_body(start=None)
    created = client.post("/api/v1/sessions", json=future, headers=token_for("admin1")).get_json()["id"]
    with app.app_context():
        session = db.session.get(ExamSession, created)
        session.theory_start = session.theory_start + timedelta(days=3)  # still a draft ahead of its window
        db.session.commit()
    browser = login("admin1")
    page = browser.get(f"/sessions/{created}/edit").get_data(True)
    form = {"csrf_token": csrf_from(page), "name": "改过的名称", "theory_start": "不是时间", "theory_minutes": "90"}
    assert browser.post(f"/sessions/{created}/edit", data=form).status_code == 422  # shown again with the error
    with app.app_context():
        assert db.session.get(ExamSession, created).name == future["name"]


def test_after_commit_runs_only_on_commit(app):
    calls = []
    with app.app_context():
        after_commit(lambda: calls.append("rolled back"))
        db.session.rollback()
        after_commit(lambda: calls.append("committed"))
        db.session.commit()
        db.session.commit()
    assert calls == ["committed"]


def test_evidence_file_lives_exactly_as_long_as_its_committed_record(app, make_user):
    """Written whole before its row commits (issue 28 item 5: a full disk fails the request, not the
    file), removed again when the transaction rolls back; deleted only after the deletion commits."""
    from io import BytesIO

    from app.auth.models import User

    make_user("stu")
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "stu"))
        folder = uploads.evidence_dir()
        record = uploads.store_upload(user, "毕业证书", "a.pdf", BytesIO(PDF))
        path = os.path.join(folder, record.stored_name)
        assert open(path, "rb").read() == PDF  # on disk whole before the commit
        db.session.rollback()
        assert not os.path.exists(path)  # the rollback took it away with its row
        record = uploads.store_upload(user, "毕业证书", "a.pdf", BytesIO(PDF))
        path = os.path.join(folder, record.stored_name)
        db.session.commit()
        assert os.path.exists(path)
        evidence_ops.delete_evidence(user, record.id)
        db.session.rollback()  # the deletion failed: the file stays with its record
        assert os.path.exists(path)
        evidence_ops.delete_evidence(user, record.id)
        db.session.commit()
        assert not os.path.exists(path)


# ---------------------------------------------------------------- one transition helper


def test_illegal_transitions_are_one_conflict(app):
    attempt = Attempt(status=AttemptStatus.submitted)
    with pytest.raises(Conflict) as closed:
        attempt.transition(AttemptStatus.in_progress)  # never reopened (SAM-2909)
    assert closed.value.status == 409 and closed.value.code == "illegal_transition"
    assert "答卷状态不能从「已交卷」变为「作答中」" in closed.value.message
    application = Application(status=ApplicationStatus.ineligible)
    with pytest.raises(Conflict):
        application.transition(ApplicationStatus.approved)
    application.transition(ApplicationStatus.rejected)
    with pytest.raises(Conflict):
        application.transition(ApplicationStatus.approved)


# ---------------------------------------------------------------- the migration


def test_components_and_scoring_migrations_are_reversible(tmp_path):
    uri = f"sqlite:///{tmp_path / 'm.db'}"
    (tmp_path / "m.db").touch()  # the app opens an existing SQLite file only (init-db creates one)
    app = create_app(_config(uri, tmp_path))
    with app.app_context():
        upgrade(revision="0004_sessions_exams")
        db.session.execute(text("INSERT INTO centers (id, name, created_at) VALUES (1, 'c', '2026-01-01')"))
        db.session.execute(
            text(
                "INSERT INTO exam_sessions (id, center_id, name, standard_id, level, theory_start, theory_minutes,"
                " practical_minutes, review_minutes, status, created_at) VALUES"
                " (1, 1, 'a', '3-01-01-04', '二级', '2026-01-01', 120, 100, 45, 'draft', '2026-01-01'),"
                " (2, 1, 'b', '3-01-01-04', '四级', '2026-01-01', 90, NULL, NULL, 'draft', '2026-01-01')"
            )
        )
        db.session.commit()
        upgrade(revision="heads")  # 0005 moves the minutes into rows; 0006 adds the scoring tables
        rows = db.session.execute(text("SELECT session_id, component, minutes FROM session_components")).all()
        assert sorted(rows) == [(1, "practical", 100), (1, "review", 45), (1, "theory", 120), (2, "theory", 90)]
        db.session.commit()
        downgrade(revision="0004_sessions_exams")
        back = db.session.execute(
            text("SELECT id, theory_minutes, practical_minutes, review_minutes FROM exam_sessions ORDER BY id")
        ).all()
        assert back == [(1, 120, 100, 45), (2, 90, None, None)]
        db.session.commit()
        db.engine.dispose()
