"""Pages of the organization rating (社会组织等级评估), in Chinese: the admin's rounds (experts,
progress, thresholds, finalize, 公示, 复核, announce), the center admin's self-assessment (evidence,
progress per first-level indicator, platform evidence, report, certificate), the experts' queue and
scoring page, the capacity checklist, and the public certificate verification page with a QR code.
Views parse the form, check the role, call one operation, render."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import timeutil, verify_limits
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.errors import Invalid
from app.form_errors import FormErrors
from app.practical.marking import person_label
from app.qrcodes import certificate_qr

from . import checklist, panel, publicity, report, rounds
from . import serialize as out

bp = Blueprint("rating", __name__, url_prefix="/rating")
VIEWERS = (Role.admin.value, Role.center_admin.value, Role.expert.value)
ORG = "/rounds/<int:round_id>/organizations/<int:center_id>"
CENTER_NAME_LIMIT = 200
MEASURE_LIMIT = 2000  # checklist.save's bound of 整改措施


def _number(value: str):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


ROUND_FIELDS = {
    "framework": ("framework", "评估指标体系"),
    "name": ("name", "批次名称"),
    "year": ("year", "评估年度"),
    "self_assessment_due": ("due", "自评截止日期"),
    "publicity_days": ("days", "公示天数"),
    "experts": ("experts", "评估专家"),
}
NAME_LIMIT = 200  # rounds.text_field's bound of 批次名称
EXPERTS_LIMIT = 2000


def _expert_labels(rnd) -> dict[str, str]:
    """{username: 王专家（expert1）}: the round's experts named by name (issue 27 item 11)."""
    return {e.user.username: person_label(e.user) for e in rnd.experts}


def labelled(agreement: dict, rnd) -> dict:
    """The panel's agreement with each expert's name beside the username (organization_views)."""
    labels = _expert_labels(rnd)
    for expert in agreement["experts"]:
        expert["label"] = labels.get(expert["username"], expert["username"])
    return agreement


def _render_index(errors: FormErrors | None = None, typed=None):
    return render_template(
        "rating/index.html",
        rounds=rounds.rounds_for(current_user),
        frameworks=[f for f in rounds.all_frameworks().values()],
        publicity_source=rounds.PUBLICITY_SOURCE,
        default_days=rounds.DEFAULT_PUBLICITY_DAYS,
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
        typed=typed or {},
    ), (errors.status if errors else 200)


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    return _render_index()


@bp.post("/rounds")
@roles_required(Role.admin.value)
def create_round():
    form = request.form
    data = {
        "framework": form.get("framework"),
        "name": form.get("name", ""),
        "year": _number(form.get("year")),
        "self_assessment_due": form.get("self_assessment_due"),
        "publicity_days": _number(form.get("publicity_days")),
        "experts": [u.strip() for u in (form.get("experts") or "").replace("，", ",").split(",") if u.strip()],
    }
    # Every field checked on its own, so that all their errors show at once (issue 27 item 5).
    errors = FormErrors(ROUND_FIELDS)
    errors.bound("experts", form.get("experts", ""), EXPERTS_LIMIT)
    errors.bound("name", data["name"], NAME_LIMIT)
    errors.check(rounds.get_framework, data["framework"], field="framework")
    if not errors.has("name"):
        errors.check(rounds.text_field, data, "name", "批次名称", limit=NAME_LIMIT)
    errors.check(rounds.whole_field, data, "year", "评估年度", low=2000, high=2200)
    errors.check(rounds.due_field, data)
    errors.check(
        rounds.whole_field, data, "publicity_days", "公示天数", low=1, high=90, default=rounds.DEFAULT_PUBLICITY_DAYS
    )
    if not errors.has("experts"):
        errors.check(rounds.expert_users, data["experts"])
    done, _ = errors.run(lambda: rounds.create_round(current_user, data))
    if done:
        flash("评估批次已创建", "success")
        return redirect(url_for("rating.index"))
    return _render_index(errors, form)


def _render_round(rnd, errors: FormErrors | None = None, typed=None, failed: str = ""):
    now = timeutil.utcnow()
    rows = []
    for org in rnd.organizations:
        missing = panel.missing_scores(org)
        mine = len(panel.scores_of(org, current_user)) if current_user.role == Role.expert else None
        rows.append({"org": org, "status": out.status_of(org, now), "missing": missing, "mine": mine})
    return render_template(
        "rating/round.html",
        r=rnd,
        rows=rows,
        framework=rounds.framework_of(rnd),
        leaves=len(rounds.framework_of(rnd).leaves()),
        appeal_of=publicity.appeal_of,
        expert_labels=_expert_labels(rnd),
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
        typed=typed or {},
        failed=failed,
    ), (errors.status if errors else 200)


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.admin.value, Role.expert.value)
def round_page(round_id: int):
    return _render_round(rounds.round_for_viewer(round_id, current_user))


