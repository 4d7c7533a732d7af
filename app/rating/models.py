"""Organization rating (社会组织等级评估): rounds, their experts, the organizations rated, the
self-assessment, the experts' scores, the append-only record of every score change, the appeal
(复核) and the checklist answers of the unscored capacity framework.

Lifecycle of an organization in a round (``ORG_LIFECYCLE``): self_assessment → submitted →
finalized → announced; 公示 and 复核 are the round's (``published_at`` / ``publicity_ends``) and
the appeal's own state, so that the finalized scores stay one record.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.append_only import append_only
from app.auth.models import Center, User
from app.extensions import db
from app.lifecycle import Lifecycle
from app.timeutil import UTCDateTime, utcnow


class OrgStatus(enum.StrEnum):
    self_assessment = "self_assessment"  # 自评中
    submitted = "submitted"  # 自评已提交
    finalized = "finalized"  # 已定分
    announced = "announced"  # 已公告


ORG_LABELS = {
    OrgStatus.self_assessment: "自评中",
    OrgStatus.submitted: "自评已提交",
    OrgStatus.finalized: "已定分",
    OrgStatus.announced: "已公告",
}
ORG_LIFECYCLE = Lifecycle(
    "评估对象",
    {
        OrgStatus.self_assessment: {OrgStatus.submitted, OrgStatus.finalized},
        OrgStatus.submitted: {OrgStatus.finalized},
        OrgStatus.finalized: {OrgStatus.announced},
        OrgStatus.announced: set(),
    },
    ORG_LABELS,
)


class RatingRound(db.Model):
    """One rating round (评估批次) of one framework; its grade thresholds are the round's own copy."""

    __tablename__ = "rating_rounds"
    __table_args__ = (CheckConstraint("publicity_days >= 1", name="publicity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    self_assessment_due: Mapped[date] = mapped_column(Date)
    self_assessment_deadline: Mapped[datetime] = mapped_column(UTCDateTime)  # end of the due day, Beijing
    publicity_days: Mapped[int]
    grades: Mapped[list] = mapped_column(JSON)  # [{"grade", "min"}], highest first
    grades_source: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publicity_ends: Mapped[datetime | None] = mapped_column(UTCDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    experts: Mapped[list[RatingExpert]] = relationship(
        back_populates="round", order_by="RatingExpert.id", cascade="all, delete-orphan"
    )
    organizations: Mapped[list[RatingOrganization]] = relationship(
        back_populates="round", order_by="RatingOrganization.id", cascade="all, delete-orphan"
    )


class RatingExpert(db.Model):
    __tablename__ = "rating_experts"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_rating_experts_round_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    round: Mapped[RatingRound] = relationship(back_populates="experts")
    user: Mapped[User] = relationship()


class RatingOrganization(db.Model):
    """A center rated in a round; the final figures are kept once finalized (and after 复核)."""

    __tablename__ = "rating_organizations"
    __table_args__ = (
        UniqueConstraint("round_id", "center_id", name="uq_rating_organizations_round_center"),
        CheckConstraint("total IS NULL OR total >= 0", name="total_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="CASCADE"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    status: Mapped[OrgStatus] = mapped_column(
        db.Enum(OrgStatus, native_enum=False, length=20), default=OrgStatus.self_assessment
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leaves: Mapped[dict | None] = mapped_column(JSON)  # {code: {"score", "spread"}} once finalized
    total: Mapped[float | None]
    total_text: Mapped[str | None] = mapped_column(String(60))  # the exact total as a fraction "2852/3"
    grade: Mapped[str | None] = mapped_column(String(10))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    certificate_grade: Mapped[str | None] = mapped_column(String(10))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[RatingRound] = relationship(back_populates="organizations")
    center: Mapped[Center] = relationship()

    def transition(self, target: OrgStatus) -> None:
        ORG_LIFECYCLE.move(self, target)


class SelfScore(db.Model):
    """The organization's own score of one leaf (自评), with its inputs (formula leaves) and evidence."""

    __tablename__ = "rating_self_scores"
    __table_args__ = (UniqueConstraint("organization_id", "code", name="uq_rating_self_scores_org_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("rating_organizations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    score: Mapped[float]
    note: Mapped[str] = mapped_column(Text, default="")
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # uploads.describe() of the cited files
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpertScore(db.Model):
    """One expert's score of one leaf; editable by that expert until the organization is finalized."""

    __tablename__ = "rating_expert_scores"
    __table_args__ = (
        UniqueConstraint("organization_id", "expert_id", "code", name="uq_rating_expert_scores_org_expert_code"),
        CheckConstraint("score >= 0", name="score_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("rating_organizations.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    score: Mapped[float]
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[User] = relationship()


class RatingRecord(db.Model):
    """One line of the record of rating score changes (评估评分变更记录): append-only."""

    __tablename__ = "rating_score_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("rating_organizations.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # self | expert | finalize | decide
    code: Mapped[str | None] = mapped_column(String(20))
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


append_only(RatingRecord, "评估评分变更记录")


class AppealStatus(enum.StrEnum):
    open = "open"
    upheld = "upheld"  # 维持
    changed = "changed"  # 变更


class RatingAppeal(db.Model):
    """An organization's 复核申请: one per organization (the unique constraint holds it)."""

    __tablename__ = "rating_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("rating_organizations.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    codes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[AppealStatus] = mapped_column(
        db.Enum(AppealStatus, native_enum=False, length=20), default=AppealStatus.open
    )
    scores: Mapped[dict | None] = mapped_column(JSON)  # the changed leaves {code: score}
    lodged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChecklistAnswer(db.Model):
    """A center's answer to one indicator of an unscored checklist (ssof-capacity): 达到 / 部分达到 /
    未达到, with the improvement measure (整改措施, T/SSOF 0001-2024 §7.2)."""

    __tablename__ = "rating_checklist_answers"
    __table_args__ = (
        UniqueConstraint("center_id", "framework_id", "code", name="uq_rating_checklist_center_framework_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    framework_id: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
