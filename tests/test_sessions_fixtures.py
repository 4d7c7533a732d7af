"""Factories for the session and exam tests: a planned session with rooms, staff, approved candidates
and small frozen papers built directly (the MILP assembly has its own tests)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.auth.models import User
from app.banks.models import Item
from app.extensions import db
from app.papers.models import Paper, PaperItem
from app.sessions import enrolment as session_ops
from app.sessions.models import ExamSession

STANDARD, LEVEL = "3-01-01-04", "四级"
# A small paper: judge, single and multiple items with known keys (bank letters).
ITEMS = [
    ("judge", "社团会员管理员应遵守职业道德。", [], True, 2),
    ("single", "会员登记的第一步是？", ["审核资格", "缴纳会费", "填写申请", "颁发证书"], "C", 2),
    ("single", "会员档案应保存于？", ["个人电脑", "档案室", "公共网盘", "会议室"], "B", 2),
    ("multiple", "会员服务包括哪些？", ["信息咨询", "权益维护", "商业推销", "培训交流"], ["A", "B", "D"], 4),
    ("judge", "会员信息可以随意公开。", [], False, 2),
]


def approved(monkeypatch, *usernames_levels) -> set:
    """Let these (user id, standard, level) pass the approved-application check of enrolment."""
    allowed: set = set()
    real = session_ops.has_approved_application

    def check(user_id, standard_id, level, for_center_id=None):
        return (user_id, standard_id, level) in allowed or real(user_id, standard_id, level, for_center_id)

    monkeypatch.setattr(session_ops, "has_approved_application", check)
    return allowed


def build_papers(forms: int = 2, standard: str = STANDARD, level: str = LEVEL) -> list[Paper]:
    """``forms`` frozen papers over the same items in different positions (enough for the exam tests)."""
    items = []
    for n, (kind, stem, options, answer, points) in enumerate(ITEMS):
        item = Item(
            standard_id=standard,
            external_id=f"T-{n}",
            type=kind,
            stem=stem,
            options=options,
            answer=answer,
            points=points,
            area="会员发展",
            level=level,
            difficulty=0.6,
        )
        db.session.add(item)
        items.append(item)
    db.session.flush()
    papers = []
    for form in range(forms):
        paper = Paper(
            standard_id=standard,
            level=level,
            batch=f"test-{datetime.now().timestamp()}",
            form_no=form + 1,
            forms=forms,
            seed=form,
            max_overlap=1.0,
            sections=[],
            difficulty_min=0,
            difficulty_max=1,
            total_points=sum(i.points for i in items),
            area_points={"会员发展": 100},
            mean_difficulty=0.6,
        )
        order = items[form:] + items[:form]
        for position, item in enumerate(order, start=1):
            paper.items.append(PaperItem.snapshot_of(item, position))
        db.session.add(paper)
        papers.append(paper)
    db.session.flush()
    return papers


def session_body(start: datetime | None = None, **overrides) -> dict:
    start = start or datetime.now(timezone.utc) - timedelta(minutes=5)
    body = {
        "name": "2026年第一批社团会员管理员四级",
        "standard": STANDARD,
        "level": LEVEL,
        "theory_start": start.isoformat(),
        "theory_minutes": 90,
        "practical_minutes": 60,
        "review_minutes": None,
    }
    body.update(overrides)
    return body


@pytest.fixture(name="exam_setup")
def exam_setup_fixture(app, client, make_user, token_for, monkeypatch):
    """An open session (started 5 minutes ago, 90 minutes) with one room, two candidates, papers attached."""
    make_user("admin1", "center_admin")
    make_user("proc1", "proctor")
    make_user("proc2", "proctor")
    make_user("stu1")
    make_user("stu2")
    admin = token_for("admin1")
    allowed = approved(monkeypatch)
    response = client.post("/api/v1/sessions", json=session_body(), headers=admin)
    assert response.status_code == 201, response.get_json()
    sid = response.get_json()["id"]
    room = client.post(
        f"/api/v1/sessions/{sid}/rooms",
        json={"name": "A101", "capacity": 30, "kind": "theory", "stations": None},
        headers=admin,
    ).get_json()["id"]
    for proctor in ("proc1",):
        assert (
            client.post(
                f"/api/v1/sessions/{sid}/staff",
                json={"username": proctor, "role": "proctor", "room": room, "panel": None},
                headers=admin,
            ).status_code
            == 201
        )
    with app.app_context():
        for name in ("stu1", "stu2"):
            allowed.add((db.session.query(User).filter_by(username=name).one().id, STANDARD, LEVEL))
    for name in ("stu1", "stu2"):
        assert (
            client.post(
                f"/api/v1/sessions/{sid}/candidates", json={"username": name, "room": room}, headers=admin
            ).status_code
            == 201
        )
    with app.app_context():
        session = db.session.get(ExamSession, sid)
        session_ops.attach_papers(session, build_papers(2))
        db.session.commit()
    return {"sid": sid, "room": room, "admin": admin}
