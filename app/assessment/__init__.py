"""Assessment components (考核项目) registered in one table, in the spirit of CTFd's
``CHALLENGE_CLASSES``: theory (理论知识考试), practical (操作技能考核) and review (综合评审) are three
entries of one interface, and a later component (an organization-rating panel) is one more entry.

Layering (one way): this package imports no domain. ``app.sessions`` asks its components through
it (``close_expired``, ``has_started``, ``still_open``, readiness rules), the domains that run a
component register their entry at import (``app/exams/component.py`` → theory,
``app/practical/component.py`` → practical and review; ``app/components.py`` imports them once),
and results read final scores only through it.

Read interface for results (issue 10) — stable, documented here:

- ``required_components(standard, level) -> list[Component]``: the level's components in the
  standard's order (1.9.2 of both standards: 理论知识考试、操作技能考核, and 综合评审 for
  3-01-01-04 二级/一级).
- ``session_components(session) -> list[Component]``: the same for a session's standard and level.
- ``Component.final_scores(session) -> dict[int, FinalScore]``: keyed by enrollment id
  (``Enrollment.id`` of ``app.sessions.models``), one entry for every candidate enrolled in the
  session. ``FinalScore.status`` is ``final`` (``score`` is the component score out of 100, not
  rounded), ``absent`` (缺考) or ``disqualified`` (违纪) (``score`` None: both fail), or ``pending``
  (not yet final: e.g. practical sheets not finalized, an attempt still open).
- ``final_scores(session) -> dict[str, dict[int, FinalScore]]``: every component of the session.
- ``Component.passed(final, standard) -> bool``: the pass rule of 1.9.2 (百分制，60分（含）以上为合格,
  compared without rounding: 59.99 fails), delegated to ``scoring.results.component_passed``.
- ``all_final(session) -> bool``: every component of every candidate is no longer pending.

Carry-over (成绩保留, issue 10): a component passed within the last 365 days is kept when another
failed, and a candidate enrolled again for the same standard and level sits only the rest. The
kept scores are frozen on the enrollment when the candidate is enrolled (``Enrollment.carried``,
{component: {"score", "published_at"}}), found by the results domain through ``carry_for`` (the results domain sets
the provider at import, so sessions never import results). Components read them through
``carried(enrollment)`` / ``sits(enrollment, key)``: readiness, paper assignment, grader rosters
and publication skip what is carried; ``final_scores`` reports a carried component as
``Status.carried`` with its kept score.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from app.assessment.plan import SessionPlan
from app.standards.registry import get_standard
from scoring.results import component_passed

if TYPE_CHECKING:  # types only: sessions sits above this package
    from app.sessions.models import ExamSession
    from app.standards.schema import Assessment, Standard


class Status(enum.StrEnum):
    final = "final"
    absent = "absent"  # 缺考
    disqualified = "disqualified"  # 违纪
    pending = "pending"
    carried = "carried"  # 成绩保留: kept from an earlier published pass, not sat in this session

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.final: "已定分",
    Status.absent: "缺考",
    Status.disqualified: "违纪",
    Status.pending: "未定分",
    Status.carried: "成绩保留",
}


@dataclass(frozen=True)
class FinalScore:
    score: float | None  # out of 100 when status is final, else None
    status: Status

    @property
    def is_final(self) -> bool:
        return self.status != Status.pending


PENDING = FinalScore(None, Status.pending)


class Component:
    """One assessment component. Subclasses set the three names and implement the session hooks."""

    key: ClassVar[str]  # "theory" | "practical" | "review" — the standard's `components` vocabulary
    label: ClassVar[str]  # Chinese name, as the standards word it
    minutes_key: ClassVar[str]  # the duration's field in the API's session body, e.g. "theory_minutes"
    # False for a component that is not sat in an exam session (the organization rating's expert
    # panel, app/rating/component.py): session forms and bodies list only ``session_kinds()``.
    runs_in_sessions: ClassVar[bool] = True
    # Whether a session of a level with this component must state its minutes when it is created
    # (issue 27 item 7): the theory window needs its length; 综合评审 where the level has it.
    duration_required: ClassVar[bool] = False

    def min_minutes(self, rules: Assessment) -> int | None:
        """1.9.4 评价时间: the standard's minimum duration of this component (None: not stated)."""
        return getattr(rules.min_minutes, self.key, None)

    def readiness(self, plan: SessionPlan, rules: Assessment) -> list[dict]:
        """This component's readiness problems ({"code", "message"}); pure (plain data in and out)."""
        return []

    def has_started(self, session: ExamSession) -> bool:
        """Whether any candidate has begun this component in ``session`` (then times are fixed)."""
        return False

    def close_expired(self, session: ExamSession, now: datetime) -> int:
        """Close what ran past its deadline in ``session`` only; returns how many were closed."""
        return 0

    def still_open(self, session: ExamSession, now: datetime) -> int:
        """How many candidates of ``session`` are still sitting this component (blocks 评分)."""
        return 0

    def handed_in(self, session: ExamSession) -> int:
        """How many candidates of ``session`` have finished sitting this component (submitted or closed)."""
        return 0

    def final_scores(self, session: ExamSession) -> dict[int, FinalScore]:
        """Every enrolled candidate's final score in this component, by enrollment id."""
        return {e.id: PENDING for e in session.enrollments}

    def session_section(self, session: ExamSession) -> str | None:
        """HTML this component adds to the center admin's session page (progress, agreement), or None."""
        return None

    def passed(self, final: FinalScore, standard: Standard) -> bool:
        """1.9.2: passed at the standard's pass mark or above, without rounding; 缺考/违纪 fail.
        A carried score was a pass when it was published (成绩保留)."""
        mark = standard.assessment.pass_mark
        return final.status in (Status.final, Status.carried) and component_passed(final.score, mark)


