"""Theory on paper (书面笔答, 3-01-04-03 1.9.2 理论知识考试为书面笔答闭卷考试): the marked scripts'
scores typed twice, by two different people (the rule is ``scoring.paper_entries``).

Who types: the center's admins (the platform admin anywhere) and the session's proctors (another
center: 404; a proctor of this center not on the session: 403). Every entry is a new append-only
row (``PaperScoreEntry``) and an audit entry; nothing is overwritten. Operations only flush.

Same person twice is a 409 (not 422): the score typed is valid, it is the state — this person's
entry is already in — that refuses it, as an already-submitted attempt does.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app import assessment
from app.audit.operations import record
from app.auth.models import User
from app.auth.scoping import ensure_center_staff
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.sessions.lifecycle import sync_clock
from app.sessions.models import Enrollment, ExamSession, SessionStatus, StaffAssignment, StaffRole, roster_order
from scoring.paper_entries import Decision, EntryState, decide, refusal

from .models import PaperScoreEntry

ABSENT = object()  # the page's 缺考 in record_many


def session_for_entry(session_id: int, user: User) -> ExamSession:
    """The session, for someone who may type its paper scores (404 another center, 403 not its proctor)."""
    exam_session = db.session.get(ExamSession, session_id)
    if exam_session is None:
        raise NotFound("考试批次不存在")
    assigned = select(StaffAssignment.id).where(
        StaffAssignment.session_id == session_id,
        StaffAssignment.user_id == user.id,
        StaffAssignment.role == StaffRole.proctor,
    )
    ensure_center_staff(
        user, exam_session.center_id, assigned, "考试批次不存在", "只有本批次的监考人员或本机构管理员可以录入成绩"
    )
    return sync_clock(exam_session)


def entries_of(exam_session: ExamSession) -> dict[int, list[PaperScoreEntry]]:
    """Every enrollment's entries, in the order typed."""
    rows = db.session.scalars(
        select(PaperScoreEntry).where(PaperScoreEntry.session_id == exam_session.id).order_by(PaperScoreEntry.id)
    )
    entries: dict[int, list[PaperScoreEntry]] = {e.id: [] for e in exam_session.enrollments}
    for row in rows:
        entries.setdefault(row.enrollment_id, []).append(row)
    return entries


def decision_of(entries: list[PaperScoreEntry]) -> Decision:
    return decide([entry.score for entry in entries])


def _ensure_open(exam_session: ExamSession) -> None:
    if not exam_session.on_paper:
        raise Conflict("本批次理论知识考试为机考，成绩由系统计分，不能录入", code="machine_sitting")
    if exam_session.status == SessionStatus.published:
        raise Conflict("成绩已发布，不能再录入", code="published")


def _entry(data: dict, field: str = "score", who: str = "") -> float | None:
    """The typed entry: ``{"score": 0–100}``, or ``{"absent": true}`` for 缺考 (None)."""
    if data.get("absent") is True and data.get("score") is None:
        return None
    return _score(data.get("score"), field, who)


