"""Pages of the organization rating (社会组织等级评估), in Chinese: the admin's rounds (experts,
progress, thresholds, finalize, 公示, 复核, announce), the center admin's self-assessment (evidence,
progress per first-level indicator, platform evidence, report, certificate), the experts' queue and
scoring page, the capacity checklist, and the public certificate verification page with a QR code.
Views parse the form, check the role, call one operation, render."""

from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file, url_for
from flask_login import current_user

from app import timeutil, verify_limits
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.boundary import page_action
from app.practical.marking import person_label
from app.qrcodes import certificate_qr
from app.uploads import store_upload, uploads_of
from scoring.display import points_text, score_text

from . import checklist, panel, publicity, report, rounds, self_assessment
from . import serialize as out
from .evidence_sources import facts_for

bp = Blueprint("rating", __name__, url_prefix="/rating")
VIEWERS = (Role.admin.value, Role.center_admin.value, Role.expert.value)
ORG = "/rounds/<int:round_id>/organizations/<int:center_id>"


def _number(value: str):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def _expert_labels(rnd) -> dict[str, str]:
    """{username: 王专家（expert1）}: the round's experts named by name (issue 27 item 11)."""
    return {e.user.username: person_label(e.user) for e in rnd.experts}


def _labelled(agreement: dict, rnd) -> dict:
    labels = _expert_labels(rnd)
    for expert in agreement["experts"]:
        expert["label"] = labels.get(expert["username"], expert["username"])
    return agreement


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    return render_template(
        "rating/index.html",
        rounds=rounds.rounds_for(current_user),
        frameworks=[f for f in rounds.all_frameworks().values()],
        publicity_source=rounds.PUBLICITY_SOURCE,
        default_days=rounds.DEFAULT_PUBLICITY_DAYS,
    )


@bp.post("/rounds")
@roles_required(Role.admin.value)
def create_round():
    form = request.form
    data = {
        "framework": form.get("framework"),
        "name": form.get("name"),
        "year": _number(form.get("year")),
        "self_assessment_due": form.get("self_assessment_due"),
        "publicity_days": _number(form.get("publicity_days")),
        "experts": [u.strip() for u in (form.get("experts") or "").replace("，", ",").split(",") if u.strip()],
    }
    return page_action(
        lambda: rounds.create_round(current_user, data), url_for("rating.index"), "评估批次已创建", failure="未能创建："
    )


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.admin.value, Role.expert.value)
def round_page(round_id: int):
    rnd = rounds.round_for_viewer(round_id, current_user)
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
        labels=_expert_labels(rnd),
    )


@bp.post("/rounds/<int:round_id>/organizations")
@roles_required(Role.admin.value)
def enroll(round_id: int):
    rnd = rounds.get_round(round_id)
    return page_action(
        lambda: rounds.enroll(rnd, {"center": request.form.get("center")}),
        url_for("rating.round_page", round_id=round_id),
        "已加入评估对象",
        failure="未能加入：",
    )


@bp.post("/rounds/<int:round_id>/grades")
@roles_required(Role.admin.value)
def grades(round_id: int):
    rnd = rounds.get_round(round_id)
    data = {
        "grades": [{"grade": g["grade"], "min": _number(request.form.get(f"min_{g['grade']}"))} for g in rnd.grades]
    }
    return page_action(
        lambda: rounds.set_grades(rnd, data),
        url_for("rating.round_page", round_id=round_id),
        "等级线已保存",
        failure="未能保存：",
    )


@bp.post("/rounds/<int:round_id>/publish")
@roles_required(Role.admin.value)
def publish(round_id: int):
    rnd = rounds.get_round(round_id)
    return page_action(
        lambda: publicity.publish(rnd, current_user, timeutil.utcnow()),
        url_for("rating.round_page", round_id=round_id),
        "已开始公示",
        failure="未能公示：",
    )


@bp.post("/rounds/<int:round_id>/announce")
@roles_required(Role.admin.value)
def announce(round_id: int):
    rnd = rounds.get_round(round_id)
    return page_action(
        lambda: publicity.announce(rnd, current_user, timeutil.utcnow()),
        url_for("rating.round_page", round_id=round_id),
        "评估结果已公告",
        failure="未能公告：",
    )


@bp.get(ORG)
@roles_required(*VIEWERS)
def organization(round_id: int, center_id: int):
    org = rounds.organization_for_viewer(round_id, center_id, current_user)
    now = timeutil.utcnow()
    framework = rounds.framework_of(org.round)
    mine = {s.code: s for s in panel.scores_of(org, current_user)} if current_user.role == Role.expert else {}
    return render_template(
        "rating/organization.html",
        org=org,
        framework=framework,
        status=out.status_of(org, now),
        own=self_assessment.own_scores(org),
        mine=mine,
        progress=self_assessment.progress(org),
        facts=facts_for(org.center_id, org.round.year),
        uploads=uploads_of(current_user) if current_user.role == Role.center_admin else [],
        appeal=publicity.appeal_of(org),
        may_edit=current_user.role == Role.center_admin and org.status.value == "self_assessment",
        may_score=current_user.role == Role.expert and panel.scoring_open(org, now),
        publicity=publicity.in_publicity(org.round, now),
        agreement=_labelled(panel.panel_agreement(org), org.round) if current_user.role == Role.admin else None,
        panel_warning=rounds.panel_problem(org),
    )


