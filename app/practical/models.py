"""Panel scoring (操作技能考核 and 综合评审): score sheets, the finalized result per candidate,
the append-only record of every entry and correction, the center's settings, review materials.

- ``ScoreSheet`` (评分记录表): one per (component, candidate, panel member); ``sections`` holds the
  points per 职业功能 (practical) or {"综合评审": score} (review), ``parts`` the points per 工作内容
  where the center split a section. A sheet is editable by its own grader until the candidate's
  result is finalized.
- ``ComponentResult``: the candidate's result in the component, through ``RESULT_LIFECYCLE``
  (pending → final | absent | disqualified, never back): once it leaves pending, the sheets are locked.
- ``ScoreRecord``: who, when, old → new — append-only, enforced here (an update or delete of a record
  raises ``AppendOnlyError`` before it reaches the database, and the database's triggers refuse
  it too: ``app.append_only``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.append_only import AppendOnlyError, append_only  # noqa: F401 (AppendOnlyError: re-exported)
from app.auth.models import Center, User
from app.extensions import db
from app.lifecycle import Lifecycle
from app.sessions.models import Enrollment, ExamSession
from app.timeutil import UTCDateTime, utcnow

REVIEW_SECTION = "综合评审"  # the one section of a review sheet (0–100)


class ResultStatus(enum.StrEnum):
    pending = "pending"
    final = "final"
    absent = "absent"  # 缺考
    disqualified = "disqualified"  # 违纪

    @property
    def label(self) -> str:
        return RESULT_LABELS[self]


RESULT_LABELS = {
    ResultStatus.pending: "评分中",
    ResultStatus.final: "已定分",
    ResultStatus.absent: "缺考",
    ResultStatus.disqualified: "违纪",
}
# Finalized once; a finalized sheet is locked (409) and never reopened.
RESULT_LIFECYCLE = Lifecycle(
    "评分结果",
    {
        ResultStatus.pending: {ResultStatus.final, ResultStatus.absent, ResultStatus.disqualified},
        ResultStatus.final: set(),
        ResultStatus.absent: set(),
        ResultStatus.disqualified: set(),
    },
    RESULT_LABELS,
)


class Mark(enum.StrEnum):
    """What the center admin marked before finalizing: both finalize to a failing component."""

    absent = "absent"
    disqualified = "disqualified"


class ScoreSheet(db.Model):
    __tablename__ = "score_sheets"
    __table_args__ = (
        CheckConstraint("total >= 0 AND total <= 100", name="total_range"),
        CheckConstraint("component IN ('practical', 'review')", name="component_known"),
        UniqueConstraint("component", "enrollment_id", "grader_id", name="uq_score_sheets_component_enrollment_grader"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    component: Mapped[str] = mapped_column(String(20))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id"), index=True)
    grader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sections: Mapped[dict] = mapped_column(JSON)  # {area: points}
    parts: Mapped[dict] = mapped_column(JSON, default=dict)  # {area: {工作内容: points}} where split
    total: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    grader: Mapped[User] = relationship()


class ComponentResult(db.Model):
    __tablename__ = "component_results"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("spread IS NULL OR spread >= 0", name="spread_nonnegative"),
        CheckConstraint("status <> 'final' OR score IS NOT NULL", name="final_has_score"),
        UniqueConstraint("component", "enrollment_id", name="uq_component_results_component_enrollment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    component: Mapped[str] = mapped_column(String(20))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id"), index=True)
    status: Mapped[ResultStatus] = mapped_column(
        db.Enum(ResultStatus, native_enum=False, length=20), default=ResultStatus.pending
    )
    mark: Mapped[Mark | None] = mapped_column(db.Enum(Mark, native_enum=False, length=20))
    mark_reason: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None]
    spread: Mapped[float | None]
    graders: Mapped[int | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")  # required when a flagged sheet is finalized
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrollment: Mapped[Enrollment] = relationship()
    finalized_by: Mapped[User | None] = relationship()

    @property
    def locked(self) -> bool:
        return self.status != ResultStatus.pending

    def transition(self, target: ResultStatus) -> None:
        RESULT_LIFECYCLE.move(self, target)


class RecordAction(enum.StrEnum):
    entry = "entry"  # 录入
    correction = "correction"  # 更正
    mark = "mark"  # 标记缺考/违纪
    unmark = "unmark"  # 取消标记
    finalize = "finalize"  # 定分


RECORD_LABELS = {
    RecordAction.entry: "录入",
    RecordAction.correction: "更正",
    RecordAction.mark: "标记",
    RecordAction.unmark: "取消标记",
    RecordAction.finalize: "定分",
}


class ScoreRecord(db.Model):
    """One line of the record of changes (评分变更记录): append-only."""

    __tablename__ = "score_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    component: Mapped[str] = mapped_column(String(20))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[RecordAction] = mapped_column(db.Enum(RecordAction, native_enum=False, length=20))
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    actor: Mapped[User] = relationship()

    @property
    def action_label(self) -> str:
        return RECORD_LABELS[self.action]


append_only(ScoreRecord, "评分变更记录")


class ScoringSettings(db.Model):
    """A center's scoring settings: the spread above which a sheet is flagged (default 15 points)."""

    __tablename__ = "scoring_settings"
    __table_args__ = (CheckConstraint("spread_threshold > 0 AND spread_threshold <= 100", name="threshold_range"),)

    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), primary_key=True)
    spread_threshold: Mapped[float] = mapped_column(default=15.0)

    center: Mapped[Center] = relationship()


class SectionSplit(db.Model):
    """A center's split of one section (职业功能) of a session's practical sheet into its 工作内容,
    whose maxima sum to the section's weight (the sheet's total stays 100)."""

    __tablename__ = "section_splits"
    __table_args__ = (UniqueConstraint("session_id", "area", name="uq_section_splits_session_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(100))
    parts: Mapped[list] = mapped_column(JSON)  # [{"name": 工作内容, "max": points}, ...]

    session: Mapped[ExamSession] = relationship()


class MaterialKind(enum.StrEnum):
    summary = "summary"  # 技术总结
    thesis = "thesis"  # 论文


MATERIAL_LABELS = {MaterialKind.summary: "技术总结", MaterialKind.thesis: "论文"}


class ReviewMaterial(db.Model):
    """A candidate's review material (PDF), stored under UPLOAD_FOLDER/review by a random name."""

    __tablename__ = "review_materials"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id"), index=True)
    kind: Mapped[MaterialKind] = mapped_column(db.Enum(MaterialKind, native_enum=False, length=20))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()

    @property
    def kind_label(self) -> str:
        return MATERIAL_LABELS[self.kind]
