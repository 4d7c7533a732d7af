"""Training programs (培训班), their trainers, trainees, classes and attendance; 结业证书 counters;
the qualifications a center records for its staff."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Center, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class TrainingStatus(enum.StrEnum):
    open = "open"
    completed = "completed"

    @property
    def label(self) -> str:
        return {"open": "进行中", "completed": "已结业"}[self.value]


class Training(db.Model):
    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("kind IN ('theory', 'practical', 'both')", name="kind_known"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"))
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    hours: Mapped[float] = mapped_column(Float)  # the required hours (≥ the level's 1.8.1 hours)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    venue: Mapped[dict] = mapped_column(JSON, default=dict)  # {name, type, stations}
    status: Mapped[TrainingStatus] = mapped_column(
        db.Enum(TrainingStatus, native_enum=False, length=20), default=TrainingStatus.open
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    center: Mapped[Center] = relationship()
    trainers: Mapped[list[TrainingTrainer]] = relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="TrainingTrainer.id"
    )
    trainees: Mapped[list[Trainee]] = relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="Trainee.id"
    )
    classes: Mapped[list[TrainingClass]] = relationship(
        back_populates="training",
        cascade="all, delete-orphan",
        order_by="(TrainingClass.date, TrainingClass.start_time, TrainingClass.id)",
    )


class TrainingTrainer(db.Model):
    __tablename__ = "training_trainers"
    __table_args__ = (UniqueConstraint("training_id", "user_id", name="uq_training_trainers_training_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    basis: Mapped[str] = mapped_column(String(500), default="")  # why 1.8.2 is met, at creation

    training: Mapped[Training] = relationship(back_populates="trainers")
    user: Mapped[User] = relationship()


class Trainee(db.Model):
    __tablename__ = "training_trainees"
    __table_args__ = (UniqueConstraint("training_id", "user_id", name="uq_training_trainees_training_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    completed: Mapped[bool | None]  # None until the training completes
    attended_hours: Mapped[float | None] = mapped_column(Float)  # frozen at completion
    certificate_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training: Mapped[Training] = relationship(back_populates="trainees")
    user: Mapped[User] = relationship()


class TrainingClass(db.Model):
    __tablename__ = "training_classes"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("end_time > start_time", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    hours: Mapped[float] = mapped_column(Float)
    topic: Mapped[str] = mapped_column(String(200), default="")

    training: Mapped[Training] = relationship(back_populates="classes")
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="training_class", cascade="all, delete-orphan", order_by="Attendance.id"
    )


class Attendance(db.Model):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_training_attendance_class_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    via: Mapped[str] = mapped_column(String(10), default="list")  # list (trainer's ticks) · qr (scanned)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped[TrainingClass] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CompletionCounter(db.Model):
    """The last 结业证书 serial of one center in one year (locked with app.locking.lock_row)."""

    __tablename__ = "training_certificate_counters"
    __table_args__ = (
        UniqueConstraint("center_id", "year", name="uq_training_certificate_counters_center_year"),
        CheckConstraint("last_serial >= 0", name="serial_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    year: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class StaffQualification(db.Model):
    """What a center records a staff member holds (certificates, titles), with who recorded it."""

    __tablename__ = "staff_qualifications"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"))
    certificates: Mapped[list] = mapped_column(JSON, default=list)
    titles: Mapped[list] = mapped_column(JSON, default=list)
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # app.uploads.describe of the cited files
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
