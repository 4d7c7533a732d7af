"""Platform evidence of the domains above the rating's own (``evidence_sources``): trainings and
continuing education for 3.3.2.2 开展职业培训及继续教育 (材料: 通知、签到、培训计划、培训记录；不少于每年2次)
and the satisfaction surveys' reports for 4.1.1.1 会员评价 (评价汇总表). Each fact covers one year of
the rating year and the two before it, as seed 004's 材料 cite the years before the rating year."""

from __future__ import annotations

from sqlalchemy import func, select

from app.continuing_education.models import CERecord, CEStatus
from app.extensions import db
from app.surveys import report as survey_report
from app.surveys.models import Survey
from app.timeutil import CHINA
from app.training.models import Trainee, Training, TrainingClass

from .evidence_sources import register_source


def training_facts(center_id: int, year: int) -> list[dict]:
    """3.3.2.2: per year, the trainings held (classes, hours, trainees, 结业) and CE hours credited."""
    facts = []
    for y in range(year - 2, year + 1):
        classes = db.session.execute(
            select(func.count(TrainingClass.id), func.coalesce(func.sum(TrainingClass.hours), 0))
            .join(Training, Training.id == TrainingClass.training_id)
            .where(Training.center_id == center_id, func.extract("year", TrainingClass.date) == y)
        ).one()
        trainings = db.session.scalars(
            select(Training.id)
            .join(TrainingClass, TrainingClass.training_id == Training.id)
            .where(Training.center_id == center_id, func.extract("year", TrainingClass.date) == y)
            .distinct()
        ).all()
        trainees = db.session.scalar(select(func.count(Trainee.id)).where(Trainee.training_id.in_(trainings))) or 0
        completed = (
            db.session.scalar(
                select(func.count(Trainee.id)).where(Trainee.training_id.in_(trainings), Trainee.completed.is_(True))
            )
            or 0
        )
        credited = db.session.execute(
            select(func.count(CERecord.id), func.coalesce(func.sum(CERecord.credited), 0)).where(
                CERecord.center_id == center_id, CERecord.year == y, CERecord.status == CEStatus.approved
            )
        ).one()
        if not trainings and not credited[0]:
            continue
        facts.append(
            {
                "year": y,
                "trainings": len(trainings),
                "classes": classes[0],
                "class_hours": float(classes[1]),
                "trainees": trainees,
                "completed": completed,
                "ce_records": credited[0],
                "ce_hours": float(credited[1]),
                "text": (
                    f"{y} 年：培训班 {len(trainings)} 个、课次 {classes[0]} 次（{float(classes[1]):g} 学时），"
                    f"学员 {trainees} 人，结业 {completed} 人；认定继续教育 {credited[0]} 项、{float(credited[1]):g} 学时"
                ),
            }
        )
    return facts


def survey_facts(center_id: int, year: int) -> list[dict]:
    """4.1.1.1: each survey of those years with its 回收率 and 满意率 (the report's own figures, which
    withhold what an anonymous survey withholds)."""
    facts = []
    surveys = db.session.scalars(select(Survey).where(Survey.center_id == center_id).order_by(Survey.opens))
    for survey in surveys:
        y = survey.opens.astimezone(CHINA).year
        if not year - 2 <= y <= year:
            continue
        built = survey_report.build(survey)
        rate = f"{built.satisfaction_rate:.1%}" if built.satisfaction_rate is not None else "不足 5 份，不显示"
        facts.append(
            {
                "year": y,
                "survey_id": survey.id,
                "title": survey.title,
                "invited": built.invited,
                "responses": built.responses,
                "satisfaction_rate": built.satisfaction_rate,
                "text": f"{y} 年「{survey.title}」：邀请 {built.invited} 人，回收 {built.responses} 份，满意率 {rate}",
            }
        )
    return facts


register_source("3.3.2.2", training_facts)
register_source("4.1.1.1", survey_facts)
