"""The machine exam (机考): attempts, the answers saved into them, and what proctors record.

Answers are upserted one row per (attempt, qid) and never blanked by closing an attempt
(cf. Moodle MDL-43733, WeBWorK #1208): closing only reads what was saved.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.append_only import append_only
from app.auth.models import User
from app.extensions import db
from app.lifecycle import Lifecycle
from app.sessions.models import Enrollment, ExamSession
from app.timeutil import UTCDateTime, utcnow

from . import durability  # noqa: F401  (SQLite WAL + synchronous=FULL on every connection)


class AttemptStatus(enum.StrEnum):
    in_progress = "in_progress"
    submitted = "submitted"


ATTEMPT_LABELS = {AttemptStatus.in_progress: "作答中", AttemptStatus.submitted: "已交卷"}
# An attempt is closed once (submitted, at the deadline or by a proctor) and never reopened (SAM-2909).
ATTEMPT_LIFECYCLE = Lifecycle(
    "答卷", {AttemptStatus.in_progress: {AttemptStatus.submitted}, AttemptStatus.submitted: set()}, ATTEMPT_LABELS
)


class CloseReason(enum.StrEnum):
    candidate = "candidate"  # the candidate submitted
    deadline = "deadline"  # closed after the deadline with what was saved
    forced = "forced"  # a proctor closed it, with a reason


CLOSE_LABELS = {
    CloseReason.candidate: "考生交卷",
    CloseReason.deadline: "到时自动收卷",
    CloseReason.forced: "监考强制收卷",
}


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("points_earned IS NULL OR points_earned >= 0", name="points_earned_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"))
    # The candidate's own order: [{"qid": item id, "type", "perm": [original option index, ...]}, ...]
    layout: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[AttemptStatus] = mapped_column(
        db.Enum(AttemptStatus, native_enum=False, length=20), default=AttemptStatus.in_progress
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The candidate's deadline (window end + extensions), kept here so that a save reads one row;
    # grant_extension moves it together with the recorded ProctorAction.
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[CloseReason | None] = mapped_column(db.Enum(CloseReason, native_enum=False, length=20))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    points_earned: Mapped[float | None]
    points_total: Mapped[float | None]
    score: Mapped[float | None]

    enrollment: Mapped[Enrollment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", order_by="Answer.id")

    @property
    def is_open(self) -> bool:
        """Still being answered: not yet closed (a lazy close past the deadline happens first)."""
        return self.status == AttemptStatus.in_progress

    def transition(self, target: AttemptStatus) -> None:
        ATTEMPT_LIFECYCLE.move(self, target)


class Answer(db.Model):
    """The latest saved answer to one question, in the candidate's letters (what they saw)."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "qid", name="uq_attempt_answers_attempt_qid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    qid: Mapped[int]
    value: Mapped[object | None] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class ActionKind(enum.StrEnum):
    extension = "extension"  # 延时
    incident = "incident"  # 违纪
    force_close = "force_close"  # 强制收卷


ACTION_LABELS = {ActionKind.extension: "延长时间", ActionKind.incident: "违纪记录", ActionKind.force_close: "强制收卷"}


class ProctorAction(db.Model):
    """Everything a proctor does to a candidate's exam, with who and when (the room's log)."""

    __tablename__ = "proctor_actions"
    __table_args__ = (CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ActionKind] = mapped_column(db.Enum(ActionKind, native_enum=False, length=20))
    minutes: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    actor: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return ACTION_LABELS[self.kind]


class PaperScoreEntry(db.Model):
    """One typed entry of a paper sitting's theory score (书面笔答, 3-01-04-03 1.9.2): the score is
    final when two entries by two different people agree; a disagreement is decided by a third
    entry by a third person (``scoring.paper_entries``). Append-only: a typo is never overwritten,
    it is outvoted, and every entry stays in the record."""

    __tablename__ = "paper_score_entries"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        UniqueConstraint("enrollment_id", "entered_by_id", name="uq_paper_score_entries_enrollment_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id"), index=True)
    score: Mapped[float | None]  # None: this entry says 缺考 (absent)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ExamSession] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    entered_by: Mapped[User] = relationship()


append_only(PaperScoreEntry, "书面笔答成绩录入记录")
