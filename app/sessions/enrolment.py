"""Enrolment: candidates on a session's roster (one by one or a roster file), their seats and
admission tickets, and the paper forms they sit.

Operations only flush; the request boundary commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from app import assessment, timeutil
from app.audit.operations import record
from app.auth.models import Role, User
from app.eligibility.models import Application, ApplicationStatus
from app.eligibility.operations import has_approved_application
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.locking import lock_row
from app.papers import printing
from app.papers.operations import assemble_papers
from app.spreadsheets import TableRefused, read_rows

from . import held_certificates
from .lifecycle import is_closed, sync_clock
from .models import Enrollment, ExamSession, Room, SessionPaper, SessionStatus
from .planning import room_of, standard_of, user_named

# ---------------------------------------------------------------- candidates


def _next_seat(room: Room) -> int:
    """The lowest seat number free in the room: a removed candidate's seat is offered again, so that the
    seats stay within the room's capacity (issue 28)."""
    taken = set(db.session.scalars(select(Enrollment.seat).where(Enrollment.room_id == room.id)))
    return next(seat for seat in range(1, len(taken) + 2) if seat not in taken)


def seated_in(room: Room) -> int:
    return db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.room_id == room.id)) or 0


def room_full(room: Room, seated: int) -> Conflict:
    return Conflict(
        f"考场「{room.name}」已满（容量 {room.capacity} 人，已安排 {seated} 人）：请选择其他考场；"
        "确需超员安排的，须由机构填写超员理由",
        code="room_full",
        details={"field": "room", "capacity": room.capacity, "seated": seated},
    )


def check_capacity(exam_session: ExamSession, room: Room | None, reason, *, require_reason: bool) -> list[dict]:
    """Issue 28: no candidate beyond a room's capacity unless the center overrides with a written
    reason, kept in the audit log. The page (``require_reason``) refuses a full room without one
    (409 room_full); the API keeps contract v1.0's 201 for an approved candidate and answers with a
    ``room_over_capacity`` warning instead, which readiness also reports, and the audit log keeps it."""
    if room is None:
        return []
    seated = seated_in(room)
    if seated < room.capacity:
        return []
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason and require_reason:
        raise room_full(room, seated)
    if len(reason) > 2000:
        raise Invalid("超员理由不能超过 2000 个字符", field="capacity_reason")
    details = {"room": room.name, "capacity": room.capacity, "seated": seated + 1, "reason": reason}
    record("session.capacity_override", exam_session, details)
    message = f"考场「{room.name}」已超员（容量 {room.capacity} 人，现安排 {seated + 1} 人）"
    return [{"code": "room_over_capacity", "message": message, "room": room.id}]


def _ticket_no(exam_session: ExamSession) -> str:
    """The next 准考证号: the session's own counter, moved on (the caller holds the session's row lock).
    Not a count of the roster (after a removal it gave a ticket still held) nor max()+1 (it would hand
    a removed candidate's printed number to someone else)."""
    exam_session.last_ticket = (exam_session.last_ticket or 0) + 1
    return f"{exam_session.theory_start:%y%m%d}{exam_session.id:04d}{exam_session.last_ticket:04d}"


def _form_for(enrollment: Enrollment, index: int, forms: int) -> int:
    """Seat n sits form (n-1) mod k: adjacent seats in a room always differ when k >= 2."""
    position = (enrollment.seat - 1) if enrollment.seat else index
    return position % forms


def _not_approved(exam_session: ExamSession, username: str, user: User | None = None) -> Conflict:
    """409 for a username this session cannot enrol (issue 27 item 14: the reason must fit the case, in
    words, not codes). A user the center knows (its own, or one who applied to it) is told the real reason
    (no application, or one not yet decided); an unknown username and another center's user get one
    answer that names both possibilities, so that a center cannot learn which usernames exist elsewhere."""
    what = f"「{standard_of(exam_session).name}」{exam_session.level}"
    if user is None or not _known_to_center(user, exam_session.center_id):
        return Conflict(
            f"找不到可报名的考生「{username}」：请核对用户名。只有申报{what}并经本机构审核通过的考生才能报名",
            code="not_approved",  # one code for every case (the contract: 409 without an approved application)
        )
    if _pending_application(user, exam_session):
        return Conflict(f"考生 {username} 的{what}申报尚未审核；审核通过后才能报名", code="not_approved")
    return Conflict(f"考生 {username} 没有经本机构审核通过的{what}申报", code="not_approved")


