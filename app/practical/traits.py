"""What one panel component differs in — its traits — so that the engine (sheets, marking,
reports) asks the component instead of branching on ``component == "practical"``.

A panel component is an entry of the assessment registry (``app.assessment``) with:

- ``staff_role`` / ``account_role``: who sits on the session's staff for it, and the account role
  they must hold (考评员 ``grader`` / 综合评审委员 ``reviewer``; the organization rating's 评估专家
  ``expert`` later);
- ``member_noun`` / ``panel_noun`` / ``unnamed_panel`` / ``section_noun``: how messages and pages
  name a member, a panel, the panel without a name, and a row of the sheet;
- ``panel_rule(rules)``: the panel rule — an odd number of at least N — from the standard's
  assessment rules (``rule_key`` names the field), or the platform's default where it states none;
- ``sheet_layout(session)``: the sheet's sections [{"area", "max", "parts"}] (practical: the skill
  weight table; review: one score of 100; the rating panel: an indicator tree's leaves);
- ``scoring_panel(session, enrollment)``: who scores a candidate (the expert panel can drop 回避);
- ``single_score`` (the sheet is one ``{"score"}``), ``splittable`` (sections split into 工作内容),
  ``reads_materials`` (members read the candidate's uploaded materials).

The engine modules import this module, never ``component.py`` (which registers the entries and
imports the engine for its hooks), so the arrows run one way: traits ← engine ← component.
"""

from __future__ import annotations

from typing import ClassVar

from app import assessment
from app.assessment.plan import SessionPlan
from app.auth.models import Role, User
from app.errors import NotFound
from app.sessions.models import Enrollment, ExamSession, StaffAssignment, StaffRole
from app.standards.schema import Assessment
from scoring import panel as panel_maths

from . import panels

# Where a standard states no panel rule (590008 states no assessment rules at all), the platform
# applies the rule both other standards state — 3-01-01-04 1.9.3 考评人员为3人以上单数 and 3-01-04-03
# 1.9.3 3人（含）以上单数 — labelled as the platform's, in readiness and finalize alike (api-contract:
# finalize refuses a panel that is not an odd number of at least 3).
DEFAULT_RULE = panel_maths.PanelRule(3, True, "本标准未规定，按平台规则：3人以上单数")


class PanelTraits(assessment.Component):
    """A component scored by a panel; subclasses set the traits (see the module's docstring)."""

    staff_role: ClassVar[StaffRole]
    account_role: ClassVar[Role]
    member_noun: ClassVar[str]
    panel_noun: ClassVar[str]
    unnamed_panel: ClassVar[str]  # how pages name the panel without a name
    section_noun: ClassVar[str]  # how pages head the sheet's rows
    rule_key: ClassVar[str | None] = None  # the ``Assessment`` field of the standard's rule
    single_score: ClassVar[bool] = False
    splittable: ClassVar[bool] = False
    reads_materials: ClassVar[bool] = False

    # ---------------------------------------------------------------- the panel rule

    def panel_rule(self, rules: Assessment) -> panel_maths.PanelRule:
        stated = getattr(rules, self.rule_key, None) if self.rule_key else None
        if stated is None:
            return DEFAULT_RULE
        return panel_maths.PanelRule(stated.min_panel, stated.odd, rules.clauses.get(self.rule_key, "1.9.3"))

    def panel_label(self, name: str | None, shared: int) -> str:
        """How a message names a panel: 考评小组「甲组」（含未分组考评员 3 名）."""
        if name is None:
            return self.panel_noun
        joined = f"（含未分组{self.member_noun} {shared} 名）" if shared else ""
        return f"{self.panel_noun}「{name}」{joined}"

    def check_panel(
        self, name: str | None, own_panels: list[str | None], rules: Assessment
    ) -> panel_maths.PanelProblem | None:
        """The one panel check, for readiness and finalize: the panel ``name`` whose members carry
        the panel names ``own_panels`` (None: unnamed, joined to ``name``) against the panel rule."""
        shared = sum(1 for own in own_panels if own is None) if name is not None else 0
        label = self.panel_label(name, shared)
        return panel_maths.panel_problem(len(own_panels), self.panel_rule(rules), label)

    # ---------------------------------------------------------------- who scores, on what

    def scoring_panel(self, session: ExamSession, enrollment: Enrollment) -> tuple[str | None, list[StaffAssignment]]:
        return panels.scoring_panel(session, enrollment, self.staff_role)

    def members(self, session: ExamSession, enrollment: Enrollment) -> list[User]:
        return [a.user for a in self.scoring_panel(session, enrollment)[1]]

    def panel_name(self, session: ExamSession, enrollment: Enrollment) -> str | None:
        return panels.panel_for(session, enrollment, self.staff_role)

    def sheet_layout(self, session: ExamSession) -> list[dict]:
        raise NotImplementedError

    # ---------------------------------------------------------------- readiness (pure)

    def plan_panels(self, plan: SessionPlan) -> dict[str | None, list[str | None]]:
        """The planned panels: {name: each member's own panel name} (the same grouping as ``scoring_panel``)."""
        return {}

    def readiness(self, plan: SessionPlan, rules: Assessment) -> list[dict]:
        """Every planned panel through ``check_panel``; codes ``<staff role>_panel_too_small|even``."""
        problems = []
        for name, own_panels in self.plan_panels(plan).items():
            problem = self.check_panel(name, own_panels, rules)
            if problem is not None:
                problems += [
                    {"code": f"{self.staff_role.value}_panel_{code}", "message": message}
                    for code, message in problem.breaches
                ]
        return problems


def traits_of(key: str) -> PanelTraits:
    """The registered panel component ``key`` (404 for a key that is not one)."""
    component = assessment.REGISTRY.get(key)
    if not isinstance(component, PanelTraits):
        raise NotFound("没有这个评分项目")
    return component


def panel_components() -> list[PanelTraits]:
    return [c for c in assessment.all_components() if isinstance(c, PanelTraits)]


def for_account(role: Role) -> PanelTraits | None:
    """The panel component a member of account ``role`` scores (grader → practical, reviewer → review)."""
    return next((c for c in panel_components() if c.account_role == role), None)
