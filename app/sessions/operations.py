"""Session operations shared by the pages and the API: plan, staff, enrol, seat, assemble, advance.

Operations only flush; the request boundary commits. Every rule that comes from a standard is
read from the registry (``Standard.assessment``), never written here as a number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app import assessment, timeutil
from app.audit.operations import record
from app.auth.models import Center, Role, User
from app.auth.scoping import get_for_center, scope_to_center
from app.continuing_education import readiness as ce_readiness
from app.eligibility.operations import has_approved_application
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.http_input import check_sane_year, one_of
from app.locking import lock_row
from app.papers.operations import assemble_papers
from app.spreadsheets import TableRefused, read_rows
from app.standards.registry import get_level, get_standard
from app.standards.schema import Standard

from . import readiness as readiness_rules
from .models import (
    STAFF_LABELS,
    Enrollment,
    ExamSession,
    Room,
    RoomKind,
    SessionComponent,
    SessionPaper,
    SessionStatus,
    StaffAssignment,
    StaffRole,
)

# Opening and closing follow the clock; publishing belongs to POST /sessions/<id>/publish.
MANUAL_TARGETS = {SessionStatus.theory_closed, SessionStatus.scoring}
CLOSED = {SessionStatus.theory_closed, SessionStatus.scoring, SessionStatus.published}

# Messages name a field by the label the pages show; the API keeps ``details.field`` = the key.
FIELD_LABELS = {
    "name": "批次名称",
    "standard": "职业标准",
    "level": "等级",
    "theory_start": "理论考试开始时间",
    "theory_minutes": "理论知识考试时长（分钟）",
    "practical_minutes": "操作技能考核时长（分钟）",
    "review_minutes": "综合评审时长（分钟）",
    "center": "机构",
    "kind": "考场类型",
    "capacity": "容量",
    "stations": "考核工位数",
    "username": "用户名",
    "role": "职责",
    "room": "考场",
    "panel": "考评小组",
    "status": "状态",
    "file": "名单文件",
}


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


# ---------------------------------------------------------------- parsing helpers


def parse_datetime(value, field: str) -> datetime:
    """ISO 8601 with an offset; a naive time is ambiguous on an exam day and is refused."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"{label(field)}不是合法的日期时间（如 2026-12-01T09:00:00+08:00）", field=field) from None
    else:
        raise Invalid(f"{label(field)}必须填写日期时间", field=field)
    if parsed.tzinfo is None:
        raise Invalid(f"{label(field)}必须带时区偏移（如 +08:00）", field=field)
    check_sane_year(parsed, field)  # a year like 9999 would break every page that shows the session
    return parsed


def _int(value, field: str, *, minimum: int, maximum: int = 100_000, required: bool = True) -> int | None:
    if value is None:
        if required:
            raise Invalid(f"请填写{label(field)}", field=field)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{label(field)}必须是整数", field=field)
    if value < minimum:
        raise Invalid(f"{label(field)}不能小于 {minimum}", field=field)
    if value > maximum:  # minutes, capacities and stations beyond this are typos that overflow deadlines
        raise Invalid(f"{label(field)}不能大于 {maximum}", field=field)
    return value


def _text(value, field: str, *, max_length: int = 200, name: str | None = None) -> str:
    name = name or label(field)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"请填写{name}", field=field)
    if len(value.strip()) > max_length:
        raise Invalid(f"{name}不能超过 {max_length} 个字符", field=field)
    return value.strip()


# ---------------------------------------------------------------- sessions


def standard_of(session: ExamSession) -> Standard:
    return get_standard(session.standard_id)


def components_of(session: ExamSession) -> list[str]:
    return [c.key for c in assessment.session_components(session)]


def _durations(standard: Standard, level: str, data: dict) -> dict[str, int | None]:
    """Minutes per component of the level (by component key); 422 below the standard's minimum (1.9.4).

    The body names each duration by the component's ``minutes_key`` (``theory_minutes``, …);
    minutes for a component the level lacks are ignored (api-contract: Sessions)."""
    minutes: dict[str, int | None] = {}
    for component in assessment.required_components(standard, level):
        key = component.minutes_key
        # The theory window needs its length now; the other durations may be filled in later
        # (readiness flags them until then).
        value = _int(data.get(key), key, minimum=1, required=component.key == "theory")
        minimum = component.min_minutes(standard.assessment)
        if minimum is not None and value is not None and value < minimum:
            clause = standard.assessment.clauses.get("min_minutes", "1.9.4")
            raise Invalid(
                f"{component.label}时长 {value} 分钟少于标准规定的 {minimum} 分钟（{clause}）",
                field=key,
                code="duration_too_short",
            )
        minutes[component.key] = value
    return minutes