def _round_action(rnd, errors: FormErrors, action, success, failed: str):
    """Run the round's operation; success: flash and back to the round, else the round page with 422."""
    done, result = errors.run(action)
    if done:
        flash(success(result) if callable(success) else success, "success")
        return redirect(url_for("rating.round_page", round_id=rnd.id))
    return _render_round(rounds.get_round(rnd.id), errors, request.form, failed)


@bp.post("/rounds/<int:round_id>/organizations")
@roles_required(Role.admin.value)
def enroll(round_id: int):
    rnd = rounds.get_round(round_id)
    errors = FormErrors({"center": ("center", "机构名称")})
    errors.bound("center", request.form.get("center", ""), CENTER_NAME_LIMIT)
    return _round_action(
        rnd, errors, lambda: rounds.enroll(rnd, {"center": request.form.get("center")}), "已加入评估对象", "enroll"
    )


@bp.post("/rounds/<int:round_id>/grades")
@roles_required(Role.admin.value)
def grades(round_id: int):
    rnd = rounds.get_round(round_id)
    fields = {f"min_{g['grade']}": (f"min_{g['grade']}", f"{g['grade']} 最低分") for g in rnd.grades}
    errors = FormErrors({**fields, "grades": ("grades", "等级线")})
    data = {"grades": []}
    for g in rnd.grades:
        key = f"min_{g['grade']}"
        value = _number(request.form.get(key, "").strip())
        if isinstance(value, str):
            errors.add(Invalid(f"{g['grade']} 最低分：请填写数字", field=key))
        data["grades"].append({"grade": g["grade"], "min": value})
    return _round_action(rnd, errors, lambda: rounds.set_grades(rnd, data), "等级线已保存", "grades")


@bp.post("/rounds/<int:round_id>/publish")
@roles_required(Role.admin.value)
def publish(round_id: int):
    rnd = rounds.get_round(round_id)
    return _round_action(
        rnd, FormErrors({}), lambda: publicity.publish(rnd, current_user, timeutil.utcnow()), "已开始公示", "publish"
    )


@bp.post("/rounds/<int:round_id>/announce")
@roles_required(Role.admin.value)
def announce(round_id: int):
    rnd = rounds.get_round(round_id)
    return _round_action(
        rnd,
        FormErrors({}),
        lambda: publicity.announce(rnd, current_user, timeutil.utcnow()),
        "评估结果已公告",
        "announce",
    )


@bp.get(f"{ORG}/report.pdf")
@roles_required(Role.admin.value, Role.center_admin.value)
def report_pdf(round_id: int, center_id: int):
    org = rounds.organization_for_viewer(round_id, center_id, current_user)
    content = report.organization_pdf(org)
    return send_file(io.BytesIO(content), mimetype="application/pdf", download_name=f"评估报告-{org.center.name}.pdf")


def _render_checklist(framework, errors: FormErrors | None = None, typed=None, failed: str = ""):
    return render_template(
        "rating/checklist.html",
        framework=framework,
        given=checklist.answers(framework, current_user.center_id),
        levels=checklist.LEVELS,
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
        typed=typed or {},
        failed=failed,
    ), (errors.status if errors else 200)


@bp.get("/checklists/<framework_id>")
@roles_required(Role.center_admin.value)
def checklist_page(framework_id: str):
    return _render_checklist(checklist.framework_for(framework_id))


@bp.post("/checklists/<framework_id>/<code>")
@roles_required(Role.center_admin.value)
def checklist_save(framework_id: str, code: str):
    framework = checklist.framework_for(framework_id)
    node = framework.node(code)
    item = f"{code} {node.title}" if node is not None else code
    errors = FormErrors(
        {"level": (f"level-{code}", f"{item} · 达到情况"), "measure": (f"measure-{code}", f"{item} · 整改措施")}
    )
    data = {"level": request.form.get("level"), "measure": request.form.get("measure", "")}
    errors.bound("measure", data["measure"], MEASURE_LIMIT)
    done, _ = errors.run(lambda: checklist.save(framework, current_user.center_id, current_user, code, data))
    if done:
        flash("已保存", "success")
        return redirect(url_for("rating.checklist_page", framework_id=framework_id) + f"#item-{code}")
    return _render_checklist(framework, errors, request.form, code)


@bp.get("/certificates/<rating_no>")
@verify_limits.verification
def certificate(rating_no: str):
    """Public (no sign-in): the rating certificate's facts and a QR code of this page's address."""
    org = publicity.find_certificate(rating_no)
    url = url_for("rating.certificate", rating_no=rating_no, _external=True)
    return render_template(
        "rating/certificate.html",
        org=org,
        facts=publicity.certificate_facts(org, timeutil.utcnow()),
        qr=certificate_qr(url),
        url=url,
    )


from . import organization_views  # noqa: E402,F401  (the organization pages, on this blueprint)
