"""/api/v1 continuing education (继续教育) and the talent registry (人才库): api-contract v1.2."""

from __future__ import annotations

from flask import Response, jsonify, request

from app.auth.roles import ADMINS
from app.continuing_education import operations as ce
from app.talent import operations as talent

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import CEApproval, CERecord, CERequirement, Reason


@bp.get("/centers/<int:center_id>/continuing-education")
@api_auth(*ADMINS)
def get_ce_requirement(center_id: int):
    return jsonify(ce.requirement_body(ce.get_center(api_user(), center_id)))


@bp.put("/centers/<int:center_id>/continuing-education")
@api_auth(*ADMINS)
def put_ce_requirement(center_id: int):
    center = ce.get_center(api_user(), center_id)
    ce.save_requirement(api_user(), center, fields(parse_body(CERequirement)))
    return jsonify(ce.requirement_body(center))


@bp.post("/ce/records")
@api_auth()
def create_ce_record():
    ce.claimant_center(api_user())  # 403 for who may not claim before their body is looked at
    row = ce.claim(api_user(), fields(parse_body(CERecord)))
    return jsonify({"id": row.id, "status": row.status.value}), 201


@bp.get("/ce/records")
@api_auth()
def list_ce_records():
    """The caller's own records; ``?status=pending`` for a center admin: their center's queue."""
    user = api_user()
    if request.args.get("status") == "pending" and user.role in ADMINS:
        rows = ce.pending_for(user)
    else:
        rows = ce.records_of(user, ce.parse_year(request.args["year"]) if request.args.get("year") else None)
    return jsonify({"records": [ce.serialize(r) for r in rows]})


@bp.get("/ce/records/<int:record_id>")
@api_auth()
def get_ce_record(record_id: int):
    return jsonify(ce.serialize(ce.get_record(api_user(), record_id)))


@bp.post("/ce/records/<int:record_id>/approve")
@api_auth(*ADMINS)
def approve_ce_record(record_id: int):
    body = fields(parse_body(CEApproval, optional=True))
    row = ce.decide(api_user(), record_id, approve=True, hours=body.get("hours"), reason=body.get("reason"))
    return jsonify(ce.serialize(row))


@bp.post("/ce/records/<int:record_id>/reject")
@api_auth(*ADMINS)
def reject_ce_record(record_id: int):
    row = ce.decide(api_user(), record_id, approve=False, reason=parse_body(Reason, optional=True).reason)
    return jsonify(ce.serialize(row))


@bp.get("/ce/summary")
@api_auth()
def ce_summary():
    person = ce.person_for_summary(api_user(), request.args.get("username"))
    return jsonify(ce.summary(person, ce.parse_year(request.args.get("year"))))


@bp.get("/talent")
@api_auth(*ADMINS)
def talent_registry():
    return jsonify({"people": talent.people(api_user(), **talent.parse_filters(request.args))})


@bp.get("/talent.xlsx")
@api_auth(*ADMINS)
def talent_export():
    rows = talent.people(api_user(), **talent.parse_filters(request.args))
    return Response(
        talent.workbook(rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=talent.xlsx"},
    )
