"""Exam sessions (考试批次): rooms, staff, enrolled candidates and the paper forms they sit.

A session has a small explicit lifecycle (``SessionStatus``); every change of state goes through
``ExamSession.transition`` so that an illegal jump raises one ``Conflict`` (409).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.append_only import append_only
from app.auth.models import Center, User
from app.extensions import db
from app.lifecycle import Lifecycle
from app.timeutil import UTCDateTime, utcnow


class SessionStatus(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    theory_open = "theory_open"
    theory_closed = "theory_closed"
    scoring = "scoring"
    published = "published"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    SessionStatus.draft: "草稿",
    SessionStatus.scheduled: "已排考",
    SessionStatus.theory_open: "理论考试进行中",
    SessionStatus.theory_closed: "理论考试已结束",
    SessionStatus.scoring: "评分中",
    SessionStatus.published: "成绩已发布",
}

# The only legal moves; everything else is a 409.
TRANSITIONS: dict[SessionStatus, set[SessionStatus]] = {
    SessionStatus.draft: {SessionStatus.scheduled},
    SessionStatus.scheduled: {SessionStatus.theory_open},
    SessionStatus.theory_open: {SessionStatus.theory_closed},
    SessionStatus.theory_closed: {SessionStatus.scoring},
    SessionStatus.scoring: {SessionStatus.published},
    SessionStatus.published: set(),
}
ORDER = list(SessionStatus)
SESSION_LIFECYCLE = Lifecycle("考试批次", TRANSITIONS, STATUS_LABELS)


class RoomKind(enum.StrEnum):
    theory = "theory"
    practical = "practical"


class TheoryMode(enum.StrEnum):
    """How the theory exam is sat: at a computer (机考) or on paper (书面笔答, 3-01-04-03 1.9.2)."""

    machine = "machine"
    paper = "paper"

    @property
    def label(self) -> str:
        return THEORY_MODE_LABELS[self]


THEORY_MODE_LABELS = {TheoryMode.machine: "机考", TheoryMode.paper: "书面笔答（纸笔考试）"}


class RoomType(enum.StrEnum):
    """A theory room's type: 3-01-01-04 1.9.5 理论知识考试在标准教室或计算机机房进行."""

    classroom = "classroom"
    computer_lab = "computer_lab"

    @property
    def label(self) -> str:
        return ROOM_TYPE_LABELS[self]


ROOM_TYPE_LABELS = {RoomType.classroom: "标准教室", RoomType.computer_lab: "计算机机房"}


class StaffRole(enum.StrEnum):
    proctor = "proctor"
    grader = "grader"
    reviewer = "reviewer"


STAFF_LABELS = {StaffRole.proctor: "监考人员", StaffRole.grader: "考评人员", StaffRole.reviewer: "综合评审委员"}


