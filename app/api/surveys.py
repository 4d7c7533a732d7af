"""/api/v1 satisfaction surveys (contract v1.2 "Satisfaction surveys"; T/SSOF 0001-2024 §7). Thin: parse,
check permission, call one operation in app.surveys, render. Additions to the contract: listing, one
survey, my invitations, closing, templates, the center's settings, improvement records, the comparison."""

from __future__ import annotations

from flask import jsonify

from app import timeutil
from app.auth.roles import ADMINS, EVERYONE
from app.errors import NotFound
from app.surveys import improvements as improvement_ops
from app.surveys import operations as ops
from app.surveys import report as reports
from app.surveys import settings as settings_ops
from app.surveys.serialize import (
    improvement_json,
    invitation_json,
    report_json,
    survey_json,
    template_json,
)

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import ImprovementIn, SurveyIn, SurveyResponse, SurveySettings, TemplateIn

CENTER_ADMIN = ("center_admin",)


def _center():
    center = api_user().center
    if center is None:
        raise NotFound("当前用户不属于任何机构")
    return center


@bp.post("/surveys")
@api_auth(*CENTER_ADMIN)
def create_survey():
    survey = ops.create_survey(api_user(), fields(parse_body(SurveyIn)), timeutil.utcnow())
    invited, _ = ops.counts(survey)
    return jsonify({"id": survey.id, "invited": invited}), 201


@bp.get("/surveys")
@api_auth(*ADMINS)
def list_surveys():
    now = timeutil.utcnow()
    return jsonify({"surveys": [survey_json(s, now, ops.counts(s)) for s in ops.list_surveys(api_user())]})


@bp.get("/surveys/mine")
@api_auth(*EVERYONE)
def my_surveys():
    now = timeutil.utcnow()
    return jsonify({"surveys": [invitation_json(i, now) for i in ops.my_invitations(api_user())]})


@bp.get("/surveys/<int:survey_id>")
@api_auth(*EVERYONE)
def get_survey(survey_id: int):
    survey, invitation = ops.survey_for(survey_id, api_user())
    body = survey_json(survey, timeutil.utcnow())
    if invitation is not None:
        body["responded"] = invitation.responded
    return jsonify(body)


@bp.post("/surveys/<int:survey_id>/responses")
@api_auth(*EVERYONE)
def respond_to_survey(survey_id: int):
    ops.invitation_of(survey_id, api_user())  # 404 for the uninvited before their body is looked at
    ops.respond(survey_id, api_user(), fields(parse_body(SurveyResponse)), timeutil.utcnow())
    return jsonify({"survey": survey_id, "responded": True}), 201


@bp.post("/surveys/<int:survey_id>/close")
@api_auth(*ADMINS)
def close_survey(survey_id: int):
    now = timeutil.utcnow()
    survey = ops.close_survey(ops.get_survey(survey_id, api_user()), now)
    return jsonify(survey_json(survey, now))


@bp.get("/surveys/<int:survey_id>/report")
@api_auth(*ADMINS)
def survey_report(survey_id: int):
    survey = ops.get_survey(survey_id, api_user())
    return jsonify(report_json(reports.build(survey), improvement_ops.improvements_of(survey)))


@bp.get("/surveys/<int:survey_id>/improvements")
@api_auth(*ADMINS)
def list_survey_improvements(survey_id: int):
    survey = ops.get_survey(survey_id, api_user())
    return jsonify({"improvements": [improvement_json(i) for i in improvement_ops.improvements_of(survey)]})


@bp.post("/surveys/<int:survey_id>/improvements")
@api_auth(*ADMINS)
def add_survey_improvement(survey_id: int):
    survey = ops.get_survey(survey_id, api_user())
    record = improvement_ops.add_improvement(survey, api_user(), fields(parse_body(ImprovementIn)), timeutil.utcnow())
    return jsonify(improvement_json(record)), 201


@bp.get("/surveys/comparison")
@api_auth(*ADMINS)
def survey_comparison():
    rows, _ = reports.comparison(ops.list_surveys(api_user()))
    return jsonify(
        {
            "surveys": [
                {
                    "id": r.survey.id,
                    "title": r.survey.title,
                    "center": r.survey.center.name,
                    "audience": r.survey.audience_name,
                    "opens": timeutil.iso(r.survey.opens),
                    "closes": timeutil.iso(r.survey.closes),
                    "responses": r.responses,
                    "response_rate": r.response_rate,
                    "satisfaction_rate": r.satisfaction_rate,
                    "below_target": r.below_target,
                }
                for r in rows
            ]
        }
    )


@bp.get("/surveys/templates")
@api_auth(*CENTER_ADMIN)
def list_survey_templates():
    return jsonify({"templates": [template_json(t) for t in ops.list_templates(api_user())]})


@bp.post("/surveys/templates")
@api_auth(*CENTER_ADMIN)
def save_survey_template():
    template = ops.save_template(api_user(), fields(parse_body(TemplateIn)), timeutil.utcnow())
    return jsonify(template_json(template)), 201


@bp.get("/surveys/settings")
@api_auth(*CENTER_ADMIN)
def survey_settings():
    return jsonify(settings_ops.settings_of(_center().id).as_dict())


@bp.put("/surveys/settings")
@api_auth(*CENTER_ADMIN)
def save_survey_settings():
    return jsonify(settings_ops.save_settings(_center(), fields(parse_body(SurveySettings))).as_dict())