def _known_to_center(user: User, center_id: int) -> bool:
    """The center's own user, or one who applied to it or whose application it decided."""
    if user.center_id == center_id:
        return True
    applied = select(Application.id).where(
        Application.user_id == user.id,
        or_(Application.center_id == center_id, Application.decided_center_id == center_id),
    )
    return db.session.scalar(applied.limit(1)) is not None


def _pending_application(user: User, exam_session: ExamSession) -> bool:
    pending = select(Application.id).where(
        Application.user_id == user.id,
        Application.standard_id == exam_session.standard_id,
        Application.level == exam_session.level,
        Application.status.in_([ApplicationStatus.eligible, ApplicationStatus.ineligible]),
    )
    return db.session.scalar(pending.limit(1)) is not None


def _candidate_named(exam_session: ExamSession, username) -> User:
    """The candidate to enrol. An unknown username answers exactly like a candidate without an approved
    application this center may use (409), so that one center cannot learn which usernames exist elsewhere;
    only the center's own users get "not a candidate"."""
    username, user = user_named(username, "用户名不能为空")
    if user is None:
        raise _not_approved(exam_session, username)
    if user.role != Role.candidate:
        if user.center_id == exam_session.center_id:
            raise Invalid(f"用户 {user.username} 不是考生", field="username")
        raise _not_approved(exam_session, username)  # another center's staff: as if unknown
    return user


def _check_enrollable(exam_session: ExamSession, user: User, now: datetime | None = None) -> None:
    if is_closed(exam_session, now):
        raise Conflict("考试批次已结束，不能再报名", code="session_closed")
    # Only an application approved by this session's own center, or one of this center's own candidates,
    # lets the center enrol (and then see the candidate's name, ticket and exam state).
    if not has_approved_application(
        user.id, exam_session.standard_id, exam_session.level, for_center_id=exam_session.center_id
    ):
        raise _not_approved(exam_session, user.username, user)
    if db.session.scalar(
        select(Enrollment.id).where(Enrollment.session_id == exam_session.id, Enrollment.user_id == user.id)
    ):
        raise Conflict(f"考生 {user.username} 已在本批次", code="already_enrolled")


def enroll(
    exam_session: ExamSession,
    username,
    room_id=None,
    now: datetime | None = None,
    *,
    capacity_reason=None,
    reason=None,
    require_reason: bool = False,
) -> Enrollment:
    """Enrol one candidate (only with an approved application — else 409) and seat them.

    ``now`` defaults to the server clock (the demo passes the time it is replaying). A candidate who
    already holds a valid certificate of this level is enrolled with a warning (``warnings``), or —
    ``require_reason``, the page — only with the center's written ``reason`` (held_certificates)."""
    user = _candidate_named(exam_session, username)
    room = room_of(exam_session, room_id)
    # Enrolments of one session one at a time (issue 11): the same candidate twice finds the first
    # enrolment (409), two candidates into one room get the next seat and ticket each (never a 500).
    lock_row(exam_session, key_share=True)
    _check_enrollable(exam_session, user, now)
    warnings = check_capacity(exam_session, room, capacity_reason, require_reason=require_reason)
    warnings += held_certificates.check(exam_session, user, reason, require_reason=require_reason)
    seat = _next_seat(room) if room is not None else None
    # 成绩保留: passes of this standard and level published within 365 days are kept (results domain).
    carried = assessment.carry_for(user.id, exam_session.standard_id, exam_session.level, now or timeutil.utcnow())
    enrollment = Enrollment(
        session=exam_session, user=user, room=room, seat=seat, ticket_no=_ticket_no(exam_session), carried=carried
    )
    db.session.add(enrollment)
    db.session.flush()
    enrollment.warnings = warnings  # not stored: what the answer tells the center (issue 27 item 2)
    held_certificates.record_holder(enrollment, warnings, reason)
    forms = exam_session.forms
    if forms and assessment.sits(enrollment, "theory"):
        index = len(exam_session.enrollments) - 1
        chosen = forms[_form_for(enrollment, index, len(forms))]
        enrollment.form, enrollment.paper_id = chosen.form, chosen.paper_id
        db.session.flush()
    return enrollment


