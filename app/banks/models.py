"""Question banks (题库): per standard, the platform's bank (``center_id`` NULL, written by platform admins)
and each center's own items (written by that center's admins). A center reads and assembles from the
platform's items and its own. ``external_id`` stays unique per standard (api-contract): an import that
names an item of another owner is refused, never an overwrite.

An item's ``level`` is the lowest level it serves (3 工作要求: 高级别涵盖低级别的要求); its ``area``
is a row of that standard's 4.1 理论知识权重表; ``source`` cites the clause of the standard the item
tests. ``usage_count`` counts the session papers (papers candidates sit) that include the item:
assembly prefers less-used items; draft papers assembled on the papers page or API do not count. Items are retired, never deleted, so that frozen papers and statistics keep their origin.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

ITEM_TYPES = ("single", "multiple", "judge")
TYPE_LABELS = {"single": "单项选择题", "multiple": "多项选择题", "judge": "判断题"}


class Item(db.Model):
    __tablename__ = "bank_items"
    __table_args__ = (
        # external_id unique per standard (api-contract); an import that names another owner's item is refused
        UniqueConstraint("standard_id", "external_id", name="uq_bank_items_standard_external"),
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint("difficulty >= 0 AND difficulty <= 1", name="difficulty_range"),
        CheckConstraint("type IN ('single', 'multiple', 'judge')", name="type_known"),
        CheckConstraint("usage_count >= 0", name="usage_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"), index=True)
    # the owner: NULL = the platform's bank; else the center whose admins wrote the item
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(10))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[object] = mapped_column(JSON)
    points: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(50), index=True)
    level: Mapped[str] = mapped_column(String(20))
    difficulty: Mapped[float] = mapped_column(Float)
    enemy_group: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200), default="")
    retired: Mapped[bool] = mapped_column(default=False)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    def to_dict(self) -> dict:
        """The contract's item shape plus the platform's own fields (id, source, retired, usage)."""
        return {
            "id": self.id,
            "external_id": self.external_id,
            "type": self.type,
            "stem": self.stem,
            "options": list(self.options or []),
            "answer": self.answer,
            "points": self.points,
            "area": self.area,
            "level": self.level,
            "difficulty": self.difficulty,
            "enemy_group": self.enemy_group,
            "source": self.source,
            "retired": self.retired,
            "usage_count": self.usage_count,
        }