class ExamSession(db.Model):
    __tablename__ = "exam_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"))
    level: Mapped[str] = mapped_column(String(20))
    theory_start: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[SessionStatus] = mapped_column(
        db.Enum(SessionStatus, native_enum=False, length=20), default=SessionStatus.draft
    )
    # 机考 or 书面笔答 (3-01-04-03 1.9.2): a paper sitting's scores are typed twice (app/exams/paper_scores.py)
    theory_mode: Mapped[TheoryMode] = mapped_column(
        db.Enum(TheoryMode, native_enum=False, length=10), default=TheoryMode.machine, server_default="machine"
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last 准考证号 sequence handed out (app/sessions/enrolment.py, moved under the session's row
    # lock): a removed candidate's number is never handed out again.
    last_ticket: Mapped[int] = mapped_column(default=0, server_default="0")
    # When and where the 操作技能考核 is held (printed on the 准考证, issue 27 item 10); optional.
    practical_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    practical_place: Mapped[str | None] = mapped_column(String(200))

    center: Mapped[Center] = relationship()
    rooms: Mapped[list[Room]] = relationship(back_populates="session", order_by="Room.id")
    staff: Mapped[list[StaffAssignment]] = relationship(back_populates="session", order_by="StaffAssignment.id")
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="session", order_by="Enrollment.id")
    forms: Mapped[list[SessionPaper]] = relationship(back_populates="session", order_by="SessionPaper.form")
    component_rows: Mapped[list[SessionComponent]] = relationship(
        back_populates="session", order_by="SessionComponent.id", cascade="all, delete-orphan", lazy="selectin"
    )

    def component_row(self, key: str) -> SessionComponent | None:
        return next((row for row in self.component_rows if row.component == key), None)

    def minutes_for(self, key: str) -> int | None:
        """The planned minutes of one component (None: not planned, or the level lacks it)."""
        row = self.component_row(key)
        return row.minutes if row else None

    @property
    def theory_minutes(self) -> int | None:
        return self.minutes_for("theory")

    @property
    def theory_end(self) -> datetime:
        """End of the theory window (the base deadline before any extension)."""
        return self.theory_start + timedelta(minutes=self.theory_minutes or 0)

    @property
    def on_paper(self) -> bool:
        return self.theory_mode == TheoryMode.paper

    def transition(self, target: SessionStatus) -> None:
        """Guarded move to ``target``; an illegal move raises Conflict (409)."""
        SESSION_LIFECYCLE.move(self, target)

    def reached(self, status: SessionStatus) -> bool:
        return ORDER.index(self.status) >= ORDER.index(status)


class SessionComponent(db.Model):
    """One assessment component of a session (the level's list, 1.9.2): its planned minutes (1.9.4)
    and, where candidates hand something in (综合评审: 技术总结/论文), the deadline the center sets.
    The component's behaviour is its entry in ``app.assessment``; this row holds the session's plan."""

    __tablename__ = "session_components"
    __table_args__ = (
        CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes_positive"),
        UniqueConstraint("session_id", "component", name="uq_session_components_session_component"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int | None]
    submissions_due: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[ExamSession] = relationship(back_populates="component_rows")


class Room(db.Model):
    __tablename__ = "session_rooms"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("stations IS NULL OR stations >= 0", name="stations_nonnegative"),
        UniqueConstraint("session_id", "name", name="uq_session_rooms_session_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[RoomKind] = mapped_column(db.Enum(RoomKind, native_enum=False, length=20))
    capacity: Mapped[int]
    stations: Mapped[int | None]
    # A theory room's type (1.9.5 标准教室 / 计算机机房); None for a practical room.
    room_type: Mapped[RoomType | None] = mapped_column(db.Enum(RoomType, native_enum=False, length=20))

    session: Mapped[ExamSession] = relationship(back_populates="rooms")

    @property
    def kind_label(self) -> str:
        return "理论考场" if self.kind == RoomKind.theory else "操作技能考核场所"

    @property
    def type_label(self) -> str:
        return self.room_type.label if self.room_type else ""


class StaffAssignment(db.Model):
    __tablename__ = "session_staff"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "role", name="uq_session_staff_session_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(db.Enum(StaffRole, native_enum=False, length=20))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("session_rooms.id", ondelete="SET NULL"))
    panel: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ExamSession] = relationship(back_populates="staff")
    user: Mapped[User] = relationship()
    room: Mapped[Room | None] = relationship()


class SessionPaper(db.Model):
    """One assembled form (卷别 A, B, …) of the session's theory paper."""

    __tablename__ = "session_papers"
    __table_args__ = (
        CheckConstraint("form >= 0", name="form_nonnegative"),
        UniqueConstraint("session_id", "form", name="uq_session_papers_session_form"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"))
    form: Mapped[int]

    session: Mapped[ExamSession] = relationship(back_populates="forms")

    @property
    def form_label(self) -> str:
        return form_label(self.form)


def form_label(form: int | None) -> str:
    return "" if form is None else chr(ord("A") + form) if form < 26 else f"F{form + 1}"


class Enrollment(db.Model):
    """A candidate on the roster: seated in a room, holding an admission ticket and one paper form."""

    __tablename__ = "session_candidates"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_session_candidates_session_user"),
        UniqueConstraint("room_id", "seat", name="uq_session_candidates_room_seat"),
        CheckConstraint("seat IS NULL OR seat > 0", name="seat_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("session_rooms.id", ondelete="SET NULL"))
    seat: Mapped[int | None]
    ticket_no: Mapped[str] = mapped_column(String(32), unique=True)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"))
    form: Mapped[int | None]
    # 成绩保留: {component: {"score", "published_at"}} of passes published within 365 days, frozen at enrolment
    # (found through app.assessment.carry_for); the candidate does not sit these components here.
    carried: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ExamSession] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()
    room: Mapped[Room | None] = relationship()

    @property
    def form_label(self) -> str:
        return form_label(self.form)


def roster_order(enrollment: Enrollment) -> tuple[int, int, int]:
    """The roster's order, as a sort key: by room, then seat, then enrolment (unseated candidates first).
    The one definition, read by the score sheets (app.practical) and the grader panels' stretches of seats."""
    return (enrollment.room_id or 0, enrollment.seat or 0, enrollment.id)


class StaffingException(db.Model):
    """A written reason for going on (开考 / 发布成绩) while the session's staffing falls short of 1.9.3
    (监考人员、考评人员配比, 考评小组): asked for on the pages; shown beside the results and in their
    export. Append-only: a reason once given stays in the record."""

    __tablename__ = "staffing_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))  # "open" (开考) | "publish" (发布成绩)
    reason: Mapped[str] = mapped_column(Text)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # the readiness problems as they stood
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


append_only(StaffingException, "配备例外记录")
