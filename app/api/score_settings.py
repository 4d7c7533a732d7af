"""/api/v1 score visibility (issue 27 item 11): when a center's candidates see their theory score —
at once after 交卷, or only once the session's results are published. The center's setting, read by
every place that shows the score (app/exams/score_visibility.py); the page form (results settings)
and these calls store it the same way, audit-logged old → new.

``GET|PUT /centers/<id>/score-visibility`` (center_admin of the center, admin), named like the other
center setting of the contract (``/centers/<id>/continuing-education``); another center's: 404."""

from __future__ import annotations

from flask import jsonify

from app.auth.roles import ADMINS
from app.exams import score_visibility

from . import bp
from .common import api_auth, api_user, parse_body
from .schemas import ScoreVisibility


@bp.get("/centers/<int:center_id>/score-visibility")
@api_auth(*ADMINS)
def get_score_visibility(center_id: int):
    """When the center's candidates see their theory score."""
    return jsonify(score_visibility.settings_body(score_visibility.center_for(api_user(), center_id)))


@bp.put("/centers/<int:center_id>/score-visibility")
@api_auth(*ADMINS)
def put_score_visibility(center_id: int):
    """Set when the center's candidates see their theory score (at_once | published), audit-logged."""
    center = score_visibility.center_for(api_user(), center_id)  # another center's: 404 before the body
    score_visibility.save_release(center, parse_body(ScoreVisibility).theory_release)
    return jsonify(score_visibility.settings_body(center))