def _plan_components(session: ExamSession, minutes: dict[str, int | None]) -> None:
    """One row per component of the level, holding its planned minutes."""
    for key, value in minutes.items():
        row = session.component_row(key)
        if row is None:
            session.component_rows.append(SessionComponent(component=key, minutes=value))
        else:
            row.minutes = value


def _center_for(user: User, data: dict) -> int:
    if user.role == Role.admin:
        name = data.get("center")
        center = db.session.scalar(select(Center).where(Center.name == name)) if isinstance(name, str) else None
        if center is None:
            raise Invalid("平台管理员创建考试批次须填写已有机构的名称", field="center")
        return center.id
    if user.center_id is None:
        raise Invalid("当前用户不属于任何机构", field="center")
    return user.center_id


def create_session(user: User, data: dict) -> ExamSession:
    name = _text(data.get("name"), "name")
    standard = get_standard(data.get("standard") if isinstance(data.get("standard"), str) else "", field="standard")
    level = data.get("level")
    get_level(standard, level if isinstance(level, str) else "", field="level")
    start = parse_datetime(data.get("theory_start"), "theory_start")
    minutes = _durations(standard, level, data)
    session = ExamSession(
        center_id=_center_for(user, data),
        name=name,
        standard_id=standard.id,
        level=level,
        theory_start=start,
        status=SessionStatus.draft,
        created_by_id=user.id,
    )
    _plan_components(session, minutes)
    db.session.add(session)
    db.session.flush()
    return session


def update_session(session: ExamSession, data: dict) -> ExamSession:
    """Edit name, start and durations while nothing has been sat yet."""
    sync_clock(session)
    started = any(c.has_started(session) for c in assessment.session_components(session))
    if session.reached(SessionStatus.theory_open) or started:
        raise Conflict("理论考试已开始，不能再修改考试时间", code="session_started")
    standard = standard_of(session)
    session.name = _text(data.get("name"), "name")
    session.theory_start = parse_datetime(data.get("theory_start"), "theory_start")
    _plan_components(session, _durations(standard, session.level, data))
    db.session.flush()
    return session


def get_session(session_id: int, user: User) -> ExamSession:
    """The session, or 404 — also for another center's session (existence must not leak)."""
    return get_for_center(ExamSession, session_id, user, "考试批次不存在")


def list_sessions(user: User) -> list[ExamSession]:
    query = scope_to_center(select(ExamSession).order_by(ExamSession.theory_start.desc()), user, ExamSession.center_id)
    return list(db.session.scalars(query))


def sync_clock(session: ExamSession, now: datetime | None = None) -> ExamSession:
    """Lazy time-driven moves: a scheduled session opens at theory_start and closes at its end.

    Extensions are personal (the attempt's deadline), so the session closes on the base window.
    """
    now = now or timeutil.utcnow()
    if session.status == SessionStatus.scheduled and now >= session.theory_start:
        session.transition(SessionStatus.theory_open)
    if session.status == SessionStatus.theory_open and now >= session.theory_end:
        session.transition(SessionStatus.theory_closed)
    return session


def is_closed(session: ExamSession, now: datetime | None = None) -> bool:
    """Closed for enrolment and new rooms: the theory window is over (whatever the stored status)."""
    now = now or timeutil.utcnow()
    sync_clock(session, now)
    return session.status in CLOSED or now >= session.theory_end


# ---------------------------------------------------------------- rooms and staff


def add_room(session: ExamSession, data: dict, now: datetime | None = None) -> Room:
    if is_closed(session, now):
        raise Conflict("考试批次已结束，不能再增加考场", code="session_closed")
    name = _text(data.get("name"), "name", max_length=100, name="考场名称")
    kind = one_of(data.get("kind"), RoomKind, "kind", "考场类型必须是理论考场（theory）或操作技能考核场所（practical）")
    capacity = _int(data.get("capacity"), "capacity", minimum=1)
    stations = _int(data.get("stations"), "stations", minimum=0, required=False)
    if any(r.name == name for r in session.rooms):
        raise Invalid(f"考场名称「{name}」已存在", field="name")
    room = Room(session=session, name=name, kind=RoomKind(kind), capacity=capacity, stations=stations)
    db.session.add(room)
    db.session.flush()
    return room


