"""Sign-in, bearer tokens and user creation; shared by the pages, the API and the CLI."""

from __future__ import annotations

import hashlib
import math
import secrets

from flask import current_app
from sqlalchemy import String, bindparam, delete, select
from werkzeug.security import check_password_hash

from app import driver_statements, statement_reads, timeutil
from app.audit.operations import record
from app.errors import DomainError, Invalid, Unauthorized
from app.extensions import db
from app.timeutil import UTCDateTime

from . import throttle, token_cache
from .models import STAFF_ROLES, ApiToken, Center, LoginSession, Role, User
from .passwords import require_valid_password

# The session-cookie entry holding the key of the server-side LoginSession.
LOGIN_SESSION_KEY = "login_key"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


def too_many(wait, what: str = "登录失败次数过多") -> TooManyAttempts:
    """The 429 of a throttled attempt: 「请 N 分钟后再试」 and ``details.retry_after`` in seconds."""
    seconds = math.ceil(wait.total_seconds())
    later = f"{math.ceil(seconds / 60)} 分钟" if seconds > 60 else f"{seconds} 秒"
    return TooManyAttempts(f"{what}，请 {later}后再试", details={"retry_after": seconds})


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


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    center: str | None = None,
    name: str | None = None,
    operator: bool = False,
) -> User:
    """Create a user; staff roles and center admins must name their center. ``operator``: made by
    ``flask users create``, whose password rules are the contract's (app/auth/passwords.py)."""
    username = (username or "").strip()
    if not username:
        raise Invalid("用户名不能为空", field="username")
    require_valid_password(password, username, operator=operator)
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


def _dummy_hash() -> str:
    """A hash made like the users' (same method and cost), so that checking an unknown username
    takes as long as checking a wrong password: the answer's timing does not tell who exists."""
    cache = current_app.extensions.setdefault("auth", {})
    if "dummy_hash" not in cache:
        probe = User()
        probe.set_password(secrets.token_urlsafe(16))
        cache["dummy_hash"] = probe.password_hash
    return cache["dummy_hash"]


def authenticate(username: str, password: str, client: str) -> User:
    """Return the user or raise 401; 429 while throttled (app/auth/throttle.py: account + client,
    account, client keys, counted in the database)."""
    username = (username or "").strip()
    wait = throttle.reserve(username, client)  # counted before the hash: parallel guesses cannot overtake
    if wait is not None:
        raise too_many(wait)
    failed, right = True, False
    try:
        user = db.session.scalar(select(User).where(User.username == username)) if username else None
        if user is None:
            check_password_hash(_dummy_hash(), password or "")
        right = user is not None and user.check_password(password or "")
        failed = not right or not user.active
    finally:
        throttle.settle(username, client, failed=failed)
    if right and not user.active:  # the right password: saying why does not help a guesser
        if user.pending_approval:
            raise Unauthorized("账号正在等待所选机构审核，审核通过后才能登录", code="pending_approval")
        raise Unauthorized("账号已停用，请联系本机构管理员", code="account_inactive")
    if failed:
        raise Unauthorized("用户名或密码错误", code="bad_credentials")
    throttle.clear_pair(username, client)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_ttl(user: User):
    """Candidates' tokens last one exam day (API_TOKEN_TTL_CANDIDATE, 12 hours); integration clients
    of staff keep theirs for API_TOKEN_TTL (30 days)."""
    config = current_app.config
    return config["API_TOKEN_TTL_CANDIDATE"] if user.role == Role.candidate else config["API_TOKEN_TTL"]


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = timeutil.utcnow()
    db.session.add(ApiToken(user_id=user.id, digest=_digest(token), created_at=now, expires_at=now + token_ttl(user)))
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
    connection = statement_reads.connection()
    if token_cache.refill(connection, now):  # the hall's tokens in one query (at most every 10 s)
        principal = token_cache.lookup(digest, now)
        if principal is not None:
            return principal
    row = connection.execute(_TOKEN_PRINCIPAL, {"digest": digest, "now": now}).first()
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


def token_valid_query(digest=None):
    """The token's id while it is the user's, unexpired and the user active (bound parameters
    ``digest``, ``user_id``, ``now``): the save and start paths check it again inside their write."""
    digest = bindparam("digest", type_=String) if digest is None else digest
    return (
        select(ApiToken.id)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.digest == digest,
            ApiToken.user_id == bindparam("user_id"),
            ApiToken.expires_at > bindparam("now", type_=UTCDateTime),
            User.active.is_(True),
        )
    )


_TOKEN_VALID = token_valid_query()


def token_still_valid(connection, digest: str, user_id: int, now) -> bool:
    """The bearer token is the user's, unexpired, and the user active (checked inside a write). On the
    driver's cursor (app/driver_statements.py): on SQLite every exam start checks it, and SQLAlchemy's
    execution around the statement was 6 % of the start's time (issue 25)."""
    values = {"digest": digest, "user_id": user_id, "now": now}
    return driver_statements.first(connection, _TOKEN_VALID, values) is not None


def revoke_token(token: str) -> bool:
    """Delete the token (sign-out of an API client); from then on it answers 401. True if it existed.
    The token cache (app/auth/token_cache.py) drops the digest too."""
    digest = _digest(token)
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == digest))
    if row is not None:
        record("token.revoked", row, {"user": row.user.username}, center_id=row.user.center_id)
    result = db.session.execute(delete(ApiToken).where(ApiToken.digest == digest))
    token_cache.invalidate(digest=digest)  # this process at once; other processes re-check inside their write
    return bool(result.rowcount)


def start_login_session(user: User) -> str:
    """A server-side record of a page sign-in; the returned key goes into the (signed) session cookie.
    It lasts LOGIN_SESSION_TTL (12 hours: one exam or working day) unless signed out earlier."""
    key = secrets.token_urlsafe(32)
    now = timeutil.utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now))
    db.session.add(
        LoginSession(
            user_id=user.id,
            digest=_digest(key),
            created_at=now,
            expires_at=now + current_app.config["LOGIN_SESSION_TTL"],
        )
    )
    db.session.flush()
    return key


def user_for_login_session(user_id: int, key: str | None) -> User | None:
    """The user of a session cookie, only while its server-side record exists and has not expired."""
    if not key:
        return None
    row = db.session.scalar(select(LoginSession).where(LoginSession.digest == _digest(key)))
    if row is None or row.user_id != user_id or row.expires_at <= timeutil.utcnow() or not row.user.active:
        return None
    return row.user


def end_login_session(key: str | None) -> None:
    """Sign-out: the cookie's server-side record is deleted, so a copy of the cookie stops working."""
    if key:
        db.session.execute(delete(LoginSession).where(LoginSession.digest == _digest(key)))
