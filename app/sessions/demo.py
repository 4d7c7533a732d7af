"""Demo step of the sessions domain: one 3-01-01-04 四级 session for each lifecycle state for the demo
center, staffed to the standard's ratios (1.9.3), with approved candidates (from the eligibility step)
seated and given the forms the banks step assembled. The exams step (``app.exams.demo``) then has
the candidates sit and moves each session to its state; ``DEMO_PLANS`` hands the sessions over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.extensions import db
from app.papers.models import Paper

from .enrolment import attach_papers, enroll
from .models import SessionStatus
from .planning import add_room, create_session
from .staffing import add_staff

STANDARD, LEVEL = "3-01-01-04", "四级"
CANDIDATES = [f"cand{n:02d}" for n in range(1, 9)]  # approved for 3-01-01-04 四级 by the eligibility step


def _plan(admin: User, name: str, start, minutes: int = 90) -> object:
    return create_session(
        admin,
        {
            "name": name,
            "standard": STANDARD,
            "level": LEVEL,
            "theory_start": start.isoformat(),
            "theory_minutes": minutes,
            "practical_minutes": 60,
            # 操作技能考核 the same afternoon (printed on the 准考证 with its place)
            "practical_start": (start + timedelta(hours=4)).isoformat(),
            "practical_place": "实训楼二层实操室",
        },
    )


def _staff(exam_session, users: dict[str, User], planned) -> object:
    room = add_room(exam_session, {"name": "第一考场", "kind": "theory", "capacity": 30}, planned)
    add_room(exam_session, {"name": "实操室", "kind": "practical", "capacity": 10, "stations": 3}, planned)
    for name in ("proctor1", "proctor2"):
        add_staff(exam_session, {"username": name, "role": "proctor", "room": room.id})
    for name in ("grader1", "grader2", "grader3"):
        add_staff(exam_session, {"username": name, "role": "grader", "room": None, "panel": None})
    return room


def _name(start, label: str) -> str:
    """Named by the Beijing date it starts on, so the demo reads right on whatever day it is loaded."""
    day = start.astimezone(timeutil.CHINA)
    return f"{day.year}年{day.month}月{day.day}日批次（{label}）"


def demo_sessions(users: dict[str, User]) -> None:
    admin = users["center_admin"]
    now = timeutil.utcnow()
    papers = list(
        db.session.scalars(select(Paper).where(Paper.standard_id == STANDARD, Paper.level == LEVEL).order_by(Paper.id))
    )[:2]
    plans = [
        (now + timedelta(days=30), SessionStatus.draft, "草稿"),
        (now + timedelta(days=7), SessionStatus.scheduled, "已排考"),
        (now - timedelta(minutes=10), SessionStatus.theory_open, "理论考试进行中"),
        (now - timedelta(days=1), SessionStatus.theory_closed, "理论考试已结束"),
        (now - timedelta(days=3), SessionStatus.scoring, "评分中"),
        (now - timedelta(days=10), SessionStatus.published, "成绩已发布"),
    ]
    DEMO_PLANS.clear()
    for start, target, label in plans:
        minutes = 480 if target == SessionStatus.theory_open else 90
        exam_session = _plan(admin, _name(start, label), start, minutes)
        planned = min(now, start - timedelta(days=1))  # past sessions were planned before they ran
        room = _staff(exam_session, users, planned)
        DEMO_PLANS.append((exam_session, target))
        if target == SessionStatus.draft:
            continue
        for candidate in CANDIDATES:
            enroll(exam_session, candidate, room.id, planned)
        attach_papers(exam_session, papers)
    db.session.flush()


# (session, the state it is to reach) for the later demo steps, filled by demo_sessions.
DEMO_PLANS: list[tuple] = []
