"""The machine exam on the server: start, save, submit, close, score; proctors' actions.

Design against the known failures of other systems (../shared/design.md):
- Moodle MDL-43733 / WeBWorK #1208: closing an abandoned attempt reads what was saved and never
  writes an answer; scoring only reads ``attempt_answers``.
- Sakai SAM-2909: a closed attempt is never reopened — starting again after the deadline is a
  409, and an extension cannot be granted to an attempt whose deadline has already passed.
- The time of a write is taken when the request arrives (``now`` is read first by the API handler
  from ``app.timeutil.utcnow()``), and the 200 is sent only after the request boundary commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import assessment, timeutil
from app.auth.models import Role, User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.papers.models import PaperItem
from app.sessions.models import Enrollment, ExamSession, Room, SessionStatus, StaffAssignment, StaffRole
from app.sessions.operations import enrollment_of, sync_clock

from . import grading
from .models import ActionKind, Answer, Attempt, AttemptStatus, CloseReason, ProctorAction

# ---------------------------------------------------------------- time


def extension_minutes(enrollment_id: int) -> int:
    return (
        db.session.scalar(
            select(func.coalesce(func.sum(ProctorAction.minutes), 0)).where(
                ProctorAction.enrollment_id == enrollment_id, ProctorAction.kind == ActionKind.extension
            )
        )
        or 0
    )


def deadline_of(session: ExamSession, enrollment_id: int) -> datetime:
    """The end of the theory window plus every extension granted to this candidate."""
    return session.theory_end + timedelta(minutes=extension_minutes(enrollment_id))


def iso(value: datetime | None) -> str | None:
    return timeutil.iso(value)


# ---------------------------------------------------------------- questions


def paper_items(paper_id: int) -> list[PaperItem]:
    """The paper's items; each PaperItem is a frozen snapshot (stem, options, key, points)."""
    return list(
        db.session.scalars(select(PaperItem).where(PaperItem.paper_id == paper_id).order_by(PaperItem.position))
    )


def _options(item: PaperItem) -> list[str]:
    return list(item.options or []) if item.type != "judge" else []


def questions_for(attempt: Attempt) -> list[dict]:
    """The candidate's questions in their order, options in their order — and no key."""
    items = {pi.item_id: pi for pi in paper_items(attempt.paper_id)}
    questions = []
    for entry in attempt.layout:
        pi = items[entry["qid"]]
        options = _options(pi)
        questions.append(
            {
                "qid": pi.item_id,
                "type": pi.type,
                "stem": pi.stem,
                "options": [options[i] for i in entry["perm"]],
                "points": pi.points,
            }
        )
    return questions


# ---------------------------------------------------------------- attempts


def _close(attempt: Attempt, reason: CloseReason, at: datetime, by: User | None = None) -> None:
    """Close and score with what was saved. Reads answers only: never blanks one."""
    attempt.transition(AttemptStatus.submitted)
    attempt.close_reason = reason
    attempt.closed_at = at
    attempt.closed_by_id = by.id if by else None
    score_attempt(attempt)


def score_attempt(attempt: Attempt) -> None:
    saved = saved_answers(attempt)
    perms = {entry["qid"]: entry["perm"] for entry in attempt.layout}
    marks = []
    for pi in paper_items(attempt.paper_id):
        answer = saved.get(pi.item_id)
        original = grading.to_original(pi.type, answer, perms.get(pi.item_id, [])) if answer is not None else None
        marks.append((float(pi.points), grading.is_correct(pi.type, pi.answer, original)))
    attempt.points_earned, attempt.points_total, attempt.score = grading.score(marks)


def close_if_expired(attempt: Attempt, now: datetime) -> bool:
    """Lazily close an attempt left open past its deadline (also done by ``flask exams close-expired``)."""
    if not attempt.is_open:
        return False
    if now < attempt.deadline:
        return False
    _close(attempt, CloseReason.deadline, attempt.deadline)
    db.session.flush()
    return True


