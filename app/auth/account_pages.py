"""Account pages: 注册, 修改密码, 重设密码 (with an admin's code), and the center admin's staff page
(create staff, import candidates, deactivate, reset codes, approve registrations). Each POST calls
one operation; its errors are shown beside their fields, every one at once, with what was typed."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.boundary import page_action
from app.errors import DomainError, Invalid
from app.extensions import db

from . import credentials, registration, staff_accounts
from .account_forms import (
    ApprovalSettingForm,
    ChangePasswordForm,
    ImportForm,
    RegisterForm,
    ResetPasswordForm,
    StaffForm,
    options,
    show_errors,
)
from .decorators import roles_required
from .models import Center, Role, User
from .operations import LOGIN_SESSION_KEY, _digest
from .roles import ADMINS
from .scoping import scope_to_center
from .views import bp


def _client() -> str:
    return request.remote_addr or ""


def _failed(form, exc: DomainError) -> tuple[list[str], int]:
    db.session.rollback()
    return show_errors(form, exc), exc.status


# ---------------------------------------------------------------- public: register, reset


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    form.center.choices = options([("", "不选择机构")] + [(str(c.id), c.name) for c in registration.centers()])
    errors, status, done = [], 200, None
    if form.validate_on_submit():
        try:
            done = registration.register_candidate(form.data, _client())
        except DomainError as exc:
            errors, status = _failed(form, exc)
    if done is not None:
        return render_template("auth/registered.html", user=done)
    return render_template("auth/register.html", form=form, errors=errors), status


@bp.route("/password-reset", methods=["GET", "POST"])
def reset_password():
    form = ResetPasswordForm()
    errors, status = [], 200
    if form.validate_on_submit():
        try:
            credentials.redeem_reset_code(form.data, _client())
        except DomainError as exc:
            errors, status = _failed(form, exc)
        else:
            return render_template("auth/password_done.html", reset=True)
    return render_template("auth/reset_password.html", form=form, errors=errors), status


# ---------------------------------------------------------------- signed in: change password


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    errors, status = [], 200
    if form.validate_on_submit():
        key = session.get(LOGIN_SESSION_KEY)
        try:
            credentials.change_password(current_user, form.data, _client(), keep_session=_digest(key) if key else None)
        except DomainError as exc:
            errors, status = _failed(form, exc)
        else:
            return render_template("auth/password_done.html", reset=False)
    return render_template("auth/change_password.html", form=form, errors=errors), status


# ---------------------------------------------------------------- the center's people


def _center_choices() -> list[tuple[str, str]]:
    return [(str(c.id), c.name) for c in db.session.scalars(select(Center).order_by(Center.name))]


def _staff_forms(staff_form=None, import_form=None):
    staff_form = staff_form or StaffForm(formdata=None, prefix="staff")
    import_form = import_form or ImportForm(formdata=None, prefix="import")
    staff_form.role.choices = options((r.value, r.label) for r in staff_accounts.roles_for(current_user))
    centers = _center_choices() if current_user.role == Role.admin else []
    staff_form.center.choices = options([("", "不属于机构（仅评估专家）")] + centers)
    import_form.center.choices = options(centers)
    return staff_form, import_form


def _staff_page(staff_form=None, import_form=None, errors=(), status=200, created=None):
    staff_form, import_form = _staff_forms(staff_form, import_form)
    query = scope_to_center(select(User).order_by(User.role, User.username), current_user, User.center_id)
    setting = None
    if current_user.center is not None and current_user.role == Role.center_admin:
        setting = ApprovalSettingForm(formdata=None, approve=current_user.center.approve_registrations)
    pending = len(registration.pending_registrations(current_user))
    page = render_template(
        "auth/staff.html",
        users=db.session.scalars(query).all(),
        staff_form=staff_form,
        import_form=import_form,
        setting=setting,
        pending=pending,
        errors=list(errors),
        created=created,
        download=_download(created) if created else None,
        is_platform=current_user.role == Role.admin,
    )
    return page, status


def _download(created) -> str:
    """The new accounts and their initial passwords as a CSV (UTF-8 with BOM, for Excel), in a data:
    link on the page itself: nothing is stored, the file exists only in the admin's browser."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["用户名", "姓名", "初始密码"])
    for user, password in created:
        writer.writerow([user.username, user.name, password])
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode()


@bp.get("/staff")
@roles_required(*ADMINS)
def staff():
    """The center's people; a center admin sees only their own center."""
    return _staff_page()


