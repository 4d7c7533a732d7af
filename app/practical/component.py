"""Practical assessment (操作技能考核) and comprehensive review (综合评审) as entries of the
assessment registry: both are scored by a panel (graders / reviewers), so both live in this domain.

Readiness here is pure (plain ``SessionPlan`` in, problems out); the rules are the standard's
(``Standard.assessment``): 1.9.3 panels, 1.9.5 stations.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from app import assessment
from app.extensions import db
from app.sessions.models import ExamSession
from app.sessions.readiness import SessionPlan, clause_of, required_graders
from app.standards.schema import Assessment

from . import operations as ops
from .models import ScoreSheet


class PanelComponent(assessment.Component):
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
        return ops.final_scores(session, self.key)

    def session_section(self, session: ExamSession) -> str | None:
        """Progress (sheets in, finalized, flagged) and the agreement figures with their chart."""
        rows = [(e, ops.preview(session, self.key, e), ops.existing_result(self.key, e)) for e in session.enrollments]
        progress = {
            "candidates": len(rows),
            "sheets": sum(len(view["totals"]) for _, view, _ in rows),
            "needed": sum(len(view["members"]) for _, view, _ in rows),
            "final": sum(1 for _, _, result in rows if result is not None and result.locked),
            "flagged": sum(1 for _, view, _ in rows if view["flagged"]),
        }
        return Markup(  # noqa: S704 - a rendered, autoescaped template
            render_template(
                "practical/_session_section.html",
                s=session,
                component=self,
                progress=progress,
                agreement=ops.agreement(session, self.key),
            )
        )


class PracticalComponent(PanelComponent):
    key = "practical"
    label = "操作技能考核"
    minutes_key = "practical_minutes"

    def readiness(self, plan: SessionPlan, rules: Assessment) -> list[dict]:
        problems: list[dict] = []

        def add(code: str, message: str) -> None:
            problems.append({"code": code, "message": message})

        # 1.9.3 graders: overall ratio, and every panel an odd number of at least min_panel
        # (3-01-01-04: 考评人员为3人以上单数; 3-01-04-03: 3人（含）以上单数).
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
            for panel, size in Counter(plan.grader_panels).items():
                label = f"考评小组「{panel}」" if panel else "考评小组"
                if size < rule.min_panel:
                    add("grader_panel_too_small", f"{label}只有 {size} 人，须不少于 {rule.min_panel} 人（{clause}）")
                if rule.odd and size % 2 == 0:
                    add("grader_panel_even", f"{label}有 {size} 人，须为单数（{clause}）")

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

    def readiness(self, plan: SessionPlan, rules: Assessment) -> list[dict]:
        # 1.9.3 综合评审委员为3人以上单数 — only where the standard states it.
        if rules.reviewers is None:
            return []
        rule = rules.reviewers
        clause = clause_of(plan, "reviewers", "1.9.3")
        if plan.reviewers < rule.min_panel:
            return [
                {
                    "code": "reviewer_panel_too_small",
                    "message": f"综合评审委员 {plan.reviewers} 人，须不少于 {rule.min_panel} 人（{clause}）",
                }
            ]
        if rule.odd and plan.reviewers % 2 == 0:
            return [
                {"code": "reviewer_panel_even", "message": f"综合评审委员 {plan.reviewers} 人，须为单数（{clause}）"}
            ]
        return []


assessment.register(PracticalComponent())
assessment.register(ReviewComponent())
