"""Proctors' side of the machine exam: the rooms a user may watch, acting on one candidate
(extension, incident, force-close — each with a reason, recorded with who and when), and a room's
status. Who may act: ``app.auth.scoping`` (the room's proctors and the center's admins; another
center: 404).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager

from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.roles import is_admin
from app.auth.scoping import ensure_center_staff, ensure_same_center, scope_to_center
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.locking import lock_row
from app.sessions.models import Enrollment, ExamSession, Room, StaffAssignment, StaffRole

from . import attempts
from .models import ActionKind, Answer, Attempt, CloseReason, ProctorAction
from .statements import extensions_of


def proctor_rooms(user: User) -> list[Room]:
    """Rooms this user may watch: their own as a proctor; every theory room of the center for admins."""
    if is_admin(user):
        theory_rooms = select(Room).join(ExamSession).where(Room.kind == "theory")
        query = scope_to_center(theory_rooms, user, ExamSession.center_id)
    else:
        query = (
            select(Room)
            .join(StaffAssignment, StaffAssignment.room_id == Room.id)
            .where(StaffAssignment.user_id == user.id, StaffAssignment.role == StaffRole.proctor)
        )
    return list(db.session.scalars(query.order_by(Room.session_id.desc(), Room.id)))


def ensure_can_proctor(user: User, room: Room | None, exam_session: ExamSession) -> None:
    """Only proctors of that room and the center's admins act on a candidate (other centers: 404)."""
    assigned = None
    if room is not None and user.role == Role.proctor:
        assigned = select(StaffAssignment.id).where(
            StaffAssignment.room_id == room.id,
            StaffAssignment.user_id == user.id,
            StaffAssignment.role == StaffRole.proctor,
        )
    ensure_center_staff(
        user, exam_session.center_id, assigned, "考场不存在", "只有本考场的监考人员或本机构管理员可以操作"
    )


def get_room(room_id: int, user: User) -> Room:
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound("考场不存在")
    ensure_can_proctor(user, room, room.session)
    return room


def candidate_in_session(session_id: int, username: str, user: User) -> Enrollment:
    exam_session = db.session.get(ExamSession, session_id)
    if exam_session is None:
        raise NotFound("考试批次不存在")
    ensure_same_center(user, exam_session.center_id, "考试批次不存在")
    enrollment = db.session.scalar(
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.session_id == session_id, User.username == username)
    )
    if enrollment is None:
        raise NotFound(f"考生 {username} 不在本批次")
    ensure_can_proctor(user, enrollment.room, exam_session)
    return enrollment


REASON_MAX = 500  # a proctor's reason (free text is bounded, issue 27 item 14; the page's maxlength)


def _reason(value, label: str = "原因") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{label}：必须填写", field="reason")
    if len(value.strip()) > REASON_MAX:
        raise Invalid(f"{label}：不能超过 {REASON_MAX} 个字（现为 {len(value.strip())} 个字）", field="reason")
    return value.strip()


def _attempt_of(enrollment: Enrollment) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.enrollment_id == enrollment.id))


def grant_extension(enrollment: Enrollment, minutes, reason, actor: User, now: datetime) -> ProctorAction:
    """Extra minutes for one candidate, with a reason; never reopens an attempt whose time is up."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise Invalid("延长时间须为 1–240 分钟的整数", field="minutes")
    reason = _reason(reason, "延时原因")
    # Locked before looking for the attempt (issue 11): a start racing this grant either committed
    # first (the attempt is found and moved) or waits for this commit and counts the extension.
    lock_row(enrollment)
    attempt = _attempt_of(enrollment)
    if attempt is not None:
        attempts.close_if_expired(attempt, now)
        # Two extensions at once (issue 11): both count — the deadline is moved from its value re-read
        # under the attempt's lock, which the other grant holds until it has committed.
        if not attempt.is_open or not attempts.lock_open(attempt) or now >= attempt.deadline:
            raise Conflict("该考生已交卷或已收卷，不能延时", code="attempt_closed")
        attempt.deadline = attempt.deadline + timedelta(minutes=minutes)
    elif now >= attempts.deadline_of(enrollment.session, enrollment.id):
        raise Conflict("已超过截止时间，不能延时", code="past_deadline")
    action = ProctorAction(
        enrollment=enrollment,
        kind=ActionKind.extension,
        minutes=minutes,
        reason=reason,
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(action)
    record("exam.extension_granted", action, {"minutes": minutes, "reason": reason}, actor=actor)
    db.session.flush()
    return action


def record_incident(enrollment: Enrollment, reason, actor: User, now: datetime) -> ProctorAction:
    action = ProctorAction(
        enrollment=enrollment,
        kind=ActionKind.incident,
        reason=_reason(reason, "违纪情况"),
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(action)
    record("exam.incident_recorded", action, {"reason": action.reason}, actor=actor)
    db.session.flush()
    return action


def force_close(enrollment: Enrollment, reason, actor: User, now: datetime) -> Attempt:
    """Close a candidate's attempt now, scored with what was saved, with a recorded reason."""
    reason = _reason(reason, "收卷原因")
    attempt = _attempt_of(enrollment)
    if attempt is None:
        raise Conflict("该考生尚未开始作答", code="not_started")
    attempts.close_if_expired(attempt, now)
    if not attempt.is_open or not attempts.lock_open(attempt):
        raise Conflict("该考生已交卷或已收卷", code="attempt_closed")
    attempts.close_attempt(attempt, CloseReason.forced, now, actor)
    db.session.add(
        ProctorAction(
            enrollment=enrollment, kind=ActionKind.force_close, reason=reason, actor_id=actor.id, created_at=now
        )
    )
    db.session.flush()
    return attempt


