"""The account pages' forms. They carry the CSRF token and keep what was typed; the checks are the
operations' (shared with the CLI and the API), whose errors ``show_errors`` puts beside each field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField

from app.errors import DomainError


def options(pairs) -> list[SelectChoice]:
    """A SelectField's choices from (value, label) pairs: WTForms 3.3 deprecates tuples (gone in 3.4)."""
    return [SelectChoice(value, label) for value, label in pairs]


class RegisterForm(FlaskForm):
    username = StringField("用户名", description="3–40 位英文字母、数字或 . _ -，登录时使用")
    name = StringField("姓名")
    contact = StringField("联系方式", description="手机号或电子邮箱，机构管理员联系您时使用")
    center = SelectField("所属机构（可不选）", validate_choice=False)
    password = PasswordField("密码", description="至少 8 位；不能是用户名、常见密码或同一字符重复")
    password2 = PasswordField("确认密码")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("当前密码")
    new_password = PasswordField("新密码", description="至少 8 位；不能是用户名、常见密码或同一字符重复")
    new_password2 = PasswordField("确认新密码")


class ResetPasswordForm(FlaskForm):
    username = StringField("用户名")
    code = StringField("重置码", description="机构管理员给您的 10 位重置码（不分大小写，可含短横线）")
    password = PasswordField("新密码", description="至少 8 位；不能是用户名、常见密码或同一字符重复")
    password2 = PasswordField("确认新密码")


class StaffForm(FlaskForm):
    username = StringField("用户名")
    name = StringField("姓名")
    role = SelectField("角色", validate_choice=False)
    center = SelectField("所属机构", validate_choice=False)
    contact = StringField("联系方式（可不填）")


class ImportForm(FlaskForm):
    file = FileField("考生名单（Excel .xlsx 或 CSV）", description="第 1 行为表头：用户名、姓名、联系方式（可无）")
    center = SelectField("所属机构", validate_choice=False)


class ApprovalSettingForm(FlaskForm):
    approve = BooleanField("自行注册并选择本机构的考生，须经本机构管理员审核后才能登录")


def show_errors(form: FlaskForm, exc: DomainError) -> list[str]:
    """Put the operation's errors beside their fields; returns those no field of the form shows."""
    errors = exc.details.get("errors") or {exc.details.get("field") or "": exc.message}
    rest = []
    for name, message in errors.items():
        field = form._fields.get(name) if name else None
        if field is None:
            rest.append(message)
        else:
            field.errors = [*field.errors, message]
    return rest
