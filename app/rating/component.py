"""The rating's expert panel (评估专家评分) as one more entry of the assessment registry
(``app.assessment``), beside theory, practical and review.

It is a panel component like practical and review (``app.practical.component.PanelComponent``):
its traits are declared here — staff role ``expert`` (评估专家), the member noun, the panel rule
(an odd number of at least 3, with 回避: an expert of the rated organization's center does not sit),
the sheet layout (the framework's leaves, each scored 0…its points) and ``panel_problem`` — and its
arithmetic is the engine's: ``scoring.panel`` (panel_problem, aggregate through
``scoring.rating.leaf_result``, flagged), ``scoring.agreement``, ``app.append_only`` for the record
of score changes and ``app.locking.lock_row`` for finalize and appeals.

A round is not an exam session: the session-oriented hooks (readiness, has_started, close_expired,
still_open, handed_in, final_scores, session_section) are overridden to answer "nothing" for any
session, and ``runs_in_sessions`` is False so that session forms and bodies do not list it.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from app import assessment
from app.auth.models import Role
from app.practical.component import PanelComponent
from scoring import panel as panel_maths
from scoring.panel import DEFAULT_SPREAD_THRESHOLD, flagged


class RatingPanelComponent(PanelComponent):
    key = "rating"
    label = "评估专家评分"
    minutes_key = "rating_minutes"  # never read: a round has no duration (runs_in_sessions False)
    runs_in_sessions: ClassVar[bool] = False

    staff_role: ClassVar[Role] = Role.expert
    account_role: ClassVar[Role] = Role.expert
    member_noun: ClassVar[str] = "评估专家"
    panel_noun: ClassVar[str] = "评估专家组"
    unnamed_panel: ClassVar[str] = "评估专家组"
    section_noun: ClassVar[str] = "评估指标"
    # 评估专家为3人以上单数: the engine's rule (odd, at least 3); the 办法 leaves the number to the
    # assessing body, so it is the platform's rule, named as such in every message.
    RULE: ClassVar[panel_maths.PanelRule] = panel_maths.PanelRule(3, True, "平台规则：评估专家3人以上单数")
    min_panel: ClassVar[int] = RULE.min_size
    odd: ClassVar[bool] = RULE.odd
    spread_threshold: ClassVar[float] = DEFAULT_SPREAD_THRESHOLD

    def panel_rule(self, rules=None) -> panel_maths.PanelRule:
        return self.RULE

    def panel_problem(self, size: int) -> str | None:
        """Why a panel of ``size`` experts may not score (Chinese), or None — the engine's one rule."""
        problem = panel_maths.panel_problem(size, self.RULE, self.panel_noun)
        return problem.message if problem else None

    def sheet_layout(self, framework) -> list[dict]:
        """One line per leaf of the framework: its code, title and maximum."""
        return [{"code": n.code, "title": n.title, "max": n.points} for n in framework.leaves()]

    def flagged(self, spread: float, points: float) -> bool:
        """A leaf whose experts differ by more than half its points is flagged for the admin."""
        return flagged(spread, points / 2)

    # ---- the session hooks: a rating round is not a session (documented above)
    def readiness(self, plan, rules) -> list[dict]:
        return []

    def has_started(self, session) -> bool:
        return False

    def close_expired(self, session, now: datetime) -> int:
        return 0

    def still_open(self, session, now: datetime) -> int:
        return 0

    def handed_in(self, session) -> int:
        return 0

    def final_scores(self, session) -> dict[int, assessment.FinalScore]:
        return {}

    def session_section(self, session) -> str | None:
        return None


RATING = assessment.register(RatingPanelComponent())
