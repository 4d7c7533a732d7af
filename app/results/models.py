"""Published results (成绩), certificates (证书) and the centers' certificate settings.

Publishing freezes every candidate's result: one ``Result`` per enrollment and one
``ResultComponent`` per component with the score at publication, so that later corrections of a
sheet or an attempt change no published result. A certificate is issued for every passer at
publication; its number's serial comes from a ``CertificateCounter`` row incremented atomically
and is unique per number scope (a database constraint), so serials never repeat, also under
concurrent publication.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Center, User
from app.extensions import db
from app.sessions.models import Enrollment, ExamSession
from app.timeutil import UTCDateTime, utcnow


class Result(db.Model):
    """One candidate's outcome in one published session (frozen at publication)."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("session_candidates.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"))
    level: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Passed while already holding a valid certificate of the same standard and level: no second one
    # is issued (issue 27 item 2); the number held at publication says why this passer has none.
    held_certificate_no: Mapped[str | None] = mapped_column(String(40))

    session: Mapped[ExamSession] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    components: Mapped[list[ResultComponent]] = relationship(
        back_populates="result", order_by="ResultComponent.id", cascade="all, delete-orphan", lazy="selectin"
    )
    certificate: Mapped[Certificate | None] = relationship(back_populates="result", uselist=False)

    def component(self, key: str) -> ResultComponent | None:
        return next((c for c in self.components if c.component == key), None)


class ResultComponent(db.Model):
    """A component's score at publication. ``status``: final · absent (缺考) · disqualified (违纪) ·
    carried (成绩保留: not sat here; ``score`` is the kept score and ``origin_published_at`` the
    publication of the pass it was kept from, so a kept pass is never kept longer than a year)."""

    __tablename__ = "result_components"
    __table_args__ = (
        UniqueConstraint("result_id", "component", name="uq_result_components_result_component"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("status IN ('final', 'absent', 'disqualified', 'carried')", name="status_known"),
        CheckConstraint("status IN ('absent', 'disqualified') OR score IS NOT NULL", name="score_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None]
    passed: Mapped[bool]
    origin_published_at: Mapped[datetime] = mapped_column(UTCDateTime)

    result: Mapped[Result] = relationship(back_populates="components")

    @property
    def carried(self) -> bool:
        return self.status == "carried"


class CenterCertificateSettings(db.Model):
    """The segments of a center's certificate numbers (人社鉴发〔2019〕2号) and its platform code (590008)."""

    __tablename__ = "center_certificate_settings"
    __table_args__ = (
        CheckConstraint("kind IN ('S', 'Y')", name="kind_known"),
        CheckConstraint("length(org_code) = 4", name="org_code_length"),
        CheckConstraint("length(province) = 2", name="province_length"),
        CheckConstraint("length(org_serial) = 6", name="org_serial_length"),
    )

    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(1))  # S 社会培训评价组织 · Y 用人单位
    org_code: Mapped[str] = mapped_column(String(4))  # 0000: filed with a province
    province: Mapped[str] = mapped_column(String(2))  # GB/T 2260 province code
    org_serial: Mapped[str] = mapped_column(String(6))  # assigned by the province
    platform_code: Mapped[str] = mapped_column(String(10))  # 590008 numbers: 2–10 capitals or digits
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    center: Mapped[Center] = relationship()


class CertificateCounter(db.Model):
    """The last serial used in one number scope (everything of a number before its serial)."""

    __tablename__ = "certificate_counters"
    __table_args__ = (CheckConstraint("last_serial >= 0 AND last_serial <= 999999", name="serial_range"),)

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class Certificate(db.Model):
    """A 职业技能等级证书 with what 人社鉴发〔2021〕1号 requires printed on it, frozen at issue."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("scope", "serial", name="uq_certificates_scope_serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    scope: Mapped[str] = mapped_column(String(40))
    serial: Mapped[int]
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"))
    level: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))  # 证书名称
    holder_name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(40), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    photo: Mapped[str | None] = mapped_column(String(64))  # stored name of the holder's photo at issue
    occupation: Mapped[str] = mapped_column(String(100))  # 职业名称
    direction: Mapped[str] = mapped_column(String(100), default="--")  # 工种/职业方向
    level_title: Mapped[str] = mapped_column(String(40))  # 职业技能等级, e.g. 四级/中级工
    issued_on: Mapped[date] = mapped_column(Date)
    center_name: Mapped[str] = mapped_column(String(200))  # 评价机构名称
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    result: Mapped[Result] = relationship(back_populates="certificate")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    center: Mapped[Center] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
