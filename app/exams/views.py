"""Pages of the machine exam: the candidate's exams and exam page (static/js/exam.js), and the
proctor's room page (state of every candidate; extension, incident, force-close — all logged)."""

from __future__ import annotations

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import assessment, timeutil
from app.auth.decorators import roles_required
from app.auth.roles import PROCTORS, is_admin
from app.banks.models import TYPE_LABELS
from app.boundary import fail
from app.eligibility.identity import identity_of
from app.errors import DomainError, Invalid, NotFound
from app.extensions import db
from app.papers.models import Paper
from app.qrcodes import ticket_qr
from app.sessions.lifecycle import sync_clock
from app.sessions.models import Enrollment, ExamSession, SessionStatus
from app.standards.registry import get_standard

from . import attempts, paper_scores, proctoring, score_visibility
from .models import CLOSE_LABELS, Attempt, AttemptStatus

bp = Blueprint("exams", __name__, url_prefix="/exams")


@bp.get("/")
@roles_required("candidate")
def my_exams():
    now = timeutil.utcnow()
    rows = []
    for e in db.session.scalars(select(Enrollment).where(Enrollment.user_id == current_user.id)):
        exam_session = e.session
        sync_clock(exam_session, now)
        attempt = db.session.scalar(select(Attempt).where(Attempt.enrollment_id == e.id))
        if attempt is not None:
            attempts.close_if_expired(attempt, now)
        deadline = attempts.deadline_of(exam_session, e.id)
        rows.append(
            {
                "e": e,
                "s": exam_session,
                "attempt": attempt,
                "deadline": deadline,
                # The start's own rule: the button is shown exactly when 开始考试 would let them in.
                "can_enter": attempts.entry_refusal(e, exam_session, attempt, deadline, now) is None,
                "occupation": _occupation(exam_session),
                "carried": not assessment.sits(e, "theory"),  # 成绩保留: theory kept from an earlier pass
                "score": score_visibility.shown_score(attempt) if attempt is not None else None,
            }
        )
    return render_template("exams/my_exams.html", rows=rows, now=now, status=SessionStatus)


def _occupation(session: ExamSession) -> str:
    """社团会员管理员 · 四级/中级工 — the occupation's name and the level's title, not their codes."""
    standard = get_standard(session.standard_id)
    level = standard.level(session.level)
    return f"{standard.name} · {level.title if level else session.level}"


def _own_enrollment(session_id: int) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.session_id == session_id, Enrollment.user_id == current_user.id)
    )
    if enrollment is None:
        raise NotFound("您未报名本考试批次")
    return enrollment


@bp.get("/<int:session_id>/ticket")
@roles_required("candidate")
def ticket(session_id: int):
    """The candidate's own 准考证, to view and print (the same card the center prints)."""
    enrollment = _own_enrollment(session_id)

    session = enrollment.session
    identity = identity_of(current_user)  # the candidate's own ticket: 证件号码 in full (issue 27 item 10)
    return render_template(
        "exams/ticket.html",
        e=enrollment,
        s=session,
        standard=get_standard(session.standard_id),
        qr=ticket_qr,
        identity=identity,
        photo_url=url_for("eligibility.my_photo") if identity.photo else None,
    )


@bp.get("/<int:session_id>/take")
@roles_required("candidate")
def take(session_id: int):
    enrollment = _own_enrollment(session_id)
    session = enrollment.session
    now = timeutil.utcnow()
    attempt = db.session.scalar(select(Attempt).where(Attempt.enrollment_id == enrollment.id))
    if attempt is not None:
        attempts.close_if_expired(attempt, now)
    if attempt is not None and attempt.status != AttemptStatus.in_progress:
        # Reopening a finished exam shows the finished state, never an empty paper with 交卷.
        return render_template(
            "exams/finished.html",
            s=session,
            e=enrollment,
            attempt=attempt,
            occupation=_occupation(session),
            score=score_visibility.shown_score(attempt),
        )
    if attempt is None and now < session.theory_start:
        # Before the start (issue 27 item 6): the start time, a countdown, the rules; the page opens the
        # exam by itself at the start (static/js/countdown.js reloads; the start itself is still refused
        # by the server before theory_start).
        refusal = attempts.entry_refusal(enrollment, session, None, attempts.deadline_of(session, enrollment.id), now)
        if refusal is not None and refusal.code in WAITING:
            return _waiting(enrollment, session, now)
    return render_template("exams/take.html", s=session, e=enrollment, occupation=_occupation(session))


# The refusals that only mean "not yet": the waiting page shows them with the countdown.
WAITING = {"not_open", "papers_not_assigned"}


def _waiting(enrollment: Enrollment, session: ExamSession, now):
    standard = get_standard(session.standard_id)
    paper = db.session.get(Paper, enrollment.paper_id) if enrollment.paper_id else None
    return render_template(
        "exams/waiting.html",
        s=session,
        e=enrollment,
        occupation=_occupation(session),
        standard=standard,
        sections=[
            {"label": TYPE_LABELS.get(sec["type"], sec["type"]), "count": sec.get("count"), "points": sec.get("points")}
            for sec in (paper.sections if paper else [])
        ],
        total_points=paper.total_points if paper else None,
        start_iso=timeutil.iso(session.theory_start),
        now_iso=timeutil.iso(now),
        seconds=int((session.theory_start - now).total_seconds()),
    )


@bp.get("/proctor")
@roles_required(*PROCTORS)
def proctor_rooms():
    now = timeutil.utcnow()
    rooms = proctoring.proctor_rooms(current_user)
    for session in {r.session for r in rooms}:
        sync_clock(session, now)
    return render_template("exams/proctor_rooms.html", rooms=sort_rooms(rooms, now), now=now)


