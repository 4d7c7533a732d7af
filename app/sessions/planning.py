"""Planning a session (考试批次): create and edit it, find it, its rooms, and the lookups the other
session modules share (a room of the session, a user by username).

Operations only flush; the request boundary commits. Every rule that comes from a standard is
read from the registry (``Standard.assessment``), never written here as a number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app import assessment
from app.audit.operations import record
from app.auth.models import Center, Role, User
from app.auth.scoping import get_for_center, scope_to_center
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.http_input import check_sane_year, one_of
from app.standards.registry import get_level, get_standard
from app.standards.schema import Standard

from .lifecycle import is_closed, sync_clock
from .models import (
    Enrollment,
    ExamSession,
    Room,
    RoomKind,
    RoomType,
    SessionComponent,
    SessionStatus,
    StaffAssignment,
    TheoryMode,
)

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
    "theory_mode": "理论知识考试方式",
    "room_type": "理论考场类别",
    "capacity": "容量",
    "stations": "考核工位数",
    "username": "用户名",
    "role": "职责",
    "room": "考场",
    "panel": "考评小组",
    "status": "状态",
    "file": "名单文件",
    "practical_start": "操作技能考核开始时间",
    "practical_place": "操作技能考核地点",
    "reason": "理由",
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


def standard_of(exam_session: ExamSession) -> Standard:
    return get_standard(exam_session.standard_id)


def components_of(exam_session: ExamSession) -> list[str]:
    return [c.key for c in assessment.session_components(exam_session)]


def _durations(standard: Standard, level: str, data: dict) -> dict[str, int | None]:
    """Minutes per component of the level (by component key); 422 below the standard's minimum (1.9.4).

    The body names each duration by the component's ``minutes_key`` (``theory_minutes``, …);
    minutes for a component the level lacks are ignored (api-contract: Sessions)."""
    minutes: dict[str, int | None] = {}
    for component in assessment.required_components(standard, level):
        key = component.minutes_key
        # The theory window needs its length now, and a level with 综合评审 its minutes (1.9.2, 1.9.4:
        # ``duration_required``); the other durations may be filled in later (readiness flags them).
        value = _int(data.get(key), key, minimum=1, required=False)
        if value is None and component.duration_required:
            raise Invalid(_missing_duration(standard, level, component), field=key, code="duration_missing")
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


def _missing_duration(standard: Standard, level: str, component) -> str:
    """The refusal of a missing duration, e.g. 请填写综合评审时长（分钟）：二级设有综合评审（1.9.2），…（1.9.4）."""
    message = f"请填写{label(component.minutes_key)}"
    if component.key == "theory":
        return message
    minimum = component.min_minutes(standard.assessment)
    clauses = standard.assessment.clauses
    message += f"：{level}设有{component.label}（{clauses.get('components', '1.9.2')}）"
    if minimum:
        message += f"，时长不少于 {minimum} 分钟（{clauses.get('min_minutes', '1.9.4')}）"
    return message


def _practical_sitting(data: dict) -> tuple[datetime | None, str | None]:
    """When and where the 操作技能考核 is held (optional; printed on the 准考证, issue 27 item 10)."""
    start = data.get("practical_start")
    start = None if start in (None, "") else parse_datetime(start, "practical_start")
    place = data.get("practical_place")
    if place is not None and not isinstance(place, str):
        raise Invalid("操作技能考核地点必须是文字", field="practical_place")
    place = (place or "").strip() or None
    if place is not None and len(place) > 200:
        raise Invalid("操作技能考核地点不能超过 200 个字符", field="practical_place")
    return start, place


def _plan_components(exam_session: ExamSession, minutes: dict[str, int | None]) -> None:
    """One row per component of the level, holding its planned minutes."""
    for key, value in minutes.items():
        row = exam_session.component_row(key)
        if row is None:
            exam_session.component_rows.append(SessionComponent(component=key, minutes=value))
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
    practical_start, practical_place = _practical_sitting(data)
    mode = data.get("theory_mode")
    mode = TheoryMode.machine.value if mode is None or mode == "" else mode
    mode = one_of(mode, TheoryMode, "theory_mode", "理论知识考试方式必须是机考（machine）或书面笔答（paper）")
    exam_session = ExamSession(
        center_id=_center_for(user, data),
        name=name,
        standard_id=standard.id,
        level=level,
        theory_start=start,
        status=SessionStatus.draft,
        theory_mode=TheoryMode(mode),
        created_by_id=user.id,
        practical_start=practical_start,
        practical_place=practical_place,
    )
    _plan_components(exam_session, minutes)
    db.session.add(exam_session)
    db.session.flush()
    return exam_session


def update_session(exam_session: ExamSession, data: dict) -> ExamSession:
    """Edit name, start and durations while nothing has been sat yet."""
    sync_clock(exam_session)
    started = any(c.has_started(exam_session) for c in assessment.session_components(exam_session))
    if exam_session.reached(SessionStatus.theory_open) or started:
        raise Conflict("理论考试已开始，不能再修改考试时间", code="session_started")
    standard = standard_of(exam_session)
    exam_session.name = _text(data.get("name"), "name")
    exam_session.theory_start = parse_datetime(data.get("theory_start"), "theory_start")
    _plan_components(exam_session, _durations(standard, exam_session.level, data))
    if "practical_start" in data or "practical_place" in data:
        exam_session.practical_start, exam_session.practical_place = _practical_sitting(data)
    db.session.flush()
    return exam_session


def delete_session(exam_session: ExamSession) -> None:
    """Delete a draft session (issue 27 item 6: a mistyped draft must not stay forever). Only a draft:
    once papers are assigned (已排考) its tickets and papers may be in use. Its rooms, staff, roster and
    component rows go with it (the foreign keys cascade); the deletion is audit-logged."""
    if exam_session.status != SessionStatus.draft:
        raise Conflict(
            f"考试批次「{exam_session.status.label}」，只有草稿状态的批次可以删除", code="illegal_transition"
        )
    details = {
        "name": exam_session.name,
        "standard": exam_session.standard_id,
        "level": exam_session.level,
        "candidates": len(exam_session.enrollments),
        "rooms": len(exam_session.rooms),
        "staff": len(exam_session.staff),
    }
    record("session.deleted", exam_session, details, center_id=exam_session.center_id)
    for rows in (exam_session.enrollments, exam_session.staff, exam_session.rooms):
        for row in list(rows):
            db.session.delete(row)
    db.session.flush()
    db.session.delete(exam_session)
    db.session.flush()


def get_session(session_id: int, user: User) -> ExamSession:
    """The session, or 404 — also for another center's session (existence must not leak). Its status
    is brought up to the clock (``sync_clock``), so a caller reads the status as it stands now."""
    return sync_clock(get_for_center(ExamSession, session_id, user, "考试批次不存在"))


def list_sessions(user: User) -> list[ExamSession]:
    """The user's center's sessions (a platform admin: every center's), newest first, each brought up
    to the clock like ``get_session``."""
    query = scope_to_center(select(ExamSession).order_by(ExamSession.theory_start.desc()), user, ExamSession.center_id)
    return [sync_clock(exam_session) for exam_session in db.session.scalars(query)]


# ---------------------------------------------------------------- rooms


def add_room(exam_session: ExamSession, data: dict, now: datetime | None = None) -> Room:
    if is_closed(exam_session, now):
        raise Conflict("考试批次已结束，不能再增加考场", code="session_closed")
    name = _text(data.get("name"), "name", max_length=100, name="考场名称")
    kind = one_of(data.get("kind"), RoomKind, "kind", "考场类型必须是理论考场（theory）或操作技能考核场所（practical）")
    capacity = _int(data.get("capacity"), "capacity", minimum=1)
    stations = _int(data.get("stations"), "stations", minimum=0, required=False)
    room_type = _room_type(exam_session, RoomKind(kind), data.get("room_type"))
    if any(r.name == name for r in exam_session.rooms):
        raise Invalid(f"考场名称「{name}」已存在", field="name")
    room = Room(
        session=exam_session, name=name, kind=RoomKind(kind), capacity=capacity, stations=stations, room_type=room_type
    )
    db.session.add(room)
    db.session.flush()
    return room


def _room_occupants(room: Room) -> tuple[int, int]:
    """(candidates seated in the room, staff assigned to it)."""
    seated = db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.room_id == room.id)) or 0
    staff = db.session.scalar(select(func.count(StaffAssignment.id)).where(StaffAssignment.room_id == room.id)) or 0
    return seated, staff


def update_room(exam_session: ExamSession, room: Room, data: dict, now: datetime | None = None) -> Room:
    """Correct a room (issue 27 item 6): its name, capacity, stations and type. Its kind changes only while
    nobody is seated or assigned in it; the capacity never below the candidates already seated (issue 28)."""
    if is_closed(exam_session, now):
        raise Conflict("考试批次已结束，不能再修改考场", code="session_closed")
    name = _text(data.get("name"), "name", max_length=100, name="考场名称")
    kind = RoomKind(
        one_of(data.get("kind"), RoomKind, "kind", "考场类型必须是理论考场（theory）或操作技能考核场所（practical）")
    )
    capacity = _int(data.get("capacity"), "capacity", minimum=1)
    stations = _int(data.get("stations"), "stations", minimum=0, required=False)
    room_type = _room_type(exam_session, kind, data.get("room_type"))
    if any(r.name == name and r.id != room.id for r in exam_session.rooms):
        raise Invalid(f"考场名称「{name}」已存在", field="name")
    seated, staff = _room_occupants(room)
    if kind != room.kind and (seated or staff):
        raise Invalid(f"考场「{room.name}」已安排 {seated} 名考生、{staff} 名考务人员，不能改变考场类型", field="kind")
    if capacity < seated:
        raise Invalid(f"考场「{room.name}」已安排 {seated} 名考生，容量不能小于 {seated}", field="capacity")
    room.name, room.kind, room.capacity, room.stations, room.room_type = name, kind, capacity, stations, room_type
    db.session.flush()
    return room


def delete_room(exam_session: ExamSession, room: Room, now: datetime | None = None) -> None:
    """Delete a room nobody is seated or assigned in (issue 27 item 6). A room with candidates or staff is
    refused with the counts: their seats and duties are printed on tickets and rosters, so they are
    moved on purpose (removed and arranged again), never silently left without a room."""
    if is_closed(exam_session, now):
        raise Conflict("考试批次已结束，不能再删除考场", code="session_closed")
    seated, staff = _room_occupants(room)
    if seated or staff:
        parts = ([f"{seated} 名考生"] if seated else []) + ([f"{staff} 名考务人员"] if staff else [])
        raise Conflict(
            f"考场「{room.name}」已安排{'、'.join(parts)}，不能删除；请先移除或改派到其他考场后再删除",
            code="room_in_use",
        )
    record("session.room_deleted", exam_session, {"room": room.name, "capacity": room.capacity})
    db.session.delete(room)
    db.session.flush()


def get_room(exam_session: ExamSession, room_id: int) -> Room:
    """The session's own room, or 404."""
    room = db.session.get(Room, room_id)
    if room is None or room.session_id != exam_session.id:
        raise NotFound("考场不存在")
    return room


def _room_type(exam_session: ExamSession, kind: RoomKind, value) -> RoomType | None:
    """A theory room's type (1.9.5 标准教室 / 计算机机房). Optional: unsaid, it is the one the sitting
    needs (a machine sitting's room is a 计算机机房, a paper sitting's a 标准教室). A practical room has none."""
    if kind != RoomKind.theory:
        if value not in (None, ""):
            raise Invalid("只有理论考场区分标准教室与计算机机房", field="room_type")
        return None
    if value in (None, ""):
        return RoomType.classroom if exam_session.on_paper else RoomType.computer_lab
    return RoomType(
        one_of(value, RoomType, "room_type", "理论考场类别必须是标准教室（classroom）或计算机机房（computer_lab）")
    )


# ---------------------------------------------------------------- lookups shared by staffing and enrolment


def room_of(exam_session: ExamSession, room_id, field: str = "room") -> Room | None:
    """The session's own room by id (None when no room is given); 422 for another session's room."""
    if room_id is None:
        return None
    if isinstance(room_id, bool) or not isinstance(room_id, int):
        raise Invalid("考场必须是本批次的考场（id）或留空", field=field)
    room = db.session.get(Room, room_id)
    if room is None or room.session_id != exam_session.id:
        raise Invalid(f"考场（id {room_id}）不属于本考试批次", field=field)
    return room


def user_named(username, blank: str) -> tuple[str, User | None]:
    """The typed username (stripped) and its user, None when nobody has it; 422 ``blank`` when nothing
    was typed. The caller decides what an unknown or unsuitable user is told, so that one center
    cannot learn which usernames exist elsewhere."""
    if not isinstance(username, str) or not username.strip():
        raise Invalid(blank, field="username")
    username = username.strip()
    return username, db.session.scalar(select(User).where(User.username == username))
