"""Who a survey invites (§7.1 服务对象调查: the people a service was delivered to). The audience is read
once, when the survey is made; people added to a session later are not invited.

- ``{"session": id}``: the session's enrolled candidates (own center only, else 404);
- ``{"training": id}``: the training's trainees (own center only, else 404);
- ``{"center": "members"}``: every *active* account belonging to the center — candidates and staff
  alike, the center admins included (seed 004 4.1.1 会员评价 asks the members; on this platform the
  people who belong to a center are its accounts). Platform admins belong to no center.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Center, User
from app.auth.scoping import get_for_center
from app.errors import Invalid
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession
from app.training.models import Trainee, Training

from .models import AudienceKind


def _record_id(value, noun: str) -> int:
    """The id an audience names: a whole number (a list, a string or true is a 422 on ``audience``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"调查对象：{noun}编号必须是整数", field="audience")
    return value


def invitees_of_session(admin: User, session_id) -> tuple[str, list[int]]:
    session_id = _record_id(session_id, "考试批次")
    session = get_for_center(ExamSession, session_id, admin, "考试批次不存在")
    users = db.session.scalars(
        select(Enrollment.user_id).where(Enrollment.session_id == session.id).order_by(Enrollment.id)
    )
    return session.name, list(users)


def invitees_of_training(admin: User, training_id) -> tuple[str, list[int]]:
    """The trainees of one of the center's trainings (培训班): its name and their user ids; 404 for
    another center's training or none."""
    training_id = _record_id(training_id, "培训班")
    training = get_for_center(Training, training_id, admin, "培训班不存在")
    users = db.session.scalars(select(Trainee.user_id).where(Trainee.training_id == training.id).order_by(Trainee.id))
    return training.name, list(users)


def invitees_of_center(center: Center) -> tuple[str, list[int]]:
    users = db.session.scalars(
        select(User.id).where(User.center_id == center.id, User.active.is_(True)).order_by(User.id)
    )
    return f"{center.name}全体人员", list(users)


def resolve(admin: User, audience) -> tuple[AudienceKind, int | None, str, list[int]]:
    """(kind, reference id, name as shown, invited user ids) of an audience object, or 422/404."""
    if not isinstance(audience, dict) or len(audience) != 1:
        raise Invalid(
            '调查对象：须为 {"session": 编号}、{"training": 编号} 或 {"center": "members"} 之一', field="audience"
        )
    ((key, value),) = audience.items()
    if key == "session":
        name, users = invitees_of_session(admin, value)
        kind, ref = AudienceKind.session, value
    elif key == "training":
        name, users = invitees_of_training(admin, value)
        kind, ref = AudienceKind.training, value
    elif key == "center" and value == "members":
        name, users = invitees_of_center(admin.center)
        kind, ref = AudienceKind.members, None
    else:
        raise Invalid(
            '调查对象：须为 {"session": 编号}、{"training": 编号} 或 {"center": "members"} 之一', field="audience"
        )
    if not users:
        raise Invalid(f"调查对象「{name}」中没有可邀请的人", field="audience")
    return kind, ref, name, users
