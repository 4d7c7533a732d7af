"""The audit log (审计日志): one entry for every score, decision, extension, revocation and bank
change, written in the same transaction as the change it describes (a rolled-back change leaves
none). Append-only: the ORM refuses an update or delete and so does the database (``app.append_only``);
no page or endpoint edits or deletes an entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.append_only import append_only
from app.auth.models import Center, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_center_at", "center_id", "at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # None: the system / CLI
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"))  # whose record; None: the platform
    action: Mapped[str] = mapped_column(String(60), index=True)  # dotted: practical.sheet_saved
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship()
    center: Mapped[Center | None] = relationship()


append_only(AuditEntry, "审计日志")
