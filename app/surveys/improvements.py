"""整改措施 (T/SSOF 0001-2024 §7.2: 根据满意度测评……统计分析、问题识别、查找原因，制定整改措施，持续改进服务质量):
for a likert question whose 满意率 is below the center's target — or the survey as a whole (``question``
null) when its overall 满意率 is — the cause found and the measure taken, each with its date. Kept with
the survey's report; a record is never edited (a later finding is one more record)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.audit.operations import record
from app.auth.models import User
from app.errors import Invalid
from app.extensions import db

from . import report as reports
from .models import Survey, SurveyImprovement
from .schema import ImprovementIn, parse


def improvements_of(survey: Survey) -> list[SurveyImprovement]:
    query = (
        select(SurveyImprovement)
        .where(SurveyImprovement.survey_id == survey.id)
        .order_by(SurveyImprovement.found_on, SurveyImprovement.id)
    )
    return list(db.session.scalars(query))


def add_improvement(survey: Survey, admin: User, data: dict, now: datetime) -> SurveyImprovement:
    body = parse(ImprovementIn, data)
    found_on, measure_on = date.fromisoformat(body.found_on), date.fromisoformat(body.measure_on)
    if measure_on < found_on:
        raise Invalid("措施日期不能早于发现问题的日期", field="measure_on")
    built = reports.build(survey)
    target = built.settings.target_rate
    if body.question is None:
        rate, below, what = built.satisfaction_rate, built.below_target, "问卷总体"
    else:
        if body.question >= len(built.questions):
            raise Invalid(f"题目：问卷只有 {len(built.questions)} 道题", field="question")
        question = built.questions[body.question]
        if question.type != "likert5":
            raise Invalid("题目：只有五级满意度题有满意率", field="question")
        rate, below, what = question.satisfaction_rate, question.below_target, f"第 {body.question + 1} 题"
    if rate is None:
        raise Invalid(f"{what}的满意率尚无法计算（无回答，或匿名问卷回答不足 5 份）", field="question")
    if not below:
        raise Invalid(f"{what}的满意率 {rate:.1%} 未低于目标 {target:.0%}，无需整改记录", field="question")
    improvement = SurveyImprovement(
        survey_id=survey.id,
        question=body.question,
        rate=rate,
        target=target,
        cause=body.cause,
        found_on=found_on,
        measure=body.measure,
        measure_on=measure_on,
        created_by_id=admin.id,
        created_at=now,
    )
    db.session.add(improvement)
    db.session.flush()
    record(
        "survey.improvement_recorded",
        improvement,
        {"survey": survey.title, "question": body.question, "rate": rate, "target": target},
        center_id=survey.center_id,
    )
    return improvement