def _room_of(session: ExamSession, room_id, field: str = "room") -> Room | None:
    if room_id is None:
        return None
    if isinstance(room_id, bool) or not isinstance(room_id, int):
        raise Invalid("考场必须是本批次的考场（id）或留空", field=field)
    room = db.session.get(Room, room_id)
    if room is None or room.session_id != session.id:
        raise Invalid(f"考场（id {room_id}）不属于本考试批次", field=field)
    return room


def _staff_member(session: ExamSession, username) -> User:
    """A member of the session's own center. An unknown username and another center's user get the same
    answer, so that one center cannot learn which usernames exist elsewhere."""
    if not isinstance(username, str) or not username.strip():
        raise Invalid("请填写用户名", field="username")
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or user.center_id != session.center_id or user.role == Role.admin:
        raise Invalid(f"本机构没有用户名为 {username.strip()} 的工作人员", field="username")
    if user.role == Role.candidate:
        raise Invalid(f"用户 {user.username} 是考生，不是本机构的工作人员", field="username")
    return user


# Who may take which duty (1.9.3 names 监考人员、考评人员、综合评审委员 as separate duties): the
# user's account role must match; a center admin may also proctor (the proctor pages admit them).
DUTY_ROLES = {
    StaffRole.proctor: {Role.proctor, Role.center_admin},
    StaffRole.grader: {Role.grader},
    StaffRole.reviewer: {Role.reviewer},
}


def check_role(user: User, role: StaffRole) -> None:
    """The account's role against the duty: a grader's or a reviewer's account is not a proctor's."""
    if user.role not in DUTY_ROLES[role]:
        raise Invalid(f"用户 {user.username} 是{user.role.label}，不能担任{STAFF_LABELS[role]}", field="username")


def check_duty(session: ExamSession, user: User, role: StaffRole, room: Room | None) -> None:
    """Role against duty, and the duty against the plan: a proctor watches a theory room; reviewers
    only where the level has 综合评审, graders where it has 操作技能考核 (1.9.3, components of the level).
    Assigning checks the role only (the contract lets a proctor be added before the rooms exist, with
    ``room: null``); readiness flags every assignment that does not fit its duty yet."""
    check_role(user, role)
    if role == StaffRole.proctor and (room is None or room.kind != RoomKind.theory):
        raise Invalid("监考人员还没有安排到理论考场", field="room")
    if role == StaffRole.reviewer and "review" not in components_of(session):
        raise Invalid(f"{session.level}没有综合评审，不需要综合评审委员", field="role")
    if role == StaffRole.grader and "practical" not in components_of(session):
        raise Invalid(f"{session.level}没有操作技能考核，不需要考评人员", field="role")


