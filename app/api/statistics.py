"""/api/v1 statistics: a session's item and test analysis (contract v1.1 "Test statistics"), the
difficulty write-back, the center dashboard. Thin: parse, check permission, call one operation, render."""

from __future__ import annotations

from flask import current_app, jsonify

from app.auth.roles import ADMINS
from app.sessions.planning import get_session
from app.statistics import operations as ops
from app.statistics.serialize import dashboard_json, statistics_json, writeback_json

from . import bp
from .common import api_auth, api_user


def _min_responses() -> int:
    return current_app.config["DIFFICULTY_WRITEBACK_MIN_RESPONSES"]


@bp.get("/sessions/<int:session_id>/statistics")
@api_auth(*ADMINS)
def session_statistics(session_id: int):
    session = get_session(session_id, api_user())
    return jsonify(statistics_json(ops.session_statistics(session)))


@bp.post("/sessions/<int:session_id>/statistics/items/<int:item_id>/difficulty")
@api_auth(*ADMINS)
def write_back_item(session_id: int, item_id: int):
    """Write the item's observed facility in this session into its difficulty (409 below the threshold)."""
    session = get_session(session_id, api_user())
    record = ops.write_back_item(session, item_id, api_user(), _min_responses())
    return jsonify(writeback_json(record))


@bp.post("/sessions/<int:session_id>/statistics/difficulty")
@api_auth(*ADMINS)
def write_back_all(session_id: int):
    """Every eligible item of the session that the caller may write; the others are left alone."""
    session = get_session(session_id, api_user())
    records = ops.write_back_all(session, api_user(), _min_responses())
    return jsonify({"written": [writeback_json(r) for r in records], "min_responses": _min_responses()})


@bp.get("/sessions/<int:session_id>/statistics/writebacks")
@api_auth(*ADMINS)
def writebacks(session_id: int):
    session = get_session(session_id, api_user())
    return jsonify({"writebacks": [writeback_json(r) for r in ops.writebacks_of(session)]})


@bp.get("/statistics/dashboard")
@api_auth(*ADMINS)
def dashboard():
    return jsonify(dashboard_json(ops.dashboard(api_user())))