@bp.post(f"{ORG}/self/<code>")
@roles_required(Role.center_admin.value)
def save_self(round_id: int, center_id: int, code: str):
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    leaf = rounds.framework_of(org.round).node(code)
    data = {"score": _number(request.form.get("score")), "note": request.form.get("note", "")}
    if leaf is not None and leaf.formula is not None:
        data["inputs"] = {
            name: [_number(v) for v in request.form.get(name, "").replace("，", ",").split(",") if v.strip()]
            if name == "members_by_year"
            else _number(request.form.get(name))
            for name in leaf.formula.inputs
        }
    data["evidence"] = [int(v) for v in request.form.getlist("evidence") if v.isdigit()]
    data["platform_evidence"] = request.form.get("platform_evidence") == "1"
    return page_action(
        lambda: self_assessment.save(org, current_user, code, data, timeutil.utcnow()),
        url_for("rating.organization", round_id=round_id, center_id=center_id) + f"#leaf-{code}",
        lambda row: f"{code} 自评 {points_text(row.score)} 分已保存",
        failure="未能保存：",
    )


@bp.post(f"{ORG}/self-submit")
@roles_required(Role.center_admin.value)
def submit_self(round_id: int, center_id: int):
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    return page_action(
        lambda: self_assessment.submit(org, current_user, timeutil.utcnow()),
        url_for("rating.organization", round_id=round_id, center_id=center_id),
        "自评已提交",
        failure="未能提交：",
    )


@bp.post(f"{ORG}/experts/<code>")
@roles_required(Role.expert.value)
def save_expert(round_id: int, center_id: int, code: str):
    org = rounds.get_organization(rounds.round_for_viewer(round_id, current_user), center_id)
    data = {"score": _number(request.form.get("score")), "comment": request.form.get("comment", "")}
    return page_action(
        lambda: panel.save(org, current_user, code, data, timeutil.utcnow()),
        url_for("rating.organization", round_id=round_id, center_id=center_id) + f"#leaf-{code}",
        lambda row: f"{code} 评分 {points_text(row.score)} 分已保存",
        failure="未能保存：",
    )


@bp.post(f"{ORG}/finalize")
@roles_required(Role.admin.value)
def finalize(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    return page_action(
        lambda: panel.finalize(org, current_user, timeutil.utcnow()),
        url_for("rating.organization", round_id=round_id, center_id=center_id),
        lambda o: f"已定分：总分 {score_text(o.total)}，等级 {o.grade or '未达等级'}",
        failure="未能定分：",
    )


@bp.post(f"{ORG}/appeal")
@roles_required(Role.center_admin.value)
def appeal(round_id: int, center_id: int):
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    codes = [c.strip() for c in (request.form.get("codes") or "").replace("，", ",").split(",") if c.strip()]
    data = {"reason": request.form.get("reason"), "codes": codes}
    return page_action(
        lambda: publicity.lodge(org, current_user, data, timeutil.utcnow()),
        url_for("rating.organization", round_id=round_id, center_id=center_id),
        "复核申请已提交",
        failure="未能提交：",
    )


@bp.post(f"{ORG}/appeal/decide")
@roles_required(Role.admin.value)
def decide(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    scores = {}
    for line in (request.form.get("scores") or "").splitlines():
        code, _, value = line.partition("=")
        if code.strip():
            scores[code.strip()] = _number(value.strip())
    data = {"decision": request.form.get("decision"), "scores": scores}
    return page_action(
        lambda: publicity.decide(org, current_user, data, timeutil.utcnow()),
        url_for("rating.organization", round_id=round_id, center_id=center_id),
        lambda o: f"复核已决定：总分 {score_text(o.total)}，等级 {o.grade or '未达等级'}",
        failure="未能决定：",
    )


@bp.get(f"{ORG}/report.pdf")
@roles_required(Role.admin.value, Role.center_admin.value)
def report_pdf(round_id: int, center_id: int):
    org = rounds.organization_for_viewer(round_id, center_id, current_user)
    content = report.organization_pdf(org)
    return send_file(io.BytesIO(content), mimetype="application/pdf", download_name=f"评估报告-{org.center.name}.pdf")


@bp.get("/checklists/<framework_id>")
@roles_required(Role.center_admin.value)
def checklist_page(framework_id: str):
    framework = checklist.framework_for(framework_id)
    return render_template(
        "rating/checklist.html",
        framework=framework,
        given=checklist.answers(framework, current_user.center_id),
        levels=checklist.LEVELS,
    )


@bp.post("/checklists/<framework_id>/<code>")
@roles_required(Role.center_admin.value)
def checklist_save(framework_id: str, code: str):
    framework = checklist.framework_for(framework_id)
    data = {"level": request.form.get("level"), "measure": request.form.get("measure", "")}
    return page_action(
        lambda: checklist.save(framework, current_user.center_id, current_user, code, data),
        url_for("rating.checklist_page", framework_id=framework_id) + f"#item-{code}",
        "已保存",
        failure="未能保存：",
    )


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


@bp.post(f"{ORG}/upload")
@roles_required(Role.center_admin.value)
def upload(round_id: int, center_id: int):
    """The center admin's own upload (PDF/JPEG/PNG), then cited by the leaves it supports."""
    rounds.organization_for_center_admin(round_id, center_id, current_user)
    file = request.files.get("file")
    return page_action(
        lambda: store_upload(
            current_user,
            request.form.get("label", ""),
            file.filename if file else None,
            file.stream if file else io.BytesIO(),
        ),
        url_for("rating.organization", round_id=round_id, center_id=center_id) + "#evidence",
        "材料已上传，可在各指标中引用",
        failure="未能上传：",
    )