def add_staff(session: ExamSession, data: dict) -> StaffAssignment:
    if session.status == SessionStatus.published:
        raise Conflict("成绩已发布，不能再调整人员", code="session_published")
    user = _staff_member(session, data.get("username"))
    role = one_of(
        data.get("role"),
        StaffRole,
        "role",
        "职责必须是监考人员（proctor）、考评人员（grader）或综合评审委员（reviewer）",
    )
    room = _room_of(session, data.get("room"))
    panel = data.get("panel")
    if panel is not None and (not isinstance(panel, str) or len(panel.strip()) > 100):
        raise Invalid("考评小组必须是小组名称（不超过 100 字）或留空", field="panel")
    panel = panel.strip() or None if isinstance(panel, str) else None
    existing = db.session.scalar(
        select(StaffAssignment).where(
            StaffAssignment.session_id == session.id,
            StaffAssignment.user_id == user.id,
            StaffAssignment.role == StaffRole(role),
        )
    )
    if existing is not None:
        where = f"（{existing.room.name}）" if existing.room else ""
        raise Conflict(
            f"{user.username} 已是本批次的{STAFF_LABELS[StaffRole(role)]}{where}；要调整请先移除再安排",
            code="already_assigned",
        )
    check_role(user, StaffRole(role))
    assignment = StaffAssignment(
        session=session,
        user=user,
        role=StaffRole(role),
        room=room,
        panel=panel if role == StaffRole.grader.value else None,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def remove_staff(session: ExamSession, assignment_id: int) -> None:
    assignment = db.session.get(StaffAssignment, assignment_id)
    if assignment is None or assignment.session_id != session.id:
        raise NotFound("人员安排不存在")
    if session.status == SessionStatus.published:
        raise Conflict("成绩已发布，不能再调整人员", code="session_published")
    db.session.delete(assignment)
    db.session.flush()


def staff_of(session: ExamSession, role: StaffRole) -> list[StaffAssignment]:
    return [s for s in session.staff if s.role == role]


def grader_panels(session: ExamSession) -> dict[str | None, list[StaffAssignment]]:
    """Graders by panel name (None: the unnamed panel)."""
    panels: dict[str | None, list[StaffAssignment]] = {}
    for assignment in staff_of(session, StaffRole.grader):
        panels.setdefault(assignment.panel, []).append(assignment)
    return panels


def _roster_order(session: ExamSession) -> list[Enrollment]:
    return sorted(session.enrollments, key=lambda e: (e.room_id or 0, e.seat or 0, e.id))


def panel_for(session: ExamSession, enrollment: Enrollment) -> str | None:
    """The named panel that scores this candidate, or None when there are no named panels.

    Named panels split the candidates between them (api-contract: Sessions): in roster order
    (room, seat) the candidates are dealt to the panels, sorted by name, in contiguous blocks whose
    sizes differ by at most one, so that each panel scores one stretch of seats.
    """
    named = sorted(p for p in grader_panels(session) if p)
    if not named:
        return None
    roster = _roster_order(session)
    return named[roster.index(enrollment) * len(named) // len(roster)]


def graders_for(session: ExamSession, enrollment: Enrollment) -> list[User]:
    """Who scores this candidate: the unnamed panel (scores everyone) plus their named panel, if any."""
    panels = grader_panels(session)
    members = list(panels.get(None, []))
    panel = panel_for(session, enrollment)
    if panel:
        members += panels[panel]
    return [m.user for m in members]


# ---------------------------------------------------------------- candidates


def _next_seat(room: Room) -> int:
    top = db.session.scalar(select(func.max(Enrollment.seat)).where(Enrollment.room_id == room.id))
    return (top or 0) + 1


def _ticket_no(session: ExamSession) -> str:
    count = db.session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.session_id == session.id))
    return f"{session.theory_start:%y%m%d}{session.id:04d}{(count or 0) + 1:04d}"


def _form_for(enrollment: Enrollment, index: int, forms: int) -> int:
    """Seat n sits form (n-1) mod k: adjacent seats in a room always differ when k >= 2."""
    position = (enrollment.seat - 1) if enrollment.seat else index
    return position % forms


def _not_approved(session: ExamSession, username: str) -> Conflict:
    return Conflict(
        f"考生 {username} 没有经本机构审核通过的 {session.standard_id} {session.level} 申报",
        code="not_approved",
    )


def _candidate_named(session: ExamSession, username) -> User:
    """The candidate to enrol. An unknown username answers exactly like a candidate without an approved
    application this center may use (409), so that one center cannot learn which usernames exist elsewhere;
    only the center's own users get "not a candidate"."""
    if not isinstance(username, str) or not username.strip():
        raise Invalid("用户名不能为空", field="username")
    username = username.strip()
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise _not_approved(session, username)
    if user.role != Role.candidate:
        if user.center_id == session.center_id:
            raise Invalid(f"用户 {user.username} 不是考生", field="username")
        raise _not_approved(session, username)
    return user


def _check_enrollable(session: ExamSession, user: User, now: datetime | None = None) -> None:
    if is_closed(session, now):
        raise Conflict("考试批次已结束，不能再报名", code="session_closed")
    # Only an application approved by this session's own center, or one of this center's own candidates,
    # lets the center enrol (and then see the candidate's name, ticket and exam state).
    if not has_approved_application(user.id, session.standard_id, session.level, for_center_id=session.center_id):
        raise _not_approved(session, user.username)
    if db.session.scalar(
        select(Enrollment.id).where(Enrollment.session_id == session.id, Enrollment.user_id == user.id)
    ):
        raise Conflict(f"考生 {user.username} 已在本批次", code="already_enrolled")


