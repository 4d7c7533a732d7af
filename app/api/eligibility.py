"""/api/v1 routes of 申报: eligibility checks and applications (api-contract.md, Eligibility, Applications)."""

from __future__ import annotations

from flask import jsonify

from app.auth.roles import ADMINS
from app.eligibility import operations as ops

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import ApplicationRequest, EligibilityRequest, Reason


@bp.post("/eligibility")
@api_auth()
def check_eligibility():
    return jsonify(ops.check_eligibility(fields(parse_body(EligibilityRequest)), api_user()))


@bp.post("/applications")
@api_auth("candidate")
def create_application():
    body = parse_body(ApplicationRequest)
    candidate = fields(body).get("candidate", {})
    application = ops.create_application(api_user(), body.standard, body.level, candidate)
    return jsonify(ops.serialize_application(application)), 201


@bp.get("/applications")
@api_auth("candidate", "center_admin", "admin")
def list_applications():
    applications = ops.list_applications(api_user())
    return jsonify({"applications": [ops.serialize_application(a) for a in applications]})


@bp.get("/applications/<int:application_id>")
@api_auth("candidate", "center_admin", "admin")
def get_application(application_id: int):
    return jsonify(ops.serialize_application(ops.get_application(api_user(), application_id)))


@bp.post("/applications/<int:application_id>/approve")
@api_auth(*ADMINS)
def approve_application(application_id: int):
    body = parse_body(Reason, optional=True)  # approve may come without a body
    application = ops.decide(api_user(), application_id, approve=True, reason=body.reason)
    return jsonify(ops.serialize_application(application))


@bp.post("/applications/<int:application_id>/reject")
@api_auth(*ADMINS)
def reject_application(application_id: int):
    body = parse_body(Reason, optional=True)
    application = ops.decide(api_user(), application_id, approve=False, reason=body.reason)
    return jsonify(ops.serialize_application(application))


@bp.post("/applications/<int:application_id>/withdraw")
@api_auth("candidate")
def withdraw_application(application_id: int):
    """撤回 a pending application (addition to the contract): 200, 409 once decided, 404 for another's."""
    return jsonify({"id": ops.withdraw(api_user(), application_id), "status": "withdrawn"})
