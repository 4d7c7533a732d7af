"""申报: a candidate's profile, their evidence files, and applications with their decisions.

An application freezes what was decided on: the profile snapshot, the engine's result and the
evidence list at the time of applying, so a later edit of the profile changes no past decision.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Center, User
from app.extensions import db
from app.lifecycle import Lifecycle
from app.timeutil import UTCDateTime, utcnow

# 证件类型 a profile may hold (人社鉴发〔2021〕1号 prints 证件类型 and 证件号码 on the certificate).
RESIDENT_ID = "居民身份证"
ID_TYPES = (
    RESIDENT_ID,
    "港澳居民居住证",
    "台湾居民居住证",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
    "护照",
)


class ApplicationStatus(enum.StrEnum):
    """eligible/ineligible: the engine's verdict, awaiting review; approved/rejected: decided (final)."""

    eligible = "eligible"
    ineligible = "ineligible"
    approved = "approved"
    rejected = "rejected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def decided(self) -> bool:
        return self in (ApplicationStatus.approved, ApplicationStatus.rejected)


STATUS_LABELS = {
    ApplicationStatus.eligible: "待审核（符合条件）",
    ApplicationStatus.ineligible: "待审核（不符合条件）",
    ApplicationStatus.approved: "已批准",
    ApplicationStatus.rejected: "已驳回",
}
# A decision is made once; only an eligible application can be approved (1.9.1 申报条件).
APPLICATION_LIFECYCLE = Lifecycle(
    "申报",
    {
        ApplicationStatus.eligible: {ApplicationStatus.approved, ApplicationStatus.rejected},
        ApplicationStatus.ineligible: {ApplicationStatus.rejected},
        ApplicationStatus.approved: set(),
        ApplicationStatus.rejected: set(),
    },
    STATUS_LABELS,
)


class CandidateProfile(db.Model):
    """The one profile a candidate keeps, in the contract's ``candidate`` shape (dates as strings)."""

    __tablename__ = "candidate_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # 证件 and photo printed on certificates (人社鉴发〔2021〕1号): see ``identity.py``.
    id_type: Mapped[str] = mapped_column(String(40), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    photo: Mapped[str | None] = mapped_column(String(64))  # stored name under UPLOAD_FOLDER/photos
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(
            "(status IN ('approved', 'rejected') AND decided_at IS NOT NULL AND decided_by_id IS NOT NULL)"
            " OR (status IN ('eligible', 'ineligible') AND decided_at IS NULL AND decided_by_id IS NULL)",
            name="decision_consistent",
        ),
        CheckConstraint("status <> 'approved' OR eligible", name="approved_is_eligible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The candidate's center when applying (None: a candidate without one).
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), index=True)
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"))
    level: Mapped[str] = mapped_column(String(20))
    status: Mapped[ApplicationStatus] = mapped_column(db.Enum(ApplicationStatus, native_enum=False, length=20))
    eligible: Mapped[bool] = mapped_column()
    as_of: Mapped[date] = mapped_column(Date)
    profile: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # [{id, label, name}] at application time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The deciding center admin's center (records who took a center-less candidate's application).
    decided_center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    center: Mapped[Center | None] = relationship(foreign_keys=[center_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    decided_center: Mapped[Center | None] = relationship(foreign_keys=[decided_center_id])

    def transition(self, target: ApplicationStatus) -> None:
        APPLICATION_LIFECYCLE.move(self, target)