def start_attempt(session_id: int, user: User, now: datetime) -> Attempt:
    """The candidate's attempt: created inside the theory window, else the same one again."""
    session = db.session.get(ExamSession, session_id)
    if session is None:
        raise NotFound("考试批次不存在")
    enrollment = enrollment_of(session, user)
    if enrollment is None:
        raise Forbidden("您未报名本考试批次", code="not_enrolled")
    sync_clock(session, now)
    attempt = db.session.scalar(select(Attempt).where(Attempt.enrollment_id == enrollment.id))
    if attempt is not None:
        close_if_expired(attempt, now)
        if not attempt.is_open:
            raise Conflict("本场考试已交卷，不能再次进入", code="attempt_closed")
        return attempt
    if not assessment.sits(enrollment, "theory"):
        raise Conflict("您的理论知识考试成绩保留（一年内已合格），本批次无需参加理论考试", code="component_carried")
    if enrollment.paper_id is None or session.status == SessionStatus.draft:
        raise Conflict("本批次尚未分配试卷", code="papers_not_assigned")
    if session.status in {SessionStatus.scoring, SessionStatus.published}:
        raise Conflict("本批次理论考试已结束", code="theory_closed")
    if now < session.theory_start:
        raise Conflict(f"理论考试尚未开始（开始时间 {iso(session.theory_start)}）", code="not_open")
    deadline = deadline_of(session, enrollment.id)
    if now >= deadline:
        raise Conflict("理论考试时间已结束", code="past_deadline")
    attempt = Attempt(
        enrollment=enrollment,
        session_id=session.id,
        user_id=user.id,
        paper_id=enrollment.paper_id,
        started_at=now,
        deadline=deadline,
        last_seen_at=now,
        layout=[],
    )
    db.session.add(attempt)
    db.session.flush()
    questions = [grading.Question(pi.item_id, pi.type, len(_options(pi))) for pi in paper_items(enrollment.paper_id)]
    attempt.layout = grading.layout(f"attempt-{attempt.id}", questions)
    db.session.flush()
    return attempt


def own_attempt(attempt_id: int, user: User) -> Attempt:
    """The user's own attempt, or 404 — another candidate's attempt must not even be seen to exist."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("答卷不存在")
    return attempt


def save_answer(attempt: Attempt, qid: int, value, now: datetime) -> datetime:
    """Upsert the answer; 409 once closed or past the deadline (judged at ``now``, the arrival time)."""
    if not attempt.is_open:
        raise Conflict("已交卷，不能再修改答案", code="attempt_closed")
    if now >= attempt.deadline:
        raise Conflict("已超过截止时间，答案未保存", code="past_deadline", details={"deadline": iso(attempt.deadline)})
    entry = next((e for e in attempt.layout if e["qid"] == qid), None)
    if entry is None:
        raise NotFound(f"本答卷没有题目 {qid}")
    try:
        value = grading.normalize(entry["type"], len(entry["perm"]), value)
    except ValueError as exc:
        raise Invalid(str(exc), field="answer") from None
    table = Answer.__table__
    if value is None:  # the candidate cleared the answer: no row means "not answered"
        db.session.execute(delete(table).where(table.c.attempt_id == attempt.id, table.c.qid == qid))
        attempt.last_seen_at = now
        db.session.flush()
        return now
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(attempt_id=attempt.id, qid=qid, value=value, saved_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.qid],
        set_={"value": statement.excluded.value, "saved_at": statement.excluded.saved_at},
    )
    db.session.execute(statement)
    attempt.last_seen_at = now
    db.session.flush()
    return now


def submit(attempt: Attempt, now: datetime) -> Attempt:
    if close_if_expired(attempt, now):
        return attempt  # past the deadline: already closed and scored with what was saved
    if not attempt.is_open:
        raise Conflict("已交卷", code="attempt_closed")
    _close(attempt, CloseReason.candidate, now)
    attempt.last_seen_at = now
    db.session.flush()
    return attempt


def saved_answers(attempt: Attempt) -> dict[int, object]:
    """What is stored now (read from the table, not a possibly stale relationship)."""
    rows = db.session.execute(select(Answer.qid, Answer.value).where(Answer.attempt_id == attempt.id))
    return {qid: value for qid, value in rows if value is not None}


def answers_of(attempt: Attempt) -> dict[str, object]:
    return {str(qid): value for qid, value in saved_answers(attempt).items()}


def attempt_view(attempt: Attempt, now: datetime) -> dict:
    """GET /attempts/<aid>: status, deadline, answers and the score once the attempt has ended."""
    close_if_expired(attempt, now)
    if attempt.is_open:
        attempt.last_seen_at = now
    closed = not attempt.is_open
    return {
        "attempt_id": attempt.id,
        "status": attempt.status.value,
        "deadline": iso(attempt.deadline),
        "server_time": iso(now),
        "answers": answers_of(attempt),
        "score": attempt.score if closed else None,
    }


def sweep(now: datetime | None = None) -> int:
    """Close every attempt left open past its deadline; returns how many."""
    now = now or timeutil.utcnow()
    closed = 0
    for attempt in db.session.scalars(select(Attempt).where(Attempt.status == AttemptStatus.in_progress)):
        closed += close_if_expired(attempt, now)
    for session in db.session.scalars(
        select(ExamSession).where(ExamSession.status.in_([SessionStatus.scheduled, SessionStatus.theory_open]))
    ):
        sync_clock(session, now)
    db.session.flush()
    return closed


def theory_score(enrollment: Enrollment) -> float | None:
    """The candidate's theory score out of 100, once their attempt has ended (None otherwise)."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.enrollment_id == enrollment.id))
    if attempt is None:
        return None
    close_if_expired(attempt, timeutil.utcnow())
    return None if attempt.is_open else attempt.score


