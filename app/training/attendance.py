"""Attendance (考勤): the trainer's tick list, and the QR check-in a trainee confirms while signed in.

The QR code carries a signed token naming the class (itsdangerous, salted, ten minutes); it is
honoured only while the class runs (its date and times, Beijing time). Every present trainee's
attended class becomes an approved continuing-education record (app.continuing_education.platform).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app import timeutil
from app.audit.operations import record
from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db

from .models import Attendance, Trainee, Training, TrainingClass
from .operations import class_window, ensure_open

TOKEN_SALT = "training-checkin"
TOKEN_SECONDS = 600

# Who follows a class's attendance (continuing education credits each attended class: app/continuing_
# education/platform.py registers itself; training, below it, never imports it).
AttendanceListener = Callable[[object, object, list], None]
_LISTENERS: list[AttendanceListener] = []


def on_attendance(listener: AttendanceListener) -> AttendanceListener:
    _LISTENERS.append(listener)
    return listener


def _attended(training, item, present_users: list) -> None:
    for listener in _LISTENERS:
        listener(training, item, present_users)


def trainee_users(training: Training) -> dict[str, User]:
    return {t.user.username: t.user for t in training.trainees}


def present_usernames(item: TrainingClass) -> list[str]:
    return [a.user.username for a in item.attendance]


def save_attendance(actor: User, training: Training, item: TrainingClass, present: object) -> list[str]:
    """PUT …/attendance: the class's present trainees become exactly ``present`` (409 once completed)."""
    ensure_open(training)
    if not isinstance(present, list):
        raise Invalid("出勤学员：应为用户名列表", field="present")
    trainees = trainee_users(training)
    wanted: dict[str, User] = {}
    for index, username in enumerate(present):
        if not isinstance(username, str) or username not in trainees:
            raise Invalid(f"出勤学员：{username} 不是本培训班学员", field="present", index=index)
        wanted[username] = trainees[username]
    now = timeutil.utcnow()
    for attendance in list(item.attendance):
        if attendance.user.username not in wanted:
            item.attendance.remove(attendance)
    have = set(present_usernames(item))
    for username, user in wanted.items():
        if username not in have:
            item.attendance.append(
                Attendance(user_id=user.id, user=user, via="list", marked_by_id=actor.id, marked_at=now)
            )
    db.session.flush()
    _attended(training, item, list(wanted.values()))
    record(
        "training.attendance_saved",
        item,
        {"date": item.date.isoformat(), "present": sorted(wanted)},
        center_id=training.center_id,
    )
    return sorted(wanted)


# ---------------------------------------------------------------- QR check-in


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def running(item: TrainingClass, now: datetime) -> bool:
    start, end = class_window(item)
    return start <= now <= end


def checkin_token(item: TrainingClass) -> str:
    return _serializer().dumps({"class": item.id})


def class_of_token(token: str, now: datetime) -> TrainingClass:
    """The class a token names, 404 for a forged or expired token, 409 outside the class's time."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_SECONDS)
    except SignatureExpired:
        raise Conflict("签到码已过期，请扫描培训教师屏幕上的新签到码", code="token_expired") from None
    except BadSignature:
        raise NotFound("签到码无效") from None
    item = db.session.get(TrainingClass, data.get("class") if isinstance(data, dict) else None)
    if item is None:
        raise NotFound("签到码无效")
    if not running(item, now):
        raise Conflict("不在上课时间内，签到码无效", code="class_not_running")
    return item


def trainee_of(user: User, training: Training) -> Trainee:
    trainee = db.session.scalar(select(Trainee).where(Trainee.training_id == training.id, Trainee.user_id == user.id))
    if trainee is None:
        raise NotFound("您不是本培训班的学员")
    return trainee


def check_in(user: User, token: str, now: datetime) -> TrainingClass:
    item = class_of_token(token, now)
    training = item.training
    ensure_open(training)
    trainee_of(user, training)
    if any(a.user_id == user.id for a in item.attendance):
        return item
    item.attendance.append(Attendance(user_id=user.id, user=user, via="qr", marked_by_id=user.id, marked_at=now))
    db.session.flush()
    _attended(training, item, [a.user for a in item.attendance])
    record("training.checked_in", item, {"username": user.username}, center_id=training.center_id)
    return item
