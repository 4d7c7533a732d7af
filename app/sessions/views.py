"""Pages for center admins: plan a session, rooms, staff, rosters (one by one or Excel), readiness,
forms, lifecycle and printable admission tickets (准考证). Same operations as the API."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import assessment, timeutil
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.boundary import fail as _fail
from app.eligibility.identity import identity_of, photo_path
from app.errors import DomainError, NotFound
from app.extensions import db
from app.qrcodes import ticket_qr
from app.standards.choices import grouped_level_choices
from scoring.certificates import mask_id

from . import enrolment, held_certificates, lifecycle, planning, readiness_report, staffing, staffing_exceptions
from .forms import CHINA, RoomForm, SessionForm, form_data, paper_standards, whole
from .models import STAFF_LABELS, SessionStatus, StaffRole

bp = Blueprint("sessions", __name__, url_prefix="/sessions")


def _past_start(data: dict, form: SessionForm) -> str | None:
    """A warning when the typed start lies in the past, unless the admin ticked to confirm it."""
    if form.confirm_past.data:
        return None
    try:
        start = planning.parse_datetime(data.get("theory_start"), "theory_start")
    except DomainError:
        return None  # the operation names the error
    if start < timeutil.utcnow():
        return (
            f"理论考试开始时间 {timeutil.beijing(start)}（北京时间）已经过去：保存后批次会立即开考"
            "（分配试卷后）或直接结束。请改正时间，或勾选“开始时间已过，仍然保存”。"
        )
    return None


# The session form's fields by the labels it shows (the operation's ``standard``/``level`` are one choice).
SESSION_FIELDS = {
    "name": "批次名称",
    "target": "职业标准与等级",
    "theory_mode": "理论知识考试方式",
    "center": "机构名称",
    "theory_start": "理论考试开始时间",
    "theory_minutes": "理论知识考试时长（分钟）",
    "practical_minutes": "操作技能考核时长（分钟）",
    "review_minutes": "综合评审时长（分钟）",
    "practical_start": "操作技能考核开始时间",
    "practical_place": "操作技能考核地点",
}


def _beside(exc: DomainError, labels: dict, field: str | None = None, prefix: str = "") -> dict:
    """A refusal as ``{field id: [message]}`` when it names one of ``labels``' fields (rolled back, not
    flashed: the page shows it beside the field); else flashed above the page and ``{}``."""
    field = field or exc.details.get("field")
    if field in labels:
        db.session.rollback()
        return {f"{prefix}{field}": [exc.message]}
    _fail(exc)
    return {}


def _render_form(data: dict, exam_session, warning: str | None = None, status: int = 200, errors=None):
    typed = data.get("standard", "") + "|" + data.get("level", "") if data.get("standard") else ""
    return (
        render_template(
            "sessions/form.html",
            data=data,
            exam_session=exam_session,
            targets=grouped_level_choices(),
            target=typed,
            paper_standards=paper_standards(),
            warning=warning,
            errors=errors or {},
            labels=SESSION_FIELDS,
        ),
        status,
    )


def _session_errors(exc: DomainError) -> dict:
    field = exc.details.get("field")
    return _beside(exc, SESSION_FIELDS, "target" if field in ("standard", "level") else field)


def _local(moment) -> str:
    """A stored time as the datetime-local field shows it (Beijing time); blank for None."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M") if moment else ""


