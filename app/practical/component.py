"""Practical assessment (操作技能考核) and comprehensive review (综合评审) as entries of the
assessment registry: both are scored by a panel (graders / reviewers), so both live in this domain.

``PanelComponent`` is the engine's entry: the traits (``traits.PanelTraits``: staff and account
role, member noun, panel rule, sheet layout …) plus the registry hooks, which every panel component
takes from the engine (sheets, marking, reports) rather than from a copy. A further panel — the
organization rating's expert panel — is one more subclass with its own traits, registered the same way.

Readiness is pure (plain ``SessionPlan`` in, problems out); the rules are the standard's
(``Standard.assessment``): 1.9.3 ratios and panels, 1.9.5 stations.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from app import assessment
from app.assessment.plan import SessionPlan
from app.auth.models import Role
from app.extensions import db
from app.sessions.models import ExamSession, StaffRole
from app.sessions.planning import standard_of
from app.sessions.readiness import clause_of, required_graders
from app.standards.schema import Assessment
from scoring.panel import panels_of

from . import reports
from .models import REVIEW_SECTION, ScoreSheet
from .sheets import splits_of
from .traits import PanelTraits


class PanelComponent(PanelTraits):
    """A component scored by a panel: final once the center admin finalizes (or marks 缺考/违纪)."""

    def has_started(self, session: ExamSession) -> bool:
        return bool(
            db.session.scalar(
                select(ScoreSheet.id)
                .where(ScoreSheet.session_id == session.id, ScoreSheet.component == self.key)
                .limit(1)
            )
        )

    def close_expired(self, session: ExamSession, now: datetime) -> int:
        return 0  # nothing runs against a clock: sheets stay open until finalized

    def final_scores(self, session: ExamSession) -> dict[int, assessment.FinalScore]:
        return reports.final_scores(session, self.key)

    def session_section(self, session: ExamSession) -> str | None:
        """Progress (sheets in, finalized, flagged) and the agreement figures with their chart."""
        return Markup(  # noqa: S704 - a rendered, autoescaped template
            render_template(
                "practical/_session_section.html",
                s=session,
                component=self,
                progress=reports.session_progress(session, self.key),
                agreement=reports.agreement(session, self.key),
            )
        )


class PracticalComponent(PanelComponent):
    key = "practical"
    label = "操作技能考核"
    minutes_key = "practical_minutes"
    staff_role = StaffRole.grader
    account_role = Role.grader
    member_noun = "考评员"
    panel_noun = "考评小组"
    unnamed_panel = "统一小组"
    section_noun = "职业功能"
    rule_key = "graders"  # 1.9.3 考评人员为3人以上单数 (3-01-01-04) / 3人（含）以上单数 (3-01-04-03)
    splittable = True

    def sheet_layout(self, session: ExamSession) -> list[dict]:
        """One section per 职业功能 of the level's 4.2 技能要求权重表 (max points = the weight), each
        optionally split into 工作内容 (``sheets.set_split``)."""
        splits = splits_of(session)
        weights = standard_of(session).skill_weights[session.level]
        return [{"area": area, "max": weight, "parts": list(splits.get(area, []))} for area, weight in weights.items()]

    def plan_panels(self, plan: SessionPlan) -> dict[str | None, list[str | None]]:
        return panels_of([(panel, panel) for panel in plan.grader_panels])

    def readiness(self, plan: SessionPlan, rules: Assessment) -> list[dict]:
        problems: list[dict] = []

        def add(code: str, message: str) -> None:
            problems.append({"code": code, "message": message})

        # 1.9.3 graders: the overall ratio, and someone to grade at all — where the standard states them.
        if rules.graders is not None:
            rule = rules.graders
            clause = clause_of(plan, "graders", "1.9.3")
            total = len(plan.grader_panels)
            sitting = plan.sitting_in(self.key)  # 成绩保留: candidates who carry practical are not graded
            need = required_graders(sitting, rule.candidates_per_grader)
            if total < need:
                add(
                    "graders_insufficient",
                    f"{sitting} 名考生需考评人员至少 {need} 名（配比 1:{rule.candidates_per_grader}，"
                    f"{clause}），现有 {total} 名",
                )
            if total == 0:
                add("grader_panel_missing", f"尚未安排考评人员（考评小组须为 {rule.min_panel} 人以上单数，{clause}）")
        # 1.9.3 every panel as it will score (the check finalize runs too).
        problems += super().readiness(plan, rules)

        # 1.9.5 各操作技能考核场所考核工位不少于3个.
        if rules.min_stations is not None:
            clause = clause_of(plan, "min_stations", "1.9.5")
            # No practical venue at all is 0 stations, not a vacuous pass: the session would read
            # "ready" with nowhere to hold 操作技能考核.
            if not any(r.kind == "practical" for r in plan.rooms):
                add(
                    "practical_room_missing",
                    f"尚未设置操作技能考核场所（考核工位须不少于 {rules.min_stations} 个，{clause}）",
                )
            for room in plan.rooms:
                if room.kind == "practical" and (room.stations or 0) < rules.min_stations:
                    add(
                        "stations_insufficient",
                        f"操作技能考核场所「{room.name}」考核工位 {room.stations or 0} 个，"
                        f"须不少于 {rules.min_stations} 个（{clause}）",
                    )
        return problems


class ReviewComponent(PanelComponent):
    key = "review"
    label = "综合评审"
    minutes_key = "review_minutes"
    # 1.9.2 综合评审主要针对二级/技师和一级/高级技师; 1.9.4 综合评审时长不少于30min: a 二级/一级 session
    # states its 综合评审 minutes at creation (issue 27 item 7).
    duration_required = True
    staff_role = StaffRole.reviewer
    account_role = Role.reviewer
    member_noun = "综合评审委员"
    panel_noun = "综合评审委员"
    unnamed_panel = "评审委员会"
    section_noun = "项目"
    rule_key = "reviewers"  # 1.9.3 综合评审委员为3人以上单数
    single_score = True
    reads_materials = True

    def sheet_layout(self, session: ExamSession) -> list[dict]:
        return [{"area": REVIEW_SECTION, "max": 100, "parts": []}]  # one score, 百分制 (1.9.2)

    def plan_panels(self, plan: SessionPlan) -> dict[str | None, list[str | None]]:
        return {None: [None] * plan.reviewers}  # one panel, also when empty (0 reviewers is too few)


assessment.register(PracticalComponent())
assessment.register(ReviewComponent())
