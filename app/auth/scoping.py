"""One helper scopes every center admin's queries to their center, so a forgotten filter
cannot leak another center's data."""

from __future__ import annotations

from sqlalchemy import Select

from app.errors import Forbidden, NotFound
from app.extensions import db

from .models import Role, User


def scope_to_center(query: Select, user: User, center_column) -> Select:
    """Restrict ``query`` to ``user``'s center unless the user is a platform admin."""
    if user.role == Role.admin:
        return query
    if user.center_id is None:
        return query.where(False)
    return query.where(center_column == user.center_id)


def ensure_same_center(user: User, center_id: int | None, missing: str = "记录不存在") -> None:
    """404 (not 403: existence must not leak) for a record of another center."""
    if user.role == Role.admin:
        return
    if center_id is None or user.center_id != center_id:
        raise NotFound(missing)


def ensure_center_staff(user: User, center_id: int | None, assigned: Select | None, missing: str, refusal: str) -> None:
    """Who may act on a center's staffed record (a room and its proctors): the platform admin anywhere,
    the center's admins in their center, anyone else of that center only when ``assigned`` (a SELECT
    of their assignment to it; None: they cannot have one) finds a row. Another center: 404
    ``missing``; this center without an assignment: 403 ``refusal``."""
    if user.role == Role.admin:
        return
    ensure_same_center(user, center_id, missing)
    if user.role == Role.center_admin:
        return
    if assigned is None or db.session.scalar(assigned) is None:
        raise Forbidden(refusal)


def get_for_center(model, record_id: int, user: User, missing: str = "记录不存在"):
    """The record by id, or 404 when it does not exist or belongs to another center."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(missing)
    ensure_same_center(user, record.center_id)
    return record