@bp.post("/staff/new")
@roles_required(*ADMINS)
def create_staff():
    form, _ = _staff_forms(StaffForm(prefix="staff"))
    if not form.validate_on_submit():
        return _staff_page(staff_form=form, errors=["表单已过期，请重试"], status=400)
    try:
        user, password = staff_accounts.create_staff(current_user, form.data)
    except DomainError as exc:
        errors, status = _failed(form, exc)
        return _staff_page(staff_form=form, errors=errors, status=status)
    return _staff_page(created=[(user, password)])


@bp.post("/staff/import")
@roles_required(*ADMINS)
def import_candidates():
    _, form = _staff_forms(import_form=ImportForm(prefix="import"))
    if not form.validate_on_submit():
        return _staff_page(import_form=form, errors=["表单已过期，请重试"], status=400)
    upload = form.file.data
    try:
        if upload is None or not upload.filename:
            raise Invalid("文件：请选择要导入的文件", field="file")
        created = staff_accounts.import_candidates(current_user, upload.read(), upload.filename, form.center.data or "")
    except DomainError as exc:
        errors, status = _failed(form, exc)
        return _staff_page(import_form=form, errors=errors, status=status)
    return _staff_page(created=created)


@bp.post("/staff/settings")
@roles_required(Role.center_admin)
def staff_settings():
    form = ApprovalSettingForm()
    required = form.approve.data if form.validate_on_submit() else None
    if required is None:
        return redirect(url_for("auth.staff"))
    return page_action(
        lambda: registration.set_approval(current_user, required),
        url_for("auth.staff"),
        "已保存：" + ("自行注册的考生须经审核" if required else "自行注册的考生无须审核"),
    )


# What a deactivation leaves undone elsewhere, told to the admin on /staff (the sessions whose staff the
# person is still on, 1.9.3): each domain above auth registers its note once at import, auth never
# imports them. A note is a warning; the deactivation itself goes through.
DeactivationNote = Callable[[User], list[str]]
DEACTIVATION_NOTES: list[DeactivationNote] = []


def register_deactivation_note(note: DeactivationNote) -> DeactivationNote:
    DEACTIVATION_NOTES.append(note)
    return note


def _deactivate(user_id: int, notes: list[str]) -> User:
    user = staff_accounts.set_active(current_user, user_id, False)
    notes.extend(message for note in DEACTIVATION_NOTES for message in note(user))
    return user


@bp.post("/staff/<int:user_id>/deactivate")
@roles_required(*ADMINS)
def deactivate_user(user_id: int):
    notes: list[str] = []  # filled only when the deactivation went through
    response = page_action(
        lambda: _deactivate(user_id, notes),
        url_for("auth.staff"),
        lambda user: f"已停用 {user.display_name}：其登录已全部失效",
    )
    for message in notes:  # after the 已停用 line
        flash(message, "warning")
    return response


@bp.post("/staff/<int:user_id>/activate")
@roles_required(*ADMINS)
def activate_user(user_id: int):
    return page_action(
        lambda: staff_accounts.set_active(current_user, user_id, True),
        url_for("auth.staff"),
        lambda user: f"已启用 {user.display_name}",
    )


@bp.post("/staff/<int:user_id>/reset-code")
@roles_required(*ADMINS)
def issue_reset_code(user_id: int):
    user = staff_accounts.account_of(current_user, user_id)
    code, expires = credentials.issue_reset_code(current_user, user)
    return render_template("auth/reset_code.html", user=user, code=code, expires=expires)


@bp.get("/staff/registrations")
@roles_required(*ADMINS)
def registrations():
    return render_template("auth/registrations.html", users=registration.pending_registrations(current_user))


@bp.post("/staff/registrations/<int:user_id>/approve")
@roles_required(*ADMINS)
def approve_registration(user_id: int):
    return page_action(
        lambda: registration.approve_registration(current_user, user_id),
        url_for("auth.registrations"),
        lambda user: f"已通过 {user.display_name} 的注册，现在可以登录",
    )


@bp.post("/staff/registrations/<int:user_id>/reject")
@roles_required(*ADMINS)
def reject_registration(user_id: int):
    return page_action(
        lambda: registration.reject_registration(current_user, user_id),
        url_for("auth.registrations"),
        lambda user: f"已驳回 {user.display_name} 的注册（账号保持停用）",
    )
