"""The record of difficulty write-backs (难度回写记录): who wrote which observed facility into which bank
item, when, old → new, from which session and over how many responses. Append-only (``app.append_only``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.append_only import AppendOnlyError, append_only  # noqa: F401 (AppendOnlyError: re-exported)
from app.auth.models import User
from app.banks.models import Item
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class DifficultyWriteback(db.Model):
    __tablename__ = "difficulty_writebacks"
    __table_args__ = (
        CheckConstraint("old_difficulty >= 0 AND old_difficulty <= 1", name="old_range"),
        CheckConstraint("new_difficulty >= 0 AND new_difficulty <= 1", name="new_range"),
        CheckConstraint("responses > 0", name="responses_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("bank_items.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    old_difficulty: Mapped[float] = mapped_column(Float)
    new_difficulty: Mapped[float] = mapped_column(Float)
    responses: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship()
    actor: Mapped[User] = relationship()


append_only(DifficultyWriteback, "难度回写记录")
