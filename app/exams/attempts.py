"""The machine exam on the server: start, save, submit, close and score an attempt.

Design against the known failures of other systems:
- Moodle MDL-43733 / WeBWorK #1208: closing an abandoned attempt reads what was saved and never
  writes an answer; scoring only reads ``attempt_answers``.
- Sakai SAM-2909: a closed attempt is never reopened — starting again after the deadline is a
  409, and an extension cannot be granted to an attempt whose deadline has already passed.
- The time of a write is taken when the request arrives (``now`` is read first by the API handler
  from ``app.timeutil.utcnow()``), and the 200 is sent only after the write is committed — by the
  group commit (group_commit.py: the saves and starts arriving together share one transaction).
- A save racing a submit ends consistent (issue 11): closing an attempt locks its row first
  (``lock_open``) and reads the answers after; a save checks the attempt's status under the same
  lock, so an acknowledged answer is always scored, or the save gets 409. Of two saves of one
  answer the one that arrived later wins, whatever order they commit in (a conditional upsert).

The proctors' actions on attempts are in proctoring.py; the start's and the save's statements in
statements.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import NamedTuple

from sqlalchemy import null, select

from app import assessment, driver_statements, statement_reads, timeutil
from app.audit.operations import CURRENT, record
from app.auth import token_cache
from app.auth.models import User
from app.auth.operations import token_still_valid
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.locking import lock_row
from app.papers.models import PaperItem
from app.sessions.lifecycle import sync_clock
from app.sessions.models import ExamSession, SessionStatus, TheoryMode

from . import grading, group_commit, paper_cache, warm  # noqa: F401  (warm: the token cache's refill)
from .models import Answer, Attempt, AttemptStatus, CloseReason
from .score_visibility import score_fields
from .statements import checked_upsert, extensions_of, save_statements, start_statements

# ---------------------------------------------------------------- time


def extension_minutes(enrollment_id: int) -> int:
    return db.session.scalar(extensions_of(enrollment_id)) or 0


def theory_deadline(theory_start: datetime, theory_minutes: int | None, extra_minutes: int) -> datetime:
    """The deadline: the end of the theory window plus every extension granted to this candidate.

    The one definition: the start reads its three parts in its one statement (``start_attempt``),
    everyone else through ``deadline_of``."""
    return theory_start + timedelta(minutes=(theory_minutes or 0) + extra_minutes)


def deadline_of(exam_session: ExamSession, enrollment_id: int) -> datetime:
    """The candidate's deadline (``theory_deadline``), the extensions read now."""
    return theory_deadline(exam_session.theory_start, exam_session.theory_minutes, extension_minutes(enrollment_id))


# ---------------------------------------------------------------- questions


def paper_items(paper_id: int) -> list[PaperItem]:
    """The paper's items; each PaperItem is a frozen snapshot (stem, options, key, points)."""
    return list(
        db.session.scalars(select(PaperItem).where(PaperItem.paper_id == paper_id).order_by(PaperItem.position))
    )


def questions_json(attempt) -> str:
    """The candidate's questions in their order, options in their order — and no key (JSON text)."""
    paper = paper_cache.paper(statement_reads.connection(), attempt.paper_id)
    drawn = getattr(attempt, "drawn", None)  # a start that drew its layout just now
    return paper.drawn_questions_json(drawn) if drawn is not None else paper.questions_json(attempt.layout)


# ---------------------------------------------------------------- attempts


def lock_open(attempt: Attempt) -> bool:
    """Lock the attempt's row and re-read it (``app.locking.lock_row``); True while it is still open.

    Taken before an attempt is closed, so that no save can commit between reading the answers for
    the score and the close (issue 11: a 200 to a save must never be left out of the score); a
    save's batch reads the row ``FOR SHARE`` on PostgreSQL and waits.
    """
    lock_row(attempt)
    return attempt.is_open


CLOSE_ACTIONS = {
    CloseReason.candidate: "exam.submitted",
    CloseReason.deadline: "exam.closed_at_deadline",
    CloseReason.forced: "exam.force_closed",
}
# Who closed it when no proctor did: the candidate submitting (the request's user), or nobody (the deadline).
_CLOSER = {CloseReason.candidate: CURRENT, CloseReason.deadline: None, CloseReason.forced: CURRENT}