def sort_rooms(rooms: list, now) -> list:
    """The live sessions first, then the coming ones (soonest first), then the past (latest first)."""

    def key(room):
        s = room.session
        if s.theory_start <= now < s.theory_end or s.status == SessionStatus.theory_open:
            return (0, 0, room.id)
        if now < s.theory_start:
            return (1, s.theory_start.timestamp(), room.id)
        return (2, -s.theory_start.timestamp(), room.id)

    return sorted(rooms, key=key)


@bp.get("/rooms/<int:room_id>")
@roles_required(*PROCTORS)
def room(room_id: int):
    return _room_page(proctoring.get_room(room_id, current_user), timeutil.utcnow())


# The label of each field of a row's action forms, as the room page shows it (the messages name it).
ACTION_FIELDS = {
    ("extension", "minutes"): "延长（分钟）",
    ("extension", "reason"): "延时原因",
    ("incident", "reason"): "违纪情况",
    ("force-close", "reason"): "收卷原因",
}


def _room_page(room, now, failed: dict | None = None, status: int = 200):
    """The room; after a refused action (``failed``) that row's menu is open, what was typed is back in
    its field and the message stands beside it and in the summary above the table (issue 27 item 5)."""
    rows = proctoring.room_status(room, now)
    for row in rows:
        row["alerts"] = proctoring.alerts_of(row, now)
    errors, labels = {}, {}
    if failed:
        errors[failed["id"]] = [failed["message"]]
        labels[failed["id"]] = failed["label"]
    return (
        render_template(
            "exams/room.html",
            room=room,
            rows=rows,
            now=now,
            summary=proctoring.room_summary(rows, now),
            reason_max=proctoring.REASON_MAX,
            labels=proctoring.STATE_LABELS,
            close_labels=CLOSE_LABELS,
            failed=failed,
            errors=errors,
            error_labels=labels,
        ),
        status,
    )


def _run_action(action: str, enrollment: Enrollment, minutes: str, reason: str, now) -> str:
    username = enrollment.user.username
    if action == "extension":
        proctoring.grant_extension(
            enrollment, int(minutes) if minutes.isdigit() else minutes, reason, current_user, now
        )
        return f"已为 {username} 延长 {minutes} 分钟；考生的考试页面会提示新的截止时间"
    if action == "incident":
        proctoring.record_incident(enrollment, reason, current_user, now)
        return f"已记录 {username} 的违纪情况"
    if action == "force-close":
        proctoring.force_close(enrollment, reason, current_user, now)
        return f"已强制收取 {username} 的答卷"
    raise Invalid("未知操作", field="action")


@bp.post("/rooms/<int:room_id>/candidates/<username>/<action>")
@roles_required(*PROCTORS)
def act(room_id: int, username: str, action: str):
    """延时 / 记录违纪 / 强制收卷 for one candidate. Done: flash and back to the room. Refused (a reason
    missing or too long, the attempt already closed…): nothing is kept and the room is shown again
    (422) with that row's menu open, the typed reason in its field and the message beside it."""
    now = timeutil.utcnow()
    room = proctoring.get_room(room_id, current_user)
    minutes, reason = request.form.get("minutes", ""), request.form.get("reason", "")
    try:
        enrollment = proctoring.candidate_in_session(room.session_id, username, current_user)
        message = _run_action(action, enrollment, minutes.strip(), reason, now)
    except NotFound:
        raise
    except DomainError as exc:
        db.session.rollback()
        field = exc.details.get("field")
        label = ACTION_FIELDS.get((action, field))
        failed = {
            "username": username,
            "action": action,
            "field": field if label else None,
            "id": f"{action}-{username}-{field}" if label else f"actions-{username}",
            "label": label or f"{username} 的操作",
            "message": exc.message,
            "minutes": minutes,
            "reason": reason,
        }
        return _room_page(proctoring.get_room(room_id, current_user), now, failed, 422)
    flash(message, "success")
    return redirect(url_for("exams.room", room_id=room_id))


@bp.cli.command("close-expired")
def close_expired_command():
    """收取所有已过截止时间的答卷并评分（按已保存的答案）。"""
    closed = attempts.sweep()
    db.session.commit()
    click.echo(f"已收卷 {closed} 份。")


# ---------------------------------------------------------------- 书面笔答 (3-01-04-03 1.9.2)


ABSENT_WORDS = {"缺考", "缺", "Q", "q"}  # typed in a score box: the candidate was absent


@bp.route("/sessions/<int:session_id>/paper-scores", methods=["GET", "POST"])
@roles_required(*PROCTORS)
def paper_scores_page(session_id: int):
    """Sixty scores in a row: one input per candidate in seat order, saved at once (all or nothing)."""
    exam_session = paper_scores.session_for_entry(session_id, current_user)
    typed: dict = {}
    status = 200
    if request.method == "POST":
        typed = {k: v for k, v in request.form.items() if k.startswith("score_") and v.strip()}

        def number(text: str):
            if text.strip() in ABSENT_WORDS:
                return paper_scores.ABSENT
            try:
                return float(text.strip().replace("，", "."))
            except ValueError:
                return text

        values = {int(k.removeprefix("score_")): number(v) for k, v in typed.items() if k[6:].isdigit()}
        try:
            added = paper_scores.record_many(exam_session, values, current_user)
        except DomainError as exc:
            fail(exc)
            status = exc.status
        else:
            flash(f"已保存 {added} 条成绩录入" if added else "没有填写任何成绩", "success" if added else "info")
            return redirect(url_for("exams.paper_scores_page", session_id=session_id))
    return (
        render_template(
            "exams/paper_scores.html",
            exam_session=exam_session,
            rows=paper_scores.rows(exam_session, current_user),
            typed=typed,
            is_admin=is_admin(current_user),
        ),
        status,
    )
