"""The organization page of a round and its forms (on the ``rating`` blueprint): the center admin's
self-assessment per leaf (score or a formula's inputs, note, evidence), upload, submit and 复核申请;
the expert's scoring per leaf; the admin's 定分 and 复核 decision. A refused post re-renders the page
with every error beside its field (a leaf's named by its code and title) and what was typed (issue 27
item 5); success flashes and redirects."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import timeutil
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.errors import Invalid
from app.form_errors import FormErrors
from app.uploads import checked_kind, owned_uploads, read_upload, store_upload, uploads_of
from scoring.display import points_text, score_text

from . import panel, publicity, rounds, self_assessment
from . import serialize as out
from .evidence_sources import facts_for
from .frameworks import input_label, with_input_labels
from .views import ORG, VIEWERS, _number, bp, labelled

NOTE_LIMIT = 2000  # self_assessment.save's and panel.save's bound of 说明 / 评分说明
REASON_LIMIT = 4000  # publicity.lodge's bound of 复核理由
CODES_LIMIT = 2000
SCORES_LIMIT = 4000
LABEL_LIMIT = 200


def _render(org, errors: FormErrors | None = None, failed: str = ""):
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
        agreement=labelled(panel.panel_agreement(org), org.round) if current_user.role == Role.admin else None,
        panel_warning=rounds.panel_problem(org),
        input_label=input_label,
        with_input_labels=with_input_labels,
        errors=errors.errors if errors else {},
        labels=errors.labels if errors else {},
        typed=request.form if errors else {},
        failed=failed,
    ), (errors.status if errors else 200)


def _finish(org, errors: FormErrors, action, success, failed: str, anchor: str = ""):
    done, result = errors.run(action)
    if done:
        flash(success(result) if callable(success) else success, "success")
        return redirect(url_for("rating.organization", round_id=org.round_id, center_id=org.center_id) + anchor)
    org = rounds.get_organization(rounds.get_round(org.round_id), org.center_id)  # fresh after the rollback
    return _render(org, errors, failed)


@bp.get(ORG)
@roles_required(*VIEWERS)
def organization(round_id: int, center_id: int):
    return _render(rounds.organization_for_viewer(round_id, center_id, current_user))


def _leaf_name(framework, code: str) -> str:
    node = framework.node(code)
    return f"{code} {node.title}" if node is not None else code


@bp.post(f"{ORG}/self/<code>")
@roles_required(Role.center_admin.value)
def save_self(round_id: int, center_id: int, code: str):
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    framework = rounds.framework_of(org.round)
    leaf, item = framework.node(code), _leaf_name(framework, code)
    formula = leaf.formula if leaf is not None and leaf.is_leaf else None
    fields = {
        "score": (f"score-{code}", f"{item} · 自评得分"),
        "note": (f"note-{code}", f"{item} · 说明"),
        "evidence": (f"evidence-{code}", f"{item} · 引用证明材料"),
    }
    if formula:
        fields["inputs"] = (f"{formula.inputs[0]}-{code}", f"{item} · {input_label(formula.inputs[0])}")
    for name in formula.inputs if formula else []:
        fields[f"inputs.{name}"] = (f"{name}-{code}", f"{item} · {input_label(name)}")
    errors = FormErrors(fields)
    data = {"score": _number(request.form.get("score")), "note": request.form.get("note", "")}
    if formula is not None:
        data["inputs"] = {
            name: [_number(v) for v in request.form.get(name, "").replace("，", ",").split(",") if v.strip()]
            if name == "members_by_year"
            else _number(request.form.get(name))
            for name in formula.inputs
        }
    data["evidence"] = [int(v) for v in request.form.getlist("evidence") if v.isdigit()]
    data["platform_evidence"] = request.form.get("platform_evidence") == "1"
    # each field checked on its own, so that all of the leaf's errors show at once
    if leaf is None or not leaf.is_leaf:
        errors.check(rounds.leaf_of, framework, code)
    elif formula is not None:
        errors.check(self_assessment.computed_score, leaf, data["inputs"])
    else:
        errors.check(self_assessment.score_field, data, leaf)
    errors.bound("note", data["note"], NOTE_LIMIT)
    errors.check(owned_uploads, current_user, data["evidence"])
    return _finish(
        org,
        errors,
        lambda: self_assessment.save(org, current_user, code, data, timeutil.utcnow()),
        lambda row: f"{code} 自评 {points_text(row.score)} 分已保存",
        f"self-{code}",
        f"#leaf-{code}",
    )


@bp.post(f"{ORG}/self-submit")
@roles_required(Role.center_admin.value)
def submit_self(round_id: int, center_id: int):
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    return _finish(
        org,
        FormErrors({}),
        lambda: self_assessment.submit(org, current_user, timeutil.utcnow()),
        "自评已提交",
        "submit",
    )


@bp.post(f"{ORG}/experts/<code>")
@roles_required(Role.expert.value)
def save_expert(round_id: int, center_id: int, code: str):
    org = rounds.get_organization(rounds.round_for_viewer(round_id, current_user), center_id)
    framework = rounds.framework_of(org.round)
    leaf, item = framework.node(code), _leaf_name(framework, code)
    errors = FormErrors(
        {"score": (f"escore-{code}", f"{item} · 评分"), "comment": (f"comment-{code}", f"{item} · 评分说明")}
    )
    data = {"score": _number(request.form.get("score")), "comment": request.form.get("comment", "")}
    if leaf is None or not leaf.is_leaf:
        errors.check(rounds.leaf_of, framework, code)
    else:
        errors.check(self_assessment.score_field, data, leaf)
    errors.bound("comment", data["comment"], NOTE_LIMIT)
    return _finish(
        org,
        errors,
        lambda: panel.save(org, current_user, code, data, timeutil.utcnow()),
        lambda row: f"{code} 评分 {points_text(row.score)} 分已保存",
        f"expert-{code}",
        f"#leaf-{code}",
    )


@bp.post(f"{ORG}/finalize")
@roles_required(Role.admin.value)
def finalize(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    return _finish(
        org,
        FormErrors({}),
        lambda: panel.finalize(org, current_user, timeutil.utcnow()),
        lambda o: f"已定分：总分 {score_text(o.total)}，等级 {o.grade or '未达等级'}",
        "finalize",
    )


@bp.post(f"{ORG}/appeal")
@roles_required(Role.center_admin.value)
def appeal(round_id: int, center_id: int):
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    framework = rounds.framework_of(org.round)
    errors = FormErrors({"reason": ("reason", "复核理由"), "codes": ("codes", "申请复核的指标编码")})
    codes = [c.strip() for c in (request.form.get("codes") or "").replace("，", ",").split(",") if c.strip()]
    data = {"reason": request.form.get("reason", ""), "codes": codes}
    errors.bound("reason", data["reason"], REASON_LIMIT)
    if not errors.has("reason"):
        errors.check(rounds.text_field, data, "reason", "复核理由", limit=REASON_LIMIT)
    errors.bound("codes", request.form.get("codes", ""), CODES_LIMIT)
    for index, code in enumerate(codes):
        node = framework.node(code)
        if node is None or not node.is_leaf:  # publicity.lodge's rule, every bad code named at once
            errors.add(Invalid(f"申请复核的指标编码第 {index + 1} 项「{code[:30]}」：不是末级指标编码", field="codes"))
    return _finish(
        org, errors, lambda: publicity.lodge(org, current_user, data, timeutil.utcnow()), "复核申请已提交", "appeal"
    )


@bp.post(f"{ORG}/appeal/decide")
@roles_required(Role.admin.value)
def decide(round_id: int, center_id: int):
    org = rounds.get_organization(rounds.get_round(round_id), center_id)
    framework = rounds.framework_of(org.round)
    errors = FormErrors({"decision": ("decision", "复核结论"), "scores": ("scores", "变更的指标得分")})
    text = request.form.get("scores") or ""
    errors.bound("scores", text, SCORES_LIMIT)
    scores = {}
    for number, line in enumerate(text.splitlines(), start=1):
        code, _, value = line.partition("=")
        if not code.strip():
            continue
        code = code.strip()
        scores[code] = _number(value.strip())
        leaf = framework.node(code)
        if leaf is None or not leaf.is_leaf:
            errors.add(Invalid(f"变更的指标得分第 {number} 行：「{code[:30]}」不是末级指标编码", field="scores"))
            continue
        try:
            self_assessment.score_field({"score": scores[code]}, leaf)
        except Invalid as exc:
            errors.add(Invalid(f"变更的指标得分第 {number} 行（{code} {leaf.title}）{exc.message}", field="scores"))
    data = {"decision": request.form.get("decision"), "scores": scores}
    return _finish(
        org,
        errors,
        lambda: publicity.decide(org, current_user, data, timeutil.utcnow()),
        lambda o: f"复核已决定：总分 {score_text(o.total)}，等级 {o.grade or '未达等级'}",
        "decide",
    )


@bp.post(f"{ORG}/upload")
@roles_required(Role.center_admin.value)
def upload(round_id: int, center_id: int):
    """The center admin's own upload (PDF/JPEG/PNG), then cited by the leaves it supports."""
    org = rounds.organization_for_center_admin(round_id, center_id, current_user)
    file = request.files.get("file")
    errors = FormErrors({"label": ("label", "材料名称"), "file": ("file", "文件")})
    label = request.form.get("label", "")
    errors.bound("label", label, LABEL_LIMIT)
    if not label.strip():
        errors.add(Invalid("材料名称：请填写", field="label"))
    # the file checked here too (store_upload's own checks), so that both fields' errors show at once
    content = errors.check(read_upload, file.stream if file else io.BytesIO(), "证明材料文件")
    if content is not None:
        errors.check(checked_kind, content, "证明材料文件")
    return _finish(
        org,
        errors,
        lambda: store_upload(current_user, label, file.filename if file else None, io.BytesIO(content or b"")),
        "材料已上传，可在各指标中引用",
        "upload",
        "#evidence",
    )
