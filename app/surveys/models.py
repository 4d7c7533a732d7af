"""Satisfaction surveys (服务评价与满意度测评, T/SSOF 0001-2024 §7.1 服务对象调查; seed 004 4.1.1 会员评价).

Who answered is kept apart from what was answered (design: "a survey's anonymity is structural"):

- ``SurveyInvitation`` — one row per invited person with a ``responded`` flag and nothing else: no
  time of the response.
- ``SurveyResponse`` — the answers. On an anonymous survey it holds no user id, no foreign key to the
  invitation, no timestamp, and its key is a random token (``secrets``), so neither a column nor the
  key's order tells who answered or in what order. A named survey keeps ``user_id``.

Nothing else records the response of an anonymous survey (no audit entry: see operations).
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Center, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class AudienceKind(enum.StrEnum):
    session = "session"  # a session's enrolled candidates
    training = "training"  # a training's trainees (joins app.training at merge)
    members = "members"  # every active account of the center

    @property
    def label(self) -> str:
        return AUDIENCE_LABELS[self]


AUDIENCE_LABELS = {
    AudienceKind.session: "考试批次考生",
    AudienceKind.training: "培训班学员",
    AudienceKind.members: "本机构全体人员",
}


def random_key() -> str:
    """A response's key: 128 random bits, so that the key's order is no arrival order."""
    return secrets.token_hex(16)


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("closes IS NULL OR closes > opens", name="window_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    audience_kind: Mapped[AudienceKind] = mapped_column(db.Enum(AudienceKind, native_enum=False, length=20))
    audience_ref: Mapped[int | None]  # the session or training id
    audience_name: Mapped[str] = mapped_column(String(200), default="")  # as it read when the survey was made
    anonymous: Mapped[bool] = mapped_column(default=True)
    opens: Mapped[datetime] = mapped_column(UTCDateTime)
    closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"text", "type": likert5|choice|text, "options": [...], "multiple": bool, "required": bool}]
    questions: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    center: Mapped[Center] = relationship()
    invitations: Mapped[list[SurveyInvitation]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyInvitation.id"
    )

    def is_open(self, now: datetime) -> bool:
        """Inside the window [opens, closes)."""
        return self.opens <= now and (self.closes is None or now < self.closes)

    def state(self, now: datetime) -> str:
        if now < self.opens:
            return "upcoming"
        return "open" if self.is_open(now) else "closed"


STATE_LABELS = {"upcoming": "未开始", "open": "进行中", "closed": "已结束"}


class SurveyInvitation(db.Model):
    """Who is asked, and whether they have answered — never when, never what."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "user_id", name="uq_survey_invitations_survey_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    responded: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship()


class SurveyResponse(db.Model):
    """What was answered: ``answers`` in question order. Random key; no time; ``user_id`` only when the
    survey is named (the operation leaves it empty on an anonymous survey)."""

    __tablename__ = "survey_responses"
    # SQLite gives a table without an INTEGER key a hidden rowid that counts up in arrival order; without it
    # the rows are stored in the order of their random keys. (PostgreSQL's heap keeps no such number a query
    # can read by; its physical position is discussed in app.surveys.operations.)
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[list] = mapped_column(JSON)


class SurveyTemplate(db.Model):
    """A center's saved question list, to create surveys from."""

    __tablename__ = "survey_templates"
    __table_args__ = (UniqueConstraint("center_id", "name", name="uq_survey_templates_center_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveySettings(db.Model):
    """A center's survey settings; without a row the platform's defaults apply (app.surveys.settings)."""

    __tablename__ = "survey_settings"
    __table_args__ = (CheckConstraint("target_rate > 0 AND target_rate <= 1", name="target_rate_range"),)

    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), primary_key=True)
    satisfied_levels: Mapped[list] = mapped_column(JSON)
    target_rate: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyImprovement(db.Model):
    """整改措施 (§7.2: 问题识别、查找原因，制定整改措施): for a question (or the whole survey, ``question``
    None) whose 满意率 fell below the center's target — the cause found and the measure taken, with dates."""

    __tablename__ = "survey_improvements"
    __table_args__ = (CheckConstraint("question IS NULL OR question >= 0", name="question_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    question: Mapped[int | None]
    rate: Mapped[float | None] = mapped_column(Float)  # the 满意率 it answered, as it was
    target: Mapped[float] = mapped_column(Float)
    cause: Mapped[str] = mapped_column(Text)
    found_on: Mapped[date]
    measure: Mapped[str] = mapped_column(Text)
    measure_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()
    created_by: Mapped[User | None] = relationship()
