"""Writing and reading the audit log.

``record(action, subject, details)`` is the one call the domain operations make, on the line after
the change: it only adds the entry to the session, so the entry is committed or rolled back with
the change by the request boundary (a failed request leaves no entry, a committed change always
has one). The actor is the signed-in user of the request unless the operation names one
(``actor=None``: the system, e.g. an attempt closed at its deadline or the CLI); the center is the
subject's own unless given.

Reading: a platform admin reads every entry, a center admin their center's only (404 for another
center's entry), nobody else any (403).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app import timeutil
from app.auth.models import Role, User
from app.auth.scoping import ensure_same_center, scope_to_center
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db

from .labels import ACTION_LABELS
from .models import AuditEntry

CURRENT = object()  # the request's signed-in user (the default actor)
READERS = {Role.admin, Role.center_admin}
PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_EXPORT = 100_000
MAX_LISTED = 500  # external ids etc. listed in one entry's details; the count says how many there were
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _request_user():
    if not has_request_context():
        return None
    user = g.get("api_user")
    if user is None and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    return user


def _center_of(subject) -> int | None:
    """The center whose record ``subject`` is: its own ``center_id``, else its session's."""
    for path in (("center_id",), ("session", "center_id"), ("enrollment", "session", "center_id")):
        value = subject
        for name in path:
            value = getattr(value, name, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


def request_id() -> str:
    """The request's id: the client's ``X-Request-ID`` when it is a sane token, else a new one."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    return g.request_id


def listed(values) -> list:
    """At most MAX_LISTED values (the entry keeps a count beside them)."""
    return list(values)[:MAX_LISTED]


def record(
    action: str,
    subject,
    details: dict | None = None,
    *,
    actor=CURRENT,
    center_id=CURRENT,
    subject_type: str | None = None,
    subject_id: int | None = None,
) -> AuditEntry:
    """Add one audit entry for ``subject`` (a model instance, or None with ``subject_type``/``subject_id``)."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}: add it to app/audit/labels.py")
    if actor is CURRENT:
        actor = _request_user()
    if subject is not None and getattr(subject, "id", None) is None:
        db.session.flush()  # a new subject gets its id
    role = getattr(actor, "role", None) if actor is not None else None
    entry = AuditEntry(
        at=timeutil.utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_role=str(getattr(role, "value", role) or ""),
        center_id=_center_of(subject) if center_id is CURRENT else center_id,
        action=action,
        subject_type=subject_type or (subject.__tablename__ if subject is not None else ""),
        subject_id=subject_id if subject_id is not None else getattr(subject, "id", None),
        details=details or {},
        client_ip=(request.remote_addr or "")[:64] if has_request_context() else "",
        request_id=request_id() if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # 起始日期 (Beijing time, inclusive)
    end: date | None = None  # 截止日期 (inclusive)
    action: str = ""  # a code, or a prefix ending in "." (practical.)
    actor: str = ""  # username
    subject_type: str = ""
    subject_id: int | None = None


FIELD_LABELS = {
    "from": "起始日期",
    "to": "截止日期",
    "action": "操作",
    "actor": "操作人",
    "subject_type": "对象类型",
    "subject_id": "对象编号",
    "page": "页码",
    "per_page": "每页条数",
}


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{FIELD_LABELS[field]}：应为 YYYY-MM-DD 格式的日期", field=field) from None
    if not 2000 <= parsed.year <= 2999:
        raise Invalid(f"{FIELD_LABELS[field]}：超出合理范围", field=field)
    return parsed


def _int(value: str, field: str, low: int, high: int) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise Invalid(f"{FIELD_LABELS[field]}：应为 {low}–{high} 的整数", field=field)
    return int(value)


def _text(args, field: str, max_length: int = 80) -> str:
    value = args.get(field, "").strip()
    if len(value) > max_length:
        raise Invalid(f"{FIELD_LABELS[field]}：不能超过 {max_length} 个字符", field=field)
    return value


def parse_filters(args) -> tuple[Filters, int, int]:
    """Filters, page and page size from query arguments (422 naming the field by its label)."""
    filters = Filters(
        start=_date(args.get("from", "").strip(), "from"),
        end=_date(args.get("to", "").strip(), "to"),
        action=_text(args, "action", 60),
        actor=_text(args, "actor"),
        subject_type=_text(args, "subject_type", 40),
        subject_id=_int(args.get("subject_id", "").strip(), "subject_id", 1, 2**63 - 1),
    )
    if filters.start and filters.end and filters.start > filters.end:
        raise Invalid("起始日期不能晚于截止日期", field="from")
    page = _int(args.get("page", "").strip(), "page", 1, 1_000_000) or 1
    per_page = _int(args.get("per_page", "").strip(), "per_page", 1, MAX_PER_PAGE) or PER_PAGE
    return filters, page, per_page


def check_reader(user: User) -> None:
    if user.role not in READERS:
        raise Forbidden("只有平台管理员和机构管理员可以查看审计日志")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timeutil.CHINA)


def entries_query(user: User, filters: Filters) -> Select:
    """The entries ``user`` may read that match ``filters``, newest first."""
    check_reader(user)
    query = scope_to_center(select(AuditEntry), user, AuditEntry.center_id)
    if filters.start:
        query = query.where(AuditEntry.at >= _day_start(filters.start))
    if filters.end:
        query = query.where(AuditEntry.at < _day_start(filters.end + timedelta(days=1)))
    if filters.action.endswith("."):
        query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    elif filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        query = query.join(User, User.id == AuditEntry.actor_id).where(User.username == filters.actor)
    if filters.subject_type:
        query = query.where(AuditEntry.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.subject_id == filters.subject_id)
    return query.options(selectinload(AuditEntry.actor), selectinload(AuditEntry.center)).order_by(
        AuditEntry.at.desc(), AuditEntry.id.desc()
    )


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_of(user: User, filters: Filters, page: int, per_page: int) -> Page:
    query = entries_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(rows), page, per_page, total)


def get_entry(user: User, entry_id: int) -> AuditEntry:
    """One entry (404 for a missing one or another center's)."""
    check_reader(user)
    entry = db.session.get(AuditEntry, entry_id) if entry_id <= 2**63 - 1 else None
    if entry is None:
        raise NotFound("审计记录不存在")
    ensure_same_center(user, entry.center_id)
    return entry


def export_entries(user: User, filters: Filters) -> list[AuditEntry]:
    """Every matching entry for the export, newest first (at most MAX_EXPORT)."""
    return list(db.session.scalars(entries_query(user, filters).limit(MAX_EXPORT)))


def display_names(usernames: set[str]) -> dict[str, str]:
    """{username: display name} of the people a page of entries names (one query)."""
    if not usernames:
        return {}
    rows = db.session.execute(select(User.username, User.name).where(User.username.in_(sorted(usernames))))
    return {username: name or username for username, name in rows}