def enroll(session: ExamSession, username, room_id=None, now: datetime | None = None) -> Enrollment:
    """Enrol one candidate (only with an approved application — else 409) and seat them.

    ``now`` defaults to the server clock (the demo passes the time it is replaying)."""
    user = _candidate_named(session, username)
    room = _room_of(session, room_id)
    # Enrolments of one session one at a time (issue 11): the same candidate twice finds the first
    # enrolment (409), two candidates into one room get the next seat and ticket each (never a 500).
    lock_row(session, key_share=True)
    _check_enrollable(session, user, now)
    seat = _next_seat(room) if room is not None else None
    # 成绩保留: passes of this standard and level published within 365 days are kept (results domain).
    carried = assessment.carry_for(user.id, session.standard_id, session.level, now or timeutil.utcnow())
    enrollment = Enrollment(
        session=session, user=user, room=room, seat=seat, ticket_no=_ticket_no(session), carried=carried
    )
    db.session.add(enrollment)
    db.session.flush()
    forms = session.forms
    if forms and assessment.sits(enrollment, "theory"):
        index = len(session.enrollments) - 1
        chosen = forms[_form_for(enrollment, index, len(forms))]
        enrollment.form, enrollment.paper_id = chosen.form, chosen.paper_id
        db.session.flush()
    return enrollment


def read_roster(content: bytes, filename: str = "roster.xlsx") -> list[dict]:
    """Rows of a roster (.xlsx or .csv): column 用户名 (username) and optional 考场 (room name)."""
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
        rows.append({"row": number, "username": cells[0], "room": cells[1] if len(cells) > 1 else ""})
    return rows


def import_roster(session: ExamSession, content: bytes, filename: str = "roster.xlsx") -> list[Enrollment]:
    """All rows or none: every bad row is listed in the error's details and nothing is stored."""
    rows = read_roster(content, filename)
    if not rows:
        raise Invalid("名单文件中没有考生", field="file")
    rooms = {r.name: r for r in session.rooms}
    errors, seen, plan = [], set(), []
    for row in rows:
        try:
            if row["username"] in seen:
                raise Invalid(f"用户 {row['username']} 在名单中重复出现", field="username")
            seen.add(row["username"])
            user = _candidate_named(session, row["username"])
            room = None
            if row["room"]:
                room = rooms.get(row["room"])
                if room is None:
                    raise Invalid(f"考场「{row['room']}」不存在", field="room")
            _check_enrollable(session, user)
            plan.append((user.username, room.id if room else None))
        except (Invalid, Conflict) as exc:
            errors.append({"row": row["row"], "username": row["username"], "message": exc.message})
    if errors:
        raise Invalid(f"名单中有 {len(errors)} 行有误，未导入任何考生", field="file", details={"rows": errors})
    return [enroll(session, username, room_id) for username, room_id in plan]


def remove_candidate(session: ExamSession, enrollment_id: int) -> None:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.session_id != session.id:
        raise NotFound("考生不在本批次")
    if session.reached(SessionStatus.theory_open):
        raise Conflict("理论考试已开始，不能再移除考生", code="session_started")
    started = next((c for c in assessment.session_components(session) if c.has_started(session)), None)
    if started is not None:
        raise Conflict(f"{started.label}已开始评分，不能再移除考生", code="session_started")
    db.session.delete(enrollment)
    db.session.flush()


def enrollment_of(session: ExamSession, user: User) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.session_id == session.id, Enrollment.user_id == user.id)
    )


# ---------------------------------------------------------------- readiness