def _close_details(attempt: Attempt) -> dict:
    return {
        "reason": attempt.close_reason.value,
        "closed_at": timeutil.iso(attempt.closed_at),
        "points_earned": attempt.points_earned,
        "points_total": attempt.points_total,
        "score": attempt.score,
    }


def close_attempt(attempt: Attempt, reason: CloseReason, at: datetime, by: User | None = None) -> None:
    """Close and score with what was saved. Reads answers only: never blanks one."""
    attempt.transition(AttemptStatus.submitted)
    attempt.close_reason = reason
    attempt.closed_at = at
    attempt.closed_by_id = by.id if by else None
    score_attempt(attempt)
    record(CLOSE_ACTIONS[reason], attempt, _close_details(attempt), actor=by or _CLOSER[reason])


def score_attempt(attempt: Attempt) -> None:
    saved = saved_answers(attempt)
    perms = {entry["qid"]: entry["perm"] for entry in attempt.layout}
    marks = []
    for q in paper_cache.paper(db.session.connection(), attempt.paper_id).questions:
        answer = saved.get(q.qid)
        original = grading.to_original(q.type, answer, perms.get(q.qid, [])) if answer is not None else None
        marks.append((float(q.points), grading.is_correct(q.type, q.answer, original)))
    attempt.points_earned, attempt.points_total, attempt.score = grading.score(marks)


def close_if_expired(attempt: Attempt, now: datetime) -> bool:
    """Lazily close an attempt left open past its deadline (also done by ``flask exams close-expired``)."""
    if not attempt.is_open or now < attempt.deadline:
        return False
    if not lock_open(attempt) or now < attempt.deadline:  # re-read under the lock
        return False
    close_attempt(attempt, CloseReason.deadline, attempt.deadline)
    db.session.flush()
    return True


@dataclass(frozen=True)
class NewAttempt:
    """A just-started attempt, as written by the group commit (the API answers from it directly)."""

    id: int
    user_id: int
    paper_id: int
    deadline: datetime
    drawn: grading.Drawn | None  # the layout this start drew (None: the other press's, ``stored``)
    stored: list | None = None
    status: AttemptStatus = AttemptStatus.in_progress
    fresh: bool = True  # nothing saved yet

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.in_progress

    @property
    def layout(self) -> list:
        return self.drawn.entries if self.drawn is not None else self.stored


def entry_refusal(enrollment, exam_session, attempt, deadline: datetime, now: datetime) -> Conflict | None:
    """Why the candidate may not enter the theory exam now, or None: the one rule of 开始考试
    (``start_attempt`` raises it) and of the exam list's 进入考试 / 继续作答 button (views.my_exams).

    ``enrollment`` needs ``carried`` and ``paper_id``, ``exam_session`` ``status`` and
    ``theory_start`` (the start passes its one row as both); ``attempt`` is theirs, if any, already
    closed when past its deadline (``close_if_expired``): an open one is entered again, a closed one
    never (Sakai SAM-2909); ``deadline`` is ``theory_deadline``'s.
    """
    if exam_session.theory_mode == TheoryMode.paper:  # 书面笔答 (3-01-04-03 1.9.2): no machine exam
        return Conflict("本批次理论知识考试为书面笔答（纸笔考试），不能在线作答", code="paper_sitting")
    if attempt is not None:
        return None if attempt.is_open else Conflict("本场考试已交卷，不能再次进入", code="attempt_closed")
    if not assessment.sits(enrollment, "theory"):  # 成绩保留: a theory pass kept from the last year
        return Conflict(
            "您的理论知识考试成绩保留（保留期内已合格，平台规则），本批次无需参加理论考试", code="component_carried"
        )
    if enrollment.paper_id is None or exam_session.status == SessionStatus.draft:
        return Conflict("本批次尚未分配试卷", code="papers_not_assigned")
    if exam_session.status in {SessionStatus.scoring, SessionStatus.published}:
        return Conflict("本批次理论考试已结束", code="theory_closed")
    if now < exam_session.theory_start:
        return Conflict(
            f"理论考试尚未开始（开始时间 {timeutil.beijing(exam_session.theory_start)}，北京时间）", code="not_open"
        )
    if now >= deadline:
        return Conflict("理论考试时间已结束", code="past_deadline")
    return None


