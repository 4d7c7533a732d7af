"""The blueprint of panel scoring's pages (操作技能考核 / 综合评审), shared by the pages of its
three audiences — ``member_views`` (graders and reviewers), ``admin_views`` (center admins) and
``candidate_views`` (review materials) — and the helpers they share.
Views parse the form, check the role and call one operation of ``access`` / ``sheets`` /
``marking`` / ``reports`` / ``review``; they hold no rules.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.sessions.models import ExamSession
from scoring.display import points_text

from . import access

bp = Blueprint("practical", __name__, url_prefix="/practical")

COMPONENT = "<any(practical, review):component>"


@bp.app_template_filter("points")
def points(value) -> str:
    """Scores as entered: 59.99, 60, 12.5 — at most two decimals, cut, never rounded up (a panel's mean
    77.3333 shows 77.33, 59.995 shows 59.99: ``scoring.display``)."""
    return points_text(value)


def member_session(session_id: int, component: str) -> ExamSession:
    session = access.session_for_member(session_id, current_user, component)
    access.check_component(session, component)
    return session


def viewer_session(session_id: int, component: str) -> ExamSession:
    session = access.session_for_viewer(session_id, current_user, component)
    access.check_component(session, component)
    return session