def plan_of(session: ExamSession) -> readiness_rules.SessionPlan:
    standard = standard_of(session)
    seated: dict[int, int] = {}
    rooms = {r.id: r for r in session.rooms}
    for e in session.enrollments:
        # A candidate who carries a room's component (成绩保留) does not sit in it.
        if e.room_id is not None and assessment.sits(
            e, "theory" if rooms[e.room_id].kind == RoomKind.theory else "practical"
        ):
            seated[e.room_id] = seated.get(e.room_id, 0) + 1
    proctors: dict[int, int] = {}
    for s in staff_of(session, StaffRole.proctor):
        if s.room_id is not None:
            proctors[s.room_id] = proctors.get(s.room_id, 0) + 1
    return readiness_rules.SessionPlan(
        components=components_of(session),
        minutes={row.component: row.minutes for row in session.component_rows},
        candidates=len(session.enrollments),
        sitting={key: sum(assessment.sits(e, key) for e in session.enrollments) for key in components_of(session)},
        unseated=sum(1 for e in session.enrollments if e.room_id is None),
        rooms=[
            readiness_rules.RoomPlan(
                r.name, r.kind.value, r.capacity, r.stations, seated.get(r.id, 0), proctors.get(r.id, 0)
            )
            for r in session.rooms
        ],
        grader_panels=[s.panel for s in staff_of(session, StaffRole.grader)],
        reviewers=len(staff_of(session, StaffRole.reviewer)),
        papers=len(session.forms),
        without_paper=sum(1 for e in session.enrollments if e.paper_id is None and assessment.sits(e, "theory")),
        clause=dict(standard.assessment.clauses),
    )


def duty_problems(session: ExamSession) -> list[dict]:
    """Assignments that no longer fit their duty (made before the check, or the room was changed)."""
    problems = []
    for assignment in session.staff:
        try:
            check_duty(session, assignment.user, assignment.role, assignment.room)
        except Invalid as exc:
            name = f"{assignment.user.display_name}（{assignment.user.username}）"
            problems.append({"code": "staff_duty_mismatch", "message": f"{name}：{exc.message}"})
    return problems


def readiness(session: ExamSession) -> dict:
    problems = readiness_rules.check(plan_of(session), standard_of(session).assessment)
    problems += duty_problems(session)
    problems += ce_readiness.warnings(session)  # 继续教育结果运用 (T/SSOF 0001-2024 B.2)
    return {"ready": not problems, "problems": problems}


# ---------------------------------------------------------------- papers


def assign_papers(session: ExamSession, data: dict, user: User) -> list[SessionPaper]:
    """Assemble the forms and give every enrolled candidate one; neighbours sit different forms.

    A session whose papers are assigned is scheduled (api-contract: Sessions).
    """
    sync_clock(session)
    if session.status not in {SessionStatus.draft, SessionStatus.scheduled, SessionStatus.theory_open}:
        raise Conflict("理论考试已结束，不能再组卷", code="session_closed")
    if assessment.get("theory").has_started(session):
        raise Conflict("已有考生开始作答，不能重新组卷", code="attempts_started")
    papers = assemble_papers(
        session.standard_id,
        session.level,
        data.get("forms"),
        data.get("max_overlap"),
        data.get("seed"),
        sections=data.get("sections"),
        difficulty=data.get("difficulty"),
        user=user,
        bank_center_id=session.center_id,  # the platform's bank and the session's center's own items
    )
    for paper in papers:
        # A session's papers belong to the session's center, whoever assembled them: otherwise a
        # platform admin's assembly (center None) would be hidden (404) from the center's own admins.
        paper.center_id = session.center_id
    return attach_papers(session, papers)


def attach_papers(session: ExamSession, papers: list) -> list[SessionPaper]:
    """Make ``papers`` the session's forms and give every enrolled candidate one.

    Seat n of a room sits form (n-1) mod k, so neighbours (adjacent seats) differ when k >= 2.
    """
    for old in list(session.forms):
        db.session.delete(old)
    db.session.flush()
    session.forms.clear()
    assigned = []
    for number, paper in enumerate(papers):
        form = SessionPaper(session=session, paper_id=paper.id, form=number)
        db.session.add(form)
        assigned.append(form)
    db.session.flush()
    unseated = [e for e in session.enrollments if e.seat is None]
    for enrollment in session.enrollments:
        if not assessment.sits(enrollment, "theory"):  # 成绩保留: theory kept, no paper
            enrollment.form = enrollment.paper_id = None
            continue
        index = unseated.index(enrollment) if enrollment.seat is None else 0
        chosen = assigned[_form_for(enrollment, index, len(assigned))]
        enrollment.form, enrollment.paper_id = chosen.form, chosen.paper_id
    if session.status == SessionStatus.draft:
        session.transition(SessionStatus.scheduled)
    record("session.papers_assigned", session, {"papers": [p.id for p in papers]})
    db.session.flush()
    return assigned