# ---------------------------------------------------------------- proctors


def proctor_rooms(user: User) -> list[Room]:
    """Rooms this user may watch: their own as a proctor; every theory room of the center for admins."""
    if user.role in {Role.center_admin, Role.admin}:
        query = select(Room).join(ExamSession).where(Room.kind == "theory")
        if user.role == Role.center_admin:
            query = query.where(ExamSession.center_id == user.center_id)
    else:
        query = (
            select(Room)
            .join(StaffAssignment, StaffAssignment.room_id == Room.id)
            .where(StaffAssignment.user_id == user.id, StaffAssignment.role == StaffRole.proctor)
        )
    return list(db.session.scalars(query.order_by(Room.session_id.desc(), Room.id)))


def ensure_can_proctor(user: User, room: Room | None, session: ExamSession) -> None:
    """Only proctors of that room and the center's admins act on a candidate (other centers: 404)."""
    if user.role == Role.admin:
        return
    if user.center_id != session.center_id:
        raise NotFound("考场不存在")
    if user.role == Role.center_admin:
        return
    if (
        room is not None
        and user.role == Role.proctor
        and db.session.scalar(
            select(StaffAssignment.id).where(
                StaffAssignment.room_id == room.id,
                StaffAssignment.user_id == user.id,
                StaffAssignment.role == StaffRole.proctor,
            )
        )
    ):
        return
    raise Forbidden("只有本考场的监考人员或本机构管理员可以操作")


def get_room(room_id: int, user: User) -> Room:
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound("考场不存在")
    ensure_can_proctor(user, room, room.session)
    return room


def candidate_in_session(session_id: int, username: str, user: User) -> Enrollment:
    session = db.session.get(ExamSession, session_id)
    if session is None:
        raise NotFound("考试批次不存在")
    if user.role != Role.admin and user.center_id != session.center_id:
        raise NotFound("考试批次不存在")
    enrollment = db.session.scalar(
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.session_id == session_id, User.username == username)
    )
    if enrollment is None:
        raise NotFound(f"考生 {username} 不在本批次")
    ensure_can_proctor(user, enrollment.room, session)
    return enrollment


