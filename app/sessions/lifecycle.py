"""A session's lifecycle: the clock's moves (open at theory_start, close at its end), the manual moves
(结束理论考试, 开始评分), 开考 ahead of time, and which of those moves are possible right now.

Every change of state goes through ``ExamSession.transition`` (one ``Conflict`` for an illegal jump).
Operations only flush; the request boundary commits.
"""

from __future__ import annotations

from datetime import datetime

from app import assessment, timeutil
from app.errors import Conflict, Invalid
from app.extensions import db

from .models import ExamSession, SessionStatus

# Opening and closing follow the clock; publishing belongs to POST /sessions/<id>/publish.
MANUAL_TARGETS = {SessionStatus.theory_closed, SessionStatus.scoring}
CLOSED = {SessionStatus.theory_closed, SessionStatus.scoring, SessionStatus.published}

# The action codes ``available_actions`` returns: the value the page's form posts as ``status``.
OPEN_NOW = "open"
CLOSE_THEORY = SessionStatus.theory_closed.value
START_SCORING = SessionStatus.scoring.value


def sync_clock(exam_session: ExamSession, now: datetime | None = None) -> ExamSession:
    """Lazy time-driven moves: a scheduled session opens at theory_start and closes at its end.

    Extensions are personal (the attempt's deadline), so the session closes on the base window.
    """
    now = now or timeutil.utcnow()
    if exam_session.status == SessionStatus.scheduled and now >= exam_session.theory_start:
        exam_session.transition(SessionStatus.theory_open)
    if exam_session.status == SessionStatus.theory_open and now >= exam_session.theory_end:
        exam_session.transition(SessionStatus.theory_closed)
    return exam_session


def is_closed(exam_session: ExamSession, now: datetime | None = None) -> bool:
    """Closed for enrolment and new rooms: the theory window is over (whatever the stored status)."""
    now = now or timeutil.utcnow()
    sync_clock(exam_session, now)
    return exam_session.status in CLOSED or now >= exam_session.theory_end


def all_submitted(exam_session: ExamSession) -> bool:
    """Every enrolled candidate has handed in the theory paper (nobody can still sit): the theory window
    may end early."""
    handed_in = assessment.get("theory").handed_in(exam_session)
    return bool(exam_session.enrollments) and handed_in == len(exam_session.enrollments)


def advance(exam_session: ExamSession, target: str, now: datetime | None = None) -> ExamSession:
    """A manual move along the lifecycle (guarded; 409 when illegal or too early)."""
    try:
        status = SessionStatus(target)
    except ValueError:
        raise Invalid(f"未知的批次状态「{target}」", field="status") from None
    if status not in MANUAL_TARGETS:
        raise Conflict(f"不能手动把考试批次设为「{status.label}」", code="illegal_transition")
    now = now or timeutil.utcnow()
    sync_clock(exam_session, now)
    if status == SessionStatus.theory_closed and now < exam_session.theory_end and not all_submitted(exam_session):
        raise Conflict("理论考试时间尚未结束，且还有考生未交卷", code="too_early")
    if status == SessionStatus.scoring:
        # Each component closes what ran past its deadline in this session (and only this one);
        # anyone still sitting one (with an extension) keeps the session from moving to 评分中.
        for component in assessment.session_components(exam_session):
            component.close_expired(exam_session, now)
            if component.still_open(exam_session, now):
                raise Conflict(f"还有考生在{component.label}中作答（含延时），不能开始评分", code="attempts_open")
    exam_session.transition(status)
    db.session.flush()
    return exam_session


def open_now(exam_session: ExamSession, now: datetime | None = None) -> ExamSession:
    """开考: a scheduled session starts now instead of at its planned time (the window keeps its length)."""
    now = now or timeutil.utcnow()
    sync_clock(exam_session, now)
    if exam_session.status != SessionStatus.scheduled:
        raise Conflict(f"考试批次「{exam_session.status.label}」，不能开考", code="illegal_transition")
    exam_session.theory_start = now
    sync_clock(exam_session, now)
    db.session.flush()
    return exam_session


def available_actions(exam_session: ExamSession, now: datetime | None = None) -> list[str]:
    """The codes of the lifecycle moves possible right now (``OPEN_NOW``, ``CLOSE_THEORY``,
    ``START_SCORING``); the page words them. Only these are offered, so that no button fails when
    clicked."""
    now = now or timeutil.utcnow()
    sync_clock(exam_session, now)
    actions: list[str] = []
    if exam_session.status == SessionStatus.scheduled:
        actions.append(OPEN_NOW)
    if exam_session.status == SessionStatus.theory_open and (
        now >= exam_session.theory_end or all_submitted(exam_session)
    ):
        actions.append(CLOSE_THEORY)
    if exam_session.status == SessionStatus.theory_closed and not any(
        component.still_open(exam_session, now) for component in assessment.session_components(exam_session)
    ):
        actions.append(START_SCORING)
    return actions


def next_step(exam_session: ExamSession, now: datetime | None = None) -> str:
    """What the center admin waits for when no control is possible (a sentence, never a code)."""
    now = now or timeutil.utcnow()
    if exam_session.status == SessionStatus.draft:
        return "分配试卷后批次即为“已排考”，届时可开考。"
    if exam_session.status == SessionStatus.scheduled:
        return f"到 {timeutil.beijing(exam_session.theory_start)}（北京时间）自动开考，也可立即开考。"
    if exam_session.status == SessionStatus.theory_open:
        return f"理论考试于 {timeutil.beijing(exam_session.theory_end)} 自动结束；全部考生交卷后也可提前结束。"
    if exam_session.status == SessionStatus.theory_closed:
        return "全部考生收卷（含延时）后可开始评分。"
    if exam_session.status == SessionStatus.scoring:
        return "评分完成后在“成绩与证书”中发布成绩。"
    return "成绩已发布。"
