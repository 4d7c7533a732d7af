"""/api/v1 organization rating (社会组织等级评估, contract v1.2): frameworks, rounds, self-assessment,
the expert panel, finalize, 公示, 复核, announce, certificates. Thin: parse, check the role, call one
operation of app.rating, render. Added: round listing and detail, per-round thresholds, the
panel's agreement and record, the checklist of the capacity framework."""

from __future__ import annotations

from flask import jsonify

from app import timeutil, verify_limits
from app.auth.models import Role
from app.rating import checklist, panel, publicity, rounds, self_assessment
from app.rating import serialize as out
from app.rating.evidence_sources import facts_for

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import (
    Appeal,
    AppealDecision,
    ChecklistAnswer,
    ExpertScore,
    Grades,
    Organization,
    RoundRequest,
    SelfScore,
)

ORG = "/rating/rounds/<int:round_id>/organizations/<int:center_id>"
VIEWERS = (Role.admin, Role.center_admin, Role.expert)


@bp.get("/rating/frameworks")
@api_auth()
def list_rating_frameworks():
    return jsonify([out.framework_summary(f) for f in rounds.all_frameworks().values()])


@bp.get("/rating/frameworks/<framework_id>")
@api_auth()
def show_rating_framework(framework_id: str):
    return jsonify(out.framework_json(rounds.get_framework(framework_id)))


@bp.post("/rating/rounds")
@api_auth(Role.admin)
def create_rating_round():
    rnd = rounds.create_round(api_user(), fields(parse_body(RoundRequest)))
    return jsonify({"id": rnd.id}), 201


@bp.get("/rating/rounds")
@api_auth(*VIEWERS)
def list_rating_rounds():
    return jsonify({"rounds": [out.round_json(r) for r in rounds.rounds_for(api_user())]})


@bp.get("/rating/rounds/<int:round_id>")
@api_auth(Role.admin, Role.expert)
def show_rating_round(round_id: int):
    return jsonify(out.round_json(rounds.round_for_viewer(round_id, api_user())))


@bp.put("/rating/rounds/<int:round_id>/grades")
@api_auth(Role.admin)
def set_rating_grades(round_id: int):
    rnd = rounds.set_grades(rounds.get_round(round_id), fields(parse_body(Grades)))
    return jsonify({"grades": rnd.grades, "grades_source": rnd.grades_source})


@bp.post("/rating/rounds/<int:round_id>/organizations")
@api_auth(Role.admin)
def enroll_rating_organization(round_id: int):
    org = rounds.enroll(rounds.get_round(round_id), fields(parse_body(Organization)))
    return jsonify({"center_id": org.center_id}), 201


@bp.get(ORG)
@api_auth(*VIEWERS)
def show_rating_organization(round_id: int, center_id: int):
    user = api_user()
    org = rounds.organization_for_viewer(round_id, center_id, user)
    return jsonify(out.organization_json(org, user, timeutil.utcnow()))


@bp.put(f"{ORG}/self/<code>")
@api_auth(Role.center_admin)
def save_rating_self_score(round_id: int, center_id: int, code: str):
    user = api_user()
    org = rounds.organization_for_center_admin(round_id, center_id, user)
    row = self_assessment.save(org, user, code, fields(parse_body(SelfScore)), timeutil.utcnow())
    return jsonify({"code": code, "score": row.score})


@bp.post(f"{ORG}/self/submit")
@api_auth(Role.center_admin)
def submit_rating_self_assessment(round_id: int, center_id: int):
    user = api_user()
    org = rounds.organization_for_center_admin(round_id, center_id, user)
    self_assessment.submit(org, user, timeutil.utcnow())
    return jsonify({"status": org.status.value})


@bp.get(f"{ORG}/platform-evidence")
@api_auth(*VIEWERS)
def rating_platform_evidence(round_id: int, center_id: int):
    org = rounds.organization_for_viewer(round_id, center_id, api_user())
    return jsonify(facts_for(org.center_id, org.round.year))


@bp.put(f"{ORG}/experts/<code>")
@api_auth(Role.expert)
def save_rating_expert_score(round_id: int, center_id: int, code: str):
    user = api_user()
    org = rounds.get_organization(rounds.round_for_viewer(round_id, user), center_id)
    row = panel.save(org, user, code, fields(parse_body(ExpertScore)), timeutil.utcnow())
    return jsonify({"code": code, "score": row.score, "comment": row.comment})


@bp.post(f"{ORG}/finalize")
@api_auth(Role.admin)
def finalize_rating_organization(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    panel.finalize(org, api_user(), timeutil.utcnow())
    return jsonify(out.finalized_json(org))


@bp.get(f"{ORG}/agreement")
@api_auth(Role.admin)
def rating_agreement(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    return jsonify({**panel.panel_agreement(org), "flagged": panel.flagged_leaves(org)})


@bp.post("/rating/rounds/<int:round_id>/publish")
@api_auth(Role.admin)
def publish_rating_round(round_id: int):
    rnd = publicity.publish(rounds.get_round(round_id), api_user(), timeutil.utcnow())
    return jsonify({"publicity_ends": timeutil.iso(rnd.publicity_ends)})


@bp.post(f"{ORG}/appeal")
@api_auth(Role.center_admin)
def lodge_rating_appeal(round_id: int, center_id: int):
    user = api_user()
    org = rounds.organization_for_center_admin(round_id, center_id, user)
    appeal = publicity.lodge(org, user, fields(parse_body(Appeal)), timeutil.utcnow())
    return jsonify({"id": appeal.id, "status": appeal.status.value}), 201


@bp.post(f"{ORG}/appeal/decide")
@api_auth(Role.admin)
def decide_rating_appeal(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    publicity.decide(org, api_user(), fields(parse_body(AppealDecision)), timeutil.utcnow())
    return jsonify({**out.finalized_json(org), "decision": publicity.appeal_of(org).status.value})


@bp.post("/rating/rounds/<int:round_id>/announce")
@api_auth(Role.admin)
def announce_rating_round(round_id: int):
    certified = publicity.announce(rounds.get_round(round_id), api_user(), timeutil.utcnow())
    return jsonify({"certificates": [{"center_id": o.center_id, **out.certificate_json(o)} for o in certified]})


@bp.get("/rating/certificates/<rating_no>")
@verify_limits.verification
def verify_rating_certificate(rating_no: str):
    org = publicity.find_certificate(rating_no)
    return jsonify(publicity.certificate_facts(org, timeutil.utcnow()))


@bp.get("/rating/checklists/<framework_id>/centers/<int:center_id>")
@api_auth(Role.admin, Role.center_admin)
def show_rating_checklist(framework_id: str, center_id: int):
    return jsonify(checklist.answers_json(checklist.framework_for(framework_id), center_id, api_user()))


@bp.put("/rating/checklists/<framework_id>/centers/<int:center_id>/<code>")
@api_auth(Role.center_admin)
def save_rating_checklist_answer(framework_id: str, center_id: int, code: str):
    framework = checklist.framework_for(framework_id)
    checklist.ensure_editor(api_user(), center_id)  # who may write before what they wrote (404 for a peer)
    row = checklist.save(framework, center_id, api_user(), code, fields(parse_body(ChecklistAnswer)))
    return jsonify({"code": row.code, "level": row.level, "measure": row.measure})
