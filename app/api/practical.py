"""/api/v1 practical assessment (操作技能考核) and comprehensive review (综合评审).

The same handlers serve both components (``<component>`` is ``practical`` or ``review``); thin:
parse, check permission, call one operation of app.practical (access, sheets, marking, reports — the same the pages call), render.
Contract: GET …/practical/sheet; PUT …/practical/<username> (grader) {"sections"}; PUT
…/review/<username> (reviewer) {"score"}; POST …/<username>/finalize (center_admin); v1.1
GET …/agreement. Added here: the roster with progress, one candidate's sheets, 缺考/违纪 marks,
finalizing a whole panel, the record of changes, the center's spread threshold, section splits.
"""

from __future__ import annotations

from flask import jsonify, request

from app import timeutil
from app.auth.roles import ADMINS, PANEL_MEMBERS, is_admin
from app.errors import Invalid
from app.practical import access, marking, reports, sheets
from app.practical import review as review_ops
from app.practical.models import ComponentResult, ScoreRecord, ScoreSheet

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import (
    FinalizeRequest,
    MarkRequest,
    PanelFinalize,
    ReviewDeadline,
    ScoringSettings,
    SheetRequest,
    SplitRequest,
)

COMPONENT = "<any(practical, review):component>"
MEMBERS = PANEL_MEMBERS


def sheet_json(sheet: ScoreSheet) -> dict:
    body = {
        "grader": sheet.grader.username,
        "sections": sheet.sections,
        "total": sheet.total,
        "updated_at": timeutil.iso(sheet.updated_at),
    }
    if sheet.parts:
        body["parts"] = sheet.parts
    return body


def result_json(result: ComponentResult | None) -> dict:
    if result is None:
        return {"status": "pending", "score": None, "spread": None, "flagged": False, "mark": None}
    return {
        "status": result.status.value,
        "score": result.score,
        "spread": result.spread,
        "flagged": result.flagged,
        "mark": result.mark.value if result.mark else None,
        "mark_reason": result.mark_reason or None,
        "note": result.note or None,
        "finalized_at": timeutil.iso(result.finalized_at),
        "finalized_by": result.finalized_by.username if result.finalized_by else None,
    }


def record_json(entry: ScoreRecord) -> dict:
    return {
        "id": entry.id,
        "username": entry.enrollment.user.username,
        "component": entry.component,
        "action": entry.action.value,
        "by": entry.actor.username,
        "at": timeutil.iso(entry.created_at),
        "old": entry.old,
        "new": entry.new,
        "note": entry.note or None,
    }


@bp.get(f"/sessions/<int:session_id>/{COMPONENT}/sheet")
@api_auth(*ADMINS, *MEMBERS)
def get_sheet(session_id: int, component: str):
    session = access.session_for_viewer(session_id, api_user(), component)
    access.check_component(session, component)
    sections = []
    for s in sheets.sheet_sections(session, component):
        entry = {"area": s["area"], "max": s["max"]}
        if s["parts"]:
            entry["parts"] = s["parts"]
        sections.append(entry)
    return jsonify({"sections": sections})


@bp.get(f"/sessions/<int:session_id>/{COMPONENT}")
@api_auth(*ADMINS, *MEMBERS)
def roster(session_id: int, component: str):
    """Admins: every candidate with panel, progress, totals and spread. A member: their panel's
    candidates with their own sheet only (another member's marks are never shown before finalization)."""
    user = api_user()
    session = access.session_for_viewer(session_id, user, component)
    access.check_component(session, component)
    rows = []
    for row in reports.summary(session, component, user):
        entry = {
            "username": row["username"],
            "name": row["name"],
            "ticket_no": row["ticket_no"],
            "panel": row["panel"],
            "members": row["members"],
            "scored": row["scored"],
            "result": result_json(row["result"]),
        }
        if "totals" in row:
            entry.update(totals=row["totals"], score=row["score"], spread=row["spread"], flagged=row["flagged"])
        if not is_admin(user):
            entry["mine"] = sheet_json(row["mine"]) if row["mine"] else None
        rows.append(entry)
    return jsonify({"candidates": rows, "spread_threshold": marking.spread_threshold(session.center_id)})


@bp.put(f"/sessions/<int:session_id>/{COMPONENT}/<username>")
@api_auth()
def save_sheet(session_id: int, component: str, username: str):
    now = timeutil.utcnow()
    user = api_user()
    session = access.session_for_member(session_id, user, component)
    sheet = sheets.save_sheet(session, component, user, username, fields(parse_body(SheetRequest)), now)
    return jsonify({"username": username, **sheet_json(sheet)})


@bp.get(f"/sessions/<int:session_id>/{COMPONENT}/<username>")
@api_auth(*ADMINS, *MEMBERS)
def candidate_sheets(session_id: int, component: str, username: str):
    """A member: their own sheet (and, once finalized, the panel's totals); admins: every sheet."""
    user = api_user()
    session = access.session_for_viewer(session_id, user, component)
    access.check_component(session, component)
    enrollment = access.enrollment_named(session, username)
    result = sheets.existing_result(component, enrollment)
    body = {"username": username, "result": result_json(result)}
    if is_admin(user) or (result is not None and result.locked):
        if not is_admin(user):
            access.ensure_in_panel(session, component, user, enrollment)
        body["sheets"] = [sheet_json(s) for s in sheets.sheets_of(component, enrollment)]
        body["preview"] = marking.preview(session, component, enrollment)
    else:
        access.ensure_in_panel(session, component, user, enrollment)
        mine = sheets.own_sheet(session, component, user, enrollment)
        body["sheets"] = [sheet_json(mine)] if mine else []
    return jsonify(body)


