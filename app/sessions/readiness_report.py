"""A session's readiness (准备情况): its plan read off the records (rooms, seats, staff, forms) and
checked by the pure rules of ``readiness.py`` against its standard, plus every assignment against its
duty (``staffing.duty_problems``). Problems are warnings for the center, not locks (api-contract: Sessions).
Only active accounts are counted toward 1.9.3's ratios (``staffing.staff_of``); a deactivated one still
on the staff is named as ``staff_inactive``.
"""

from __future__ import annotations

from collections.abc import Callable

from app import assessment

from . import readiness as readiness_rules
from .models import ExamSession, RoomKind, StaffRole
from .planning import components_of, standard_of
from .staffing import duty_problems, staff_of


def plan_of(exam_session: ExamSession) -> readiness_rules.SessionPlan:
    standard = standard_of(exam_session)
    seated: dict[int, int] = {}
    rooms = {r.id: r for r in exam_session.rooms}
    for e in exam_session.enrollments:
        # A candidate who carries a room's component (成绩保留) does not sit in it.
        if e.room_id is not None and assessment.sits(
            e, "theory" if rooms[e.room_id].kind == RoomKind.theory else "practical"
        ):
            seated[e.room_id] = seated.get(e.room_id, 0) + 1
    proctors: dict[int, int] = {}
    for s in staff_of(exam_session, StaffRole.proctor):
        if s.room_id is not None:
            proctors[s.room_id] = proctors.get(s.room_id, 0) + 1
    enrollments = exam_session.enrollments
    return readiness_rules.SessionPlan(
        components=components_of(exam_session),
        minutes={row.component: row.minutes for row in exam_session.component_rows},
        candidates=len(enrollments),
        sitting={key: sum(assessment.sits(e, key) for e in enrollments) for key in components_of(exam_session)},
        unseated=sum(1 for e in enrollments if e.room_id is None),
        rooms=[
            readiness_rules.RoomPlan(
                r.name,
                r.kind.value,
                r.capacity,
                r.stations,
                seated.get(r.id, 0),
                proctors.get(r.id, 0),
                r.room_type.value if r.room_type else None,
            )
            for r in exam_session.rooms
        ],
        grader_panels=[s.panel for s in staff_of(exam_session, StaffRole.grader)],
        reviewers=len(staff_of(exam_session, StaffRole.reviewer)),
        papers=len(exam_session.forms),
        without_paper=sum(1 for e in enrollments if e.paper_id is None and assessment.sits(e, "theory")),
        clause=dict(standard.assessment.clauses),
        theory_mode=exam_session.theory_mode.value,
    )


# Checks of domains above sessions (continuing education's 结果运用 of T/SSOF 0001-2024 B.2), each
# registered once at import: sessions never import them.
ReadinessCheck = Callable[[ExamSession], list[dict]]
EXTRA_CHECKS: list[ReadinessCheck] = []


def register_readiness_check(check: ReadinessCheck) -> ReadinessCheck:
    EXTRA_CHECKS.append(check)
    return check


def readiness(exam_session: ExamSession) -> dict:
    problems = readiness_rules.check(plan_of(exam_session), standard_of(exam_session).assessment)
    problems += duty_problems(exam_session)
    for check in EXTRA_CHECKS:
        problems += check(exam_session)
    return {"ready": not problems, "problems": problems}
