"""Pages for center admins: plan a session, rooms, staff, rosters (one by one or Excel), readiness,
forms, lifecycle and printable admission tickets (准考证). Same operations as the API."""

from __future__ import annotations

from datetime import datetime

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app import assessment, timeutil
from app.auth.decorators import roles_required
from app.boundary import fail as _fail
from app.boundary import page_action
from app.errors import DomainError
from app.standards.registry import all_standards

from . import operations as ops
from .models import STAFF_LABELS, SessionStatus, StaffRole

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

ADMINS = ("center_admin", "admin")
CHINA = timeutil.CHINA  # the form's datetime-local is read as Beijing time


def _form_data() -> dict:
    """The create/edit form as the API's JSON shape."""
    form = request.form

    def minutes(name: str):
        value = form.get(name, "").strip()
        return int(value) if value.isdigit() else (None if not value else value)

    start = form.get("theory_start", "").strip()
    if start and "+" not in start[10:]:
        try:
            start = datetime.fromisoformat(start).replace(tzinfo=CHINA).isoformat()
        except ValueError:
            pass
    return {
        "name": form.get("name", ""),
        "standard": form.get("standard", ""),
        "level": form.get("level", ""),
        "theory_start": start,
        "center": form.get("center"),
    } | {c.minutes_key: minutes(c.minutes_key) for c in assessment.all_components()}


def _local(value: datetime | None) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else ""


@bp.app_template_filter("beijing")
def beijing(value: datetime | None) -> str:
    return _local(value)


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
    data = {}
    if request.method == "POST":
        data = _form_data()
        try:
            session = ops.create_session(current_user, data)
        except DomainError as exc:
            _fail(exc)
        else:
            flash("考试批次已创建", "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template("sessions/form.html", data=data, session=None, standards=all_standards())


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
        try:
            ops.update_session(session, data)
        except DomainError as exc:
            _fail(exc)
        else:
            flash("已保存", "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template("sessions/form.html", data=data, session=session, standards=all_standards())


@bp.get("/<int:session_id>")
@roles_required(*ADMINS)
def detail(session_id: int):
    session = ops.get_session(session_id, current_user)
    ops.sync_clock(session)
    return render_template(
        "sessions/detail.html",
        s=session,
        standard=ops.standard_of(session),
        components=assessment.session_components(session),
        component_labels=assessment.labels(),
        sections=[html for c in assessment.session_components(session) if (html := c.session_section(session))],
        readiness=ops.readiness(session),
        staff_labels=STAFF_LABELS,
        staff_roles=list(StaffRole),
        status=SessionStatus,
        rooms={r.id: r for r in session.rooms},
    )


def _act(session_id: int, action, success: str):
    """One page action on a session: a failure rolls back, is flashed, and the page is shown again."""
    session = ops.get_session(session_id, current_user)
    return page_action(lambda: action(session), url_for("sessions.detail", session_id=session_id), success)


def _int_or_none(value: str | None):
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else (None if not value else value)


@bp.post("/<int:session_id>/rooms")
@roles_required(*ADMINS)
def add_room(session_id: int):
    form = request.form
    data = {
        "name": form.get("name", ""),
        "kind": form.get("kind"),
        "capacity": _int_or_none(form.get("capacity")),
        "stations": _int_or_none(form.get("stations")),
    }
    return _act(session_id, lambda s: ops.add_room(s, data), "考场已添加")


@bp.post("/<int:session_id>/staff")
@roles_required(*ADMINS)
def add_staff(session_id: int):
    form = request.form
    data = {
        "username": form.get("username", ""),
        "role": form.get("role"),
        "room": _int_or_none(form.get("room")),
        "panel": form.get("panel") or None,
    }
    return _act(session_id, lambda s: ops.add_staff(s, data), "人员已安排")


@bp.post("/<int:session_id>/staff/<int:assignment_id>/delete")
@roles_required(*ADMINS)
def remove_staff(session_id: int, assignment_id: int):
    return _act(session_id, lambda s: ops.remove_staff(s, assignment_id), "已移除")


@bp.post("/<int:session_id>/candidates")
@roles_required(*ADMINS)
def add_candidate(session_id: int):
    username, room = request.form.get("username", ""), _int_or_none(request.form.get("room"))
    return _act(session_id, lambda s: ops.enroll(s, username, room), "考生已报名并安排座位")


@bp.post("/<int:session_id>/candidates/<int:enrollment_id>/delete")
@roles_required(*ADMINS)
def remove_candidate(session_id: int, enrollment_id: int):
    return _act(session_id, lambda s: ops.remove_candidate(s, enrollment_id), "已移除考生")


@bp.post("/<int:session_id>/import")
@roles_required(*ADMINS)
def import_roster(session_id: int):
    upload = request.files.get("file")
    content = upload.read() if upload else b""

    def run(session):
        enrolled = ops.import_roster(session, content)
        flash(f"已导入 {len(enrolled)} 名考生", "success")

    return _act(session_id, run, "")


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

    return _act(session_id, lambda s: ops.advance(s, target), "状态已更新")


@bp.get("/<int:session_id>/tickets")
@roles_required(*ADMINS)
def tickets(session_id: int):
    session = ops.get_session(session_id, current_user)

    def qr(text: str) -> Markup:
        return Markup(segno.make(text, error="m").svg_inline(scale=3, border=1))  # noqa: S704 - segno's own SVG

    return render_template("sessions/tickets.html", s=session, qr=qr, standard=ops.standard_of(session))