# ---------------------------------------------------------------- lifecycle


def advance(session: ExamSession, target: str, now: datetime | None = None) -> ExamSession:
    """A manual move along the lifecycle (guarded; 409 when illegal or too early)."""
    try:
        status = SessionStatus(target)
    except ValueError:
        raise Invalid(f"未知的批次状态「{target}」", field="status") from None
    if status not in MANUAL_TARGETS:
        raise Conflict(f"不能手动把考试批次设为「{status.label}」", code="illegal_transition")
    now = now or timeutil.utcnow()
    sync_clock(session, now)
    if status == SessionStatus.theory_closed and now < session.theory_end and not all_submitted(session):
        raise Conflict("理论考试时间尚未结束，且还有考生未交卷", code="too_early")
    if status == SessionStatus.scoring:
        # Each component closes what ran past its deadline in this session (and only this one);
        # anyone still sitting one (with an extension) keeps the session from moving to 评分中.
        for component in assessment.session_components(session):
            component.close_expired(session, now)
            if component.still_open(session, now):
                raise Conflict(f"还有考生在{component.label}中作答（含延时），不能开始评分", code="attempts_open")
    session.transition(status)
    db.session.flush()
    return session


# ---------------------------------------------------------------- controls the session page offers


def all_submitted(session: ExamSession) -> bool:
    """Every enrolled candidate has handed in the theory paper (nobody can still sit): the theory window
    may end early."""
    handed_in = assessment.get("theory").handed_in(session)
    return bool(session.enrollments) and handed_in == len(session.enrollments)


def open_now(session: ExamSession, now: datetime | None = None) -> ExamSession:
    """开考: a scheduled session starts now instead of at its planned time (the window keeps its length)."""
    now = now or timeutil.utcnow()
    sync_clock(session, now)
    if session.status != SessionStatus.scheduled:
        raise Conflict(f"考试批次「{session.status.label}」，不能开考", code="illegal_transition")
    session.theory_start = now
    sync_clock(session, now)
    db.session.flush()
    return session


def available_actions(session: ExamSession, now: datetime | None = None) -> list[dict]:
    """The lifecycle moves possible right now, each with its button and the question to confirm.

    Only these are shown, so that no button fails when clicked; ``note`` says what comes next."""
    now = now or timeutil.utcnow()
    sync_clock(session, now)
    actions: list[dict] = []
    if session.status == SessionStatus.scheduled:
        actions.append(
            {
                "target": "open",
                "label": "立即开考",
                "confirm": f"理论考试原定 {timeutil.beijing(session.theory_start)} 开始。现在开考，考生即可进入考试，"
                f"考试时长仍为 {session.theory_minutes} 分钟。确定开考？",
            }
        )
    if session.status == SessionStatus.theory_open and (now >= session.theory_end or all_submitted(session)):
        actions.append(
            {
                "target": SessionStatus.theory_closed.value,
                "label": "结束理论考试",
                "confirm": "结束后考生不能再进入考试。确定结束？",
            }
        )
    if session.status == SessionStatus.theory_closed and not any(
        component.still_open(session, now) for component in assessment.session_components(session)
    ):
        actions.append(
            {
                "target": SessionStatus.scoring.value,
                "label": "开始评分",
                "confirm": "开始评分后不能再作答。确定开始评分？",
            }
        )
    return actions


def next_step(session: ExamSession, now: datetime | None = None) -> str:
    """What the center admin waits for when no control is possible (a sentence, never a code)."""
    now = now or timeutil.utcnow()
    if session.status == SessionStatus.draft:
        return "分配试卷后批次即为“已排考”，届时可开考。"
    if session.status == SessionStatus.scheduled:
        return f"到 {timeutil.beijing(session.theory_start)}（北京时间）自动开考，也可立即开考。"
    if session.status == SessionStatus.theory_open:
        return f"理论考试于 {timeutil.beijing(session.theory_end)} 自动结束；全部考生交卷后也可提前结束。"
    if session.status == SessionStatus.theory_closed:
        return "全部考生收卷（含延时）后可开始评分。"
    if session.status == SessionStatus.scoring:
        return "评分完成后在“成绩与证书”中发布成绩。"
    return "成绩已发布。"
