"""/api/v1 results (成绩): publish a session, its results roster (api-contract: Results and
certificates, v1.1 carried). Thin: parse, check permission, call one operation, render."""

from __future__ import annotations

from flask import jsonify

from app.auth.roles import ADMINS
from app.results import operations as ops
from app.results.serialize import results_body
from app.sessions.planning import get_session

from . import bp
from .common import api_auth, api_user


@bp.post("/sessions/<int:session_id>/publish")
@api_auth("center_admin")
def publish_session(session_id: int):
    """200 once every required component is final (results frozen, certificates issued); 409 otherwise."""
    session = get_session(session_id, api_user())
    ops.publish(session, api_user())
    body = results_body(session, ops.roster(session))
    return jsonify({"id": session.id, "status": session.status.value, **body})


@bp.get("/sessions/<int:session_id>/results")
@api_auth(*ADMINS)
def session_results(session_id: int):
    session = get_session(session_id, api_user())
    return jsonify(results_body(session, ops.roster(session)))
