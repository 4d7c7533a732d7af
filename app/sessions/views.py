"""Pages for center admins: plan a session, rooms, staff, rosters (one by one or Excel), readiness,
forms, lifecycle and printable admission tickets (准考证). Same operations as the API."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import assessment, timeutil
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.boundary import fail as _fail
from app.errors import DomainError
from app.qrcodes import ticket_qr
from app.standards.choices import grouped_level_choices, split_target

from . import operations as ops
from .models import STAFF_LABELS, SessionStatus, StaffRole

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

CHINA = timeutil.CHINA  # the form's datetime-local is read as Beijing time


def _whole(value: str | None):
    """A typed number as int (negative too, so "-5" reads "不能小于 1", not "必须是整数"); blank → None."""
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else (None if not value else value)


def _form_data() -> dict:
    """The create/edit form as the API's JSON shape. The standard and its level come as one choice
    (``target`` = "3-01-01-04|四级"), so a level always belongs to the chosen standard."""
    form = request.form
    standard, level = form.get("standard", ""), form.get("level", "")
    if form.get("target"):
        standard, level = split_target(form["target"])
    start = form.get("theory_start", "").strip()
    if start and "+" not in start[10:]:
        try:
            start = datetime.fromisoformat(start).replace(tzinfo=CHINA).isoformat()
        except ValueError:
            pass
    return {
        "name": form.get("name", ""),
        "standard": standard,
        "level": level,
        "theory_start": start,
        "center": form.get("center"),
    } | {c.minutes_key: _whole(form.get(c.minutes_key)) for c in assessment.all_components()}


def _past_start(data: dict) -> str | None:
    """A warning when the typed start lies in the past, unless the admin ticked to confirm it."""
    if request.form.get("confirm_past"):
        return None
    try:
        start = ops.parse_datetime(data.get("theory_start"), "theory_start")
    except DomainError:
        return None  # the operation names the error
    if start < timeutil.utcnow():
        return (
            f"理论考试开始时间 {timeutil.beijing(start)}（北京时间）已经过去：保存后批次会立即开考"
            "（分配试卷后）或直接结束。请改正时间，或勾选“开始时间已过，仍然保存”。"
        )
    return None


def _render_form(data: dict, session, warning: str | None = None, status: int = 200):
    typed = data.get("standard", "") + "|" + data.get("level", "") if data.get("standard") else ""
    return (
        render_template(
            "sessions/form.html",
            data=data,
            session=session,
            targets=grouped_level_choices(),
            target=typed,
            warning=warning,
        ),
        status,
    )


@bp.get("/")
@roles_required(*ADMINS)
def index():
    sessions = ops.list_sessions(current_user)
    for s in sessions:
        ops.sync_clock(s)
    return render_template("sessions/index.html", sessions=sessions)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new():
    data: dict = {}
    if request.method == "POST":
        data = _form_data()
        warning = _past_start(data)
        if warning:
            return _render_form(data, None, warning, 422)
        try:
            session = ops.create_session(current_user, data)
        except DomainError as exc:
            _fail(exc)
            return _render_form(data, None, status=exc.status)
        flash("考试批次已创建", "success")
        return redirect(url_for("sessions.detail", session_id=session.id))
    return _render_form(data, None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit(session_id: int):
    session = ops.get_session(session_id, current_user)
    data = {
        "name": session.name,
        "theory_start": session.theory_start.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M"),
    } | {c.minutes_key: session.minutes_for(c.key) for c in assessment.all_components()}
    if request.method == "POST":
        data = _form_data()
        warning = _past_start(data)
        if warning:
            return _render_form(data, session, warning, 422)
        try:
            ops.update_session(session, data)
        except DomainError as exc:
            _fail(exc)
            session = ops.get_session(session_id, current_user)
            return _render_form(data, session, status=exc.status)
        flash("已保存", "success")
        return redirect(url_for("sessions.detail", session_id=session.id))
    return _render_form(data, session)


def _detail(session_id: int, typed: dict | None = None, status: int = 200):
    session = ops.get_session(session_id, current_user)
    ops.sync_clock(session)
    return (
        render_template(
            "sessions/detail.html",
            s=session,
            standard=ops.standard_of(session),
            components=assessment.session_components(session),
            component_labels=assessment.labels(),
            sections=[html for c in assessment.session_components(session) if (html := c.session_section(session))],
            readiness=ops.readiness(session),
            actions=ops.available_actions(session),
            next_step=ops.next_step(session),
            staff_labels=STAFF_LABELS,
            staff_roles=[r for r in StaffRole if r != StaffRole.reviewer or "review" in ops.components_of(session)],
            status=SessionStatus,
            rooms={r.id: r for r in session.rooms},
            typed=typed or {},
        ),
        status,
    )


@bp.get("/<int:session_id>")
@roles_required(*ADMINS)
def detail(session_id: int):
    return _detail(session_id)


def _act(session_id: int, action, success, form: str | None = None):
    """Run one page action. On failure nothing is kept (rollback) and the page is shown again with
    the message and, for the form named ``form``, what was typed (so nothing needs retyping)."""
    session = ops.get_session(session_id, current_user)
    try:
        result = action(session)
    except DomainError as exc:
        _fail(exc)
        if form:
            return _detail(session_id, {form: request.form}, exc.status)
    else:
        message = success(result) if callable(success) else success
        if message:
            flash(message, "success")
    return redirect(url_for("sessions.detail", session_id=session_id))


@bp.post("/<int:session_id>/rooms")
@roles_required(*ADMINS)
def add_room(session_id: int):
    form = request.form
    data = {
        "name": form.get("name", ""),
        "kind": form.get("kind"),
        "capacity": _whole(form.get("capacity")),
        "stations": _whole(form.get("stations")),
    }
    return _act(session_id, lambda s: ops.add_room(s, data), "考场已添加", form="room")


@bp.post("/<int:session_id>/staff")
@roles_required(*ADMINS)
def add_staff(session_id: int):
    form = request.form
    data = {
        "username": form.get("username", ""),
        "role": form.get("role"),
        "room": _whole(form.get("room")),
        "panel": form.get("panel") or None,
    }
    return _act(
        session_id,
        lambda s: ops.add_staff(s, data),
        lambda a: f"已安排 {a.user.display_name} 为{STAFF_LABELS[a.role]}" + (f"（{a.room.name}）" if a.room else ""),
        form="staff",
    )


@bp.post("/<int:session_id>/staff/<int:assignment_id>/delete")
@roles_required(*ADMINS)
def remove_staff(session_id: int, assignment_id: int):
    return _act(session_id, lambda s: ops.remove_staff(s, assignment_id), "已移除")


@bp.post("/<int:session_id>/candidates")
@roles_required(*ADMINS)
def add_candidate(session_id: int):
    username, room = request.form.get("username", ""), _whole(request.form.get("room"))

    def done(e) -> str:
        if e.room is None:
            return f"{e.user.display_name} 已报名（准考证号 {e.ticket_no}），尚未安排考场和座位"
        return f"{e.user.display_name} 已报名，{e.room.name} 第 {e.seat} 座（准考证号 {e.ticket_no}）"

    return _act(session_id, lambda s: ops.enroll(s, username, room), done, form="candidate")


@bp.post("/<int:session_id>/candidates/<int:enrollment_id>/delete")
@roles_required(*ADMINS)
def remove_candidate(session_id: int, enrollment_id: int):
    return _act(session_id, lambda s: ops.remove_candidate(s, enrollment_id), "已移除考生")


@bp.post("/<int:session_id>/import")
@roles_required(*ADMINS)
def import_roster(session_id: int):
    upload = request.files.get("file")
    content = upload.read() if upload else b""
    filename = upload.filename if upload else ""
    return _act(
        session_id, lambda s: ops.import_roster(s, content, filename), lambda enrolled: f"已导入 {len(enrolled)} 名考生"
    )


@bp.post("/<int:session_id>/papers")
@roles_required(*ADMINS)
def assign_papers(session_id: int):
    form = request.form

    def number(name: str, cast):
        value = form.get(name, "").strip()
        try:
            return cast(value) if value else None
        except ValueError:
            return value

    data = {"forms": number("forms", int), "max_overlap": number("max_overlap", float), "seed": number("seed", int)}
    return _act(session_id, lambda s: ops.assign_papers(s, data, current_user), "已组卷并分配试卷")


@bp.post("/<int:session_id>/status")
@roles_required(*ADMINS)
def advance(session_id: int):
    target = request.form.get("status", "")

    def run(session):
        if target == "open":
            return ops.open_now(session)
        return ops.advance(session, target)  # each component closes what ran past its deadline first

    return _act(session_id, run, lambda s: f"批次状态：{s.status.label}")


@bp.get("/<int:session_id>/tickets")
@roles_required(*ADMINS)
def tickets(session_id: int):
    session = ops.get_session(session_id, current_user)

    return render_template("sessions/tickets.html", s=session, qr=ticket_qr, standard=ops.standard_of(session))