def start_attempt(session_id: int, user, now: datetime, token_digest: str | None = None) -> Attempt | NewAttempt:
    """The candidate's attempt: created inside the theory window, else the same one again.

    The start spike (a hall pressing 开始考试 in the same second) costs one read — the session, the
    enrolment, any attempt and the extensions in one statement — and one grouped write; the paper's
    questions come from the process's cache. ``user`` needs only ``id``; with ``token_digest`` (a
    sign-in from the token cache) the token is checked again in the write. The session's stored
    status is moved by the clock on reads (``sync_clock``); this decision reads the window itself.
    """
    connection = statement_reads.connection()  # Core, autocommit: the start spike's one read
    found = driver_statements.first(
        connection, start_statements(connection.dialect.name).find, {"session_id": session_id, "user_id": user.id}
    )
    if found is None:
        raise NotFound("考试批次不存在")
    if found.enrollment_id is None:
        raise Forbidden("您未报名本考试批次", code="not_enrolled")
    attempt = None
    if found.attempt_id is not None:
        if token_digest is not None and not token_still_valid(db.session.connection(), token_digest, user.id, now):
            raise Unauthorized("令牌无效或已过期")
        attempt = db.session.get(Attempt, found.attempt_id)
        close_if_expired(attempt, now)
    deadline = theory_deadline(found.theory_start, found.theory_minutes, found.extra_minutes)
    refusal = entry_refusal(found, found, attempt, deadline, now)  # the row is the enrolment and its session
    if refusal is not None:
        raise refusal
    if attempt is not None:
        return attempt
    # The candidate's own order, seeded by the enrolment (one attempt per enrolment): drawn when the
    # worker booted (warm.py) or here, outside the shared write; the same for a second press.
    drawn = paper_cache.drawn(connection, found.paper_id, found.enrollment_id)
    new = NewAttempt(id=0, user_id=user.id, paper_id=found.paper_id, deadline=deadline, drawn=drawn)
    arguments = (new, found.enrollment_id, session_id, now, token_digest, found.extra_minutes)
    return group_commit.run(partial(_insert_attempt, *arguments), send=partial(_send_start, *arguments))


def _insert_attempt(
    new: NewAttempt, enrollment_id: int, session_id: int, now: datetime, token_digest, extra_read: int, connection
) -> NewAttempt:
    """Insert the attempt with its layout in one statement; a second start gets the first one's.

    An extension granted between the start's read and this write (no attempt to move yet) is counted
    here (issue 11): the extensions are summed again after the insert, inside the write — the grant
    holds the enrollment's lock until it commits, and the insert waits for it (the foreign key's
    KEY SHARE on PostgreSQL, the write lock on SQLite), so the sum sees it; a grant arriving after
    the insert waits for this commit and then finds the attempt.
    """
    statements = start_statements(connection.dialect.name)
    checked = token_digest is not None and statements.insert_if_signed_in is not None
    if token_digest is not None and not checked and not token_still_valid(connection, token_digest, new.user_id, now):
        raise _signed_out(token_digest)
    insert, parameters = _insert_of(statements, new, enrollment_id, session_id, now, token_digest if checked else None)
    inserted = driver_statements.first(connection, insert, parameters)
    if inserted is None:
        return _started_before(new, enrollment_id, token_digest if checked else None, connection)
    if statements.extensions is None:  # SQLite: summed in the insert's RETURNING, under the write lock taken first
        extra = inserted.extra_minutes
    else:  # PostgreSQL: a statement of its own, whose snapshot is taken after the insert's lock wait
        extra = driver_statements.first(connection, statements.extensions, {"enrollment": enrollment_id})[0]
    return _inserted(new, inserted.id, extra, extra_read, connection)


def _send_start(
    new: NewAttempt, enrollment_id: int, session_id: int, now: datetime, token_digest, extra_read: int, connection
):
    """The start sent ahead in the batch's pipeline (PostgreSQL, group_commit.py): the insert (with
    the token's check) and the extensions' sum after it, sent together instead of one round trip
    each. The sum runs after the insert as in ``_insert_attempt`` (a pipeline keeps the order: its
    snapshot is still taken after the insert's lock wait)."""
    statements = start_statements(connection.dialect.name)
    insert, parameters = _insert_of(statements, new, enrollment_id, session_id, now, token_digest)
    sent_insert = driver_statements.send(connection, insert, parameters)
    sent_extra = driver_statements.send(connection, statements.extensions, {"enrollment": enrollment_id})

    def finish() -> NewAttempt:
        inserted, extra = sent_insert.first(), sent_extra.first()[0]
        if inserted is None:
            return _started_before(new, enrollment_id, token_digest, connection)
        return _inserted(new, inserted.id, extra, extra_read, connection)

    return finish


