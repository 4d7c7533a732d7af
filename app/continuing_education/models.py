"""A center's CE requirement and the CE records (claims and platform records)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Center, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class CERequirement(db.Model):
    __tablename__ = "ce_requirements"

    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    annual_hours: Mapped[float] = mapped_column(Float)
    minimum: Mapped[dict] = mapped_column(JSON, default=dict)
    forms: Mapped[list] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CEStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "待认定", "approved": "已认定", "rejected": "未认定"}[self.value]


class CERecord(db.Model):
    __tablename__ = "ce_records"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("credited IS NULL OR (credited >= 0 AND credited <= hours)", name="credited_range"),
        CheckConstraint("category IN ('公需科目', '专业科目')", name="category_known"),
        CheckConstraint("source IN ('claim', 'platform')", name="source_known"),
        UniqueConstraint("user_id", "class_id", name="uq_ce_records_user_class"),
        # a person's records of one year (the registry page, 学时认定): without it SQLite's planner
        # walks the year's index, every record of the year, for a page of 20 people (issue 25 item 4)
        Index("ix_ce_records_user_year", "user_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    form: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)  # claimed
    credited: Mapped[float | None] = mapped_column(Float)
    status: Mapped[CEStatus] = mapped_column(db.Enum(CEStatus, native_enum=False, length=20))
    source: Mapped[str] = mapped_column(String(10), default="claim")
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # app.uploads.describe of the cited files
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    center: Mapped[Center | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
