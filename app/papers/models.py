"""Assembled theory papers (试卷), frozen: a paper and its items never change after assembly.

``PaperItem`` keeps a snapshot of the item (stem, options, answer, points, area) so that editing
or retiring a bank item later cannot alter a paper already printed or sat. Papers assembled
together share ``batch`` (their forms are parallel: 平行试卷); ``center_id`` is the assembling
center admin's center (None for a platform admin).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Paper(db.Model):
    __tablename__ = "papers"
    __table_args__ = (
        CheckConstraint("total_points > 0", name="total_positive"),
        CheckConstraint("form_no >= 1", name="form_positive"),
        CheckConstraint("mean_difficulty >= 0 AND mean_difficulty <= 1", name="difficulty_range"),
        CheckConstraint("max_overlap >= 0 AND max_overlap <= 1", name="overlap_range"),
        UniqueConstraint("batch", "form_no", name="uq_papers_batch_form"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    batch: Mapped[str] = mapped_column(String(32), index=True)
    form_no: Mapped[int] = mapped_column(Integer)
    forms: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    max_overlap: Mapped[float] = mapped_column(Float)
    sections: Mapped[list] = mapped_column(JSON)
    difficulty_min: Mapped[float] = mapped_column(Float)
    difficulty_max: Mapped[float] = mapped_column(Float)
    total_points: Mapped[int] = mapped_column(Integer)
    area_points: Mapped[dict] = mapped_column(JSON)
    mean_difficulty: Mapped[float] = mapped_column(Float)
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[PaperItem]] = relationship(
        back_populates="paper", order_by="PaperItem.position", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return f"{self.level}理论知识试卷 第{self.form_no}套（共{self.forms}套）"

    def to_dict(self) -> dict:
        """The contract's paper shape (no stems or answers)."""
        return {
            "id": self.id,
            "standard": self.standard_id,
            "level": self.level,
            "batch": self.batch,
            "form_no": self.form_no,
            "total_points": self.total_points,
            "area_points": dict(self.area_points),
            "mean_difficulty": self.mean_difficulty,
            "items": [
                {
                    "item_id": pi.item_id,
                    "external_id": pi.external_id,
                    "type": pi.type,
                    "area": pi.area,
                    "points": pi.points,
                }
                for pi in self.items
            ],
        }


class PaperItem(db.Model):
    __tablename__ = "paper_items"
    __table_args__ = (
        UniqueConstraint("paper_id", "position", name="uq_paper_items_position"),
        UniqueConstraint("paper_id", "item_id", name="uq_paper_items_item"),
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("bank_items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    # snapshot of the item at assembly time
    external_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(10))
    area: Mapped[str] = mapped_column(String(50))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)
    answer: Mapped[object] = mapped_column(JSON)
    difficulty: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")

    paper: Mapped[Paper] = relationship(back_populates="items")

    @classmethod
    def snapshot_of(cls, item, position: int) -> PaperItem:
        """A frozen copy of a bank item: later edits of the bank never change an assembled paper."""
        return cls(
            item_id=item.id,
            position=position,
            points=item.points,
            external_id=item.external_id,
            type=item.type,
            area=item.area,
            stem=item.stem,
            options=list(item.options or []),
            answer=item.answer,
            difficulty=item.difficulty,
            source=item.source or "",
        )