@bp.get("/")
@roles_required(*ADMINS)
def index():
    return render_template("sessions/index.html", sessions=planning.list_sessions(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new():
    data: dict = {}
    if request.method == "POST":
        form = SessionForm()
        data = form_data(form)
        warning = _past_start(data, form)
        if warning:
            return _render_form(data, None, warning, 422)
        try:
            exam_session = planning.create_session(current_user, data)
        except DomainError as exc:
            return _render_form(data, None, status=exc.status, errors=_session_errors(exc))
        flash("考试批次已创建", "success")
        return redirect(url_for("sessions.detail", session_id=exam_session.id))
    return _render_form(data, None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit(session_id: int):
    exam_session = planning.get_session(session_id, current_user)
    data = {
        "name": exam_session.name,
        "theory_start": _local(exam_session.theory_start),
        "practical_start": _local(exam_session.practical_start),
        "practical_place": exam_session.practical_place or "",
    } | {c.minutes_key: exam_session.minutes_for(c.key) for c in assessment.session_kinds()}
    if request.method == "POST":
        form = SessionForm()
        data = form_data(form)
        warning = _past_start(data, form)
        if warning:
            return _render_form(data, exam_session, warning, 422)
        try:
            planning.update_session(exam_session, data)
        except DomainError as exc:
            errors = _session_errors(exc)
            exam_session = planning.get_session(session_id, current_user)
            return _render_form(data, exam_session, status=exc.status, errors=errors)
        flash("已保存", "success")
        return redirect(url_for("sessions.detail", session_id=exam_session.id))
    return _render_form(data, exam_session)


# The page's words for the lifecycle's action codes: the button, and the question it confirms.
ACTION_WORDS = {
    lifecycle.OPEN_NOW: (
        "立即开考",
        "理论考试原定 {start} 开始。现在开考，考生即可进入考试，考试时长仍为 {minutes} 分钟。确定开考？",
    ),
    lifecycle.CLOSE_THEORY: ("结束理论考试", "结束后考生不能再进入考试。确定结束？"),
    lifecycle.START_SCORING: ("开始评分", "开始评分后不能再作答。确定开始评分？"),
}


def _action_buttons(exam_session) -> list[dict]:
    buttons = []
    for code in lifecycle.available_actions(exam_session):
        label, confirm = ACTION_WORDS[code]
        start, minutes = timeutil.beijing(exam_session.theory_start), exam_session.theory_minutes
        buttons.append({"target": code, "label": label, "confirm": confirm.format(start=start, minutes=minutes)})
    return buttons


def _detail(session_id: int, typed: dict | None = None, status: int = 200):
    exam_session = planning.get_session(session_id, current_user)
    components = assessment.session_components(exam_session)
    return (
        render_template(
            "sessions/detail.html",
            exam_session=exam_session,
            standard=planning.standard_of(exam_session),
            components=components,
            component_labels=assessment.labels(),
            sections=[html for c in components if (html := c.session_section(exam_session))],
            readiness=readiness_report.readiness(exam_session),
            staffing_problems=staffing_exceptions.staffing_problems(exam_session),
            actions=_action_buttons(exam_session),
            next_step=lifecycle.next_step(exam_session),
            staff_labels=STAFF_LABELS,
            staff_roles=[
                r for r in StaffRole if r != StaffRole.reviewer or "review" in planning.components_of(exam_session)
            ],
            status=SessionStatus,
            rooms={r.id: r for r in exam_session.rooms},
            closed=lifecycle.is_closed(exam_session),
            typed=typed or {},
            open_reason_max=staffing_exceptions.MAX_REASON,
            held_reason_max=held_certificates.MAX_REASON,
        ),
        status,
    )


@bp.get("/<int:session_id>")
@roles_required(*ADMINS)
def detail(session_id: int):
    return _detail(session_id)


# The fields of the session page's forms, by form, with the labels the page shows them under: a
# refusal naming one of them is shown beside it (issue 27 item 5), the others above the page.
FORM_FIELDS = {
    "room": {
        "name": "考场名称",
        "kind": "类型",
        "room_type": "理论考场类别",
        "capacity": "容量",
        "stations": "考核工位数",
    },
    "staff": {"username": "用户名", "role": "职责", "room": "考场", "panel": "考评小组"},
    "candidate": {"username": "考生用户名", "room": "考场", "capacity_reason": "超员理由", "reason": "再次报名理由"},
    "papers": {"reason": "重新组卷的理由", "forms": "套数", "max_overlap": "最大重题率", "seed": "随机种子"},
    "open": {"reason": "书面理由"},
}


def _act(session_id: int, action, success, form: str | None = None):
    """Run one page action. On failure nothing is kept (rollback). For the form named ``form`` the page
    is shown again with what was typed (nothing needs retyping) and the message beside the field it
    names, by its label, and in a summary above the form; other refusals are flashed."""
    exam_session = planning.get_session(session_id, current_user)
    try:
        result = action(exam_session)
    except DomainError as exc:
        if not form:
            _fail(exc)
            return redirect(url_for("sessions.detail", session_id=session_id))
        labels = FORM_FIELDS[form]
        typed = {
            form: request.form,
            "error": exc.code,
            "errors": _beside(exc, labels, prefix=f"{form}-"),
            "labels": {f"{form}-{name}": label for name, label in labels.items()},
        }
        return _detail(session_id, typed, exc.status)
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    return redirect(url_for("sessions.detail", session_id=session_id))


@bp.post("/<int:session_id>/rooms")
@roles_required(*ADMINS)
def add_room(session_id: int):
    form = RoomForm()
    data = {
        "name": form.name.data or "",
        "kind": form.kind.data,
        "capacity": whole(form.capacity.data),
        "stations": whole(form.stations.data),
        "room_type": form.room_type.data or None,
    }
    return _act(session_id, lambda exam_session: planning.add_room(exam_session, data), "考场已添加", form="room")


@bp.post("/<int:session_id>/staff")
@roles_required(*ADMINS)
def add_staff(session_id: int):
    form = request.form
    data = {
        "username": form.get("username", ""),
        "role": form.get("role"),
        "room": whole(form.get("room")),
        "panel": form.get("panel") or None,
    }
    return _act(
        session_id,
        lambda exam_session: staffing.add_staff(exam_session, data, room_required=True),
        lambda a: f"已安排 {a.user.display_name} 为{STAFF_LABELS[a.role]}" + (f"（{a.room.name}）" if a.room else ""),
        form="staff",
    )


@bp.post("/<int:session_id>/staff/<int:assignment_id>/delete")
@roles_required(*ADMINS)
def remove_staff(session_id: int, assignment_id: int):
    return _act(session_id, lambda exam_session: staffing.remove_staff(exam_session, assignment_id), "已移除")


@bp.post("/<int:session_id>/candidates")
@roles_required(*ADMINS)
def add_candidate(session_id: int):
    username, room = request.form.get("username", ""), whole(request.form.get("room"))
    capacity_reason = request.form.get("capacity_reason")  # issue 28: asked for once the room is full
    reason = request.form.get("reason")  # 再次报名理由: asked for a candidate already certified at this level

    def done(enrollment) -> str:
        name, ticket = enrollment.user.display_name, enrollment.ticket_no
        held = "".join(f"。注意：{w['message']}（理由已记入审计日志）" for w in enrollment.warnings)
        if enrollment.room is None:
            return f"{name} 已报名（准考证号 {ticket}），尚未安排考场和座位{held}"
        return f"{name} 已报名，{enrollment.room.name} 第 {enrollment.seat} 座（准考证号 {ticket}）{held}"

    def run(exam_session):
        return enrolment.enroll(
            exam_session, username, room, capacity_reason=capacity_reason, reason=reason, require_reason=True
        )

    return _act(session_id, run, done, form="candidate")


@bp.post("/<int:session_id>/candidates/<int:enrollment_id>/delete")
@roles_required(*ADMINS)
def remove_candidate(session_id: int, enrollment_id: int):
    return _act(session_id, lambda exam_session: enrolment.remove_candidate(exam_session, enrollment_id), "已移除考生")


@bp.post("/<int:session_id>/import")
@roles_required(*ADMINS)
def import_roster(session_id: int):
    upload = request.files.get("file")
    content = upload.read() if upload else b""
    filename = upload.filename if upload else ""
    return _act(
        session_id,
        lambda exam_session: enrolment.import_roster(exam_session, content, filename),
        lambda enrolled: f"已导入 {len(enrolled)} 名考生",
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
    data["reason"] = form.get("reason")  # 重新组卷: required on the page, kept in the audit log

    def run(exam_session):
        return enrolment.assign_papers(exam_session, data, current_user, reason_required=True)

    return _act(session_id, run, "已组卷并分配试卷", form="papers")


@bp.post("/<int:session_id>/status")
@roles_required(*ADMINS)
def advance(session_id: int):
    target = request.form.get("status", "")

    def run(exam_session):
        if target == lifecycle.OPEN_NOW:
            # 1.9.3: 开考 below the standard's staffing asks for a written reason (kept, audited)
            staffing_exceptions.require_reason(exam_session, "open", request.form.get("reason"), current_user)
            return lifecycle.open_now(exam_session)
        return lifecycle.advance(exam_session, target)  # each component closes what ran past its deadline first

    # 开考 with its written reason: a refusal keeps the reason typed (the other steps carry no text)
    form = "open" if target == lifecycle.OPEN_NOW else None
    return _act(session_id, run, lambda exam_session: f"批次状态：{exam_session.status.label}", form=form)


@bp.get("/<int:session_id>/tickets")
@roles_required(*ADMINS)
def tickets(session_id: int):
    """The center's printed 准考证 with each candidate's photo and 证件号码 (issue 27 item 10), the
    number masked: these sheets are handed out and read at the door (the candidate's own page shows it)."""
    exam_session = planning.get_session(session_id, current_user)
    cards = []
    for enrollment in exam_session.enrollments:
        identity = identity_of(enrollment.user)
        photo = url_for("sessions.candidate_photo", session_id=session_id, enrollment_id=enrollment.id)
        cards.append((enrollment, identity, mask_id(identity.id_number), photo if identity.photo else None))
    return render_template(
        "sessions/tickets.html",
        exam_session=exam_session,
        qr=ticket_qr,
        standard=planning.standard_of(exam_session),
        cards=cards,
    )


@bp.get("/<int:session_id>/candidates/<int:enrollment_id>/photo")
@roles_required(*ADMINS)
def candidate_photo(session_id: int, enrollment_id: int):
    """An enrolled candidate's photo for the printed 准考证 (the session's own center only: 404 else)."""
    exam_session = planning.get_session(session_id, current_user)
    enrollment = next((e for e in exam_session.enrollments if e.id == enrollment_id), None)
    if enrollment is None:
        raise NotFound("考生不在本批次")
    response = send_file(photo_path(identity_of(enrollment.user).photo), mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:session_id>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_room(session_id: int, room_id: int):
    """Correct a room (issue 27 item 6); a failure shows the form again with what was typed."""
    exam_session = planning.get_session(session_id, current_user)
    room = planning.get_room(exam_session, room_id)
    typed = {"name": room.name, "kind": room.kind.value, "capacity": room.capacity, "stations": room.stations}
    typed["room_type"] = room.room_type.value if room.room_type else ""
    status, errors = 200, {}
    if request.method == "POST":
        form = RoomForm()
        typed = {
            "name": form.name.data or "",
            "kind": form.kind.data,
            "capacity": whole(form.capacity.data),
            "stations": whole(form.stations.data),
            "room_type": form.room_type.data or None,
        }
        try:
            planning.update_room(exam_session, room, typed)
        except DomainError as exc:
            errors, status = _beside(exc, FORM_FIELDS["room"]), exc.status
        else:
            flash(f"考场「{room.name}」已保存", "success")
            return redirect(url_for("sessions.detail", session_id=session_id))
    seated = len([e for e in exam_session.enrollments if e.room_id == room.id])
    return (
        render_template(
            "sessions/room_form.html",
            exam_session=exam_session,
            room=room,
            typed=typed,
            seated=seated,
            errors=errors,
            labels=FORM_FIELDS["room"],
        ),
        status,
    )


@bp.post("/<int:session_id>/rooms/<int:room_id>/delete")
@roles_required(*ADMINS)
def delete_room(session_id: int, room_id: int):
    def run(exam_session):
        room = planning.get_room(exam_session, room_id)
        name = room.name
        planning.delete_room(exam_session, room)
        return name

    return _act(session_id, run, lambda name: f"考场「{name}」已删除")


@bp.post("/<int:session_id>/delete")
@roles_required(*ADMINS)
def delete_session(session_id: int):
    """Delete a draft session (issue 27 item 6), audit-logged; anything past 草稿 answers with the reason."""
    exam_session = planning.get_session(session_id, current_user)
    name = exam_session.name
    try:
        planning.delete_session(exam_session)
    except DomainError as exc:
        _fail(exc)
        return redirect(url_for("sessions.detail", session_id=session_id))
    flash(f"草稿批次「{name}」已删除", "success")
    return redirect(url_for("sessions.index"))
