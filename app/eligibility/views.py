"""Pages of 申报: the candidate's profile and evidence, the clause-by-clause check, applying,
the candidate's applications, and the center admins' review queue. Views parse input, check the
role and call one operation; the rules live in ``operations`` and ``scoring.eligibility``."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.decorators import roles_required
from app.auth.roles import ADMINS, is_admin
from app.boundary import fail, page_action
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.form_errors import attach
from app.standards.choices import level_choices, split_target, target_value
from app.standards.registry import all_standards
from app.uploads import get_upload, send_upload, store_upload, uploads_of

from . import evidence as evidence_ops
from . import identity as identity_ops
from . import operations as ops
from . import profile_save as profile_page
from .evidence import attached_evidence
from .forms import (
    SECTIONS,
    DecisionForm,
    EvidenceForm,
    IdentityForm,
    PhotoForm,
    ProfileForm,
    candidate_to_form_data,
    form_to_candidate,
)

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")

_PATH_RE = re.compile(r"^candidate\.(\w+)(?:\.(\d+)\.(\w+))?$")


def _level_title(standard_id: str, level: str) -> str:
    standard = all_standards().get(standard_id)
    lv = standard.level(level) if standard else None
    return f"{standard.name} · {lv.title}" if standard and lv else f"{standard_id} {level}"


def _clause_texts(standard_id: str, level: str) -> dict[int, str]:
    standard = all_standards().get(standard_id)
    if standard is None:
        return {}
    return {c.clause: c.text for c in standard.eligibility.get(level, [])}


def _form_name(path: str) -> str:
    """The engine's path (``candidate.work[1].end``) as the form field's name (``work-1-end``)."""
    match = _PATH_RE.match(path or "")
    if not match:
        return path or ""
    section, index, name = match.groups()
    return section if index is None else f"{section}-{index}-{name}"


def _attach_all(form, problems: list[Invalid]) -> None:
    """Every problem beside its field; one naming no field of the form goes on the flash."""
    for exc in problems:
        if not attach(form, _form_name(exc.details.get("field") or ""), exc.message):
            flash(exc.message, "error")


def _occupation_notes(standard_id: str, level: str, candidate: dict) -> list[dict]:
    """Work entries the check does not count (occupation not recognised), with suggestions."""
    try:
        standard = ops.resolve_level(standard_id, level)
        return ops.unrecognised_occupations(standard, ops.parse_candidate(candidate, ops.today()))
    except Invalid:
        return []


def _render_profile(form: ProfileForm, status: int = 200, identity_form: IdentityForm | None = None):
    identity = identity_ops.identity_of(current_user)
    if identity_form is not None:  # a post to /identity: its values and errors go on the one form
        form.id_type.data, form.id_number.data = identity_form.id_type.data, identity_form.id_number.data
        form.id_type.errors, form.id_number.errors = (
            list(identity_form.id_type.errors),
            list(identity_form.id_number.errors),
        )
    return (
        render_template(
            "eligibility/profile.html",
            form=form,
            sections={key: heading for key, (heading, _row) in SECTIONS.items()},
            evidence_form=EvidenceForm(formdata=None),
            evidence=uploads_of(current_user),
            occupations=ops.occupation_names(),
            identity=identity,
            attached=attached_evidence(current_user),
            photo_form=PhotoForm(formdata=None),
        ),
        status,
    )


def _profile_form() -> ProfileForm:
    identity = identity_ops.identity_of(current_user)
    data = candidate_to_form_data(ops.get_profile_data(current_user))
    data.update(id_type=identity.id_type or identity_ops.RESIDENT_ID, id_number=identity.id_number)
    return ProfileForm(formdata=None, data=data)


@bp.post("/identity")
@roles_required("candidate")
def save_identity():
    """证件类型 and 证件号码 (a 居民身份证 number checked with its GB 11643 check digit)."""
    form = IdentityForm()
    if not form.validate():
        if form.csrf_token.errors:
            abort(400, "表单已过期，请刷新后重试")
        return _render_profile(_profile_form(), 422, form)
    try:
        identity_ops.save_identity(current_user, form.id_type.data, form.id_number.data)
    except Invalid as exc:
        db.session.rollback()
        attach(form, exc.details.get("field"), exc.message)
        return _render_profile(_profile_form(), 422, form)
    flash("证件信息已保存", "success")
    return redirect(url_for("eligibility.profile") + "#identity")


@bp.post("/photo")
@roles_required("candidate")
def upload_photo():
    form = PhotoForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(f"上传失败：{error}", "error")
        return redirect(url_for("eligibility.profile") + "#identity")
    return page_action(
        lambda: identity_ops.store_photo(current_user, form.photo.data.stream),
        url_for("eligibility.profile") + "#identity",
        "照片已上传",
        failure="上传失败：",
    )


@bp.get("/photo")
@roles_required("candidate")
def my_photo():
    path = identity_ops.photo_path(identity_ops.identity_of(current_user).photo)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _posted_identity(form: ProfileForm) -> tuple[str, str]:
    """The 证件 typed on the form; a post without those fields (an older client) keeps the stored one."""
    if "id_number" not in request.form and "id_type" not in request.form:
        stored = identity_ops.identity_of(current_user)
        form.id_type.data, form.id_number.data = stored.id_type or identity_ops.RESIDENT_ID, stored.id_number
        return stored.id_type, stored.id_number
    return form.id_type.data or "", form.id_number.data or ""


@bp.route("/profile", methods=["GET", "POST"])
@roles_required("candidate")
def profile():
    if request.method == "GET":
        return _render_profile(_profile_form())
    form = ProfileForm()
    valid = form.validate()
    if form.csrf_token.errors:
        abort(400, "表单已过期，请刷新后重试")
    action = request.form.get("action", "save")
    if action.startswith("add:") and action[4:] in SECTIONS:
        getattr(form, action[4:]).append_entry()
        return _render_profile(form)
    if action.startswith("remove:"):
        _, section, index = (action.split(":") + ["", ""])[:3]
        candidate = form_to_candidate(form)
        if section in SECTIONS and index.isdigit() and int(index) < len(candidate[section]):
            del candidate[section][int(index)]
        data = candidate_to_form_data(candidate)
        data.update(id_type=form.id_type.data, id_number=form.id_number.data)
        return _render_profile(ProfileForm(formdata=None, data=data))
    # Every problem at once, beside its field (issue 27 item 5); nothing is saved while one remains.
    candidate = form_to_candidate(form)
    id_type, id_number = _posted_identity(form)
    problems = profile_page.identity_problems(current_user, id_type, id_number)
    problems += profile_page.profile_problems(candidate)
    _attach_all(form, problems)
    if not valid or problems:
        return _render_profile(form, 422)
    try:
        profile_page.save_profile_page(current_user, candidate, id_type, id_number)
    except Invalid as exc:
        db.session.rollback()
        _attach_all(form, [exc])
        return _render_profile(form, 422)
    flash("申报资料与证件信息已保存", "success")
    return redirect(url_for("eligibility.profile"))


@bp.post("/evidence")
@roles_required("candidate")
def upload_evidence():
    form = EvidenceForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(f"上传失败：{error}", "error")
        return redirect(url_for("eligibility.profile"))
    return page_action(
        lambda: store_upload(current_user, form.label.data, form.file.data.filename, form.file.data.stream),
        url_for("eligibility.profile"),
        lambda stored: f"已上传：{stored.label}",
        failure="上传失败：",
    )


@bp.post("/evidence/<int:file_id>/delete")
@roles_required("candidate")
def delete_evidence(file_id: int):
    return page_action(
        lambda: evidence_ops.delete_evidence(current_user, file_id), url_for("eligibility.profile"), "已删除材料"
    )


@bp.get("/evidence/<int:file_id>")
@login_required
def evidence_file(file_id: int):
    return send_upload(get_upload(current_user, file_id))


@bp.get("/check")
@roles_required("candidate")
def check():
    targets = level_choices()
    standard_id, level = split_target(request.args.get("target") or targets[0][0])
    target = target_value(standard_id, level)
    result, error, notes = None, None, []
    candidate = ops.get_profile_data(current_user)
    try:
        standard = ops.resolve_level(standard_id, level)
        as_of = ops.today()
        result = ops.run_engine(standard, level, ops.parse_candidate(candidate, as_of), as_of)
        notes = ops.unrecognised_occupations(standard, ops.parse_candidate(candidate, as_of))
    except Invalid as exc:
        error = exc.message
    existing = ops.open_application(current_user, standard_id, level)
    return render_template(
        "eligibility/check.html",
        targets=targets,
        target=target,
        title=_level_title(standard_id, level),
        texts=_clause_texts(standard_id, level),
        result=result,
        error=error,
        notes=notes,
        existing=existing,
        as_of=ops.today(),
    )


@bp.post("/apply")
@roles_required("candidate")
def apply():
    target = request.form.get("target", "")
    standard_id, level = split_target(target)
    try:
        application = ops.create_application(current_user, standard_id, level, ops.get_profile_data(current_user))
    except Conflict as exc:
        fail(exc, "未能提交申报：")
        existing = exc.details.get("application_id")
        if existing:
            return redirect(url_for("eligibility.application_detail", application_id=existing))
        return redirect(url_for("eligibility.check", target=target))
    except DomainError as exc:
        fail(exc, "未能提交申报：")
        return redirect(url_for("eligibility.check", target=target))
    # One pair of brackets (issue 27 item 14: "已提交申报（待审核（符合条件））").
    flash(f"已提交申报，状态：{application.status.label}。请等待机构审核", "success")
    return redirect(url_for("eligibility.application_detail", application_id=application.id))


@bp.get("/applications")
@roles_required("candidate")
def my_applications():
    return render_template(
        "eligibility/applications.html", applications=ops.list_applications(current_user), level_title=_level_title
    )


@bp.get("/review")
@roles_required(*ADMINS)
def review_queue():
    applications = ops.list_applications(current_user)
    pending = [a for a in applications if not a.status.decided]
    decided = [a for a in applications if a.status.decided]
    return render_template("eligibility/review_queue.html", pending=pending, decided=decided, level_title=_level_title)


@bp.get("/applications/<int:application_id>")
@login_required
def application_detail(application_id: int):
    application = ops.get_application(current_user, application_id)
    return _render_application(application, DecisionForm(formdata=None))


def _render_application(application, form: DecisionForm, status: int = 200):
    reviewer = is_admin(current_user)
    return (
        render_template(
            "eligibility/application.html",
            a=application,
            title=_level_title(application.standard_id, application.level),
            texts=_clause_texts(application.standard_id, application.level),
            reviewer=reviewer,
            form=form if reviewer and not application.status.decided else None,
            next_pending=ops.next_pending(current_user, application) if reviewer else None,
            notes=_occupation_notes(application.standard_id, application.level, application.profile),
        ),
        status,
    )


@bp.post("/applications/<int:application_id>/withdraw")
@roles_required("candidate")
def withdraw(application_id: int):
    try:
        ops.withdraw(current_user, application_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("eligibility.application_detail", application_id=application_id))
    flash(f"已撤回申报 #{application_id}", "success")
    return redirect(url_for("eligibility.my_applications"))


@bp.post("/applications/<int:application_id>/decide")
@roles_required(*ADMINS)
def decide(application_id: int):
    form = DecisionForm()
    valid = form.validate()
    if form.csrf_token.errors:
        abort(400, "表单已过期，请刷新后重试")
    action = request.form.get("action")
    if action not in ("approve", "reject"):
        abort(400, "未知操作")
    if not valid:  # the typed reason stays, its error beside it
        return _render_application(ops.get_application(current_user, application_id), form, 422)
    try:
        application = ops.decide(current_user, application_id, approve=action == "approve", reason=form.reason.data)
    except NotFound:
        raise
    except Invalid as exc:
        db.session.rollback()
        if not attach(form, exc.details.get("field"), exc.message):
            flash(exc.message, "error")
        return _render_application(ops.get_application(current_user, application_id), form, 422)
    except DomainError as exc:
        fail(exc)
        return redirect(url_for("eligibility.application_detail", application_id=application_id))
    flash(f"申报 #{application.id} {application.status.label}", "success")
    following = ops.next_pending(current_user, application)
    if following is not None:
        return redirect(url_for("eligibility.application_detail", application_id=following.id))
    return redirect(url_for("eligibility.review_queue"))
