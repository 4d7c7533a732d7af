"""Pages of 继续教育: my hours and a claim form, the center's 学时认定 queue, its CE settings, the
yearly summary per person of the center, and the transcript PDF. Views call the same operations as
the API."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.decorators import roles_required
from app.auth.models import Center
from app.auth.roles import ADMINS
from app.boundary import fail
from app.errors import DomainError, Forbidden, Invalid, NotFound
from app.extensions import db
from app.form_errors import text_bound
from app.training.page_forms import add_error, add_problems, in_page_order, refuse
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


TITLE_MAX = 200  # CERecord.title
REASON_MAX = ops.REASON_MAX
FORM_MAX, RULE_MAX = 40, 200  # a form's name (CERecord.form) and its 学时计算办法, as the operation bounds them
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
        errors=in_page_order(errors or {}, CLAIM_LABELS),
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
    typed = {key: f.get(key, "") for key in CLAIM_LABELS} | {"evidence": f.getlist("evidence")}
    year = data["year"] if isinstance(data["year"], int) else ops.parse_year(None)
    errors: dict[str, list[str]] = {}
    bound = text_bound(f.get("title"), CLAIM_LABELS["title"], TITLE_MAX)
    if bound:
        add_error(errors, CLAIM_LABELS, "title", bound)
    try:
        ops.claim(current_user, data)
    except Invalid as exc:  # re-rendered with what was typed, every message beside its field (issue 27 item 5)
        db.session.rollback()
        add_problems(errors, CLAIM_LABELS, exc, lambda path: path)
        return _render_mine(year, typed, errors, 422)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        fail(exc, "未能提交：")
        return redirect(url_for("ce.mine"))
    if errors:
        db.session.rollback()
        return _render_mine(year, typed, errors, 422)
    flash("学时申报已提交，待机构认定", "success")
    return redirect(url_for("ce.mine"))


@bp.get("/queue")
@roles_required(*ADMINS)
def queue():
    return _render_queue()


def _render_queue(failed: int | None = None, typed: dict | None = None, errors: dict | None = None, status=200):
    """The pending claims; after a refused decision, that claim's form as typed with its errors."""
    labels = {f"hours-{failed}": "认定学时", f"reason-{failed}": "意见"} if failed else {}
    return (
        render_template(
            "continuing_education/queue.html",
            rows=ops.pending_for(current_user),
            failed=failed,
            typed=typed or {},
            errors=in_page_order(errors or {}, labels),
            labels=labels,
            reason_max=REASON_MAX,
        ),
        status,
    )


@bp.post("/records/<int:record_id>/decide")
@roles_required(*ADMINS)
def decide(record_id: int):
    f = request.form
    approve = f.get("action") == "approve"
    hours = _float(f.get("hours")) if (f.get("hours") or "").strip() else None
    ids = {"hours": f"hours-{record_id}", "reason": f"reason-{record_id}"}
    labels = {ids["hours"]: "认定学时", ids["reason"]: "意见"}
    errors: dict[str, list[str]] = {}
    bound = text_bound(f.get("reason"), "意见", REASON_MAX)
    if bound:
        add_error(errors, labels, ids["reason"], bound)
    try:
        ops.decide(current_user, record_id, approve=approve, hours=hours, reason=f.get("reason"))
    except DomainError as exc:  # the claim's form again, as typed (issue 27 item 5)
        refuse(exc)
        add_problems(errors, labels, exc, ids.get)
    else:
        if not errors:
            flash("已认定" if approve else "已不予认定", "success")
            return redirect(url_for("ce.queue"))
        db.session.rollback()
    typed = {"hours": f.get("hours", ""), "reason": f.get("reason", "")}
    return _render_queue(record_id, typed, errors, 422)


SETTINGS_LABELS = {"annual_hours": "每年学时"} | {f"min_{c}": f"{c}最低学时" for c in CATEGORIES}


def _settings_rows(f) -> list[dict]:
    return [
        {"form": name, "hours_rule": rule}
        for name, rule in zip(f.getlist("form"), f.getlist("hours_rule"), strict=False)
    ]


def _settings_field(path: str, kept: list[int]) -> str | None:
    """The input a problem's body path names: ``forms.1.hours_rule`` is the 1st row kept."""
    if path == "annual_hours":
        return path
    if path.startswith("minimum."):
        return f"min_{path.split('.', 1)[1]}"
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "forms" and parts[1].isdigit() and int(parts[1]) < len(kept):
        return f"{parts[2]}-{kept[int(parts[1])]}"
    return None


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("center_admin")
def settings():
    center = ops.get_center(current_user, current_user.center_id or -1)
    body = ops.requirement_body(center)
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        return _render_settings(body, body["forms"] + [{"form": "", "hours_rule": ""}], errors)
    f = request.form
    rows = _settings_rows(f)
    labels = dict(SETTINGS_LABELS)
    for i, row in enumerate(rows):
        labels |= {f"form-{i}": f"第 {i + 1} 行·形式", f"hours_rule-{i}": f"第 {i + 1} 行·学时计算"}
        for key, limit, label in (("form", FORM_MAX, "形式"), ("hours_rule", RULE_MAX, "学时计算")):
            bound = text_bound(row[key], label, limit)
            if bound:
                add_error(errors, labels, f"{key}-{i}", bound)
        if not row["form"].strip() and row["hours_rule"].strip():
            add_error(errors, labels, f"form-{i}", "请填写形式（已填写学时计算办法），或清空该行")
    kept = [i for i, row in enumerate(rows) if row["form"].strip()]
    annual = (f.get("annual_hours") or "").strip()
    data = {
        "annual_hours": _float(annual) if annual else None,
        "minimum": {c: _float(f.get(f"min_{c}")) for c in CATEGORIES if (f.get(f"min_{c}") or "").strip()},
        "forms": [rows[i] for i in kept],
    }
    try:
        ops.save_requirement(current_user, center, data)
    except DomainError as exc:  # every problem beside its input, what was typed kept (issue 27 item 5)
        refuse(exc)
        add_problems(errors, labels, exc, lambda path: _settings_field(path, kept))
    else:
        if not errors:
            flash("继续教育要求已保存", "success")
            return redirect(url_for("ce.settings"))
        db.session.rollback()
    typed = {"annual_hours": annual} | {f"min_{c}": f.get(f"min_{c}", "") for c in CATEGORIES}
    if not rows or rows[-1]["form"] or rows[-1]["hours_rule"]:
        rows.append({"form": "", "hours_rule": ""})  # room for one more, as on the first showing
    return _render_settings(body, rows, errors, typed, labels, 422)


def _render_settings(body, rows, errors, typed=None, labels=None, status=200):
    typed = typed or {"annual_hours": body["annual_hours"]} | {
        f"min_{c}": body["minimum"].get(c, "") for c in CATEGORIES
    }
    return (
        render_template(
            "continuing_education/settings.html",
            body=body,
            categories=CATEGORIES,
            rows=rows,
            typed=typed,
            errors=in_page_order(errors, labels or SETTINGS_LABELS),
            labels=labels or dict(SETTINGS_LABELS),
            form_max=FORM_MAX,
            rule_max=RULE_MAX,
        ),
        status,
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