def _score(value, field: str = "score", who: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{who}理论知识考试成绩必须是 0–100 的数字", field=field)
    if not 0 <= value <= 100:
        raise Invalid(f"{who}理论知识考试成绩必须在 0–100 之间", field=field)
    if abs(round(value, 2) - value) > 1e-9:
        raise Invalid(f"{who}理论知识考试成绩最多两位小数", field=field)
    return float(value)


def _enrollment(exam_session: ExamSession, username) -> Enrollment:
    found = next(
        (e for e in exam_session.enrollments if isinstance(username, str) and e.user.username == username), None
    )
    if found is None:
        raise NotFound(f"考生 {username} 不在本批次")
    return found


def _add(exam_session: ExamSession, enrollment: Enrollment, score: float | None, user: User, had: list) -> Decision:
    if not assessment.sits(enrollment, "theory"):
        raise Conflict(
            f"考生 {enrollment.user.username} 的理论知识考试成绩保留，本批次无需录入", code="component_carried"
        )
    why = refusal([(e.entered_by_id, e.score) for e in had], user.id)
    if why == "final":
        raise Conflict(f"考生 {enrollment.user.username} 的理论知识考试成绩已定分，不能再录入", code="score_final")
    if why == "same_person":
        raise Conflict(
            f"您已录入过考生 {enrollment.user.username} 的成绩：第二遍（或第三遍裁定）须由另一人录入",
            code="same_person",
        )
    entry = PaperScoreEntry(session_id=exam_session.id, enrollment_id=enrollment.id, score=score, entered_by_id=user.id)
    db.session.add(entry)
    had.append(entry)
    decision = decision_of(had)
    record(
        "exam.paper_score_entered",
        entry,
        {
            "username": enrollment.user.username,
            "score": score,
            "absent": score is None,
            "entry": len(had),
            "state": decision.state.value,
        },
    )
    return decision


def record_entry(exam_session: ExamSession, username, data: dict, user: User) -> tuple[Decision, int]:
    """One entry (PUT /sessions/<id>/theory/<username>); returns the candidate's state after it and
    how many entries they now have."""
    _ensure_open(exam_session)
    enrollment = _enrollment(exam_session, username)
    score = _entry(data)
    had = entries_of(exam_session).get(enrollment.id, [])
    decision = _add(exam_session, enrollment, score, user, had)
    db.session.flush()
    return decision, len(had)


def record_many(exam_session: ExamSession, typed: dict[int, object], user: User) -> int:
    """The page's table saved at once: {enrollment id: score typed, or ABSENT} (blanks left out). All or nothing:
    the first refusal (naming the candidate) changes nothing. Returns how many entries were added."""
    _ensure_open(exam_session)
    entries = entries_of(exam_session)
    by_id = {e.id: e for e in exam_session.enrollments}
    added = 0
    for enrollment_id, value in typed.items():
        enrollment = by_id.get(enrollment_id)
        if enrollment is None:
            raise NotFound("考生不在本批次")
        who = f"考生 {enrollment.user.display_name}："
        score = None if value is ABSENT else _score(value, field=f"score_{enrollment_id}", who=who)
        _add(exam_session, enrollment, score, user, entries.setdefault(enrollment_id, []))
        added += 1
    db.session.flush()
    return added


def rows(exam_session: ExamSession, user: User) -> list[dict]:
    """The entry table in seat order: each candidate, their entries, state, and whether ``user`` may type."""
    entries = entries_of(exam_session)
    table = []
    for enrollment in sorted(exam_session.enrollments, key=roster_order):
        had = entries.get(enrollment.id, [])
        decision = decision_of(had)
        carried = not assessment.sits(enrollment, "theory")
        why = refusal([(e.entered_by_id, e.score) for e in had], user.id)
        table.append(
            {
                "enrollment": enrollment,
                "entries": had,
                "decision": decision,
                "carried": carried,
                "may_type": not carried and why is None,
                "typed_by_me": why == "same_person",
            }
        )
    return table


def progress(exam_session: ExamSession) -> Counter:
    """How many candidates stand in each state (for the session page)."""
    entries = entries_of(exam_session)
    return Counter(
        decision_of(entries.get(e.id, [])).state for e in exam_session.enrollments if assessment.sits(e, "theory")
    )


def state_json(decision: Decision, entries: int) -> dict:
    return {
        "state": decision.state.value,
        "final": decision.state.is_final,
        "score": decision.score,
        "absent": decision.absent,
        "entries": entries,
        "needs_third": decision.state == EntryState.disagreed,
    }


def states(exam_session: ExamSession) -> list[dict]:
    """Every candidate's state in seat order (GET /sessions/<id>/theory)."""
    entries = entries_of(exam_session)
    return [
        {
            "username": e.user.username,
            "seat": e.seat,
            **state_json(decision_of(entries.get(e.id, [])), len(entries.get(e.id, []))),
        }
        for e in sorted(exam_session.enrollments, key=roster_order)
    ]
