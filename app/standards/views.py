"""Standards pages for every signed-in user: levels, 申报条件, weight tables, work requirements."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required

from app import assessment
from scoring.plots import weights_chart

from .registry import all_standards

bp = Blueprint("standards", __name__, url_prefix="/standards")


def _standard_or_404(standard_id: str):
    standard = all_standards().get(standard_id)
    if standard is None:
        abort(404)
    return standard


@bp.get("/")
@login_required
def index():
    return render_template("standards/index.html", standards=list(all_standards().values()))


@bp.get("/<standard_id>")
@login_required
def detail(standard_id: str):
    standard = _standard_or_404(standard_id)
    return render_template("standards/detail.html", s=standard, component_labels=assessment.labels())


@bp.get("/<standard_id>/weights.png")
@login_required
def weights_png(standard_id: str):
    s = _standard_or_404(standard_id)
    suffix = "（派生）" if s.weights_source == "derived" else ""
    png = weights_chart(
        f"{s.name} 权重表{suffix}",
        s.level_ids,
        {"理论知识权重": s.theory_weights, "技能要求权重": s.skill_weights},
    )
    return Response(png, mimetype="image/png", headers={"Cache-Control": "max-age=3600"})
