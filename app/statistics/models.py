"""The record of difficulty write-backs (难度回写记录): who wrote which observed facility into which bank
item, when, old → new, from which session and over how many responses. Append-only, enforced here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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


class AppendOnlyError(RuntimeError):
    """A change or deletion of a write-back record was attempted: the record can only grow."""


@event.listens_for(DifficultyWriteback, "before_update")
def _no_update(mapper, connection, target) -> None:
    raise AppendOnlyError("难度回写记录只能追加，不能修改")


@event.listens_for(DifficultyWriteback, "before_delete")
def _no_delete(mapper, connection, target) -> None:
    raise AppendOnlyError("难度回写记录只能追加，不能删除")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_change(state) -> None:
    """Bulk ``update()`` / ``delete()`` bypass the mapper events: refuse them too."""
    if (state.is_update or state.is_delete) and any(m.class_ is DifficultyWriteback for m in state.all_mappers):
        raise AppendOnlyError("难度回写记录只能追加")