def _reason(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("必须填写原因", field="reason")
    return value.strip()[:1000]


def _attempt_of(enrollment: Enrollment) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.enrollment_id == enrollment.id))


def grant_extension(enrollment: Enrollment, minutes, reason, actor: User, now: datetime) -> ProctorAction:
    """Extra minutes for one candidate, with a reason; never reopens an attempt whose time is up."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise Invalid("延长时间须为 1–240 分钟的整数", field="minutes")
    reason = _reason(reason)
    attempt = _attempt_of(enrollment)
    if attempt is not None:
        close_if_expired(attempt, now)
        if not attempt.is_open:
            raise Conflict("该考生已交卷或已收卷，不能延时", code="attempt_closed")
    elif now >= deadline_of(enrollment.session, enrollment.id):
        raise Conflict("已超过截止时间，不能延时", code="past_deadline")
    if attempt is not None:
        attempt.deadline = attempt.deadline + timedelta(minutes=minutes)
    action = ProctorAction(
        enrollment=enrollment,
        kind=ActionKind.extension,
        minutes=minutes,
        reason=reason,
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(action)
    db.session.flush()
    return action


def record_incident(enrollment: Enrollment, reason, actor: User, now: datetime) -> ProctorAction:
    action = ProctorAction(
        enrollment=enrollment, kind=ActionKind.incident, reason=_reason(reason), actor_id=actor.id, created_at=now
    )
    db.session.add(action)
    db.session.flush()
    return action


def force_close(enrollment: Enrollment, reason, actor: User, now: datetime) -> Attempt:
    """Close a candidate's attempt now, scored with what was saved, with a recorded reason."""
    reason = _reason(reason)
    attempt = _attempt_of(enrollment)
    if attempt is None:
        raise Conflict("该考生尚未开始作答", code="not_started")
    close_if_expired(attempt, now)
    if not attempt.is_open:
        raise Conflict("该考生已交卷或已收卷", code="attempt_closed")
    _close(attempt, CloseReason.forced, now, actor)
    db.session.add(
        ProctorAction(
            enrollment=enrollment, kind=ActionKind.force_close, reason=reason, actor_id=actor.id, created_at=now
        )
    )
    db.session.flush()
    return attempt


def room_status(room: Room, now: datetime) -> list[dict]:
    """Every candidate of the room: not started / in progress / submitted, answered count, last contact."""
    enrollments = list(
        db.session.scalars(select(Enrollment).where(Enrollment.room_id == room.id).order_by(Enrollment.seat))
    )
    attempts = {
        a.enrollment_id: a
        for a in db.session.scalars(select(Attempt).where(Attempt.enrollment_id.in_([e.id for e in enrollments])))
    }
    counts = dict(
        db.session.execute(
            select(Answer.attempt_id, func.count())
            .where(Answer.attempt_id.in_([a.id for a in attempts.values()]))
            .group_by(Answer.attempt_id)
        ).all()
    )
    rows = []
    for e in enrollments:
        attempt = attempts.get(e.id)
        if attempt is not None:
            close_if_expired(attempt, now)
        actions = list(
            db.session.scalars(
                select(ProctorAction).where(ProctorAction.enrollment_id == e.id).order_by(ProctorAction.id)
            )
        )
        rows.append(
            {
                "enrollment": e,
                "username": e.user.username,
                "name": e.user.display_name,
                "seat": e.seat,
                "ticket_no": e.ticket_no,
                "form": e.form_label,
                "state": "not_started" if attempt is None else attempt.status.value,
                "attempt": attempt,
                "answered": counts.get(attempt.id, 0) if attempt else 0,
                "questions": len(attempt.layout) if attempt else None,
                "last_contact": attempt.last_seen_at if attempt else None,
                "deadline": attempt.deadline if attempt else deadline_of(room.session, e.id),
                "actions": actions,
            }
        )
    db.session.flush()
    return rows


STATE_LABELS = {"not_started": "未开始", "in_progress": "作答中", "submitted": "已交卷"}
