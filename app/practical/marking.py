"""Fixing a candidate's panel score: 缺考/违纪 marks, the center's spread threshold, the preview
of what finalizing would give, finalize (one candidate, or a whole panel in savepoints).

3-01-01-04 1.9.3 考评人员为3人以上单数，每位考生由不少于3名考评员评分；综合评审委员为3人以上单数;
3-01-04-03 1.9.3 考评人员为3人（含）以上单数: the panel that scores a candidate must be an odd number
of at least 3 — checked by ``access.panel_problem``, the same check readiness runs (the platform's
3-and-odd where a standard states none, as 590008). 1.9.2 百分制: the score is the mean of all panel
members' totals, unrounded (59.99 fails). A finalized result is locked.
Operations only flush; the request boundary commits.
"""

from __future__ import annotations

from datetime import datetime

from app.audit.operations import record
from app.auth.models import User
from app.errors import DomainError, Invalid
from app.extensions import db
from app.form_errors import text_bound
from app.sessions.models import Enrollment, ExamSession
from scoring import panel as panel_maths

from .access import check_component, enrollment_named, panel_members, panel_problem, panels
from .models import ComponentResult, Mark, RecordAction, ResultStatus, ScoringSettings
from .sheets import ensure_open, existing_result, is_number, sheets_of, write_record
from .traits import traits_of

# Free text is bounded, never cut silently (issue 27 item 14): the pages' maxlength, the API's models
# (app/api/schemas.py) and these operations read the same numbers.
NOTE_MAX = 500  # 说明 of a finalize (required when the spread is over the threshold)
REASON_MAX = 500  # 违纪原因 of a mark


def _bounded(value: str, label: str, limit: int, field: str) -> str:
    too_long = text_bound(value, label, limit)
    if too_long:
        raise Invalid(too_long, field=field)
    return value


def mark(
    session: ExamSession, component: str, actor: User, username: str, kind: str | None, reason, now: datetime
) -> ComponentResult:
    """The center admin marks a candidate 缺考 (absent) or 违纪 (disqualified, a reason required), or
    clears the mark (``kind`` None); both marks finalize to a failing component."""
    check_component(session, component)
    enrollment = enrollment_named(session, username)
    result = ensure_open(session, component, enrollment)
    reason = reason.strip() if isinstance(reason, str) else ""
    if kind is None:
        if result.mark is None:
            return result
        write_record(session, component, enrollment, actor, RecordAction.unmark, {"mark": result.mark.value}, None, now)
        record(f"{component}.unmarked", result, {"candidate": username, "old": result.mark.value}, actor=actor)
        result.mark, result.mark_reason = None, ""
        db.session.flush()
        return result
    if not isinstance(kind, str) or kind not in {m.value for m in Mark}:
        raise Invalid("标记须为 absent（缺考）或 disqualified（违纪）", field="mark")
    if kind == Mark.disqualified and not reason:
        raise Invalid("标记违纪须填写违纪原因", field="reason")
    _bounded(reason, "违纪原因", REASON_MAX, "reason")
    old = {"mark": result.mark.value, "reason": result.mark_reason} if result.mark else None
    result.mark, result.mark_reason = Mark(kind), reason
    write_record(session, component, enrollment, actor, RecordAction.mark, old, {"mark": kind, "reason": reason}, now)
    record(f"{component}.marked", result, {"candidate": username, "mark": kind, "reason": reason}, actor=actor)
    db.session.flush()
    return result


# ---------------------------------------------------------------- finalize


def spread_threshold(center_id: int) -> float:
    settings = db.session.get(ScoringSettings, center_id)
    return settings.spread_threshold if settings else panel_maths.DEFAULT_SPREAD_THRESHOLD


def set_spread_threshold(center_id: int, value) -> ScoringSettings:
    if not is_number(value) or not 0 < value <= 100:
        raise Invalid("分差阈值须为 0–100 之间的正数", field="spread_threshold")
    settings = db.session.get(ScoringSettings, center_id)
    if settings is None:
        settings = ScoringSettings(center_id=center_id)
        db.session.add(settings)
    old = settings.spread_threshold
    settings.spread_threshold = float(value)
    record("practical.threshold_set", settings, {"old": old, "new": settings.spread_threshold}, subject_id=center_id)
    db.session.flush()
    return settings


def person_label(user) -> str:
    """王考评（grader3）: the display name, the username in brackets (only when they differ)."""
    return f"{user.display_name}（{user.username}）" if user.display_name != user.username else user.username