def room_status(room: Room, now: datetime) -> list[dict]:
    """Every candidate of the room: not started / in progress / submitted, answered count, last contact.

    One statement for the whole room, whatever its size: each candidate with their user, attempt,
    answered count, last save and extensions, one row per proctor action (with who took it).
    """
    action, actor = aliased(ProctorAction), aliased(User)
    # Answered = rows with a value (a cleared answer keeps a NULL row); the last save is a contact too.
    answered = select(func.count(Answer.value)).where(Answer.attempt_id == Attempt.id).correlate(Attempt)
    last_save = select(func.max(Answer.saved_at)).where(Answer.attempt_id == Attempt.id).correlate(Attempt)
    extra = extensions_of(Enrollment.id).correlate(Enrollment)
    found = db.session.execute(
        select(
            Enrollment,
            Attempt,
            answered.scalar_subquery(),
            last_save.scalar_subquery(),
            extra.scalar_subquery(),
            action,
        )
        .join(Enrollment.user)
        .outerjoin(Attempt, Attempt.enrollment_id == Enrollment.id)
        .outerjoin(action, action.enrollment_id == Enrollment.id)
        .outerjoin(actor, actor.id == action.actor_id)
        .options(contains_eager(Enrollment.user), contains_eager(action.actor.of_type(actor)))
        .where(Enrollment.room_id == room.id)
        .order_by(Enrollment.seat, Enrollment.id, action.id)
    ).all()  # read whole before closing any attempt past its deadline (writes on the same connection)
    candidates: dict[int, dict] = {}
    for e, attempt, answers, last, extra_minutes, taken in found:
        row = candidates.get(e.id)
        if row is None:
            row = candidates[e.id] = _status_row(room, e, attempt, answers, last, extra_minutes, now)
        if taken is not None:
            row["actions"].append(taken)
    db.session.flush()
    return list(candidates.values())


def _status_row(room: Room, e: Enrollment, attempt, answers: int, last_save, extra_minutes: int, now) -> dict:
    if attempt is not None:
        attempts.close_if_expired(attempt, now)
    exam_session = room.session
    return {
        "enrollment": e,
        "username": e.user.username,
        "name": e.user.display_name,
        "seat": e.seat,
        "ticket_no": e.ticket_no,
        "form": e.form_label,
        "state": "not_started" if attempt is None else attempt.status.value,
        "attempt": attempt,
        "answered": answers if attempt else 0,
        "questions": len(attempt.layout) if attempt else None,
        "last_contact": _last_contact(attempt, last_save) if attempt else None,
        "deadline": attempt.deadline
        if attempt
        else attempts.theory_deadline(exam_session.theory_start, exam_session.theory_minutes, extra_minutes),
        "actions": [],
    }


def _last_contact(attempt: Attempt, last_save: datetime | None) -> datetime | None:
    seen = [t for t in (attempt.last_seen_at, last_save) if t is not None]
    return max(seen) if seen else None


STATE_LABELS = {"not_started": "未开始", "in_progress": "作答中", "submitted": "已交卷"}

# 异常 on the room's summary line (issue 27 item 12): a candidate answering whose page has not been
# heard from for this long (the exam page syncs every 30 s, so four syncs missed), or with an incident.
SILENT_AFTER = timedelta(minutes=2)


def alerts_of(row: dict, now: datetime) -> list[str]:
    """Why a candidate's row needs the proctor's eye: 失去联系, 违纪记录 (empty when nothing)."""
    alerts = []
    if row["state"] == "in_progress":
        contact = row["last_contact"]
        if contact is None or now - contact > SILENT_AFTER:
            alerts.append("超过 2 分钟未联系")
    if any(a.kind == ActionKind.incident for a in row["actions"]):
        alerts.append("有违纪记录")
    return alerts


def room_summary(rows: list[dict], now: datetime) -> dict[str, int]:
    """Counts for the summary line: 作答中 / 已交卷 / 未开始 / 异常 (a row may be 作答中 and 异常)."""
    counts = {state: 0 for state in STATE_LABELS}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    counts["abnormal"] = sum(1 for row in rows if alerts_of(row, now))
    return counts
