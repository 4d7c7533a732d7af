"""Reading the audit log in tests: the entries as plain dicts, straight from the table."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Center, User
from app.extensions import db


def entries(app, action: str | None = None) -> list[dict]:
    """Every entry (of ``action``, or whose action starts with it when it ends in "."), oldest first."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action and action.endswith("."):
            query = query.where(AuditEntry.action.startswith(action))
        elif action:
            query = query.where(AuditEntry.action == action)
        return [
            {
                "action": e.action,
                "actor": e.actor.username if e.actor else None,
                "role": e.actor_role,
                "center": db.session.get(Center, e.center_id).name if e.center_id else None,
                "subject": (e.subject_type, e.subject_id),
                "details": e.details,
                "ip": e.client_ip,
                "request_id": e.request_id,
            }
            for e in db.session.scalars(query)
        ]


def one(app, action: str) -> dict:
    """The single entry of ``action`` (fails when there is none or more than one)."""
    found = entries(app, action)
    assert len(found) == 1, found
    return found[0]


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))