REGISTRY: dict[str, Component] = {}


def register(component: Component) -> Component:
    """Add (or replace) an entry; entries keep the order in which they were first registered."""
    REGISTRY[component.key] = component
    return component


def get(key: str) -> Component:
    return REGISTRY[key]


def all_components() -> list[Component]:
    return list(REGISTRY.values())


def session_kinds() -> list[Component]:
    """The components an exam session may hold (each with a duration in the session's body)."""
    return [c for c in REGISTRY.values() if c.runs_in_sessions]


def labels() -> dict[str, str]:
    return {c.key: c.label for c in REGISTRY.values()}


def required_components(standard: Standard, level: str) -> list[Component]:
    """The components a candidate of ``level`` must pass (the standard's 1.9.2 list), in its order."""
    return [REGISTRY[key] for key in standard.assessment.components.get(level, [])]


def session_components(session: ExamSession) -> list[Component]:
    return required_components(get_standard(session.standard_id), session.level)


def final_scores(session: ExamSession) -> dict[str, dict[int, FinalScore]]:
    """Every component's scores; a component an enrollment carries is ``Status.carried`` (kept score)."""
    scores = {}
    for component in session_components(session):
        own = component.final_scores(session)
        for enrollment in session.enrollments:
            kept = carried(enrollment).get(component.key)
            if kept is not None:
                own[enrollment.id] = FinalScore(kept, Status.carried)
        scores[component.key] = own
    return scores


# ---------------------------------------------------------------- carry-over (成绩保留)

CarryProvider = Callable[[int, str, str, datetime], dict[str, dict]]
_carry_provider: CarryProvider | None = None


def set_carry_provider(provider: CarryProvider) -> None:
    """The results domain registers how kept passes are found: (user id, standard, level, now) ->
    {component: {"score": kept score, "published_at": ISO datetime of the pass's publication}}."""
    global _carry_provider
    _carry_provider = provider


def carry_for(user_id: int, standard_id: str, level: str, now: datetime) -> dict[str, dict]:
    """What a candidate enrolled ``now`` need not sit again ({} without a provider), to be frozen
    on the enrollment (``Enrollment.carried``)."""
    return dict(_carry_provider(user_id, standard_id, level, now)) if _carry_provider else {}


def carried(enrollment) -> dict[str, float]:
    """{component: kept score} this enrollment carries (frozen at enrolment)."""
    return {key: float(kept["score"]) for key, kept in (getattr(enrollment, "carried", None) or {}).items()}


def sits(enrollment, key: str) -> bool:
    """Whether the candidate sits component ``key`` in this session (it is not carried)."""
    return key not in (getattr(enrollment, "carried", None) or {})
