"""Pages of 继续教育: my hours and a claim form, the center's 学时认定 queue, its CE settings, the
yearly summary per person of the center, and the transcript PDF. Views call the same operations as
the API."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.decorators import roles_required
from app.auth.models import Center
from app.auth.roles import ADMINS
from app.boundary import fail, page_action
from app.errors import DomainError, Forbidden, Invalid, NotFound
from app.extensions import db
from app.uploads import uploads_of
from scoring.continuing_education import CATEGORIES, DEFAULT_SOURCE

from . import operations as ops
from .models import CEStatus
from .transcript import transcript_pdf

bp = Blueprint("ce", __name__, url_prefix="/ce")


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


CLAIM_LABELS = {"year": "年度", "form": "形式", "category": "科目", "title": "内容名称", "date": "日期", "hours": "学时",
                "evidence": "证明材料"}  # fmt: skip


@bp.get("/")
@login_required
def mine():
    return _render_mine(ops.parse_year(request.args.get("year")))


def _render_mine(year, typed: dict | None = None, errors: dict | None = None, status: int = 200):
    """My hours and the claim form; after a refused claim, what was typed and the error beside its field."""
    center_id = ops.center_of_person(current_user)
    _, forms, saved = ops.requirement_of(center_id)
    return render_template(
        "continuing_education/mine.html",
        typed=typed or {},
        errors=errors or {},
        labels=CLAIM_LABELS,
        year=year,
        summary=ops.summary(current_user, year),
        records=ops.records_of(current_user),
        forms=forms,
        categories=CATEGORIES,
        uploads=uploads_of(current_user),
        saved=saved,
        source=DEFAULT_SOURCE,
    ), status


@bp.post("/claim")
@login_required
def claim():
    ops.claimant_center(current_user)  # 403 for anyone who may not claim (not a flashed refusal)
    f = request.form
    data = {
        "year": _int(f.get("year")),
        "form": f.get("form"),
        "category": f.get("category"),
        "title": f.get("title"),
        "date": f.get("date"),
        "hours": _float(f.get("hours")),
        "evidence": [_int(v) for v in f.getlist("evidence")],
    }
    try:
        ops.claim(current_user, data)
    except Invalid as exc:  # re-rendered with what was typed, the message beside its field (issue 27 item 5)
        db.session.rollback()
        field = exc.details.get("field")
        typed = {key: f.get(key, "") for key in CLAIM_LABELS} | {"evidence": f.getlist("evidence")}
        year = data["year"] if isinstance(data["year"], int) else ops.parse_year(None)
        return _render_mine(year, typed, {field if field in CLAIM_LABELS else "": [exc.message]}, 422)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        fail(exc, "未能提交：")
        return redirect(url_for("ce.mine"))
    flash("学时申报已提交，待机构认定", "success")
    return redirect(url_for("ce.mine"))


@bp.get("/queue")
@roles_required(*ADMINS)
def queue():
    return render_template("continuing_education/queue.html", rows=ops.pending_for(current_user))


@bp.post("/records/<int:record_id>/decide")
@roles_required(*ADMINS)
def decide(record_id: int):
    f = request.form
    approve = f.get("action") == "approve"
    hours = _float(f.get("hours")) if f.get("hours") else None
    return page_action(
        lambda: ops.decide(current_user, record_id, approve=approve, hours=hours, reason=f.get("reason")),
        url_for("ce.queue"),
        "已认定" if approve else "已不予认定",
        failure="未能处理：",
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("center_admin")
def settings():
    center = ops.get_center(current_user, current_user.center_id or -1)
    if request.method == "POST":
        f = request.form
        forms = [
            {"form": name, "hours_rule": rule}
            for name, rule in zip(f.getlist("form"), f.getlist("hours_rule"), strict=False)
            if name.strip()
        ]
        data = {
            "annual_hours": _float(f.get("annual_hours")),
            "minimum": {c: _float(f.get(f"min_{c}")) for c in CATEGORIES if f.get(f"min_{c}")},
            "forms": forms,
        }
        return page_action(
            lambda: ops.save_requirement(current_user, center, data),
            url_for("ce.settings"),
            "继续教育要求已保存",
            failure="未能保存：",
        )
    return render_template(
        "continuing_education/settings.html", body=ops.requirement_body(center), categories=CATEGORIES
    )


@bp.get("/center")
@roles_required("center_admin")
def center_summary():
    year = ops.parse_year(request.args.get("year"))
    center = db.session.get(Center, current_user.center_id) if current_user.center_id else None
    if center is None:
        raise Forbidden("您不属于任何机构")
    people = [(p, ops.summary(p, year)) for p in ops.center_people(center.id)]
    return render_template("continuing_education/center.html", year=year, people=people, center=center)


@bp.get("/transcript.pdf")
@login_required
def transcript():
    person = ops.person_for_summary(current_user, request.args.get("username"))
    year = ops.parse_year(request.args.get("year"))
    rows = [r for r in ops.records_of(person, year) if r.status == CEStatus.approved]
    center_id = ops.center_of_person(person)
    center = db.session.get(Center, center_id) if center_id else None
    pdf = transcript_pdf(
        center.name if center else "（未属机构）",
        person.display_name,
        person.username,
        year,
        rows,
        ops.summary(person, year),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=ce-{person.username}-{year}.pdf"},
    )