def finalize_json(result: ComponentResult, session, component: str) -> dict:
    enrollment = result.enrollment
    view = marking.preview(session, component, enrollment)
    return {
        "username": enrollment.user.username,
        "score": result.score,
        "graders": view["members"] if result.status.value == "final" else [],
        "totals": view["totals"] if result.status.value == "final" else {},
        "spread": result.spread,
        "flagged": result.flagged,
        "status": result.status.value,
        "note": result.note or None,
    }


@bp.post(f"/sessions/<int:session_id>/{COMPONENT}/<username>/finalize")
@api_auth(*ADMINS)
def finalize(session_id: int, component: str, username: str):
    now = timeutil.utcnow()
    session = access.session_for_viewer(session_id, api_user(), component)
    body = parse_body(FinalizeRequest, optional=True)  # the note is optional: no body is no note
    result = marking.finalize(session, component, api_user(), username, body.note, now)
    return jsonify(finalize_json(result, session, component))


@bp.post(f"/sessions/<int:session_id>/{COMPONENT}/finalize")
@api_auth(*ADMINS)
def finalize_panel(session_id: int, component: str):
    """{"panel": name | null} or {"all": true}, optional {"notes": {username: note}} → finalized and skipped."""
    now = timeutil.utcnow()
    session = access.session_for_viewer(session_id, api_user(), component)
    body = parse_body(PanelFinalize)
    done, skipped = marking.finalize_panel(session, component, api_user(), body.panel, body.notes, now, every=body.all)
    return jsonify({"finalized": [finalize_json(r, session, component) for r in done], "skipped": skipped})


@bp.post(f"/sessions/<int:session_id>/{COMPONENT}/<username>/mark")
@api_auth(*ADMINS)
def mark(session_id: int, component: str, username: str):
    """{"mark": "absent" | "disqualified" | null, "reason"}: 缺考 / 违纪 (a reason required) / clear."""
    now = timeutil.utcnow()
    session = access.session_for_viewer(session_id, api_user(), component)
    body = parse_body(MarkRequest)
    result = marking.mark(session, component, api_user(), username, body.mark, body.reason, now)
    return jsonify({"username": username, "result": result_json(result)})


@bp.get(f"/sessions/<int:session_id>/{COMPONENT}/record")
@api_auth(*ADMINS)
def record(session_id: int, component: str):
    session = access.session_for_viewer(session_id, api_user(), component)
    return jsonify({"record": [record_json(r) for r in reports.records(session, component)]})


@bp.get(f"/sessions/<int:session_id>/{COMPONENT}/agreement")
@api_auth(*ADMINS)
def agreement(session_id: int, component: str):
    session = access.session_for_viewer(session_id, api_user(), component)
    panels = reports.agreement(session, component)
    for panel in panels:
        panel.pop("rule")
        for stats in panel["grader_stats"]:
            stats.pop("flagged")
    return jsonify({"panels": panels})


@bp.put("/sessions/<int:session_id>/practical/splits/<area>")
@api_auth(*ADMINS)
def set_split(session_id: int, area: str):
    """{"parts": [{"name": 工作内容, "max": points}]} splits a section; an empty list removes the split."""
    session = access.session_for_viewer(session_id, api_user(), "practical")
    sheets.set_split(session, area, fields(parse_body(SplitRequest))["parts"])
    return get_sheet(session_id, "practical")


@bp.put("/scoring/settings")
@api_auth("center_admin")
def scoring_settings():
    """The center's spread threshold (points; a sheet whose spread is above it is flagged)."""
    settings = marking.set_spread_threshold(api_user().center_id, parse_body(ScoringSettings).spread_threshold)
    return jsonify({"spread_threshold": settings.spread_threshold})


@bp.put("/sessions/<int:session_id>/review/deadline")
@api_auth(*ADMINS)
def review_deadline(session_id: int):
    """{"due": ISO datetime}: candidates upload their review materials until then."""
    session = access.session_for_viewer(session_id, api_user(), "review")
    row = review_ops.set_deadline(session, parse_body(ReviewDeadline).due)
    return jsonify({"due": timeutil.iso(row.submissions_due)})


@bp.post("/sessions/<int:session_id>/review/materials")
@api_auth("candidate")
def upload_material(session_id: int):
    """multipart/form-data: ``file`` (PDF) and ``kind`` (summary 技术总结 | thesis 论文) → 201."""
    now = timeutil.utcnow()
    session = review_ops.candidate_session(session_id, api_user())
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("请选择要上传的 PDF 文件", field="file")
    material = review_ops.upload(session, api_user(), request.form.get("kind", ""), upload.filename, upload.stream, now)
    return jsonify(material_json(material)), 201


@bp.get("/sessions/<int:session_id>/review/materials")
@api_auth("candidate", "reviewer", *ADMINS)
def list_materials(session_id: int):
    user = api_user()
    if user.role.value == "candidate":
        session = review_ops.candidate_session(session_id, user)
        enrollments = [e for e in session.enrollments if e.user_id == user.id]
    else:
        session = access.session_for_viewer(session_id, user, "review")
        enrollments = access.candidates_for(session, "review", user)
    return jsonify(
        {
            "due": timeutil.iso(review_ops.review_row(session).submissions_due),
            "materials": [material_json(m) for e in enrollments for m in review_ops.materials_of(e)],
        }
    )


def material_json(material) -> dict:
    return {
        "id": material.id,
        "username": material.enrollment.user.username,
        "kind": material.kind.value,
        "name": material.original_name,
        "size": material.size,
        "uploaded_at": timeutil.iso(material.uploaded_at),
    }
