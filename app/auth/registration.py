"""Candidates register themselves (注册), without a mail server: username, 姓名, a phone number or
e-mail address as contact, the password twice, and optionally the center they sit with.

Without a center the account is active at once. With a center that approves registrations
(``Center.approve_registrations``, set by its admin) the account stays inactive, marked pending,
until that center's admin approves it (or rejects it: it stays inactive).
Registration is throttled per address like the sign-in (REGISTER_LIMIT per REGISTER_WINDOW), in the
database, so a script cannot fill the user table.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.operations import record
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db

from . import throttle
from .field_errors import FieldErrors, contact_problem, name_problem, secret, text, username_problem
from .models import Center, Role, User
from .operations import too_many
from .passwords import password_problems
from .scoping import ensure_same_center

REGISTER_WINDOW = timedelta(hours=1)


def register_limit() -> int:
    return int(current_app.config.get("REGISTER_LIMIT", 20))


def centers() -> list[Center]:
    return db.session.scalars(select(Center).order_by(Center.name)).all()


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == username)) is not None


def insert_users(users: list[User]) -> None:
    """Add and flush new users; a username another request took meanwhile (both checked before either
    wrote) answers 422 on the username, not a 500 (the caller's error handling rolls back)."""
    db.session.add_all(users)
    try:
        db.session.flush()
    except IntegrityError:
        message = "用户名：已被使用，请换一个"
        raise Invalid(message, field="username", details={"errors": {"username": message}}) from None


def register_candidate(data: dict, client: str) -> User:
    """A new candidate account from ``data`` (username, name, contact, password, password2, center:
    a center id or empty); every wrong field reported at once."""
    wait = throttle.hit("register", client, register_limit(), REGISTER_WINDOW)
    if wait is not None:
        raise too_many(wait, "注册次数过多")
    errors = FieldErrors()
    username, name, contact = text(data, "username"), text(data, "name"), text(data, "contact")
    problem = username_problem(username)
    if problem:
        errors.add("username", problem)
    elif username_taken(username):
        errors.add("username", "用户名：已被使用，请换一个")
    for field, problem in (("name", name_problem(name)), ("contact", contact_problem(contact, required=True))):
        if problem:
            errors.add(field, problem)
    password = secret(data, "password")
    problems = password_problems(password, username)
    if problems:
        errors.add("password", "密码：" + "；".join(problems))
    if secret(data, "password2") != password:
        errors.add("password2", "确认密码：两次输入的密码不一致")
    center = None
    chosen = text(data, "center")
    if chosen:
        center = db.session.get(Center, int(chosen)) if chosen.isdigit() and len(chosen) < 10 else None
        if center is None:
            errors.add("center", "所属机构：请从列表中选择")
    errors.raise_if_any()
    pending = bool(center and center.approve_registrations)
    user = User(username=username, name=name, contact=contact, role=Role.candidate, center=center)
    user.active = not pending
    user.pending_approval = pending
    user.set_password(password)
    insert_users([user])
    record(
        "account.registered",
        user,
        {"username": username, "center": center.name if center else None, "pending": pending},
        actor=None,  # nobody signed in: the registrant is the subject
    )
    return user


def pending_registrations(admin: User) -> list[User]:
    query = select(User).where(User.pending_approval.is_(True)).order_by(User.created_at, User.id)
    if admin.role != Role.admin:
        query = query.where(User.center_id == admin.center_id)
    return db.session.scalars(query).all()


def _pending(admin: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    ensure_same_center(admin, user.center_id, "用户不存在")
    if not user.pending_approval:
        raise Conflict(f"{user.display_name} 的注册不在待审核状态")
    return user


def approve_registration(admin: User, user_id: int) -> User:
    user = _pending(admin, user_id)
    user.pending_approval = False
    user.active = True
    record("account.registration_approved", user, {"username": user.username})
    return user


def reject_registration(admin: User, user_id: int) -> User:
    """The account stays inactive and leaves the queue (the audit log keeps who registered it; the
    center's admin may still activate it later on the staff page)."""
    user = _pending(admin, user_id)
    user.pending_approval = False
    user.active = False
    record("account.registration_rejected", user, {"username": user.username})
    return user


def set_approval(admin: User, required: bool) -> Center:
    """The center admin's setting: self-registered candidates of their center need approval."""
    center = admin.center
    if center is None:
        raise NotFound("机构不存在")
    center.approve_registrations = bool(required)
    record("account.registration_setting", center, {"approve_registrations": bool(required)}, center_id=center.id)
    return center
