"""Pages for center admins: a session's 试卷与试题分析 with its charts and the difficulty write-back,
and the center dashboard (统计). Same operations as the API."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.boundary import page_action
from app.sessions.models import SessionStatus
from app.sessions.planning import get_session
from app.standards.registry import all_standards
from scoring import item_statistics as stats
from scoring.stats_plots import COMPONENT_LABELS, facility_discrimination_png, score_histogram_png
from scoring.trends import pass_rate_trend_png

from . import operations as ops

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

TYPE_LABELS = {"single": "单选", "multiple": "多选", "judge": "判断"}
NO_CACHE = {"Cache-Control": "no-store"}


def _names() -> dict[str, str]:
    return {standard_id: standard.name for standard_id, standard in all_standards().items()}


def _min_responses() -> int:
    return current_app.config["DIFFICULTY_WRITEBACK_MIN_RESPONSES"]


@bp.get("/")
@roles_required(*ADMINS)
def dashboard():
    data = ops.dashboard(current_user)
    return render_template(
        "statistics/dashboard.html",
        data=data,
        states=list(SessionStatus),
        names=_names(),
    )


def _narrow() -> bool:
    """?size=phone: the chart drawn for a 390 px screen (the pages' <picture> asks for it)."""
    return request.args.get("size") == "phone"


@bp.get("/trend.png")
@roles_required(*ADMINS)
def trend_png():
    data = ops.dashboard(current_user)
    png = pass_rate_trend_png(data["series"], _names(), narrow=_narrow())
    return Response(png, mimetype="image/png", headers=NO_CACHE)


@bp.get("/sessions/<int:session_id>")
@roles_required(*ADMINS)
def session(session_id: int):
    s = get_session(session_id, current_user)
    figures = ops.session_statistics(s)
    return render_template(
        "statistics/session.html",
        s=s,
        figures=figures,
        writeback=ops.writeback_state(figures, current_user, _min_responses()),
        records=ops.writebacks_of(s),
        min_responses=_min_responses(),
        flag_labels=stats.FLAG_LABELS,
        alpha_labels=stats.ALPHA_LABELS,
        component_labels=COMPONENT_LABELS,
        type_labels=TYPE_LABELS,
        letters=stats.LETTERS,
    )


@bp.get("/sessions/<int:session_id>/scores.png")
@roles_required(*ADMINS)
def scores_png(session_id: int):
    s = get_session(session_id, current_user)
    _, scores = ops.component_outcomes(s)
    return Response(score_histogram_png(scores, narrow=_narrow()), mimetype="image/png", headers=NO_CACHE)


@bp.get("/sessions/<int:session_id>/items.png")
@roles_required(*ADMINS)
def items_png(session_id: int):
    s = get_session(session_id, current_user)
    items = ops.session_statistics(s)["items"]
    return Response(facility_discrimination_png(items, narrow=_narrow()), mimetype="image/png", headers=NO_CACHE)


@bp.post("/sessions/<int:session_id>/items/<int:item_id>/writeback")
@roles_required(*ADMINS)
def write_back_item(session_id: int, item_id: int):
    s = get_session(session_id, current_user)
    return page_action(
        lambda: ops.write_back_item(s, item_id, current_user, _min_responses()),
        url_for("statistics.session", session_id=session_id),
        lambda r: f"试题 {r.item.external_id} 的难度已由 {r.old_difficulty:.4g} 改为 {r.new_difficulty:.4g}",
    )


@bp.post("/sessions/<int:session_id>/writeback")
@roles_required(*ADMINS)
def write_back_all(session_id: int):
    s = get_session(session_id, current_user)
    return page_action(
        lambda: ops.write_back_all(s, current_user, _min_responses()),
        url_for("statistics.session", session_id=session_id),
        lambda records: f"已回写 {len(records)} 道试题的难度" if records else "没有需要回写的试题",
    )