def _insert_of(statements, new: NewAttempt, enrollment_id: int, session_id: int, now: datetime, checked_digest):
    """The insert and its parameters; with ``checked_digest`` (PostgreSQL) the one that checks the
    bearer token itself, in its round trip."""
    insert, token = statements.insert, {}
    if checked_digest is not None:
        insert, token = statements.insert_if_signed_in, {"digest": checked_digest, "now": now}
    return insert, {
        **token,
        "enrollment_id": enrollment_id,
        "session_id": session_id,
        "user_id": new.user_id,
        "paper_id": new.paper_id,
        "status": AttemptStatus.in_progress,
        "started_at": now,
        "deadline": new.deadline,
        "last_seen_at": now,
        "layout_json": new.drawn.json(),  # joined from texts built with the paper: not encoded again
    }


def _started_before(new: NewAttempt, enrollment_id: int, checked_digest, connection) -> NewAttempt:
    """No row inserted: pressed twice at once (the other press created it), or — the token checked
    by the insert — the token no longer valid."""
    other = connection.execute(
        start_statements(connection.dialect.name).existing, {"enrollment": enrollment_id}
    ).first()
    if other is None and checked_digest is not None:
        raise _signed_out(checked_digest)
    return NewAttempt(other.id, new.user_id, new.paper_id, other.deadline, None, other.layout, fresh=False)


def _inserted(new: NewAttempt, attempt_id: int, extra: int, extra_read: int, connection) -> NewAttempt:
    """The inserted attempt, its deadline moved by an extension granted since the start's read."""
    paper_cache.cache().note_attempt(attempt_id, new.user_id, new.paper_id)  # its saves can be sent ahead
    if extra == extra_read:
        return NewAttempt(attempt_id, new.user_id, new.paper_id, new.deadline, new.drawn)
    deadline = new.deadline + timedelta(minutes=extra - extra_read)
    connection.execute(
        start_statements(connection.dialect.name).move_deadline, {"attempt": attempt_id, "deadline": deadline}
    )
    return NewAttempt(attempt_id, new.user_id, new.paper_id, deadline, new.drawn)


def _signed_out(token_digest: str | None) -> Unauthorized:
    token_cache.invalidate(digest=token_digest)
    return Unauthorized("令牌无效或已过期")


