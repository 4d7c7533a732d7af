"""结果运用 (T/SSOF 0001-2024 B.2 推动继续教育结果运用): session readiness warns about a grader or
reviewer whose previous year's continuing education is not met.

It applies once continuing education runs for the person: their center has saved its requirement
(继续教育设置), or they have any CE record. A center that has not adopted the system gets no
warning for staff who never took part (its sessions stay ready as 1.9.3 alone decides)."""

from __future__ import annotations

from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.sessions.readiness_report import register_readiness_check

from .models import CERecord, CERequirement
from .operations import center_of_person, summary

CODE = "continuing_education"
DUTIES = {"grader": "考评员", "reviewer": "评审委员"}


def takes_part(person) -> bool:
    center_id = center_of_person(person)
    if center_id is not None and db.session.get(CERequirement, center_id) is not None:
        return True
    return db.session.scalar(select(CERecord.id).where(CERecord.user_id == person.id).limit(1)) is not None


@register_readiness_check
def warnings(session) -> list[dict]:
    """{"code": "continuing_education", "message"} for each grader or reviewer of ``session`` (its
    ``staff`` assignments) whose year before the session's is short of the requirement."""
    when = session.theory_start or timeutil.utcnow()
    year = when.astimezone(timeutil.CHINA).year - 1
    out, seen = [], set()
    for assignment in session.staff:
        role = getattr(assignment.role, "value", assignment.role)
        if role not in DUTIES or (assignment.user_id, role) in seen:
            continue
        seen.add((assignment.user_id, role))
        person = assignment.user
        if not takes_part(person):
            continue
        body = summary(person, year)
        if body["met"]:
            continue
        out.append(
            {
                "code": CODE,
                "message": f"{DUTIES[role]}{person.display_name}（{person.username}）{year} 年继续教育学时 "
                f"{body['total']}，未达要求的 {body['required']} 学时（专业科目等最低学时见继续教育设置）",
            }
        )
    return out
