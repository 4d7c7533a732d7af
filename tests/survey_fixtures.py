"""Shared fixtures of the survey tests: two centers, a session of each with enrolled candidates (rows made
directly: enrolment's own rules are the sessions domain's tests), and helpers to post surveys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app import timeutil
from app.auth.models import Center, User
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession

CENTER_A = "测试评价中心"
CENTER_B = "第二评价中心"
CANDIDATES_A = [f"sc{n}" for n in range(1, 8)]  # sc1 … sc6 enrolled in session A, sc7 not


@dataclass
class SurveyWorld:
    session_a: int
    session_b: int
    headers: dict  # username → bearer headers


def _session(center_name: str, usernames: list[str], name: str) -> int:
    center = db.session.scalar(select(Center).where(Center.name == center_name))
    session = ExamSession(
        center_id=center.id,
        name=name,
        standard_id="3-01-01-04",
        level="四级",
        theory_start=timeutil.utcnow() - timedelta(days=3),
    )
    db.session.add(session)
    db.session.flush()
    for number, username in enumerate(usernames, start=1):
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.add(Enrollment(session_id=session.id, user_id=user.id, ticket_no=f"T{session.id}-{number:04d}"))
    db.session.flush()
    return session.id


def build_survey_world(app, make_user, token_for) -> SurveyWorld:
    """The world of the survey tests (each test module wraps it in its ``survey_world`` fixture)."""
    make_user("sadmin", "center_admin", CENTER_A)
    make_user("sadmin_b", "center_admin", CENTER_B)
    make_user("sproctor", "proctor", CENTER_A)
    make_user("padmin", "admin")
    for username in CANDIDATES_A:
        make_user(username, "candidate", CENTER_A)
    make_user("scb", "candidate", CENTER_B)
    with app.app_context():
        a = _session(CENTER_A, CANDIDATES_A[:6], "甲批次")
        b = _session(CENTER_B, ["scb"], "乙批次")
        db.session.commit()
    names = ["sadmin", "sadmin_b", "sproctor", "padmin", *CANDIDATES_A, "scb"]
    return SurveyWorld(a, b, {name: token_for(name) for name in names})


def window(days_before: float = 1, days_after: float = 1) -> dict:
    now = timeutil.utcnow()
    return {
        "opens": (now - timedelta(days=days_before)).isoformat(),
        "closes": (now + timedelta(days=days_after)).isoformat(),
    }


QUESTIONS = [
    {"text": "您对考务组织的总体评价", "type": "likert5"},
    {"text": "您对考场环境的评价", "type": "likert5"},
    {"text": "您从哪里得知本次考试", "type": "choice", "options": ["网站", "单位通知", "朋友介绍"]},
    {"text": "您关注哪些服务", "type": "choice", "options": ["培训", "考试", "证书"], "multiple": True},
    {"text": "其他意见和建议", "type": "text"},
]


def survey_body(audience: dict, **overrides) -> dict:
    body = {"title": "考后满意度调查", "audience": audience, "anonymous": True, **window(), "questions": QUESTIONS}
    return body | overrides
