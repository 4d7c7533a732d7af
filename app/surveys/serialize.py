"""JSON of the survey endpoints (contract v1.2 "Satisfaction surveys"; fields beyond it are additions)."""

from __future__ import annotations

from datetime import datetime

from app import timeutil
from scoring.surveys import MIN_ANONYMOUS

from .models import STATE_LABELS, Survey, SurveyImprovement, SurveyInvitation, SurveyTemplate
from .report import QuestionReport, SurveyReport


def audience_json(survey: Survey) -> dict:
    key = {"session": "session", "training": "training"}.get(survey.audience_kind.value)
    body = {key: survey.audience_ref} if key else {"center": "members"}
    return body | {"name": survey.audience_name}


def survey_json(survey: Survey, now: datetime, counts: tuple[int, int] | None = None) -> dict:
    state = survey.state(now)
    body = {
        "id": survey.id,
        "title": survey.title,
        "center": survey.center.name,
        "audience": audience_json(survey),
        "anonymous": survey.anonymous,
        "opens": timeutil.iso(survey.opens),
        "closes": timeutil.iso(survey.closes),
        "state": state,
        "state_label": STATE_LABELS[state],
        "questions": survey.questions,
    }
    if counts is not None:
        body["invited"], body["responses"] = counts
    return body


def invitation_json(invitation: SurveyInvitation, now: datetime) -> dict:
    survey = invitation.survey
    state = survey.state(now)
    return {
        "id": survey.id,
        "title": survey.title,
        "anonymous": survey.anonymous,
        "opens": timeutil.iso(survey.opens),
        "closes": timeutil.iso(survey.closes),
        "state": state,
        "responded": invitation.responded,
        "can_respond": state == "open" and not invitation.responded,
    }


def question_report_json(q: QuestionReport) -> dict:
    return {
        "index": q.index,
        "text": q.text,
        "type": q.type,
        "multiple": q.multiple,
        "answered": None if q.withheld else q.answered,
        "withheld": q.withheld,
        "counts": q.counts,
        "mean": q.mean,
        "sd": q.sd,
        "ci95": list(q.ci95) if q.ci95 else None,
        "satisfied": q.satisfied,
        "satisfaction_rate": q.satisfaction_rate,
        "below_target": q.below_target,
        "texts": q.texts,
    }


def improvement_json(i: SurveyImprovement) -> dict:
    return {
        "id": i.id,
        "question": i.question,
        "rate": i.rate,
        "target": i.target,
        "cause": i.cause,
        "found_on": i.found_on.isoformat(),
        "measure": i.measure,
        "measure_on": i.measure_on.isoformat(),
        "recorded_by": i.created_by.username if i.created_by else None,
        "recorded_at": timeutil.iso(i.created_at),
    }


def report_json(report: SurveyReport, improvements: list[SurveyImprovement]) -> dict:
    survey = report.survey
    return {
        "id": survey.id,
        "title": survey.title,
        "anonymous": survey.anonymous,
        "invited": report.invited,
        "responses": report.responses,
        "response_rate": report.response_rate,
        "satisfaction_rate": report.satisfaction_rate,
        "satisfaction_withheld": report.overall_withheld,
        "below_target": report.below_target,
        "satisfied_levels": report.settings.satisfied_levels,
        "target_rate": report.settings.target_rate,
        "settings_source": "center" if report.settings.own else "platform",
        "min_responses_anonymous": MIN_ANONYMOUS,
        "questions": [question_report_json(q) for q in report.questions],
        "improvements": [improvement_json(i) for i in improvements],
    }


def template_json(template: SurveyTemplate) -> dict:
    return {"id": template.id, "name": template.name, "questions": template.questions}