def preview(session: ExamSession, component: str, enrollment: Enrollment) -> dict:
    """What finalizing would give now: members, totals by member, mean, spread, flag, what is missing."""
    members = panel_members(session, component, enrollment)
    sheets = {s.grader_id: s for s in sheets_of(component, enrollment)}
    totals = [(m, sheets[m.id].total) for m in members if m.id in sheets]
    missing = [m.username for m in members if m.id not in sheets]
    problem = panel_problem(session, component, enrollment)
    body = {
        "members": [m.username for m in members],
        "member_labels": {m.username: person_label(m) for m in members},
        "totals": {m.username: total for m, total in totals},
        "missing": missing,
        # named to the center admin by name, the username in brackets (issue 27 item 11)
        "missing_names": [person_label(m) for m in members if m.id not in sheets],
        "panel_problem": problem.message if problem else None,
        "score": None,
        "spread": None,
        "flagged": False,
    }
    if totals:
        aggregate = panel_maths.aggregate([t for _, t in totals])
        body["score"], body["spread"] = aggregate.score, aggregate.spread
        body["flagged"] = panel_maths.flagged(aggregate.spread, spread_threshold(session.center_id))
    return body


def finalize(session: ExamSession, component: str, actor: User, username: str, note, now: datetime) -> ComponentResult:
    """Fix the candidate's component score: the mean of all panel members' totals (1.9.3), with the
    spread; 422 with a member missing or a panel that breaks the panel rule (``access.panel_problem``); a spread
    above the center's threshold needs a written note (422 without); 409 once finalized."""
    check_component(session, component)
    enrollment = enrollment_named(session, username)
    result = ensure_open(session, component, enrollment)
    note = _bounded(note.strip() if isinstance(note, str) else "", "说明", NOTE_MAX, "note")
    if result.mark is not None:
        result.transition(ResultStatus(result.mark.value))
        result.score = None
    else:
        view = preview(session, component, enrollment)
        if view["panel_problem"]:
            raise Invalid(f"{view['panel_problem']}，不能定分", field="panel", code="panel_invalid")
        if view["missing"]:
            raise Invalid(
                f"尚有{traits_of(component).member_noun}未评分：{'、'.join(view['missing_names'])}",
                field="sheets",
                code="sheets_missing",
                details={"missing": view["missing"]},
            )
        if view["flagged"] and not note:
            raise Invalid(
                f"分差 {view['spread']:g} 分超过阈值 {spread_threshold(session.center_id):g} 分，定分须填写说明",
                field="note",
                code="note_required",
            )
        result.transition(ResultStatus.final)
        result.score, result.spread = view["score"], view["spread"]
        result.graders, result.flagged = len(view["members"]), view["flagged"]
    result.note, result.finalized_by_id, result.finalized_at = note, actor.id, now
    write_record(
        session,
        component,
        enrollment,
        actor,
        RecordAction.finalize,
        None,
        {"status": result.status.value, "score": result.score, "spread": result.spread, "flagged": result.flagged},
        now,
        note,
    )
    summary = {"status": result.status.value, "score": result.score, "spread": result.spread, "graders": result.graders}
    record(f"{component}.finalized", result, {"candidate": username, **summary, "note": note}, actor=actor)
    db.session.flush()
    return result


def finalize_panel(
    session: ExamSession,
    component: str,
    actor: User,
    panel: str | None,
    notes: dict,
    now: datetime,
    *,
    every: bool = False,
) -> tuple[list[ComponentResult], list[dict]]:
    """Finalize every pending candidate of one panel (or of all panels with ``every``), each in its
    own savepoint: those that cannot be finalized are skipped with the reason."""
    check_component(session, component)
    grouped = panels(session, component)
    if not every and (not (panel is None or isinstance(panel, str)) or panel not in grouped):
        raise Invalid(f"没有名为「{panel if isinstance(panel, str) else ''}」的评分小组", field="panel")
    targets = [e for name, members in grouped.items() if every or name == panel for e in members]
    done, skipped = [], []
    for enrollment in targets:
        current = existing_result(component, enrollment)
        if current is not None and current.locked:
            continue
        username = enrollment.user.username
        try:
            with db.session.begin_nested():
                done.append(finalize(session, component, actor, username, notes.get(username), now))
        except DomainError as exc:
            skipped.append({"username": username, "code": exc.code, "reason": exc.message})
    return done, skipped
