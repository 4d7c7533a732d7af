"""结果运用 (T/SSOF 0001-2024 B.2 推动继续教育结果运用): session readiness warns about a grader or
reviewer whose previous year's continuing education is not met. A warning, not a rule of 1.9.3:
it does not make a session unready."""

from __future__ import annotations

from app import timeutil

from .operations import summary

CODE = "continuing_education"
DUTIES = {"grader": "考评员", "reviewer": "评审委员"}


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
