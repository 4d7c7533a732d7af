"""Pages of the 人才库: the registry with search (name, standard, level, year) and paging, its Excel
export, and a person's own page 我的证书与学时."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.continuing_education import operations as ce_ops
from app.extensions import db
from app.results.models import Certificate
from app.standards.registry import all_standards
from app.training import operations as training_ops

from . import operations as ops

bp = Blueprint("talent", __name__, url_prefix="/talent")


@bp.get("/")
@roles_required(*ADMINS)
def index():
    filters = ops.parse_filters(request.args)
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    rows, more = ops.people_page(current_user, page, **filters)
    return render_template(
        "talent/index.html",
        rows=rows,
        page=page,
        more=more,
        filters=filters,
        standards=all_standards().values(),
    )


@bp.get("/export.xlsx")
@roles_required(*ADMINS)
def export():
    rows = ops.people(current_user, **ops.parse_filters(request.args))
    return Response(
        ops.workbook(rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=talent.xlsx"},
    )


@bp.get("/mine")
@login_required
def mine():
    year = ce_ops.this_year()
    certificates = list(
        db.session.scalars(
            select(Certificate).where(Certificate.user_id == current_user.id).order_by(Certificate.issued_on)
        )
    )
    return render_template(
        "talent/mine.html",
        certificates=certificates,
        trainings=training_ops.trainings_attended(current_user),
        summary=ce_ops.summary(current_user, year),
        previous=ce_ops.summary(current_user, year - 1),
    )
