"""Pages of the machine exam: the candidate's exams and exam page (static/js/exam.js), and the
proctor's room page (state of every candidate; extension, incident, force-close — all logged)."""

from __future__ import annotations

import click
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import assessment, timeutil
from app.auth.decorators import roles_required
from app.boundary import page_action
from app.errors import Invalid, NotFound
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession, SessionStatus
from app.sessions.operations import sync_clock

from . import operations as ops
from .models import CLOSE_LABELS, Attempt

bp = Blueprint("exams", __name__, url_prefix="/exams")

PROCTORS = ("proctor", "center_admin", "admin")


@bp.get("/")
@roles_required("candidate")
def my_exams():
    now = timeutil.utcnow()
    rows = []
    for e in db.session.scalars(select(Enrollment).where(Enrollment.user_id == current_user.id)):
        session = e.session
        sync_clock(session, now)
        attempt = db.session.scalar(select(Attempt).where(Attempt.enrollment_id == e.id))
        if attempt is not None:
            ops.close_if_expired(attempt, now)
        deadline = ops.deadline_of(session, e.id)
        carried = not assessment.sits(e, "theory")  # 成绩保留: theory kept from an earlier pass
        can_enter = (
            not carried
            and e.paper_id is not None
            and session.status not in {SessionStatus.draft, SessionStatus.scoring, SessionStatus.published}
            and session.theory_start <= now < deadline
            and (attempt is None or attempt.is_open)
        )
        rows.append(
            {"e": e, "s": session, "attempt": attempt, "deadline": deadline, "can_enter": can_enter, "carried": carried}
        )
    return render_template("exams/my_exams.html", rows=rows, now=now, status=SessionStatus)


@bp.get("/<int:session_id>/take")
@roles_required("candidate")
def take(session_id: int):
    session = db.session.get(ExamSession, session_id)
    if session is None:
        raise NotFound("考试批次不存在")
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.session_id == session_id, Enrollment.user_id == current_user.id)
    )
    if enrollment is None:
        raise NotFound("您未报名本考试批次")
    return render_template("exams/take.html", s=session, e=enrollment)


@bp.get("/proctor")
@roles_required(*PROCTORS)
def proctor_rooms():
    rooms = ops.proctor_rooms(current_user)
    return render_template("exams/proctor_rooms.html", rooms=rooms)


@bp.get("/rooms/<int:room_id>")
@roles_required(*PROCTORS)
def room(room_id: int):
    now = timeutil.utcnow()
    room = ops.get_room(room_id, current_user)
    rows = ops.room_status(room, now)
    return render_template(
        "exams/room.html", room=room, rows=rows, now=now, labels=ops.STATE_LABELS, close_labels=CLOSE_LABELS
    )


@bp.post("/rooms/<int:room_id>/candidates/<username>/<action>")
@roles_required(*PROCTORS)
def act(room_id: int, username: str, action: str):
    now = timeutil.utcnow()
    room = ops.get_room(room_id, current_user)
    reason = request.form.get("reason", "")

    def run() -> str:
        enrollment = ops.candidate_in_session(room.session_id, username, current_user)
        if action == "extension":
            minutes = request.form.get("minutes", "")
            ops.grant_extension(enrollment, int(minutes) if minutes.isdigit() else minutes, reason, current_user, now)
            return f"已为 {username} 延长 {minutes} 分钟"
        if action == "incident":
            ops.record_incident(enrollment, reason, current_user, now)
            return f"已记录 {username} 的违纪情况"
        if action == "force-close":
            ops.force_close(enrollment, reason, current_user, now)
            return f"已强制收取 {username} 的答卷"
        raise Invalid("未知操作", field="action")

    return page_action(run, url_for("exams.room", room_id=room_id), lambda message: message)


@bp.cli.command("close-expired")
def close_expired_command():
    """收取所有已过截止时间的答卷并评分（按已保存的答案）。"""
    closed = ops.sweep()
    db.session.commit()
    click.echo(f"已收卷 {closed} 份。")
