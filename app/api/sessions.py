"""/api/v1 sessions (考试批次): create, rooms, staff, candidates, readiness, papers, lifecycle.

Thin: parse, check permission, call one operation of app.sessions (planning, staffing, enrolment,
lifecycle, readiness_report), render.
"""

from __future__ import annotations

from flask import jsonify

from app import assessment, timeutil
from app.auth.roles import ADMINS
from app.sessions import enrolment, lifecycle, planning, readiness_report, staffing
from app.sessions.models import Enrollment, ExamSession, Room, StaffAssignment

from . import bp
from .common import api_auth, api_user, fields, parse_body
from .schemas import (
    WHOLE,
    CandidateRequest,
    RoomRequest,
    SessionPapersRequest,
    SessionRequest,
    StaffRequest,
    StatusChange,
)


def session_json(session: ExamSession, *, full: bool = False) -> dict:
    body = {
        "id": session.id,
        "name": session.name,
        "standard": session.standard_id,
        "level": session.level,
        "status": session.status.value,
        "theory_mode": session.theory_mode.value,
        "theory_start": timeutil.iso(session.theory_start),
        "theory_end": timeutil.iso(session.theory_end),
        "center": session.center.name,
        # v1.3 additions (optional): when and where the 操作技能考核 is held, as on the 准考证
        "practical_start": timeutil.iso(session.practical_start) if session.practical_start else None,
        "practical_place": session.practical_place,
    }
    for component in assessment.session_kinds():
        body[component.minutes_key] = session.minutes_for(component.key)
    if full:
        body["rooms"] = [room_json(r) for r in session.rooms]
        body["staff"] = [staff_json(s) for s in session.staff]
        body["candidates"] = [candidate_json(e) for e in session.enrollments]
        body["papers"] = [{"form": f.form_label, "paper_id": f.paper_id} for f in session.forms]
    return body


def room_json(room: Room) -> dict:
    return {
        "id": room.id,
        "name": room.name,
        "kind": room.kind.value,
        "capacity": room.capacity,
        "stations": room.stations,
        "room_type": room.room_type.value if room.room_type else None,
    }


def staff_json(s: StaffAssignment) -> dict:
    return {"id": s.id, "username": s.user.username, "role": s.role.value, "room": s.room_id, "panel": s.panel}


def candidate_json(e: Enrollment) -> dict:
    return {
        "id": e.id,
        "username": e.user.username,
        "room": e.room_id,
        "seat": e.seat,
        "ticket_no": e.ticket_no,
        "form": e.form_label or None,
        "paper_id": e.paper_id,
    }


def _session(session_id: int) -> ExamSession:
    return planning.get_session(session_id, api_user())  # its status brought up to the clock


@bp.post("/sessions")
@api_auth(*ADMINS)
def create_session():
    session = planning.create_session(api_user(), fields(parse_body(SessionRequest)))
    return jsonify({"id": session.id, "status": session.status.value}), 201


@bp.get("/sessions")
@api_auth(*ADMINS)
def list_sessions():
    sessions = planning.list_sessions(api_user())
    return jsonify({"sessions": [session_json(exam_session) for exam_session in sessions]})


@bp.get("/sessions/<int:session_id>")
@api_auth(*ADMINS)
def get_session(session_id: int):
    return jsonify(session_json(_session(session_id), full=True))


@bp.post("/sessions/<int:session_id>/rooms")
@api_auth(*ADMINS)
def add_room(session_id: int):
    room = planning.add_room(_session(session_id), fields(parse_body(RoomRequest)))
    return jsonify(room_json(room)), 201


@bp.put("/sessions/<int:session_id>/rooms/<int:room_id>")
@api_auth(*ADMINS)
def update_room(session_id: int, room_id: int):
    """Correct a room (v1.3 addition): the body of POST …/rooms; 422 for a capacity below those seated."""
    session = _session(session_id)
    room = planning.update_room(session, planning.get_room(session, room_id), fields(parse_body(RoomRequest)))
    return jsonify(room_json(room))


@bp.delete("/sessions/<int:session_id>/rooms/<int:room_id>")
@api_auth(*ADMINS)
def delete_room(session_id: int, room_id: int):
    """Delete an empty room (v1.3 addition): 409 room_in_use while candidates or staff are in it."""
    session = _session(session_id)
    planning.delete_room(session, planning.get_room(session, room_id))
    return "", 204


@bp.delete("/sessions/<int:session_id>")
@api_auth(*ADMINS)
def delete_session(session_id: int):
    """Delete a draft session (v1.3 addition, audit-logged): 409 once it is scheduled."""
    planning.delete_session(_session(session_id))
    return "", 204


@bp.post("/sessions/<int:session_id>/staff")
@api_auth(*ADMINS)
def add_staff(session_id: int):
    assignment = staffing.add_staff(_session(session_id), fields(parse_body(StaffRequest)))
    return jsonify(staff_json(assignment)), 201


@bp.post("/sessions/<int:session_id>/candidates")
@api_auth(*ADMINS)
def add_candidate(session_id: int):
    session = _session(session_id)  # another center's session: 404 before the body is looked at
    body = parse_body(CandidateRequest)
    # ``capacity_reason`` (optional): why one more sits in a full room (issue 28, audit-logged);
    # ``reason`` (optional): why a holder of a valid certificate at this level sits again
    enrollment = enrolment.enroll(
        session, body.username, body.room, capacity_reason=body.capacity_reason, reason=body.reason
    )
    # 201 as ever (contract v1.0); a full room or a certificate already held is named in warnings
    return jsonify({**candidate_json(enrollment), "warnings": enrollment.warnings}), 201


@bp.get("/sessions/<int:session_id>/readiness")
@api_auth(*ADMINS)
def readiness(session_id: int):
    return jsonify(readiness_report.readiness(_session(session_id)))


@bp.post("/sessions/<int:session_id>/papers")
@api_auth(*ADMINS)
def assign_papers(session_id: int):
    session = _session(session_id)
    forms = enrolment.assign_papers(session, fields(parse_body(SessionPapersRequest, whole=WHOLE)), api_user())
    return jsonify(
        {
            "status": session.status.value,
            "papers": [{"id": f.paper_id, "form": f.form_label} for f in forms],
            "candidates": [candidate_json(e) for e in session.enrollments],
        }
    ), 201


@bp.post("/sessions/<int:session_id>/status")
@api_auth(*ADMINS)
def advance(session_id: int):
    """Move the session along its lifecycle by hand: {"status": "scoring"} (409 when illegal)."""
    session = lifecycle.advance(_session(session_id), parse_body(StatusChange).status)
    return jsonify({"id": session.id, "status": session.status.value})
