"""Passwords changed by their owner, and reset with a one-time code an admin hands out.

Nothing is mailed (no mail server is assumed): the center admin (or the platform admin) issues a
code, shown to them once, and passes it on; the person sets a new password with it on the public
reset page. A code is stored only as its SHA-256 digest, works once and for PASSWORD_RESET_MINUTES
(30) minutes; issuing a new one voids the person's earlier codes. Changing or resetting a password
ends the person's other sign-ins: their other page sessions and every API token but the one in use.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from app import timeutil
from app.audit.operations import record
from app.errors import Unauthorized
from app.extensions import db

from . import throttle, token_cache
from .field_errors import FieldErrors, secret, text
from .models import ApiToken, LoginSession, PasswordReset, User
from .operations import TooManyAttempts, authenticate, too_many
from .passwords import password_problems
from .scoping import ensure_same_center

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand
CODE_LENGTH = 10
RESET_LIMIT = 10  # code attempts per address per window
RESET_WINDOW = timedelta(minutes=15)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def reset_minutes() -> int:
    return int(current_app.config.get("PASSWORD_RESET_MINUTES", 30))


def revoke_access(user: User, *, keep_session: str | None = None, keep_token: str | None = None) -> dict:
    """End every page session and API token of ``user`` except those whose digests are given."""
    sessions = delete(LoginSession).where(LoginSession.user_id == user.id)
    tokens = delete(ApiToken).where(ApiToken.user_id == user.id)
    if keep_session:
        sessions = sessions.where(LoginSession.digest != keep_session)
    if keep_token:
        tokens = tokens.where(ApiToken.digest != keep_token)
    ended = db.session.execute(sessions).rowcount
    revoked = db.session.execute(tokens).rowcount
    token_cache.invalidate(user_id=user.id)  # this process at once; others re-check inside their writes
    return {"sessions_ended": ended, "tokens_revoked": revoked}


def _new_password_errors(errors: FieldErrors, data: dict, username: str, field: str = "password") -> str:
    """The new password (``field``) and its confirmation (``field``2). Both pages that set one, 修改密码
    and 重设密码, label them 新密码 and 确认新密码: each message names its field by that label, whatever
    the key (``new_password`` on one, ``password`` on the other)."""
    password = secret(data, field)
    problems = password_problems(password, username)
    if problems:
        errors.add(field, "新密码：" + "；".join(problems))
    if secret(data, f"{field}2") != password:
        errors.add(f"{field}2", "确认新密码：两次输入的密码不一致")
    return password


def change_password(
    user: User, data: dict, client: str, *, keep_session: str | None = None, keep_token: str | None = None
) -> dict:
    """The signed-in ``user`` changes their password: ``current_password``, ``new_password`` twice
    (``new_password2``). The current password is checked like a sign-in (throttled the same way)."""
    errors = FieldErrors()
    current = secret(data, "current_password")
    if not current:
        errors.add("current_password", "当前密码：请填写")
    else:
        try:
            authenticate(user.username, current, client)
        except Unauthorized:
            errors.add("current_password", "当前密码：不正确")
        except TooManyAttempts as exc:
            errors.add("current_password", f"当前密码：{exc.message}")
    new = _new_password_errors(errors, data, user.username, "new_password")
    if current and new and new == current:
        errors.add("new_password", "新密码：不能与当前密码相同")
    errors.raise_if_any()
    user.set_password(new)
    revoked = revoke_access(user, keep_session=keep_session, keep_token=keep_token)
    record("account.password_changed", user, {"username": user.username, **revoked}, actor=user)
    return revoked


def issue_reset_code(admin: User, user: User) -> tuple[str, object]:
    """A new one-time code for ``user`` (their center's admin, or the platform admin; another center's
    user is 404). Returns the code, shown once, and when it expires."""
    ensure_same_center(admin, user.center_id, "用户不存在")
    now = timeutil.utcnow()
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + timedelta(minutes=reset_minutes())
    db.session.add(
        PasswordReset(user_id=user.id, digest=_digest(code), issued_by_id=admin.id, created_at=now, expires_at=expires)
    )
    db.session.flush()
    record("account.reset_code_issued", user, {"username": user.username, "expires_at": expires.isoformat()})
    return f"{code[:5]}-{code[5:]}", expires


def redeem_reset_code(data: dict, client: str) -> User:
    """The public reset: ``username``, ``code``, ``password`` twice (``password2``). Throttled per
    address (RESET_LIMIT per RESET_WINDOW) so codes cannot be guessed."""
    wait = throttle.hit("reset", client, RESET_LIMIT, RESET_WINDOW)
    if wait is not None:
        raise too_many(wait, "尝试次数过多")
    errors = FieldErrors()
    username, code = text(data, "username"), normalize_code(text(data, "code"))
    if not username:
        errors.add("username", "用户名：请填写")
    if not code:
        errors.add("code", "重置码：请填写")
    password = _new_password_errors(errors, data, username)
    now = timeutil.utcnow()
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    reset = None
    if user is not None and code:
        reset = db.session.scalar(
            select(PasswordReset).where(
                PasswordReset.user_id == user.id,
                PasswordReset.digest == _digest(code),
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > now,
            )
        )
    if code and username and reset is None:
        errors.add("code", "重置码：无效、已用过或已过期（请向本机构管理员重新索取）")
    errors.raise_if_any()
    user.set_password(password)
    reset.used_at = now
    revoked = revoke_access(user)
    record("account.password_reset", user, {"username": user.username, **revoked}, actor=user)
    return user


def open_codes(user: User) -> int:
    """How many unused, unexpired codes ``user`` has (0 or 1)."""
    now = timeutil.utcnow()
    return db.session.scalar(
        select(func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
    )
