"""Users, centers (培训/评价机构) and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Role(enum.StrEnum):
    candidate = "candidate"
    grader = "grader"
    proctor = "proctor"
    reviewer = "reviewer"
    center_admin = "center_admin"
    admin = "admin"
    expert = "expert"  # 评估专家: organization rating (contract v1.2)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.candidate: "考生",
    Role.grader: "考评员",
    Role.proctor: "监考员",
    Role.reviewer: "评审委员",
    Role.center_admin: "机构管理员",
    Role.admin: "平台管理员",
    Role.expert: "评估专家",
}

# Roles that work for one center; a candidate may belong to one, an admin to none.
STAFF_ROLES = {Role.grader, Role.proctor, Role.reviewer, Role.center_admin}


class Center(db.Model):
    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 自行注册的考生需经本机构审核: self-registered candidates stay inactive until its admin approves
    approve_registrations: Mapped[bool] = mapped_column(default=False, server_default=false())

    users: Mapped[list[User]] = relationship(back_populates="center")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(db.Enum(Role, native_enum=False, length=20))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    contact: Mapped[str] = mapped_column(String(120), default="", server_default="")  # 手机号或电子邮箱
    # self-registered with a center that approves registrations, not yet decided (inactive meanwhile)
    pending_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    center: Mapped[Center | None] = relationship(back_populates="users")

    def set_password(self, password: str) -> None:
        # werkzeug's default (scrypt) unless configured; the test suite sets a cheap method.
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = (
            generate_password_hash(password, method=method) if method else generate_password_hash(password)
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    @property
    def display_name(self) -> str:
        return self.name or self.username


class ApiToken(db.Model):
    """An expiring bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginSession(db.Model):
    """A signed-in page session, held on the server: the session cookie carries only its random key
    (stored here as a SHA-256 digest), so signing out deletes the row and the cookie stops working."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """Failed sign-ins counted per key (account + client, account, client): app/auth/throttle.py."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PasswordReset(db.Model):
    """A one-time password reset code issued by an admin: only its SHA-256 digest is stored; it
    works once (``used_at``) and until ``expires_at`` (PASSWORD_RESET_MINUTES, 30)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