def read_roster(content: bytes, filename: str = "roster.xlsx") -> list[dict]:
    """Rows of a roster (.xlsx or .csv): column 用户名 (username), optional 考场 (room name) and
    再次报名理由 (the reason, for a candidate who already holds a valid certificate of this level)."""
    try:
        table = read_rows(content, filename)
    except TableRefused as exc:
        raise Invalid(f"名单文件：{exc.message}", field="file") from None
    rows = []
    for number, values in enumerate(table, start=1):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        if number == 1 and cells[0] in {"用户名", "username", "账号"}:
            continue
        reason = cells[2] if len(cells) > 2 else ""  # 再次报名理由, for a candidate holding this level already
        rows.append({"row": number, "username": cells[0], "room": cells[1] if len(cells) > 1 else "", "reason": reason})
    return rows


def import_roster(exam_session: ExamSession, content: bytes, filename: str = "roster.xlsx") -> list[Enrollment]:
    """All rows or none: every bad row is listed in the error's details and nothing is stored."""
    rows = read_roster(content, filename)
    if not rows:
        raise Invalid("名单文件中没有考生", field="file")
    rooms = {r.name: r for r in exam_session.rooms}
    seated = {r.id: seated_in(r) for r in exam_session.rooms}  # issue 28: no row beyond a room's capacity
    errors, seen, plan = [], set(), []
    for row in rows:
        try:
            if row["username"] in seen:
                raise Invalid(f"用户 {row['username']} 在名单中重复出现", field="username")
            seen.add(row["username"])
            user = _candidate_named(exam_session, row["username"])
            room = None
            if row["room"]:
                room = rooms.get(row["room"])
                if room is None:
                    raise Invalid(f"考场「{row['room']}」不存在", field="room")
            _check_enrollable(exam_session, user)
            if room is not None:
                if seated[room.id] >= room.capacity:
                    raise room_full(room, seated[room.id])
                seated[room.id] += 1
            held_certificates.check(exam_session, user, row["reason"], require_reason=True)
            plan.append((user.username, room.id if room else None, row["reason"]))
        except (Invalid, Conflict) as exc:
            errors.append({"row": row["row"], "username": row["username"], "message": exc.message})
    if errors:
        raise Invalid(f"名单中有 {len(errors)} 行有误，未导入任何考生", field="file", details={"rows": errors})
    return [
        enroll(exam_session, username, room_id, reason=reason, require_reason=True)
        for username, room_id, reason in plan
    ]


def remove_candidate(exam_session: ExamSession, enrollment_id: int) -> None:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.session_id != exam_session.id:
        raise NotFound("考生不在本批次")
    if exam_session.reached(SessionStatus.theory_open):
        raise Conflict("理论考试已开始，不能再移除考生", code="session_started")
    started = next((c for c in assessment.session_components(exam_session) if c.has_started(exam_session)), None)
    if started is not None:
        raise Conflict(f"{started.label}已开始评分，不能再移除考生", code="session_started")
    db.session.delete(enrollment)
    db.session.flush()


def enrollment_of(exam_session: ExamSession, user: User) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.session_id == exam_session.id, Enrollment.user_id == user.id)
    )


# ---------------------------------------------------------------- papers


