"""Staffing a session: who takes which duty (监考人员、考评人员、综合评审委员, 1.9.3), the grader
panels, and who scores which candidate.

Operations only flush; the request boundary commits.
"""

from __future__ import annotations

from sqlalchemy import select

from app import timeutil
from app.auth.account_pages import register_deactivation_note
from app.auth.models import Role, User
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.http_input import one_of

from .models import (
    STAFF_LABELS,
    ExamSession,
    Room,
    RoomKind,
    SessionStatus,
    StaffAssignment,
    StaffRole,
)
from .planning import components_of, room_of, user_named


def _staff_member(exam_session: ExamSession, username) -> User:
    """A member of the session's own center. An unknown username and another center's user get the same
    answer, so that one center cannot learn which usernames exist elsewhere."""
    username, user = user_named(username, "请填写用户名")
    if user is None or user.center_id != exam_session.center_id or user.role == Role.admin:
        raise Invalid(f"本机构没有用户名为 {username} 的工作人员", field="username")
    if user.role == Role.candidate:
        raise Invalid(f"用户 {user.username} 是考生，不是本机构的工作人员", field="username")
    if not user.active:
        # 1.9.3 counts the people who proctor and grade: a deactivated account can do neither.
        raise Invalid(
            f"用户名：{person(user)}的账号已停用，不能安排为考务人员（请先在机构人员中启用）", field="username"
        )
    return user


def person(user: User) -> str:
    return f"{user.display_name}（{user.username}）"


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


def check_duty(exam_session: ExamSession, user: User, role: StaffRole, room: Room | None) -> None:
    """Role against duty, and the duty against the plan: a proctor watches a theory room; reviewers
    only where the level has 综合评审, graders where it has 操作技能考核 (1.9.3, components of the level).
    Assigning checks the role only (the contract lets a proctor be added before the rooms exist, with
    ``room: null``); readiness flags every assignment that does not fit its duty yet."""
    check_role(user, role)
    if role == StaffRole.proctor and (room is None or room.kind != RoomKind.theory):
        raise Invalid("监考人员还没有安排到理论考场", field="room")
    if role == StaffRole.reviewer and "review" not in components_of(exam_session):
        raise Invalid(f"{exam_session.level}没有综合评审，不需要综合评审委员", field="role")
    if role == StaffRole.grader and "practical" not in components_of(exam_session):
        raise Invalid(f"{exam_session.level}没有操作技能考核，不需要考评人员", field="role")


def check_proctor_room(role: StaffRole, room: Room | None) -> None:
    if role != StaffRole.proctor:
        return
    if room is None:
        raise Invalid("请为监考人员选择理论考场（考场：监考人员必选理论考场）", field="room")
    if room.kind != RoomKind.theory:
        raise Invalid(f"「{room.name}」是操作技能考核场所，监考人员须安排到理论考场", field="room")


def duty_problems(exam_session: ExamSession) -> list[dict]:
    """Assignments that no longer fit their duty (made before the check, or the room was changed), and
    those of a deactivated account: not counted toward 1.9.3's ratios (``staff_of``), named here."""
    problems = []
    for assignment in exam_session.staff:
        name = person(assignment.user)
        if not assignment.user.active:
            problems.append(
                {
                    "code": "staff_inactive",
                    "message": f"{name}的账号已停用，不计入{STAFF_LABELS[assignment.role]}人数"
                    "（1.9.3 监考人员、考评人员与考生配比）；请移除并另行安排",
                }
            )
            continue
        try:
            check_duty(exam_session, assignment.user, assignment.role, assignment.room)
        except Invalid as exc:
            problems.append({"code": "staff_duty_mismatch", "message": f"{name}：{exc.message}"})
    return problems


def add_staff(exam_session: ExamSession, data: dict, *, room_required: bool = False) -> StaffAssignment:
    """Assign one duty. ``room_required`` (the pages, issue 27 item 7): a proctor must be given a theory
    room at entry (1.9.3 每个考场不少于2名监考人员 counts proctors per room); the API keeps the contract's
    ``room: null`` and readiness flags such a proctor until a room is set."""
    if exam_session.status == SessionStatus.published:
        raise Conflict("成绩已发布，不能再调整人员", code="session_published")
    user = _staff_member(exam_session, data.get("username"))
    role = one_of(
        data.get("role"),
        StaffRole,
        "role",
        "职责必须是监考人员（proctor）、考评人员（grader）或综合评审委员（reviewer）",
    )
    room = room_of(exam_session, data.get("room"))
    panel = data.get("panel")
    if panel is not None and (not isinstance(panel, str) or len(panel.strip()) > 100):
        raise Invalid("考评小组必须是小组名称（不超过 100 字）或留空", field="panel")
    panel = panel.strip() or None if isinstance(panel, str) else None
    existing = db.session.scalar(
        select(StaffAssignment).where(
            StaffAssignment.session_id == exam_session.id,
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
    if room_required:
        check_proctor_room(StaffRole(role), room)
    assignment = StaffAssignment(
        session=exam_session,
        user=user,
        role=StaffRole(role),
        room=room,
        panel=panel if role == StaffRole.grader.value else None,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def remove_staff(exam_session: ExamSession, assignment_id: int) -> None:
    assignment = db.session.get(StaffAssignment, assignment_id)
    if assignment is None or assignment.session_id != exam_session.id:
        raise NotFound("人员安排不存在")
    if exam_session.status == SessionStatus.published:
        raise Conflict("成绩已发布，不能再调整人员", code="session_published")
    db.session.delete(assignment)
    db.session.flush()


def staff_of(exam_session: ExamSession, role: StaffRole) -> list[StaffAssignment]:
    """The assignments of one duty whose account is active: only they count toward 1.9.3's ratios
    (监考人员与考生配比、每个考场不少于2名监考人员、考评人员3人以上单数、综合评审委员3人以上单数)."""
    return [s for s in exam_session.staff if s.role == role and s.user.active]


@register_deactivation_note
def sessions_left_to_staff(user: User) -> list[str]:
    """A deactivated person still on the staff of sessions not yet published: they no longer count
    toward 1.9.3's ratios there, so the admin is told which sessions to staff again."""
    assignments = db.session.scalars(
        select(StaffAssignment)
        .join(ExamSession, StaffAssignment.session_id == ExamSession.id)
        .where(StaffAssignment.user_id == user.id, ExamSession.status != SessionStatus.published)
        .order_by(ExamSession.theory_start, ExamSession.id)
    ).all()
    if not assignments:
        return []
    duties = "、".join(
        f"「{a.session.name}」（{timeutil.beijing(a.session.theory_start)}开考，{STAFF_LABELS[a.role]}）"
        for a in assignments
    )
    return [
        f"注意：{person(user)}仍在以下考试批次的考务人员中：{duties}。停用后不再计入监考人员、考评人员配比"
        "（1.9.3），请到这些批次的页面移除并另行安排"
    ]
