"""Demo step of the sessions domain: one 3-01-01-04 四级 session in each lifecycle state for the demo
center, staffed to the standard's ratios (1.9.3), with approved candidates (from the eligibility step)
seated and given the forms the banks step assembled; candidates of past sessions have sat the exam."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.exams import operations as exam_ops
from app.extensions import db
from app.papers.models import Paper

from . import operations as ops
from .models import SessionStatus

STANDARD, LEVEL = "3-01-01-04", "四级"
CANDIDATES = [f"cand{n:02d}" for n in range(1, 9)]  # approved for 3-01-01-04 四级 by the eligibility step


def _plan(admin: User, name: str, start, minutes: int = 90) -> object:
    return ops.create_session(
        admin,
        {
            "name": name,
            "standard": STANDARD,
            "level": LEVEL,
            "theory_start": start.isoformat(),
            "theory_minutes": minutes,
            "practical_minutes": 60,
        },
    )


def _staff(session, users: dict[str, User], planned) -> object:
    room = ops.add_room(session, {"name": "第一考场", "kind": "theory", "capacity": 30}, planned)
    ops.add_room(session, {"name": "实操室", "kind": "practical", "capacity": 10, "stations": 3}, planned)
    for name in ("proctor1", "proctor2"):
        ops.add_staff(session, {"username": name, "role": "proctor", "room": room.id})
    for name in ("grader1", "grader2", "grader3"):
        ops.add_staff(session, {"username": name, "role": "grader", "room": None, "panel": None})
    return room


def _displayed(kind: str, key, perm: list[int]):
    """The key as this candidate sees it: option k of the bank is shown at position perm.index(k)."""
    if kind == "judge":
        return bool(key)
    keys = [key] if isinstance(key, str) else list(key)
    letters = sorted(chr(65 + perm.index(ord(letter) - 65)) for letter in keys)
    return letters[0] if kind == "single" else letters


def _wrong(kind: str, right, options: int):
    if kind == "judge":
        return not right
    if kind == "single":
        return next(chr(65 + i) for i in range(options) if chr(65 + i) != right)
    return [chr(65 + i) for i in range(options)][: len(right) + 1] if len(right) < options else right[:-1]


def _sit(session, users: dict[str, User], names: list[str], at, answered: int | None) -> None:
    """Each candidate starts at ``at`` and answers (the first ``answered``, or all) questions, right
    with a fixed per-candidate rate between 55% and 92%, so the demo shows a realistic spread."""
    for number, name in enumerate(names):
        attempt = exam_ops.start_attempt(session.id, users[name], at)
        items = {pi.item_id: pi for pi in exam_ops.paper_items(attempt.paper_id)}
        rng = random.Random(f"{session.name}-{name}")
        accuracy = 0.55 + 0.37 * number / max(len(names) - 1, 1)
        for entry in attempt.layout[:answered]:
            item = items[entry["qid"]]
            value = _displayed(item.type, item.answer, entry["perm"])
            if rng.random() > accuracy:
                value = _wrong(item.type, value, len(entry["perm"]))
            exam_ops.save_answer(attempt, entry["qid"], value, at + timedelta(minutes=1))


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
    plans = [(_name(start, label), start, target) for start, target, label in plans]
    for name, start, target in plans:
        minutes = 480 if target == SessionStatus.theory_open else 90
        session = _plan(admin, name, start, minutes)
        planned = min(now, start - timedelta(days=1))  # past sessions were planned before they ran
        room = _staff(session, users, planned)
        if target == SessionStatus.draft:
            continue
        for candidate in CANDIDATES:
            ops.enroll(session, candidate, room.id, planned)
        ops.attach_papers(session, papers)
        if target in {SessionStatus.theory_closed, SessionStatus.scoring, SessionStatus.published}:
            _sit(session, users, CANDIDATES, start + timedelta(minutes=2), answered=None)
        elif target == SessionStatus.theory_open:
            _sit(session, users, CANDIDATES[:3], now - timedelta(minutes=5), answered=3)
        ops.sync_clock(session, now)
        exam_ops.sweep(now)
        for step in (SessionStatus.scoring, SessionStatus.published):
            if session.reached(target):
                break
            session.transition(step)
    db.session.flush()