def assign_papers(
    exam_session: ExamSession, data: dict, user: User, *, reason_required: bool = False
) -> list[SessionPaper]:
    """Assemble the forms and give every enrolled candidate one; neighbours sit different forms.

    A session whose papers are assigned is scheduled (api-contract: Sessions). Assembling again replaces
    the forms every candidate holds (重新组卷): the pages ask for a reason (``reason_required``; the API's
    ``reason`` is optional, the contract's body being fixed) and the replacement is audit-logged.
    """
    sync_clock(exam_session)
    if exam_session.status not in {SessionStatus.draft, SessionStatus.scheduled, SessionStatus.theory_open}:
        raise Conflict("理论考试已结束，不能再组卷", code="session_closed")
    if assessment.get("theory").has_started(exam_session):
        raise Conflict("已有考生开始作答，不能重新组卷", code="attempts_started")
    replaced = _reassignment(exam_session, data.get("reason"), reason_required)
    papers = assemble_papers(
        exam_session.standard_id,
        exam_session.level,
        data.get("forms"),
        data.get("max_overlap"),
        data.get("seed"),
        sections=data.get("sections"),
        difficulty=data.get("difficulty"),
        user=user,
        bank_center_id=exam_session.center_id,  # the platform's bank and the session's center's own items
    )
    for paper in papers:
        # A session's papers belong to the session's center, whoever assembled them: otherwise a
        # platform admin's assembly (center None) would be hidden (404) from the center's own admins.
        paper.center_id = exam_session.center_id
    assigned = attach_papers(exam_session, papers)
    if replaced is not None:
        replaced["papers"] = [p.id for p in papers]
        record("session.papers_reassigned", exam_session, replaced)
    return assigned


def _reassignment(exam_session: ExamSession, reason, required: bool) -> dict | None:
    """For 重新组卷 (the session already holds forms): the audit entry's details, after checking the
    reason (422 ``reason`` when required and blank); None for a first assembly."""
    if not exam_session.forms:
        return None
    reason = reason.strip() if isinstance(reason, str) else ""
    if required and not reason:
        raise Invalid("重新组卷会替换全部考生的试卷，请填写重新组卷的理由", field="reason")
    if len(reason) > 2000:
        raise Invalid("重新组卷的理由不能超过 2000 个字符", field="reason")
    holders = sum(1 for e in exam_session.enrollments if e.paper_id is not None)
    old = [f.paper_id for f in exam_session.forms]
    return {"reason": reason or None, "replaced": old, "candidates": holders, "status": exam_session.status.value}


def attach_papers(exam_session: ExamSession, papers: list) -> list[SessionPaper]:
    """Make ``papers`` the session's forms and give every enrolled candidate one.

    Seat n of a room sits form (n-1) mod k, so neighbours (adjacent seats) differ when k >= 2.
    """
    for old in list(exam_session.forms):
        db.session.delete(old)
    db.session.flush()
    exam_session.forms.clear()
    assigned = []
    for number, paper in enumerate(papers):
        form = SessionPaper(session=exam_session, paper_id=paper.id, form=number)
        db.session.add(form)
        assigned.append(form)
    db.session.flush()
    unseated = [e for e in exam_session.enrollments if e.seat is None]
    for enrollment in exam_session.enrollments:
        if not assessment.sits(enrollment, "theory"):  # 成绩保留: theory kept, no paper
            enrollment.form = enrollment.paper_id = None
            continue
        index = unseated.index(enrollment) if enrollment.seat is None else 0
        chosen = assigned[_form_for(enrollment, index, len(assigned))]
        enrollment.form, enrollment.paper_id = chosen.form, chosen.paper_id
    if exam_session.status == SessionStatus.draft:
        exam_session.transition(SessionStatus.scheduled)
    record("session.papers_assigned", exam_session, {"papers": [p.id for p in papers]})
    db.session.flush()
    return assigned


def sitting_minutes(paper_id: int) -> int | None:
    """The theory minutes of a session that sits this paper (the printed paper states them, 1.9.4)."""
    sitting = db.session.scalar(
        select(ExamSession).join(SessionPaper).where(SessionPaper.paper_id == paper_id).limit(1)
    )
    return sitting.theory_minutes if sitting is not None else None


printing.set_sitting_minutes(sitting_minutes)