def own_attempt(attempt_id: int, user: User) -> Attempt:
    """The user's own attempt, or 404 — another candidate's attempt must not even be seen to exist."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("答卷不存在")
    return attempt


class AttemptRef(NamedTuple):
    """What a save needs to name an attempt: the row is read (narrowly) inside the write."""

    id: int
    user_id: int
    token_digest: str | None = None  # a bearer token to check again inside the write


class Saved(NamedTuple):
    saved_at: datetime
    deadline: datetime


def save_answer(attempt, qid: int, value, now: datetime) -> Saved:
    """Store the answer; 409 once closed or past the deadline (judged at ``now``, the arrival time).

    ``attempt`` is anything with ``id`` and ``user_id`` (an ``AttemptRef`` from the API). Returns once
    the answer is committed (grouped with the saves arriving together); 404 for another's attempt.
    """
    digest = getattr(attempt, "token_digest", None)
    arguments = (attempt.id, attempt.user_id, digest, qid, value, now)
    return group_commit.run(partial(_write_answer, *arguments), send=partial(_send_answer, *arguments))


def _write_answer(
    attempt_id: int, user_id: int, digest: str | None, qid: int, value, now: datetime, connection
) -> Saved:
    """Inside the (shared) write transaction: check the attempt under its lock, then upsert one row.

    Reads the attempt's owner, paper, status and deadline only (not its layout); the question's type
    and option count come from the paper cache. No UPDATE of the attempt: the answer's ``saved_at``
    is the candidate's last contact (``room_status``). With ``digest`` the bearer token is checked in
    the same statement (the request's sign-in may have come from a cache). Raises before writing.
    """
    check, upsert = save_statements(connection.dialect.name)
    row = driver_statements.first(
        connection, check, {"attempt_id": attempt_id, "user_id": user_id, "digest": digest, "now": now}
    )
    refusal = _save_refusal(row, user_id, digest, now)
    if refusal is not None:
        raise refusal
    question = paper_cache.paper(connection, row.paper_id).by_qid.get(qid)
    if question is None:
        raise NotFound(f"本答卷没有题目 {qid}")
    try:
        value = grading.normalize(question.type, question.option_count, value)
    except ValueError as exc:
        raise Invalid(str(exc), field="answer") from None
    paper_cache.cache().note_attempt(attempt_id, user_id, row.paper_id)  # the next save can be sent ahead
    # A cleared answer is kept as a NULL value (read as "not answered"), so that it too is ordered
    # by arrival against a save of the same question.
    parameters = {"attempt_id": attempt_id, "qid": qid, "value": null() if value is None else value, "saved_at": now}
    driver_statements.first(connection, upsert, parameters)
    return Saved(now, row.deadline)


def _save_refusal(row, user_id: int, digest: str | None, now: datetime) -> DomainError | None:
    """Why the attempt's row (the save's check) refuses the save, in this order; None: it does not."""
    if row is not None and not row.signed_in:
        token_cache.invalidate(digest=digest)
        return Unauthorized("令牌无效或已过期")
    if row is None or row.user_id != user_id:
        return NotFound("答卷不存在")
    if row.status != AttemptStatus.in_progress:
        return Conflict("已交卷，不能再修改答案", code="attempt_closed")
    if now >= row.deadline:
        return Conflict(
            "已超过截止时间，答案未保存", code="past_deadline", details={"deadline": timeutil.iso(row.deadline)}
        )
    return None


def _send_answer(attempt_id: int, user_id: int, digest: str | None, qid: int, value, now: datetime, connection):
    """The save sent ahead in the batch's pipeline (PostgreSQL, group_commit.py): one statement that
    checks and upserts (``checked_upsert``) instead of two round trips. Only when this process has
    seen the attempt's paper (paper_cache's hint) and the answer is valid for its question; else None,
    and ``_write_answer`` runs — it also gives the refusals of a bad question or answer, in its order.
    Finished by reading the check's row: refused as ``_write_answer`` would refuse it (nothing was
    written); a hint no longer right (another paper) is met by running ``_write_answer`` after all."""
    hint = paper_cache.cache().paper_of_attempt(attempt_id, user_id)
    question = None if hint is None else hint[1].by_qid.get(qid)
    if question is None:
        return None
    try:
        answer = grading.normalize(question.type, question.option_count, value)
    except ValueError:
        return None
    parameters = {
        "attempt_id": attempt_id,
        "user_id": user_id,
        "paper_id": hint[0],
        "digest": digest,
        "now": now,
        "qid": qid,
        "value": null() if answer is None else answer,
        "saved_at": now,
    }
    sent = driver_statements.send(connection, checked_upsert(), parameters)

    def finish() -> Saved:
        row = sent.first()
        if row is not None and row.ok:
            return Saved(now, row.deadline)
        refusal = _save_refusal(row, user_id, digest, now)
        if refusal is not None:
            raise refusal
        return _write_answer(attempt_id, user_id, digest, qid, value, now, connection)

    return finish


def submit(attempt: Attempt, now: datetime) -> Attempt:
    if close_if_expired(attempt, now):
        return attempt  # past the deadline: already closed and scored with what was saved
    if not lock_open(attempt):
        raise Conflict("已交卷", code="attempt_closed")
    close_attempt(attempt, CloseReason.candidate, now)
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
    """GET /attempts/<aid>: status, deadline, answers and the score once the attempt has ended (shown at
    once or after publication, as the center chose)."""
    close_if_expired(attempt, now)
    if attempt.is_open:
        attempt.last_seen_at = now
    return {
        "attempt_id": attempt.id,
        "status": attempt.status.value,
        "deadline": timeutil.iso(attempt.deadline),
        "server_time": timeutil.iso(now),
        "answers": answers_of(attempt),
        **score_fields(attempt),  # the center's rule: at once, or after publication (score_visibility)
    }


def sweep(now: datetime | None = None) -> int:
    """Close every attempt left open past its deadline; returns how many."""
    now = now or timeutil.utcnow()
    closed = 0
    for attempt in db.session.scalars(select(Attempt).where(Attempt.status == AttemptStatus.in_progress)):
        closed += close_if_expired(attempt, now)
    for exam_session in db.session.scalars(
        select(ExamSession).where(ExamSession.status.in_([SessionStatus.scheduled, SessionStatus.theory_open]))
    ):
        sync_clock(exam_session, now)
    db.session.flush()
    return closed
