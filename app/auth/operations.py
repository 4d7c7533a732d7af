"""Sign-in, bearer tokens and user creation; shared by the pages, the API and the CLI."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from limits import parse
from sqlalchemy import bindparam, select

from app import timeutil
from app.errors import DomainError, Invalid, Unauthorized
from app.extensions import db, limiter

from . import token_cache
from .models import STAFF_ROLES, ApiToken, Center, Role, User


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


def get_or_create_center(name: str) -> Center:
    name = name.strip()
    if not name:
        raise Invalid("机构名称不能为空", field="center")
    center = db.session.scalar(select(Center).where(Center.name == name))
    if center is None:
        center = Center(name=name)
        db.session.add(center)
        db.session.flush()
    return center


def create_user(username: str, password: str, role: str, *, center: str | None = None, name: str | None = None) -> User:
    """Create a user; staff roles and center admins must name their center."""
    username = (username or "").strip()
    if not username:
        raise Invalid("用户名不能为空", field="username")
    if len(password or "") < 6:
        raise Invalid("密码至少 6 位", field="password")
    try:
        role_value = Role(role)
    except ValueError:
        raise Invalid(f"未知角色 {role!r}", field="role") from None
    if role_value in STAFF_ROLES and not center:
        raise Invalid(f"角色 {role_value.value} 必须属于一个机构（--center）", field="center")
    if db.session.scalar(select(User).where(User.username == username)):
        raise Invalid(f"用户名 {username} 已存在", field="username")
    user = User(username=username, role=role_value, name=name or "")
    user.set_password(password)
    if center:
        user.center = get_or_create_center(center)
    db.session.add(user)
    db.session.flush()
    return user


def _limits() -> tuple:
    config = current_app.config
    return parse(config["LOGIN_FAILURE_LIMIT_ACCOUNT"]), parse(config["LOGIN_FAILURE_LIMIT_CLIENT"])


def authenticate(username: str, password: str, client: str) -> User:
    """Return the user or raise; failures are counted per account and per client (429 past the limit)."""
    account_limit, client_limit = _limits()
    strategy = limiter.limiter
    username = (username or "").strip()
    if not strategy.test(account_limit, "login-account", username) or not strategy.test(
        client_limit, "login-client", client
    ):
        raise TooManyAttempts("登录失败次数过多，请稍后再试")
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.active or not user.check_password(password or ""):
        strategy.hit(account_limit, "login-account", username)
        strategy.hit(client_limit, "login-client", client)
        raise Unauthorized("用户名或密码错误", code="bad_credentials")
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = timeutil.utcnow()
    db.session.add(
        ApiToken(
            user_id=user.id, digest=_digest(token), created_at=now, expires_at=now + current_app.config["API_TOKEN_TTL"]
        )
    )
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user of an unexpired token, in one query (each API call, every answer save, asks).

    No cache: a revoked token or a deactivated user answers 401 on the very next call, in every
    worker process and on every app server.
    """
    return db.session.scalar(_TOKEN_USER, {"digest": _digest(token), "now": timeutil.utcnow()})


def principal_for_token(token: str) -> token_cache.Principal | None:
    """Who the token names, from this process's cache (else one query) — only for views that check
    the token again inside their write (``@trusts_token_cache``; see app/auth/token_cache.py)."""
    digest, now = _digest(token), timeutil.utcnow()
    principal = token_cache.lookup(digest, now)
    if principal is not None:
        return principal  # from the cache: ``digest`` set, the write checks the token again
    row = db.session.execute(_TOKEN_PRINCIPAL, {"digest": digest, "now": now}).first()
    if row is None:
        return None
    token_cache.remember(token_cache.Principal(row.id, row.role, row.expires_at, digest))
    return token_cache.Principal(row.id, row.role, row.expires_at, None)  # read just now: no second check


_TOKEN_PRINCIPAL = (
    select(User.id, User.role, ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"), ApiToken.expires_at > bindparam("now"), User.active.is_(True))
)

_TOKEN_USER = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"), ApiToken.expires_at > bindparam("now"), User.active.is_(True))
)
